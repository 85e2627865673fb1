"""gRPC operations over real sockets: health and reflection, the API key, deadlines, the
message size limit, MAX_CONCURRENCY shared with HTTP, HTTP and gRPC requests in one batch,
metrics and the access log, a hot swap under gRPC load, and SIGTERM draining gRPC calls."""

from __future__ import annotations

import json
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import numpy as np
import pytest
import tensorflow as tf
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    predict_pb2,
    prediction_service_pb2_grpc,
)

from tests.service.fault_tools import in_flight, save_slow_model
from tests.support import LiveServer, copy_models, eventually, free_port, publish_affine

pytestmark = pytest.mark.timeout(180)
KEY = "grpc-s3cret"


def predict(model: str, values: list[float]) -> predict_pb2.PredictRequest:
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.inputs["x"].CopyFrom(tf.make_tensor_proto(np.float32(values)))
    return request


def served(repository: Path, **env: object) -> LiveServer:
    port = free_port()
    server = LiveServer(repository, GRPC_PORT=port, **env)
    server.grpc_target = f"127.0.0.1:{port}"  # type: ignore[attr-defined]
    return server


@pytest.fixture(scope="module")
def repository(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_models(trained_repository, tmp_path_factory.mktemp("grpc-ops") / "models",
                       "linear")
    for name in ("slow", "slow2"):
        save_slow_model(root / name / "1")
    return root


@pytest.fixture(scope="module")
def guarded(repository: Path) -> Iterator[LiveServer]:
    with served(repository, API_KEY=KEY, MAX_CONCURRENCY=2, REQUEST_TIMEOUT_SECONDS=2,
                MAX_BATCH_SIZE=2, MAX_BATCH_WAIT_MS=400, LOG_FORMAT="json") as server:
        yield server


@pytest.fixture(scope="module")
def stub(guarded: LiveServer) -> Iterator[prediction_service_pb2_grpc.PredictionServiceStub]:
    with grpc.insecure_channel(guarded.grpc_target) as channel:  # type: ignore[attr-defined]
        yield prediction_service_pb2_grpc.PredictionServiceStub(channel)


def code_of(call, *args: object, **options: object) -> grpc.StatusCode:  # noqa: ANN001
    try:
        call(*args, **options)
    except grpc.RpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


def test_health_and_reflection(guarded: LiveServer) -> None:
    with grpc.insecure_channel(guarded.grpc_target) as channel:  # type: ignore[attr-defined]
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "tensorflow.serving.PredictionService",
                        "inference.GRPCInferenceService"):
            answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        reflect = reflection_pb2_grpc.ServerReflectionStub(channel)
        listing = next(reflect.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10))
        names = {s.name for s in listing.list_services_response.service}
    assert {"tensorflow.serving.PredictionService", "tensorflow.serving.ModelService",
            "inference.GRPCInferenceService", "grpc.health.v1.Health"} <= names


def test_api_key_guards_metadata_not_predictions(stub) -> None:  # noqa: ANN001
    metadata = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
    metadata.model_spec.name = "linear"
    assert code_of(stub.GetModelMetadata, metadata, timeout=10) == \
        grpc.StatusCode.UNAUTHENTICATED
    assert code_of(stub.GetModelMetadata, metadata, timeout=10,
                   metadata=[("authorization", "Bearer wrong")]) == \
        grpc.StatusCode.UNAUTHENTICATED
    assert code_of(stub.GetModelMetadata, metadata, timeout=10,
                   metadata=[("authorization", f"Bearer {KEY}")]) == grpc.StatusCode.OK
    assert code_of(stub.Predict, predict("linear", [1.0]), timeout=10) == grpc.StatusCode.OK


def test_client_deadline_and_request_timeout(stub) -> None:  # noqa: ANN001
    started = time.monotonic()
    assert code_of(stub.Predict, predict("slow", [1500.0]), timeout=0.3) == \
        grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 1.4
    try:
        stub.Predict(predict("slow", [3000.0]), timeout=30)
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert "REQUEST_TIMEOUT_SECONDS" in exc.details()
    else:
        raise AssertionError("a 3 s call passed the 2 s REQUEST_TIMEOUT_SECONDS")


