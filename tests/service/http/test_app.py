"""The app factory's error handling: an unexpected exception becomes a JSON 500 that names the
request id and leaks nothing of the exception."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.settings import Settings


def app_with_failing_route(tmp_path: Path) -> TestClient:
    app = create_app(Settings(model_repository=tmp_path, poll_interval_seconds=0.2))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail /etc/passwd")

    return TestClient(app, raise_server_exceptions=False)


def test_unexpected_error_is_json_500_without_details(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="service"), \
            app_with_failing_route(tmp_path) as client:
        response = client.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500, response.text
    assert response.json() == {"error": "internal error; the request id in X-Request-ID finds "
                                        "it in the log"}
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] == "boom-1"
    failure = next(r for r in caplog.records if r.exc_info)
    assert "boom-1" in failure.getMessage() and "secret detail" in str(failure.exc_info[1])
    access = [r for r in caplog.records if r.name == "service.access"]
    assert [(r.status, r.request_id) for r in access] == [(500, "boom-1")]


def test_unexpected_error_gets_generated_request_id(tmp_path: Path) -> None:
    with app_with_failing_route(tmp_path) as client:
        response = client.get("/boom")
    assert response.status_code == 500 and len(response.headers["x-request-id"]) == 32
