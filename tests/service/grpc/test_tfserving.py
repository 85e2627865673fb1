"""TensorFlow Serving's gRPC API with its own client stubs (tensorflow-serving-api) and
TensorProtos made by tf.make_tensor_proto: Predict in every encoding, metadata, status, the
predict-only answers to Classify/Regress/MultiInference, and status codes."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    inference_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
    regression_pb2,
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def stub(channel: grpc.Channel) -> prediction_service_pb2_grpc.PredictionServiceStub:
    return prediction_service_pb2_grpc.PredictionServiceStub(channel)


def predict_request(model: str = "linear", version: int | None = None, label: str = "",
                    **inputs: object) -> predict_pb2.PredictRequest:
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    if version is not None:
        request.model_spec.version.value = version
    if label:  # version and version_label are one of: setting either clears the other
        request.model_spec.version_label = label
    for name, value in inputs.items():
        proto = value if isinstance(value, tensor_pb2.TensorProto) else \
            tf.make_tensor_proto(np.float32(value))
        request.inputs[name].CopyFrom(proto)
    return request


def outputs(response: predict_pb2.PredictResponse) -> dict[str, np.ndarray]:
    return {name: tf.make_ndarray(proto) for name, proto in response.outputs.items()}


def test_predict_with_tensor_content(stub) -> None:  # noqa: ANN001
    response = stub.Predict(predict_request(version=1, x=[1.0, 10.0]), timeout=30)
    assert response.model_spec.name == "linear" and response.model_spec.version.value == 1
    assert response.model_spec.signature_name == "serving_default"
    np.testing.assert_allclose(outputs(response)["y"], [1.0, 19.0], atol=1e-4)


def test_predict_with_typed_values_and_one_value_filling_the_shape(stub) -> None:  # noqa: ANN001
    typed = tensor_pb2.TensorProto(dtype=tf.float32.as_datatype_enum)
    typed.tensor_shape.dim.add(size=2)
    typed.float_val.extend([1.0, 10.0])
    filled = tensor_pb2.TensorProto(dtype=tf.float32.as_datatype_enum)
    filled.tensor_shape.dim.add(size=3)
    filled.float_val.append(2.0)
    doubles = tf.make_tensor_proto(np.float64([1.0, 10.0]))  # cast to the signature's float32
    for proto, expected in ((typed, [1.0, 19.0]), (filled, [3.0, 3.0, 3.0]),
                            (doubles, [1.0, 19.0])):
        response = stub.Predict(predict_request(version=1, x=proto), timeout=30)
        np.testing.assert_allclose(outputs(response)["y"], expected, atol=1e-4)


def test_predict_by_label_and_latest(stub) -> None:  # noqa: ANN001
    stable = stub.Predict(predict_request(label="stable", x=[1.0]), timeout=30)
    latest = stub.Predict(predict_request(x=[1.0]), timeout=30)
    assert stable.model_spec.version.value == 1 and latest.model_spec.version.value == 2
    np.testing.assert_allclose(outputs(latest)["y"], [4.0], atol=1e-4)


def test_predict_several_inputs_and_output_filter(stub) -> None:  # noqa: ANN001
    request = predict_request("pair", a=[2.0, 4.0], b=[3.0, 5.0])
    both = outputs(stub.Predict(request, timeout=30))
    np.testing.assert_allclose(both["product"], [6.0, 20.0])
    np.testing.assert_allclose(both["sum"], [5.0, 9.0])
    request.output_filter.append("sum")
    assert list(outputs(stub.Predict(request, timeout=30))) == ["sum"]


@pytest.mark.parametrize(("request_", "code", "says"), [
    (predict_request("half", x=[1.0]), grpc.StatusCode.NOT_FOUND, "model 'half' not found"),
    (predict_request(version=7, x=[1.0]), grpc.StatusCode.NOT_FOUND, "no servable version 7"),
    (predict_request(label="canary", x=[1.0]), grpc.StatusCode.NOT_FOUND, "no label 'canary'"),
    (predict_request(x=[[1.0, 2.0]]), grpc.StatusCode.INVALID_ARGUMENT,
     "has shape [1, 2] but input 'x' takes shape [-1]"),
    (predict_request(x=tf.make_tensor_proto(np.bool_([True]))),
     grpc.StatusCode.INVALID_ARGUMENT, "expected a number, got bool"),
    (predict_request(x=tf.make_tensor_proto(np.array([b"ten"]))),
     grpc.StatusCode.INVALID_ARGUMENT, "tensors are numbers or booleans"),
    (predict_request(z=[1.0]), grpc.StatusCode.INVALID_ARGUMENT, "unknown: z"),
    (predict_request(x=[float("nan")]), grpc.StatusCode.INVALID_ARGUMENT, "not a finite"),
    (predict_request(""), grpc.StatusCode.INVALID_ARGUMENT, "model_spec.name is empty"),
])
def test_predict_errors_carry_tf_serving_codes(stub, request_, code: grpc.StatusCode,  # noqa: ANN001
                                               says: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.Predict(request_, timeout=30)
    assert caught.value.code() == code and says in caught.value.details()


def test_one_value_cannot_fill_an_unbounded_shape(stub) -> None:  # noqa: ANN001
    huge = tensor_pb2.TensorProto(dtype=tf.float32.as_datatype_enum)
    huge.tensor_shape.dim.add(size=10**12)
    huge.float_val.append(1.0)
    with pytest.raises(grpc.RpcError) as caught:
        stub.Predict(predict_request(x=huge), timeout=30)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_model_metadata_is_the_signature_def_map(stub) -> None:  # noqa: ANN001
    request = get_model_metadata_pb2.GetModelMetadataRequest()
    request.model_spec.name = "cereal_calories"
    request.metadata_field.append("signature_def")
    response = stub.GetModelMetadata(request, timeout=30)
    defs = get_model_metadata_pb2.SignatureDefMap()
    response.metadata["signature_def"].Unpack(defs)
    default = defs.signature_def["serving_default"]
    assert set(default.inputs) == {"sugars", "fibre", "protein"}
    assert default.method_name == "tensorflow/serving/predict"
    assert response.model_spec.version.value == 1


def test_model_status_lists_versions_with_tf_serving_states(channel: grpc.Channel) -> None:
    stub = model_service_pb2_grpc.ModelServiceStub(channel)
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "linear"
    states = {s.version: s.state for s in stub.GetModelStatus(request, timeout=30)
              .model_version_status}
    available = get_model_status_pb2.ModelVersionStatus.AVAILABLE
    assert states == {2: available, 1: available}
    request.model_spec.version.value = 9
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetModelStatus(request, timeout=30)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_classify_regress_and_multi_inference_say_the_signature_predicts(stub) -> None:  # noqa: ANN001
    classify = classification_pb2.ClassificationRequest()
    classify.model_spec.name = "linear"
    regress = regression_pb2.RegressionRequest()
    regress.model_spec.name = "linear"
    multi = inference_pb2.MultiInferenceRequest()
    task = multi.tasks.add(method_name="tensorflow/serving/regress")
    task.model_spec.name = "linear"
    for call, request in ((stub.Classify, classify), (stub.Regress, regress),
                          (stub.MultiInference, multi)):
        with pytest.raises(grpc.RpcError) as caught:
            call(request, timeout=30)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "Was: tensorflow/serving/predict" in caught.value.details()
    classify.model_spec.name = "half"
    with pytest.raises(grpc.RpcError) as caught:
        stub.Classify(classify, timeout=30)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
