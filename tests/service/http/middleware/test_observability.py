"""Over real HTTP: request ids (honoured, echoed, generated), one JSON access-log line per
request."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import LiveServer, copy_models, eventually

LIMIT = 4096


@pytest.fixture(scope="module")
def server(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("middleware")
    repository = copy_models(trained_repository, root / "models", "linear")
    with LiveServer(repository, log_path=root / "server.log", LOG_FORMAT="json",
                    MAX_REQUEST_BYTES=LIMIT) as live:
        yield live


def log_records(server: LiveServer) -> list[dict]:
    """Every line the server wrote, each parsed as JSON (fails on a line that is not)."""
    return [json.loads(line) for line in server.log().splitlines() if line.strip()]


def access_records(server: LiveServer, request_id: str) -> list[dict]:
    return [r for r in log_records(server)
            if r["logger"] == "service.access" and r.get("request_id") == request_id]


def test_request_id_is_honoured_echoed_and_logged(server: LiveServer) -> None:
    response = httpx.post(f"{server.url}/predict/linear", json={"instances": [1]},
                          headers={"X-Request-ID": "client-42.a"})
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "client-42.a"
    (record,) = eventually(lambda: access_records(server, "client-42.a"))
    assert record["level"] == "info" and record["method"] == "POST"
    assert (record["path"], record["status"]) == ("/predict/linear", 200)
    assert (record["model"], record["version"]) == ("linear", "1")
    assert record["duration_ms"] > 0 and "client-42.a" in record["message"]


def test_request_id_is_generated_when_absent(server: LiveServer) -> None:
    first = httpx.get(f"{server.url}/health/live").headers["x-request-id"]
    second = httpx.get(f"{server.url}/health/live").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert eventually(lambda: access_records(server, first))


@pytest.mark.parametrize("given", ["has space", "x" * 129, "caf\u00e9"])
def test_unusable_request_id_is_replaced(server: LiveServer, given: str) -> None:
    response = httpx.get(f"{server.url}/health/live",
                         headers={"X-Request-ID": given.encode("utf-8")})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_one_access_line_per_request_including_errors(server: LiveServer) -> None:
    calls = [("GET", "/models", None, 200), ("POST", "/predict/linear", b"{", 400),
             ("POST", "/predict/ghost", b'{"instances": [1]}', 404),
             ("GET", "/nowhere", None, 404), ("DELETE", "/models", None, 405)]
    for index, (method, path, body, status) in enumerate(calls):
        response = httpx.request(method, server.url + path, content=body,
                                 headers={"X-Request-ID": f"line-{index}"})
        assert (response.status_code, response.headers["x-request-id"]) == \
            (status, f"line-{index}")
    for index, (method, path, _, status) in enumerate(calls):
        (record,) = eventually(lambda i=index: access_records(server, f"line-{i}"))
        assert (record["method"], record["path"], record["status"]) == (method, path, status)


def test_every_log_line_is_json(server: LiveServer) -> None:
    httpx.get(f"{server.url}/models")
    records = log_records(server)
    loggers = {r["logger"] for r in records}
    assert {"service", "service.registry", "service.access", "uvicorn.error"} <= loggers
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
