"""Open Inference Protocol v2 over REST: the real, unmodified tritonclient HTTP client against
the service on a localhost port, then the raw JSON forms in process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tritonclient.http as triton
from fastapi.testclient import TestClient
from tritonclient.utils import InferenceServerException

from tests.service.protocol_fixtures import (
    broken_linear_repository,
    broken_settled,
    protocol_zoo,
    serving,
)
from tests.support import LiveServer

CEREAL = ("sugars", "fibre", "protein")


@pytest.fixture(scope="module")
def server(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("v2-live") / "server.log"
    with LiveServer(trained_repository, log_path=log) as server:
        yield server


@pytest.fixture
def triton_client(server: LiveServer) -> Iterator[triton.InferenceServerClient]:
    client = triton.InferenceServerClient(server.url.removeprefix("http://"),
                                          connection_timeout=10, network_timeout=30)
    yield client
    client.close()


def float_input(name: str, values: list[float], binary: bool = False) -> triton.InferInput:
    tensor = triton.InferInput(name, [len(values), 1], "FP32")
    tensor.set_data_from_numpy(np.asarray(values, np.float32).reshape(-1, 1), binary_data=binary)
    return tensor


# -- tritonclient, unmodified, over real HTTP ----------------------------------------------------
def test_client_health_reports_live_and_ready(triton_client) -> None:
    assert triton_client.is_server_live() and triton_client.is_server_ready()
    assert triton_client.is_model_ready("linear") and triton_client.is_model_ready("linear", "1")
    assert triton_client.is_model_ready("cereal_calories")
    assert not triton_client.is_model_ready("linear", "9")
    assert not triton_client.is_model_ready("nope")


def test_client_metadata_describes_server_and_models(triton_client) -> None:
    server = triton_client.get_server_metadata()
    linear = triton_client.get_model_metadata("linear")
    cereal = triton_client.get_model_metadata("cereal_calories", "1")
    assert server == {"name": "dense-model-server", "version": "0.1.0",
                      "extensions": ["binary_tensor_data"]}
    assert linear == {"name": "linear", "versions": ["1"], "platform": "tensorflow_savedmodel",
                      "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1]}],
                      "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1]}]}
    assert [t["name"] for t in cereal["inputs"]] == list(CEREAL)
    assert cereal["outputs"] == [{"name": "calories", "datatype": "FP32", "shape": [-1]}]


def test_client_infer_linear_json(triton_client) -> None:
    result = triton_client.infer(
        "linear", [float_input("x", [1.0, 2.0, 10.0])], request_id="req-7",
        outputs=[triton.InferRequestedOutput("y", binary_data=False)])
    answer = result.get_response()
    assert (answer["model_name"], answer["model_version"], answer["id"]) == \
        ("linear", "1", "req-7")
    assert answer["outputs"][0]["shape"] == [3, 1] and "data" in answer["outputs"][0]
    np.testing.assert_allclose(result.as_numpy("y"), [[1.0], [3.0], [19.0]], atol=0.01)


def test_client_infer_default_usage_is_binary_both_ways(triton_client) -> None:
    """InferInput.set_data_from_numpy and InferRequestedOutput default to binary_data=True."""
    tensor = triton.InferInput("x", [2, 1], "FP32")
    tensor.set_data_from_numpy(np.array([[3.0], [4.0]], np.float32))
    requested = triton_client.infer("linear", [tensor],
                                    outputs=[triton.InferRequestedOutput("y")])
    everything = triton_client.infer("linear", [tensor])
    for result in (requested, everything):
        output = result.get_response()["outputs"][0]
        assert output["parameters"] == {"binary_data_size": 8} and "data" not in output
        np.testing.assert_allclose(result.as_numpy("y"), [[5.0], [7.0]], atol=0.01)


def test_client_infer_three_inputs_matches_native(triton_client, server: LiveServer) -> None:
    import httpx

    rows = [[6.0, 2.0, 3.0], [0.0, 10.0, 4.0], [12.0, 0.0, 2.0]]
    inputs = [float_input(name, [r[i] for r in rows], binary=i == 1)
              for i, name in enumerate(CEREAL)]
    result = triton_client.infer("cereal_calories", inputs, model_version="1",
                                 outputs=[triton.InferRequestedOutput("calories", False)])
    native = httpx.post(f"{server.url}/predict/cereal_calories", json={"instances": rows})
    assert result.as_numpy("calories").shape == (3, 1)
    np.testing.assert_array_equal(result.as_numpy("calories").ravel(),
                                  np.float32(native.json()["predictions"]))


def test_client_unknown_model_raises_our_message(triton_client) -> None:
    with pytest.raises(InferenceServerException) as raised:
        triton_client.infer("nope", [float_input("x", [1.0])])
    with pytest.raises(InferenceServerException) as metadata:
        triton_client.get_model_metadata("nope")
    assert raised.value.status() == "404"
    assert raised.value.message().startswith("model 'nope' not found (models: ")
    assert metadata.value.status() == "404"


def test_client_unknown_output_raises_400(triton_client) -> None:
    with pytest.raises(InferenceServerException) as raised:
        triton_client.infer("linear", [float_input("x", [1.0])],
                            outputs=[triton.InferRequestedOutput("z", binary_data=False)])
    assert raised.value.status() == "400"
    assert raised.value.message() == "unknown output 'z'; outputs are y"


# -- raw JSON, in process ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[TestClient]:
    with protocol_zoo(trained_repository, tmp_path_factory, "v2") as client:
        yield client


def infer(client: TestClient, path: str, *inputs: dict, **fields: object):
    return client.post(f"/v2/models/{path}/infer", json={"inputs": list(inputs), **fields})


def x_input(data: list, shape: list[int], datatype: object = "FP32") -> dict:
    return {"name": "x", "shape": shape, "datatype": datatype, "data": data}


def test_health_and_server_metadata_bodies(client: TestClient) -> None:
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"live": True, "ready": True}
    assert client.get("/v2").json()["extensions"] == ["binary_tensor_data"]


def test_model_metadata_lists_served_versions(client: TestClient) -> None:
    latest = client.get("/v2/models/linear").json()
    first = client.get("/v2/models/linear/versions/1").json()
    assert latest["versions"] == ["1", "2"] and first["versions"] == ["1", "2"]
    assert latest["platform"] == "tensorflow_savedmodel"
    assert client.get("/v2/models/linear/ready").json() == {"name": "linear", "ready": True}


@pytest.mark.parametrize(("data", "shape", "datatype", "out_shape"), [
    ([[1], [10]], [2, 1], "FP32", [2, 1]), ([1, 10], [2, 1], "FP64", [2, 1]),
    ([1, 10], [2], "INT32", [2]), ([1.0, 10.0], [2], "INT64", [2]),
    ([1, 10], [2], "UINT8", [2])])
def test_infer_accepts_numeric_datatypes_flat_or_nested(client: TestClient, data: list,
                                                        shape: list[int], datatype: str,
                                                        out_shape: list[int]) -> None:
    answer = infer(client, "linear/versions/1", x_input(data, shape, datatype), id="a1")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [k for k in body] == ["model_name", "model_version", "id", "outputs"]
    assert (body["model_name"], body["model_version"], body["id"]) == ("linear", "1", "a1")
    output = body["outputs"][0]
    assert (output["name"], output["shape"], output["datatype"]) == ("y", out_shape, "FP32")
    np.testing.assert_allclose(output["data"], [1.0, 19.0], atol=0.01)


def test_infer_without_id_answers_the_request_id(client: TestClient) -> None:
    answer = infer(client, "linear", x_input([1], [1]), parameters={"priority": 0})
    assert answer.json()["id"] == answer.headers["x-request-id"]
    np.testing.assert_allclose(answer.json()["outputs"][0]["data"], [4.0], atol=0.01)


def test_infer_honours_requested_outputs(client: TestClient) -> None:
    a = {"name": "a", "shape": [2], "datatype": "FP32", "data": [2, 4]}
    b = {"name": "b", "shape": [2], "datatype": "FP32", "data": [3, 5]}
    both = infer(client, "pair", a, b).json()["outputs"]
    only_sum = infer(client, "pair", a, b, outputs=[{"name": "sum"}]).json()["outputs"]
    assert [(o["name"], o["data"]) for o in both] == [("product", [6.0, 20.0]),
                                                      ("sum", [5.0, 9.0])]
    assert only_sum == [{"name": "sum", "shape": [2], "datatype": "FP32", "data": [5.0, 9.0]}]


@pytest.mark.parametrize(("inputs", "says"), [
    ([x_input([True, False], [2], "BOOL")], "expected a number, got bool"),
    ([x_input(["1"], [1], "BYTES")], "datatype 'BYTES' is not accepted"),
    ([x_input([1], [1], {})], "datatype 'dict' is not accepted"),
    ([x_input([1, True], [2])], "data[1]: expected a number, got bool"),
    ([x_input([1, "2"], [2])], "data[1]: expected a number, got str"),
    ([x_input([1, 2, 3], [2, 1])], "data has 3 values but shape [2, 1] holds 2"),
    ([x_input([1, 2], [1, 2])], "has shape [1, 2] but input 'x' takes shape [-1]"),
    ([x_input([[1, 2]], [2, 1])], "nested as [1, 2] but shape is [2, 1]"),
    ([x_input([[1], [2, 3]], [2, 1])], "ragged"),
    ([x_input([1.5], [1], "INT32")], "whole numbers"),
    ([x_input([300], [1], "UINT8")], "outside the range"),
    ([x_input([1e39], [1])], "not a finite float32"),
    ([x_input([], [0])], "no instances"),
    ([x_input([1], [1]), x_input([2], [1])], "given twice"),
    ([{"name": "z", "shape": [1], "datatype": "FP32", "data": [1]}], "unknown: z"),
    ([], '"inputs" must be a non-empty array'),
])
def test_infer_invalid_inputs_are_400(client: TestClient, inputs: list, says: str) -> None:
    answer = client.post("/v2/models/linear/infer", json={"inputs": inputs})
    assert answer.status_code == 400, answer.text
    assert says in answer.json()["error"]


def test_infer_different_row_counts_are_400(client: TestClient) -> None:
    a = {"name": "a", "shape": [2], "datatype": "FP32", "data": [2, 4]}
    b = {"name": "b", "shape": [1], "datatype": "FP32", "data": [3]}
    answer = infer(client, "pair", a, b)
    assert answer.status_code == 400 and "different lengths" in answer.json()["error"]


def _binary_x(size: int) -> bytes:
    return (b'{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", '
            b'"parameters": {"binary_data_size": %d}}]}' % size)


@pytest.mark.parametrize(("head", "tail", "header", "says"), [
    (_binary_x(8), b"", None, "does not fit the 0 bytes"),
    (_binary_x(8), np.float32([1, 2]).tobytes(), None, "needs the Inference-Header-Content"),
    (_binary_x(4), np.float32([1]).tobytes(), "", "binary_data_size is 4 bytes but shape [2]"),
    (_binary_x(8), np.float32([1, 2, 3]).tobytes(), "", "4 bytes of binary data after"),
    (b'{"inputs": []}', b"", "99", "not a length within"),
    (b'{"inputs": [1]', b"", None, "malformed JSON"),
    (b'{"input": []}', b"", None, "unknown field 'input'"),
])
def test_infer_malformed_bodies_are_400(client: TestClient, head: bytes, tail: bytes,
                                        header: str | None, says: str) -> None:
    """`header`: None sends no Inference-Header-Content-Length, "" sends the true length."""
    sent = {} if header is None else {"Inference-Header-Content-Length": header or
                                      str(len(head))}
    answer = client.post("/v2/models/linear/infer", content=head + tail, headers=sent)
    assert answer.status_code == 400 and says in answer.json()["error"]


@pytest.mark.parametrize("values", [[np.nan, 1.0], [1.0, np.inf]])
def test_infer_binary_values_are_checked_as_json_ones_are(client: TestClient,
                                                          values: list[float]) -> None:
    """Binary data is read unchecked; the cast to the input's dtype checks it."""
    head = _binary_x(8)
    answer = client.post("/v2/models/linear/infer", content=head + np.float32(values).tobytes(),
                         headers={"Inference-Header-Content-Length": str(len(head))})
    assert answer.status_code == 400, answer.text
    assert "is not a finite float32" in answer.json()["error"]


