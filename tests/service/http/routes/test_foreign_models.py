"""Serving SavedModels this project did not export (plain Keras and plain tf.Module models):
every route against the signature called directly with TensorFlow, shape and dtype checks,
named signatures, and signatures that cannot be served."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest
import tritonclient.http as triton
from fastapi.testclient import TestClient

from tests.service.foreign_models import build, reference
from tests.service.protocol_fixtures import serving
from tests.support import LiveServer, eventually

SERVED = ("vector", "two_heads", "typed", "cube", "ragged", "cube2")
REFUSED = ("words", "unbatched")


def settled(client: TestClient) -> bool:
    models = {m["name"]: m for m in client.get("/models").json()["models"]}
    states = {name: [v["state"] for v in m["versions"]] for name, m in models.items()}
    return all(states.get(n) == ["AVAILABLE"] for n in SERVED) and all(
        states.get(n) == ["FAILED"] for n in REFUSED)


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("foreign") / "models")


@pytest.fixture(scope="module")
def client(repository: Path) -> Iterator[TestClient]:
    with serving(repository, settled) as served:
        yield served


def post(client: TestClient, path: str, body: object, status: int = 200) -> dict:
    answer = client.post(path, json=body)
    assert answer.status_code == status, answer.text
    return answer.json()


def close(got: object, expected: np.ndarray) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=1e-6,
                               atol=1e-6)


# -- a Keras vector model: Input(shape=(3,)) -> Dense(8) -> Dense(2) ---------------------------
ROWS = [[1.0, 2.0, 3.0], [-4.0, 0.5, 6.0]]


def test_vector_model_answers_every_route_as_tensorflow(client: TestClient,
                                                        repository: Path) -> None:
    expected = reference(repository / "vector" / "1", {"keras_tensor": np.float32(ROWS)})
    want = expected["output_0"]
    close(post(client, "/predict/vector", {"instances": ROWS})["predictions"], want)
    close(post(client, "/v1/models/vector:predict", {"instances": ROWS})["predictions"], want)
    named = [{"keras_tensor": row} for row in ROWS]
    close(post(client, "/v1/models/vector:predict", {"instances": named})["predictions"], want)
    close(post(client, "/v1/models/vector:predict", {"inputs": ROWS})["outputs"], want)
    close(post(client, "/v1/models/vector:predict",
               {"inputs": {"keras_tensor": ROWS}})["outputs"], want)
    v2 = post(client, "/v2/models/vector/infer", {"inputs": [
        {"name": "keras_tensor", "shape": [2, 3], "datatype": "FP32",
         "data": [v for row in ROWS for v in row]}]})
    assert v2["outputs"][0]["shape"] == [2, 2] and v2["outputs"][0]["datatype"] == "FP32"
    close(np.reshape(v2["outputs"][0]["data"], (2, 2)), want)


@pytest.mark.parametrize(("path", "body", "says"), [
    ("/v1/models/vector:predict", {"instances": [[1.0, 2.0]]},
     "instance 0 has shape [2] but the model takes a row of shape [3]"),
    ("/v1/models/vector:predict", {"inputs": [1.0, 2.0, 3.0]},
     "input 'keras_tensor' has shape [3] but input 'keras_tensor' takes shape [-1, 3]"),
    ("/predict/vector", {"instances": [[1, 2, 3], [4, 5]]}, "instance 1 has shape [2]"),
    ("/v2/models/vector/infer", {"inputs": [{"name": "keras_tensor", "shape": [3],
                                             "datatype": "FP32", "data": [1, 2, 3]}]},
     "has shape [3] but input 'keras_tensor' takes shape [-1, 3]"),
])
def test_vector_model_refuses_wrong_shapes_naming_the_expected_one(
        client: TestClient, path: str, body: object, says: str) -> None:
    assert says in post(client, path, body, 400)["error"]


def test_columnar_matrix_for_a_vector_input_is_refused_not_permuted(client: TestClient) -> None:
    answer = post(client, "/v1/models/cube2:predict", {"inputs": {"cube": [[1, 2], [3, 4]]}},
                  400)
    assert "has shape [2, 2] but input 'cube' takes shape [-1, 2, 3]" in answer["error"]


# -- Keras: two named inputs of shape (1,) and (), two outputs ----------------------------------
def test_two_named_inputs_and_two_outputs_answer_in_both_formats(client: TestClient,
                                                                 repository: Path) -> None:
    a, b = [[1.0], [2.0]], [0.5, -3.0]
    expected = reference(repository / "two_heads" / "1",
                         {"a": np.float32(a), "b": np.float32(b)})
    rows = post(client, "/v1/models/two_heads:predict",
                {"instances": [{"a": a[0], "b": b[0]}, {"a": a[1], "b": b[1]}]})["predictions"]
    assert [sorted(r) for r in rows] == [["mean", "scores"]] * 2
    close([r["mean"] for r in rows], expected["mean"])
    close([r["scores"] for r in rows], expected["scores"])
    columns = post(client, "/v1/models/two_heads:predict",
                   {"inputs": {"a": a, "b": b}})["outputs"]
    close(columns["mean"], expected["mean"])
    close(columns["scores"], expected["scores"])
    native = post(client, "/predict/two_heads", {"instances": [{"a": [1.0], "b": 0.5}]})
    close(native["predictions"][0]["scores"], expected["scores"][0])
    v2 = post(client, "/v2/models/two_heads/infer", {"inputs": [
        {"name": "a", "shape": [2, 1], "datatype": "FP32", "data": [1.0, 2.0]},
        {"name": "b", "shape": [2], "datatype": "FP64", "data": b}],
        "outputs": [{"name": "scores"}]})
    assert [o["name"] for o in v2["outputs"]] == ["scores"]
    assert v2["outputs"][0]["shape"] == [2, 2]
    close(np.reshape(v2["outputs"][0]["data"], (2, 2)), expected["scores"])


# -- tf.Module: int32 [-1, 2] and float64 [-1] in, float64 and bool out -----------------------
def test_integer_and_double_inputs_with_a_bool_output(client: TestClient,
                                                      repository: Path) -> None:
    count, scale = [[1, 2], [3, -9]], [0.5, 2.0]
    expected = reference(repository / "typed" / "1",
                         {"count": np.int32(count), "scale": np.float64(scale)})
    rows = post(client, "/v1/models/typed:predict", {"instances": [
        {"count": count[0], "scale": scale[0]}, {"count": count[1], "scale": scale[1]}]})
    assert rows == {"predictions": [
        {"positive": bool(expected["positive"][i]), "total": float(expected["total"][i])}
        for i in range(2)]}
    v2 = post(client, "/v2/models/typed/infer", {"inputs": [
        {"name": "count", "shape": [2, 2], "datatype": "INT32", "data": [1, 2, 3, -9]},
        {"name": "scale", "shape": [2], "datatype": "FP64", "data": scale}]})
    outputs = {o["name"]: o for o in v2["outputs"]}
    assert outputs["positive"]["datatype"] == "BOOL"
    assert outputs["positive"]["data"] == [True, False]
    assert outputs["total"]["datatype"] == "FP64" and outputs["total"]["data"] == [1.5, -12.0]


@pytest.mark.parametrize(("count", "says"), [
    ([[1.5, 2]], "1.5 is not a whole number (int32 takes whole numbers only)"),
    ([[2**40, 2]], "outside the range of int32"),
    ([[True, 2]], "expected a number, got bool"),
])
def test_integer_input_values_are_checked(client: TestClient, count: list, says: str) -> None:
    body = {"inputs": {"count": count, "scale": [1.0]}}
    assert says in post(client, "/v1/models/typed:predict", body, 400)["error"]


# -- tf.Module: a rank-3 input, and an unknown inner dimension ----------------------------------
def test_rank_three_input(client: TestClient, repository: Path) -> None:
    cube = [[[1, 2, 3], [4, 5, 6]], [[0, 0, 1], [1, 0, 0]]]
    expected = reference(repository / "cube" / "1", {"cube": np.float32(cube)})["sums"]
    close(post(client, "/predict/cube", {"instances": cube})["predictions"], expected)
    close(post(client, "/v1/models/cube:predict", {"inputs": {"cube": cube}})["outputs"],
          expected)
    v2 = post(client, "/v2/models/cube/infer", {"inputs": [
        {"name": "cube", "shape": [2, 2, 3], "datatype": "FP32", "data": cube}]})
    assert v2["outputs"][0]["shape"] == [2, 3]


def test_unknown_inner_dimension_takes_any_length_but_one_per_request(
        client: TestClient) -> None:
    short = post(client, "/v1/models/ragged:predict", {"instances": [[1, 2], [3, 4]]})
    long = post(client, "/v1/models/ragged:predict", {"instances": [[1, 2, 3, 4]]})
    assert short["predictions"] == [{"length": 2, "total": 3.0}, {"length": 2, "total": 7.0}]
    assert long["predictions"] == [{"length": 4, "total": 10.0}]
    mixed = post(client, "/v1/models/ragged:predict", {"instances": [[1, 2], [3]]}, 400)
    assert "instance 1 has shape [1] but instance 0 has shape [2]" in mixed["error"]


# -- named signatures ------------------------------------------------------------------------
def test_a_named_signature_is_chosen_on_every_route(client: TestClient) -> None:
    cube = [[[1, 2, 3], [4, 5, 6]]]
    v1 = post(client, "/v1/models/cube2:predict",
              {"signature_name": "double", "instances": cube})
    native = post(client, "/predict/cube2?signature=double", {"instances": cube})
    v2 = post(client, "/v2/models/cube2/infer", {
        "parameters": {"signature_name": "double"},
        "inputs": [{"name": "cube", "shape": [1, 2, 3], "datatype": "FP32", "data": cube}]})
    assert v1["predictions"] == native["predictions"] == [[5.0, 7.0, 9.0]]
    assert v2["outputs"][0]["data"] == [5.0, 7.0, 9.0]
    unknown = post(client, "/v1/models/cube2:predict",
                   {"signature_name": "triple", "instances": cube}, 400)
    assert '"triple" not found' in unknown["error"] and "'double'" in unknown["error"]


# -- metadata -------------------------------------------------------------------------------
def test_metadata_shows_real_shapes_and_dtypes(client: TestClient) -> None:
    model = client.get("/models/typed").json()
    assert model["signature"]["inputs"] == [
        {"name": "count", "dtype": "int32", "shape": [-1, 2]},
        {"name": "scale", "dtype": "float64", "shape": [-1]}]
    v2 = client.get("/v2/models/vector").json()
    assert v2["inputs"] == [{"name": "keras_tensor", "datatype": "FP32", "shape": [-1, 3]}]
    assert v2["outputs"] == [{"name": "output_0", "datatype": "FP32", "shape": [-1, 2]}]
    defs = client.get("/v1/models/vector/metadata").json()["metadata"]["signature_def"]
    assert {"serve", "serving_default"} <= set(defs["signature_def"])
    ragged = client.get("/v2/models/ragged").json()
    assert ragged["inputs"][0]["shape"] == [-1, -1]
    assert set(client.get("/models/cube2").json()["versions"][0]["signatures"]) == {
        "double", "serving_default"}


# -- what cannot be served ----------------------------------------------------------------------
@pytest.mark.parametrize(("name", "says"), [
    ("words", "input 'text' is string; served tensors are numbers or booleans"),
    ("unbatched", "input 'x' has shape [3]: a served tensor's first dimension is the batch"),
])
def test_unservable_signatures_fail_naming_the_input(client: TestClient, name: str,
                                                     says: str) -> None:
    version = client.get(f"/models/{name}").json()["versions"][0]
    assert version["state"] == "FAILED" and says in version["error"]
    assert post(client, "/predict/vector", {"instances": [[1, 2, 3]]})["predictions"]


# -- over real HTTP: tritonclient, and batching of mixed inner shapes --------------------------
@pytest.fixture(scope="module")
def live(repository: Path) -> Iterator[LiveServer]:
    with LiveServer(repository, wait_ready=False, MAX_BATCH_WAIT_MS=5) as server:
        eventually(lambda: httpx.get(f"{server.url}/v2/models/ragged/ready").status_code == 200
                   and httpx.get(f"{server.url}/v2/models/vector/ready").status_code == 200,
                   timeout=60, what="the foreign models ready")
        yield server


@pytest.mark.parametrize("binary", [True, False])
def test_tritonclient_on_a_vector_input_and_output(live: LiveServer, repository: Path,
                                                   binary: bool) -> None:
    client = triton.InferenceServerClient(live.url.removeprefix("http://"))
    rows = np.float32(ROWS)
    tensor = triton.InferInput("keras_tensor", [2, 3], "FP32")
    tensor.set_data_from_numpy(rows, binary_data=binary)
    result = client.infer("vector", [tensor],
                          outputs=[triton.InferRequestedOutput("output_0", binary_data=binary)])
    expected = reference(repository / "vector" / "1", {"keras_tensor": rows})["output_0"]
    assert result.as_numpy("output_0").shape == (2, 2)
    close(result.as_numpy("output_0"), expected)
    metadata = client.get_model_metadata("vector")
    assert metadata["inputs"] == [{"name": "keras_tensor", "datatype": "FP32", "shape": [-1, 3]}]


def test_concurrent_requests_of_different_inner_shapes_each_get_their_own_answer(
        live: LiveServer) -> None:
    def ask(length: int) -> tuple[int, list]:
        rows = [[float(length)] * length, [1.0] * length]
        answer = httpx.post(f"{live.url}/v1/models/ragged:predict", json={"instances": rows},
                            timeout=30)
        return length, answer.json()["predictions"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, [1, 2, 3, 4, 5, 6, 7, 8] * 4))
    for length, predictions in answers:
        assert predictions == [{"length": length, "total": float(length * length)},
                               {"length": length, "total": float(length)}]