def test_message_over_max_request_bytes_is_refused(stub) -> None:  # noqa: ANN001
    big = predict("linear", [1.0] * (5 * 1024 * 1024))  # 20 MiB of floats > 16 MiB limit
    assert code_of(stub.Predict, big, timeout=30) == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_concurrency_limit_is_shared_with_http(guarded: LiveServer, stub) -> None:  # noqa: ANN001
    threads = [threading.Thread(target=httpx.post, args=(f"{guarded.url}/predict/{m}",),
                                kwargs={"json": {"instances": [1200]}, "timeout": 30})
               for m in ("slow", "slow2")]
    for thread in threads:
        thread.start()
    eventually(lambda: in_flight(guarded.url, KEY) == 2, timeout=10, interval=0.02,
               what="two HTTP requests in flight")
    busy = code_of(stub.Predict, predict("linear", [1.0]), timeout=10)
    for thread in threads:
        thread.join(30)
    assert busy == grpc.StatusCode.RESOURCE_EXHAUSTED


def batch_count_and_rows(url: str) -> tuple[float, float]:
    text = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {KEY}"}).text
    values = dict(line.rsplit(" ", 1) for line in text.splitlines()
                  if line.startswith("serving_batch_rows_") and 'model="linear"' in line)
    count = sum(float(v) for k, v in values.items() if k.startswith("serving_batch_rows_count"))
    total = sum(float(v) for k, v in values.items() if k.startswith("serving_batch_rows_sum"))
    return count, total


def test_an_http_and_a_grpc_request_share_one_batch(guarded: LiveServer, stub) -> None:  # noqa: ANN001
    count, total = batch_count_and_rows(guarded.url)
    answers: list = []
    http = threading.Thread(target=lambda: answers.append(httpx.post(
        f"{guarded.url}/predict/linear", json={"instances": [1.0]}, timeout=30).json()))
    http.start()  # waits up to 400 ms for company (MAX_BATCH_WAIT_MS)
    time.sleep(0.1)
    grpc_answer = stub.Predict(predict("linear", [10.0]), timeout=30)
    http.join(30)
    after_count, after_total = batch_count_and_rows(guarded.url)
    assert (after_count - count, after_total - total) == (1, 2)  # one call of two rows
    np.testing.assert_allclose(tf.make_ndarray(grpc_answer.outputs["y"]), [19.0], atol=1e-4)
    assert answers[0]["predictions"] == pytest.approx([1.0], abs=1e-4)


def test_grpc_calls_are_counted_and_logged(guarded: LiveServer, stub) -> None:  # noqa: ANN001
    stub.Predict(predict("linear", [2.0]), timeout=10, metadata=[("x-request-id", "grpc-7")])
    metrics = httpx.get(f"{guarded.url}/metrics", headers={"Authorization": f"Bearer {KEY}"})
    assert 'route="/tensorflow.serving.PredictionService/Predict",status="OK",version="1"' \
        in metrics.text
    lines = [json.loads(line) for line in guarded.log().splitlines() if line.startswith("{")]
    access = [r for r in lines if r.get("request_id") == "grpc-7"]
    assert len(access) == 1 and access[0]["method"] == "gRPC"
    assert access[0]["status"] == "OK" and access[0]["model"] == "linear"


def test_hot_swap_under_grpc_load_fails_no_call(trained_repository: Path,
                                                tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    with served(repository) as server, \
            grpc.insecure_channel(server.grpc_target) as channel:  # type: ignore[attr-defined]
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        stop, versions, failures = threading.Event(), set(), []

        def hammer() -> None:
            while not stop.is_set():
                try:
                    versions.add(stub.Predict(predict("linear", [1.0]), timeout=10)
                                 .model_spec.version.value)
                except grpc.RpcError as exc:
                    failures.append(exc.code())

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.5)
            publish_affine(repository, 3.0, 1.0)
            eventually(lambda: 2 in versions, timeout=30, what="version 2 answering")
            time.sleep(0.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
    assert failures == [] and versions == {1, 2}


def test_sigterm_drains_grpc_calls_in_flight(repository: Path, tmp_path: Path) -> None:
    copy = tmp_path / "models"
    shutil.copytree(repository, copy)
    server = served(copy, SHUTDOWN_GRACE_SECONDS=10).start()
    results: list = []
    with grpc.insecure_channel(server.grpc_target) as channel:  # type: ignore[attr-defined]
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        call = stub.Predict.future(predict("slow", [1500.0]), timeout=30)
        eventually(lambda: in_flight(server.url) == 1, timeout=10, interval=0.02,
                   what="the slow call in flight")
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        results.append(call.result(timeout=30))
        code = server.stop(signal.SIGTERM, timeout=30)
    np.testing.assert_allclose(tf.make_ndarray(results[0].outputs["y"]), [1500.0])
    assert code == 0
    assert "drained after SIGTERM" in server.log()