def test_infer_json_data_of_another_datatype_is_checked_again_for_the_input(
        client: TestClient) -> None:
    """FP64 data is checked as float64, then again as the float32 input takes it."""
    answer = infer(client, "linear", x_input([1.0, 1e300], [2], "FP64"))
    assert answer.status_code == 400
    assert "element [1]: 1e+300 is not a finite float32" in answer.json()["error"]
    assert infer(client, "linear", x_input([1.0, 3e38], [2], "FP64")).status_code == 422


def test_infer_raw_binary_request_and_response(client: TestClient) -> None:
    head = (b'{"inputs": [{"name": "x", "shape": [2, 1], "datatype": "FP64", "parameters": '
            b'{"binary_data_size": 16}}], "parameters": {"binary_data_output": true}}')
    answer = client.post("/v2/models/linear/versions/1/infer",
                         content=head + np.array([1.0, 10.0], "<f8").tobytes(),
                         headers={"Inference-Header-Content-Length": str(len(head))})
    length = int(answer.headers["inference-header-content-length"])
    header = json.loads(answer.content[:length])
    assert header["outputs"] == [{"name": "y", "shape": [2, 1], "datatype": "FP32",
                                  "parameters": {"binary_data_size": 8}}]
    np.testing.assert_allclose(np.frombuffer(answer.content[length:], "<f4"), [1.0, 19.0],
                               atol=0.01)


