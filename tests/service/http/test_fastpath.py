"""The one-pass entry and the pure-ASGI fast path answer exactly as FastAPI's own routing
would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.http.app import INFERENCE_ROUTES, create_app
from service.http.fastpath import FastPathMiddleware
from service.settings import Settings
from tests.support import all_routes, eventually

V2_BODY = {"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": [1, 2]}]}
REQUESTS = [  # (path, body): answers, every error kind, and paths the fast path leaves alone
    ("/predict/linear", {"instances": [10, 11]}),
    ("/predict/linear?version=1", {"instances": [[10]]}),
    ("/predict/linear?label=stable", {"instances": [10]}),
    ("/predict/linear?version=01", {"instances": [10]}),
    ("/predict/linear?version=1&label=x", {"instances": [10]}),
    ("/predict/cereal_calories", {"instances": [{"sugars": 6, "fibre": 2, "protein": 3}]}),
    ("/predict/linear", {"instances": []}),
    ("/predict/linear", {"instances": ["ten"]}),
    ("/predict/linear", {"rows": [10]}),
    ("/predict/nope", {"instances": [10]}),
    ("/predict/linear", b"{not json"),
    ("/predict/linear/extra", {"instances": [10]}),
    ("/v1/models/linear:predict", {"instances": [10]}),
    ("/v1/models/linear:predict", {"inputs": {"x": [1, 2]}}),
    ("/v1/models/linear/versions/1:predict", {"instances": [10]}),
    ("/v1/models/linear/versions/x:predict", {"instances": [10]}),
    ("/v1/models/linear/labels/none:predict", {"instances": [10]}),
    ("/v1/models/linear:classify", {"instances": [10]}),
    ("/v1/models/linear:explode", {"instances": [10]}),
    ("/v2/models/linear/infer", V2_BODY),
    ("/v2/models/linear/versions/1/infer", V2_BODY),
    ("/v2/models/linear/versions/9/infer", V2_BODY),
    ("/v2/models/linear/infer", {"inputs": [{"name": "z"}]}),
    ("/v2/models/nope/infer", V2_BODY),
]


MODES = ("one pass", "fast path", "FastAPI")


def serve(repository: Path, mode: str) -> Iterator[TestClient]:
    """The app as served ("one pass"), without its one-pass entry (the fast path middleware
    answers), or with FastAPI routing every request."""
    app = create_app(Settings(model_repository=repository, poll_interval_seconds=0.2,
                              version_settle_seconds=0))
    if mode != "one pass":
        app.one_pass = None
    if mode == "FastAPI":
        app.user_middleware = [m for m in app.user_middleware if m.cls is not FastPathMiddleware]
    with TestClient(app) as client:
        eventually(lambda: client.get("/health/ready").status_code == 200, timeout=60)
        yield client


@pytest.fixture(scope="module")
def clients(trained_repository: Path) -> Iterator[tuple[TestClient, ...]]:
    served = [serve(trained_repository, mode) for mode in MODES]
    yield tuple(next(generator) for generator in served)
    for generator in served:
        next(generator, None)


def answer(client: TestClient, path: str, body: object) -> tuple:
    headers = {"x-request-id": "same-id-for-both", "content-type": "application/json"}
    if isinstance(body, bytes):
        response = client.post(path, content=body, headers=headers)
    else:
        response = client.post(path, json=body, headers=headers)
    return (response.status_code, response.headers.get("content-type"),
            response.headers.get("x-request-id"), response.content)


@pytest.mark.parametrize(("path", "body"), REQUESTS)
def test_fast_path_answers_like_fastapi(clients: tuple[TestClient, ...], path: str,
                                        body: object) -> None:
    one_pass, fast, slow = clients
    expected = answer(slow, path, body)
    assert answer(fast, path, body) == expected
    assert answer(one_pass, path, body) == expected


def test_fast_path_metrics_label_the_route_template(
        clients: tuple[TestClient, ...]) -> None:
    for client in clients[:2]:  # the one pass, and the fast path
        client.post("/v1/models/linear/versions/1:predict", json={"instances": [1]})
        metrics = client.get("/metrics").text
        assert 'route="/v1/models/{name}/versions/{version}:predict"' in metrics


def test_inference_table_holds_every_predict_route_and_no_other(
        clients: tuple[TestClient, ...]) -> None:
    table = {route.path for route in INFERENCE_ROUTES}
    assert "/predict/{model}" in table
    for form in ("", "/versions/{version:segment}", "/labels/{label:segment}"):
        assert f"/v1/models/{{name:segment}}{form}:predict" in table
    assert {"/v2/models/{name:segment}/infer",
            "/v2/models/{name:segment}/versions/{version:segment}/infer"} <= table
    assert len(table) == 6
    fast = clients[0]
    posts = [r.path for r in all_routes(fast.app) if "POST" in (getattr(r, "methods", None)
                                                                 or ())]
    assert posts[:len(table)] == [route.path for route in INFERENCE_ROUTES]  # FastAPI's first

