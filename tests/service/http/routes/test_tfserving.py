"""TensorFlow Serving REST API, checked against the request and response examples of its
api_rest.md (and its handler tests) that apply to float models, comparing whole JSON shapes.

Repository: the trained zoo, linear v1 (y = 2x - 1, label `stable`) and v2 (y = 3x + 1), and
`pair` (a, b -> product, sum) for the multi-output shapes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.core.loading.signature_defs import read_signature_defs, rebuilt_signature_defs
from service.core.types import Address
from tests.service.protocol_fixtures import (
    broken_linear_repository,
    broken_settled,
    protocol_zoo,
    serving,
)

OK = {"error_code": "OK", "error_message": ""}


@pytest.fixture(scope="module")
def client(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[TestClient]:
    with protocol_zoo(trained_repository, tmp_path_factory, "tfs") as client:
        yield client


def close(values: list[float], expected: list[float], tolerance: float = 0.01) -> bool:
    return len(values) == len(expected) and all(
        abs(v - e) < tolerance for v, e in zip(values, expected, strict=True))


# -- model status ------------------------------------------------------------------------------
def test_status_lists_every_version_newest_first(client: TestClient) -> None:
    answer = client.get("/v1/models/linear")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"model_version_status": [
        {"version": "2", "state": "AVAILABLE", "status": OK},
        {"version": "1", "state": "AVAILABLE", "status": OK}]}


@pytest.mark.parametrize("path", ["/v1/models/linear/versions/1",
                                  "/v1/models/linear/labels/stable"])
def test_status_by_version_or_label_gives_that_version(client: TestClient, path: str) -> None:
    assert client.get(path).json() == {"model_version_status": [
        {"version": "1", "state": "AVAILABLE", "status": OK}]}


@pytest.mark.parametrize(("path", "status", "says"), [
    ("/v1/models/half", 404, "'half' not found"),
    ("/v1/models/linear/versions/7", 404, "Could not find version 7 of model linear"),
    ("/v1/models/linear/labels/canary", 404, "no label 'canary'"),
    ("/v1/models/linear/versions/one", 400, "invalid version 'one'"),
])
def test_status_unknown_address_is_error_object(client: TestClient, path: str, status: int,
                                                says: str) -> None:
    answer = client.get(path)
    assert answer.status_code == status
    assert list(answer.json()) == ["error"] and says in answer.json()["error"]


def test_status_failed_version_is_end_with_reason(trained_repository: Path,
                                                  tmp_path: Path) -> None:
    repository = broken_linear_repository(trained_repository, tmp_path / "models")
    with serving(repository, broken_settled) as client:
        statuses = client.get("/v1/models/linear").json()["model_version_status"]
        metadata = client.get("/v1/models/linear/versions/2/metadata")
    failed, serving_one = statuses
    assert failed["version"] == "2" and failed["state"] == "END"
    assert failed["status"]["error_code"] == "UNKNOWN"
    assert "could not be loaded" in failed["status"]["error_message"]
    assert serving_one == {"version": "1", "state": "AVAILABLE", "status": OK}
    assert metadata.status_code == 503 and "FAILED" in metadata.json()["error"]


# -- model metadata ----------------------------------------------------------------------------
def _float_vector(name: str) -> dict:
    return {"dtype": "DT_FLOAT", "name": name,
            "tensor_shape": {"dim": [{"size": "-1", "name": ""}], "unknown_rank": False}}


def test_metadata_matches_tensorflow_serving_shape(client: TestClient) -> None:
    answer = client.get("/v1/models/cereal_calories/metadata").json()
    assert answer["model_spec"] == {"name": "cereal_calories", "signature_name": "",
                                    "version": "1"}
    assert list(answer["metadata"]) == ["signature_def"]
    signatures = answer["metadata"]["signature_def"]["signature_def"]
    assert signatures["serving_default"] == {
        "inputs": {name: _float_vector(f"serving_default_{name}:0")
                   for name in ("sugars", "fibre", "protein")},
        "outputs": {"calories": _float_vector("StatefulPartitionedCall:0")},
        "method_name": "tensorflow/serving/predict", "defaults": {}}
    assert signatures["__saved_model_init_op"]["method_name"] == ""


@pytest.mark.parametrize(("path", "version"), [
    ("/v1/models/linear/metadata", "2"), ("/v1/models/linear/versions/1/metadata", "1"),
    ("/v1/models/linear/labels/stable/metadata", "1")])
def test_metadata_follows_version_and_label(client: TestClient, path: str, version: str) -> None:
    assert client.get(path).json()["model_spec"] == {"name": "linear", "signature_name": "",
                                                     "version": version}


def test_metadata_rebuilt_signature_equals_saved_proto(client: TestClient) -> None:
    manager = client.app.state.core.manager
    for name in ("cereal_calories", "pair"):
        servable = manager.resolve(Address(name))
        assert rebuilt_signature_defs(servable.signatures)["serving_default"] == \
            read_signature_defs(servable.path)["serving_default"]


# -- predict: the documented examples ------------------------------------------------------------
def test_predict_documented_row_example(client: TestClient) -> None:
    """api_rest.md: {"instances": [1.0, 2.0, 5.0]} -> {"predictions": [3.5, 4.0, 5.5]}."""
    answer = client.post("/v1/models/linear/versions/1:predict",
                         json={"instances": [1.0, 2.0, 5.0]})
    assert answer.status_code == 200 and list(answer.json()) == ["predictions"]
    assert close(answer.json()["predictions"], [1.0, 3.0, 9.0])


@pytest.mark.parametrize("body", [
    {"instances": [1.0, 2.0]}, {"instances": [{"x": 1.0}, {"x": 2.0}]},
    {"signature_name": "serving_default", "instances": [1.0, 2.0]}])
def test_predict_row_named_or_unnamed(client: TestClient, body: dict) -> None:
    answer = client.post("/v1/models/linear:predict", json=body).json()
    assert list(answer) == ["predictions"] and close(answer["predictions"], [4.0, 7.0])


@pytest.mark.parametrize("inputs", [[1.0, 2.0], {"x": [1.0, 2.0]}])
def test_predict_columnar_named_or_unnamed(client: TestClient, inputs: object) -> None:
    answer = client.post("/v1/models/linear:predict", json={"inputs": inputs}).json()
    assert list(answer) == ["outputs"] and close(answer["outputs"], [4.0, 7.0])


def test_predict_three_named_inputs_matches_native(client: TestClient) -> None:
    rows = [{"sugars": 6, "fibre": 2, "protein": 3}, {"sugars": 0, "fibre": 10, "protein": 4}]
    native = client.post("/predict/cereal_calories", json={"instances": rows}).json()
    row = client.post("/v1/models/cereal_calories:predict", json={"instances": rows}).json()
    columns = {name: [r[name] for r in rows] for name in ("sugars", "fibre", "protein")}
    columnar = client.post("/v1/models/cereal_calories:predict", json={"inputs": columns}).json()
    assert row == {"predictions": native["predictions"]}
    assert columnar == {"outputs": native["predictions"]}


def test_predict_several_outputs_named_per_format(client: TestClient) -> None:
    row = client.post("/v1/models/pair:predict",
                      json={"instances": [{"a": 2, "b": 3}, {"a": 4, "b": 5}]}).json()
    columnar = client.post("/v1/models/pair:predict",
                           json={"inputs": {"a": [2, 4], "b": [3, 5]}}).json()
    assert row == {"predictions": [{"product": 6.0, "sum": 5.0}, {"product": 20.0, "sum": 9.0}]}
    assert columnar == {"outputs": {"product": [6.0, 20.0], "sum": [5.0, 9.0]}}


@pytest.mark.parametrize(("address", "expected"), [
    ("", [4.0, 31.0]), ("/versions/2", [4.0, 31.0]), ("/versions/1", [1.0, 19.0]),
    ("/labels/stable", [1.0, 19.0])])
def test_predict_by_version_and_label(client: TestClient, address: str,
                                      expected: list[float]) -> None:
    answer = client.post(f"/v1/models/linear{address}:predict", json={"instances": [1, 10]})
    assert close(answer.json()["predictions"], expected)


# -- predict: errors ---------------------------------------------------------------------------
def test_predict_documented_unknown_model_is_404(client: TestClient) -> None:
    """api_rest.md: POST /v1/models/half:predict -> 404 {"error": "..."}."""
    answer = client.post("/v1/models/half:predict", json={"instances": [1.0, 5.0]})
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert list(answer.json()) == ["error"] and "'half' not found" in answer.json()["error"]


@pytest.mark.parametrize(("body", "says"), [
    ({"signature_name": "tensorflow/serving/regress", "instances": [1.0]},
     '"tensorflow/serving/regress" not found'),
    ({"signature_name": 3, "instances": [1.0]}, "must be a string"),
    ({"instances": [1.0], "inputs": [1.0]}, "got both"),
    ({"signature_name": "serving_default"}, "exactly one of 'instances'"),
    ({"instances": []}, "No values in 'instances'"),
    ({"instances": ["a"]}, "instance 0: expected a number, got str"),
    ({"inputs": {"x": [1.0], "z": [2.0]}}, "unknown: z"),
    ([1.0], "must be a JSON object"),
])
def test_predict_invalid_body_is_400(client: TestClient, body: object, says: str) -> None:
    answer = client.post("/v1/models/linear:predict", json=body)
    assert answer.status_code == 400 and says in answer.json()["error"]


@pytest.mark.parametrize("verb", ["classify", "regress"])
def test_classify_and_regress_are_refused_clearly(client: TestClient, verb: str) -> None:
    body = {"signature_name": f"tensorflow/serving/{verb}", "examples": [{"x": 1.0}]}
    answer = client.post(f"/v1/models/linear:{verb}", json=body)
    unknown = client.post(f"/v1/models/half/versions/1:{verb}", json=body)
    assert answer.status_code == 400, answer.text
    assert f"{verb} is not supported" in answer.json()["error"]
    assert ":predict" in answer.json()["error"]
    assert unknown.status_code == 404, unknown.text


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/models/linear:predict"), ("POST", "/v1/models/linear"),
    ("POST", "/v1/models/linear:predict:predict"), ("POST", "/v1/models/linear:explain"),
    ("GET", "/v1/models")])
def test_malformed_path_is_400_not_a_model_lookup(client: TestClient, method: str,
                                                  path: str) -> None:
    answer = client.request(method, path, json={"instances": [1.0]})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith(f"Malformed request: {method} {path}")


def test_openapi_documents_predict_body(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    body = paths["/v1/models/{name}/labels/{label}:predict"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert {"instances", "inputs", "signature_name"} <= set(schema["properties"])
    assert "/v1/models/{name}/versions/{version}/metadata" in paths


def test_metrics_label_route_templates(client: TestClient) -> None:
    client.post("/v1/models/linear/versions/1:predict", json={"instances": [1.0]})
    metrics = client.get("/metrics").text
    assert 'route="/v1/models/{name}/versions/{version}:predict"' in metrics
