"""KServe's GRPCInferenceService with the real tritonclient gRPC client: readiness, metadata,
inference with typed contents and raw contents, requested outputs, `id`, error codes."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
import tritonclient.grpc as triton
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException

from tests.support import LiveServer

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def client(grpc_server: LiveServer) -> triton.InferenceServerClient:
    return triton.InferenceServerClient(grpc_server.grpc_target)  # type: ignore[attr-defined]


def test_server_and_model_readiness(client: triton.InferenceServerClient) -> None:
    assert client.is_server_live() and client.is_server_ready()
    assert client.is_model_ready("linear") and client.is_model_ready("linear", "1")
    metadata = client.get_server_metadata()
    assert metadata.name == "dense-model-server" and "binary_tensor_data" in metadata.extensions


def test_model_metadata_shapes_and_datatypes(client: triton.InferenceServerClient) -> None:
    metadata = client.get_model_metadata("pair", as_json=True)
    assert metadata["platform"] == "tensorflow_savedmodel"
    assert [(t["name"], t["datatype"], t["shape"]) for t in metadata["inputs"]] == [
        ("a", "FP32", ["-1"]), ("b", "FP32", ["-1"])]
    assert metadata["versions"] == ["1"]


@pytest.mark.parametrize("version", ["", "1"])
def test_infer_linear_as_tritonclient_sends_it(client: triton.InferenceServerClient,
                                               version: str) -> None:
    x = triton.InferInput("x", [3], "FP32")
    x.set_data_from_numpy(np.float32([1.0, 2.0, 10.0]))
    result = client.infer("linear", [x], model_version=version, request_id="42")
    expected = [1.0, 3.0, 19.0] if version == "1" else [4.0, 7.0, 31.0]
    np.testing.assert_allclose(result.as_numpy("y"), expected, atol=1e-4)
    assert result.get_response().id == "42"


def test_infer_with_typed_contents_and_requested_outputs(channel: grpc.Channel) -> None:
    stub = service_pb2_grpc.GRPCInferenceServiceStub(channel)
    request = service_pb2.ModelInferRequest(model_name="pair")
    for name, values in (("a", [2, 4]), ("b", [3, 5])):
        tensor = request.inputs.add(name=name, datatype="INT32", shape=[2])
        tensor.contents.int_contents.extend(values)  # INT32 data for float32 inputs: cast
    request.outputs.add(name="sum")
    response = stub.ModelInfer(request, timeout=30)
    assert [o.name for o in response.outputs] == ["sum"]
    assert list(response.outputs[0].shape) == [2] and response.outputs[0].datatype == "FP32"
    np.testing.assert_array_equal(np.frombuffer(response.raw_output_contents[0], "<f4"),
                                  [5.0, 9.0])


@pytest.mark.parametrize(("model", "inputs", "says"), [
    ("half", [("x", [1], "FP32")], "model 'half' not found"),
    ("linear", [("z", [1], "FP32")], "unknown: z"),
    ("linear", [("x", [1, 2], "FP32")], "has shape [1, 2] but input 'x' takes shape [-1]"),
    ("linear", [("x", [1], "BYTES")], "datatype 'BYTES' is not accepted"),
])
def test_infer_errors(client: triton.InferenceServerClient, model: str, inputs: list,
                      says: str) -> None:
    tensors = []
    for name, shape, datatype in inputs:
        tensor = triton.InferInput(name, shape, datatype)
        values = np.ones(shape, np.object_ if datatype == "BYTES" else np.float32)
        tensor.set_data_from_numpy(values.astype(np.bytes_) if datatype == "BYTES" else values)
        tensors.append(tensor)
    with pytest.raises(InferenceServerException) as caught:
        client.infer(model, tensors)
    assert says in caught.value.message()


def test_unknown_model_readiness_is_not_found(channel: grpc.Channel) -> None:
    stub = service_pb2_grpc.GRPCInferenceServiceStub(channel)
    with pytest.raises(grpc.RpcError) as caught:
        stub.ModelReady(service_pb2.ModelReadyRequest(name="half"), timeout=30)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
