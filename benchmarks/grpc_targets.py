"""The benchmark's gRPC rows: TensorFlow Serving's Predict and the Open Inference Protocol's
ModelInfer for `linear` (one row, x = 10), each checked once with a real client first."""

from __future__ import annotations

import http.client

import grpc

from benchmarks.h2load import grpc_frame

PREDICT = "/tensorflow.serving.PredictionService/Predict"
MODEL_INFER = "/inference.GRPCInferenceService/ModelInfer"


def _predict_message() -> bytes:
    from tensorflow.core.framework import tensor_pb2, tensor_shape_pb2, types_pb2
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.model_spec.name = "linear"
    shape = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)])
    request.inputs["x"].CopyFrom(tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT,
                                                        tensor_shape=shape, float_val=[10.0]))
    return request.SerializeToString()


def _infer_message() -> bytes:
    from tritonclient.grpc import service_pb2

    request = service_pb2.ModelInferRequest(model_name="linear")
    tensor = request.inputs.add(name="x", datatype="FP32", shape=[1])
    tensor.contents.fp32_contents.append(10.0)
    return request.SerializeToString()


def _check(port: int, method: str, message: bytes) -> None:
    """One call with grpcio: the load generator sees only HTTP statuses."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary(method, request_serializer=lambda m: m,
                                   response_deserializer=lambda b: b)
        answer = call(message, timeout=30)
    if not answer:
        raise RuntimeError(f"{method} answered nothing")


def grpc_rows(port: int | None) -> list[tuple[str, str, bytes]]:
    """(row name, method, gRPC frame) of each gRPC row, each checked once on `port`."""
    if port is None:
        return []
    rows = []
    for name, method, message in (("ours gRPC Predict", PREDICT, _predict_message()),
                                  ("ours gRPC ModelInfer", MODEL_INFER, _infer_message())):
        _check(port, method, message)
        rows.append((name, method, grpc_frame(message)))
    return rows


def grpc_failures(http_port: int) -> int:
    """gRPC calls the server answered with a status other than OK, from its /metrics (calls
    the load generator cancelled when its time was up are not failures)."""
    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    failed = 0
    for line in text.splitlines():
        if line.startswith("serving_requests_total{") and 'route="/' in line \
                and "Service/" in line and 'status="OK"' not in line \
                and 'status="CANCELLED"' not in line:
            failed += int(float(line.rsplit(" ", 1)[1]))
    return failed


