"""What the CRD schemas cannot see: the runtime starts the server in single-model mode with
TensorFlow Serving's flags, and every InferenceService asks for something the runtime offers."""

from __future__ import annotations

import pytest

from deploy.validation.documents import KSERVE_DIR, load, load_dir
from modelrepo.layout import is_model_name

RUNTIME = load(KSERVE_DIR / "cluster-serving-runtime.yaml")[0].body
SERVICES = [m.body for m in load_dir(KSERVE_DIR) if m.kind == "InferenceService"]
WITH_RUNTIME = [s for s in SERVICES if "model" in s["spec"]["predictor"]]
CUSTOM = [s for s in SERVICES if "containers" in s["spec"]["predictor"]]
# KServe's protocol names (its constants), which the CRD types only as strings.
KSERVE_PROTOCOLS = {"v1", "v2", "grpc-v1", "grpc-v2"}


def test_the_runtime_serves_tensorflow_over_every_protocol() -> None:
    assert set(RUNTIME["spec"]["protocolVersions"]) == KSERVE_PROTOCOLS
    assert {f["name"] for f in RUNTIME["spec"]["supportedModelFormats"]} == {"tensorflow"}
    assert RUNTIME["spec"]["multiModel"] is False


def test_the_runtime_container_uses_tensorflow_servings_flags() -> None:
    (container,) = RUNTIME["spec"]["containers"]
    assert container["name"] == "kserve-container"
    assert container["args"] == ["service", "--model_name={{.Name}}",
                                 "--model_base_path=/mnt/models", "--rest_api_port=8080",
                                 "--port=9000"]
    assert [p["containerPort"] for p in container["ports"]] == [8080]
    assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": 8080}
    assert RUNTIME["spec"]["annotations"]["prometheus.kserve.io/port"] == "8080"


@pytest.mark.parametrize("service", WITH_RUNTIME, ids=lambda s: s["metadata"]["name"])
def test_each_inference_service_asks_for_what_the_runtime_offers(service: dict) -> None:
    model = service["spec"]["predictor"]["model"]
    assert model["runtime"] == RUNTIME["metadata"]["name"]
    assert model["modelFormat"]["name"] in {
        f["name"] for f in RUNTIME["spec"]["supportedModelFormats"]}
    assert model["protocolVersion"] in RUNTIME["spec"]["protocolVersions"]
    assert model["storageUri"].split("://")[0] in {"pvc", "s3", "gs", "https"}


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s["metadata"]["name"])
def test_the_served_name_is_a_is_model_name(service: dict) -> None:
    """{{.Name}} (the InferenceService's name) becomes the model's name in the server."""
    assert is_model_name(service["metadata"]["name"])


def test_grpc_examples_name_their_port_h2c() -> None:
    grpc = [s for s in WITH_RUNTIME
            if s["spec"]["predictor"]["model"]["protocolVersion"].startswith("grpc-")]
    assert grpc
    for service in grpc:
        model = service["spec"]["predictor"]["model"]
        assert model["ports"] == [{"name": "h2c", "containerPort": 9000, "protocol": "TCP"}]
        assert model["readinessProbe"]["grpc"] == {"port": 9000}  # the one port Knative sees


@pytest.mark.parametrize("service", CUSTOM, ids=lambda s: s["metadata"]["name"])
def test_the_custom_predictor_runs_single_model_mode_on_kserves_port(service: dict) -> None:
    (container,) = service["spec"]["predictor"]["containers"]
    assert container["name"] == "kserve-container"
    args = container["args"]
    assert args[0] == "service"
    assert args[args.index("--model-base-path") + 1] == "/mnt/models"
    assert is_model_name(args[args.index("--model-name") + 1])
    assert args[args.index("--port") + 1] == "8080"
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["STORAGE_URI"].startswith("pvc://")  # the storage initializer fills /mnt/models
    assert "PORT" not in env  # reserved by Knative, which sets it itself
