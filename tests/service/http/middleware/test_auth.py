"""The API key (admin or all routes) and CORS, over real HTTP; route classification
in-process."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pydantic
import pytest
from fastapi.routing import APIRoute

from service.http.app import create_app
from service.http.paths import is_health, is_public_in_admin_scope
from service.settings import Settings
from tests.service.fault_tools import save_slow_model
from tests.support import LiveServer, all_routes, publish_affine

KEY = "s3cret-key"
ORIGIN = "https://dashboard.example"
TIMEOUT = 2.0
ADMIN_ROUTES = [("GET", "/models"), ("GET", "/models/linear"), ("GET", "/metrics"),
                ("GET", "/v1/models/linear"), ("GET", "/v1/models/linear/versions/1"),
                ("GET", "/v1/models/linear/metadata"), ("GET", "/v2/models/linear"),
                ("GET", "/v2/models/linear/versions/1")]
OPEN_ROUTES = [("GET", "/health/live"), ("GET", "/health/ready"), ("GET", "/docs"),
               ("GET", "/openapi.json"), ("GET", "/v2"), ("GET", "/v2/health/live"),
               ("GET", "/v2/health/ready"), ("GET", "/v2/models/linear/ready")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("security")
    publish_affine(root / "models", 2.0, 1.0)
    (root / "models" / "slow").mkdir()
    save_slow_model(root / "models" / "slow" / "1")
    shutil.copytree(root / "models" / "slow", root / "models" / "slow2")  # runs in parallel
    with LiveServer(root / "models", log_path=root / "server.log", API_KEY=KEY,
                    API_KEY_SCOPE="admin", CORS_ORIGINS=f"{ORIGIN},https://other.example"
                    ) as live:
        yield live


def in_process(app: object, method: str, path: str, **options: object) -> httpx.Response:
    """One request to the app in this process (no lifespan: routes needing the core fail)."""
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **options)  # type: ignore[arg-type]

    return asyncio.run(send())


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_json_error(response: httpx.Response, status: int, fragment: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert fragment in body["error"]
    return body


# -- API key --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_route_without_key_is_401(server: LiveServer, method: str, path: str) -> None:
    response = httpx.request(method, server.url + path)
    assert_json_error(response, 401, "needs an API key")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [f"Bearer {KEY}x", "Bearer", f"Basic {KEY}", KEY,
                                    f"Bearer {KEY[:-1]}"])
def test_admin_route_with_wrong_key_is_401(server: LiveServer, header: str) -> None:
    response = httpx.get(f"{server.url}/models", headers={"Authorization": header})
    assert response.status_code == 401, response.text
    assert response.json()["error"]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_route_with_key_answers(server: LiveServer, method: str, path: str) -> None:
    assert httpx.request(method, server.url + path, headers=bearer(KEY)).status_code == 200
    lower = {"Authorization": f"bearer {KEY}"}  # the scheme is case-insensitive
    assert httpx.request(method, server.url + path, headers=lower).status_code == 200


@pytest.mark.parametrize(("method", "path"), OPEN_ROUTES)
def test_open_route_needs_no_key_in_admin_scope(server: LiveServer, method: str,
                                                path: str) -> None:
    assert httpx.request(method, server.url + path).status_code == 200


def test_predictions_need_no_key_in_admin_scope(server: LiveServer) -> None:
    native = httpx.post(f"{server.url}/predict/linear", json={"instances": [1]})
    v1 = httpx.post(f"{server.url}/v1/models/linear/versions/1:predict",
                    json={"instances": [1]})
    v2 = httpx.post(f"{server.url}/v2/models/linear/infer", json={"inputs": [
        {"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]})
    assert native.json()["predictions"] == [3.0]
    assert v1.json()["predictions"] == [3.0]
    assert v2.json()["outputs"][0]["data"] == [3.0]


def test_unknown_path_is_guarded_in_admin_scope(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/nothing/here").status_code == 401


def test_every_route_classified_fail_closed() -> None:
    app = create_app(Settings(model_repository=Path("unused")))
    open_paths = {path for _, path in OPEN_ROUTES} | {"/predict/{model}"}
    routes = all_routes(app)
    assert len(routes) > 30
    for route in routes:
        if not isinstance(route, APIRoute) and getattr(route, "path", "") != "/docs":
            continue
        for method in getattr(route, "methods", None) or {"GET"}:
            concrete = route.path.replace("{", "").replace("}", "")
            public = is_public_in_admin_scope(method, concrete) or is_health(concrete)
            predicts = method == "POST" and (":predict" in route.path or
                                             route.path.endswith("/infer"))
            ready = route.path.startswith("/v2") and route.path.endswith("/ready")
            expected = route.path in open_paths or predicts or ready or route.path in (
                "/v2", "/v2/health/live", "/v2/health/ready")
            assert public == expected, (method, route.path)


def test_scope_all_guards_everything_but_health(tmp_path: Path) -> None:
    app = create_app(Settings(model_repository=tmp_path, api_key=KEY, api_key_scope="all"))
    for path in ("/models", "/openapi.json", "/docs", "/metrics"):
        assert in_process(app, "GET", path).status_code == 401, path
    assert in_process(app, "POST", "/predict/linear", json={"instances": [1]}).status_code == 401
    assert in_process(app, "GET", "/health/live").status_code == 200
    assert in_process(app, "GET", "/openapi.json", headers=bearer(KEY)).status_code == 200


def test_empty_api_key_is_refused_at_start() -> None:
    with pytest.raises(pydantic.ValidationError, match="set but empty"):
        Settings(api_key=" ")


# -- CORS -----------------------------------------------------------------------------------------
def test_cors_preflight_from_allowed_origin_is_answered(server: LiveServer) -> None:
    response = httpx.options(f"{server.url}/predict/linear", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_cors_preflight_from_other_origin_is_refused_in_json(server: LiveServer) -> None:
    response = httpx.options(f"{server.url}/predict/linear", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert_json_error(response, 400, "Disallowed CORS origin")
    assert "access-control-allow-origin" not in response.headers


def test_cors_headers_only_for_allowed_origins(server: LiveServer) -> None:
    allowed = httpx.get(f"{server.url}/health/live", headers={"Origin": ORIGIN})
    other = httpx.get(f"{server.url}/health/live", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-origin" not in other.headers


def test_cors_off_by_default(tmp_path: Path) -> None:
    app = create_app(Settings(model_repository=tmp_path))
    response = in_process(app, "GET", "/health/live", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers
    preflight = in_process(app, "OPTIONS", "/predict/linear", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