def test_infer_unsupported_extensions_are_400(client: TestClient) -> None:
    shared = x_input([1], [1]) | {"parameters": {"shared_memory_region": "r"}}
    classify = {"name": "y", "parameters": {"classification": 2}}
    for answer in (infer(client, "linear", shared),
                   infer(client, "linear", x_input([1], [1]), outputs=[classify])):
        assert answer.status_code == 400 and "not supported" in answer.json()["error"]


def test_unknown_model_and_version_are_404(client: TestClient) -> None:
    for path in ("/v2/models/nope", "/v2/models/nope/ready", "/v2/models/linear/versions/9"):
        answer = client.get(path)
        assert answer.status_code == 404 and list(answer.json()) == ["error"]
    assert infer(client, "nope", x_input([1], [1])).status_code == 404


def test_failed_version_is_not_ready_with_reason(trained_repository: Path,
                                                 tmp_path: Path) -> None:
    repository = broken_linear_repository(trained_repository, tmp_path / "models")
    with serving(repository, broken_settled) as client:
        failed = client.get("/v2/models/linear/versions/2/ready")
        latest = client.get("/v2/models/linear/ready")
    assert failed.status_code == 503, failed.text
    assert failed.json()["ready"] is False and "FAILED" in failed.json()["error"]
    assert latest.status_code == 200, latest.text


def test_server_not_ready_without_models(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    with serving(tmp_path / "models", lambda client: True) as client:
        answer = client.get("/v2/health/ready")
    assert answer.status_code == 503 and answer.json()["ready"] is False
    assert "no models" in answer.json()["error"]


def test_openapi_documents_infer_body(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    schema = paths["/v2/models/{name}/versions/{version}/infer"]["post"]["requestBody"][
        "content"]["application/json"]["schema"]
    item = schema["properties"]["inputs"]["items"]
    assert {"name", "shape", "datatype", "data"} <= set(item["properties"])
    assert {"/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/{name}/ready"} <= set(paths)
