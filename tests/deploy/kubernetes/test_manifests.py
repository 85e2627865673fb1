"""What the schemas cannot see: the Kubernetes manifests agree with each other and with the
server (ports, probes, the drain, the repository volume, the non-root image)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.validation.documents import KUBERNETES_DIR, load
from tests.support import serve_in_process


def one(name: str) -> dict:
    (manifest,) = load(KUBERNETES_DIR / name)
    return manifest.body


DEPLOYMENT, SERVICE = one("deployment.yaml"), one("service.yaml")
HPA, PDB = one("hpa.yaml"), one("pdb.yaml")
JOB, PVC = one("training-job.yaml"), one("models-pvc.yaml")
IN_FLIGHT_HPA = one("in-flight-autoscaling/hpa.yaml")
POD = DEPLOYMENT["spec"]["template"]
SERVER = POD["spec"]["containers"][0]
ENV = {item["name"]: item["value"] for item in SERVER["env"]}
PORTS = {port["name"]: port["containerPort"] for port in SERVER["ports"]}


def test_selectors_match_the_server_pods() -> None:
    labels = POD["metadata"]["labels"]
    for selector in (DEPLOYMENT["spec"]["selector"]["matchLabels"], SERVICE["spec"]["selector"],
                     PDB["spec"]["selector"]["matchLabels"]):
        assert selector.items() <= labels.items()
    assert JOB["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] != \
        labels["app.kubernetes.io/component"]  # the Service never sends traffic to the trainer


def test_the_autoscaler_scales_the_deployment_which_leaves_replicas_to_it() -> None:
    target = HPA["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", DEPLOYMENT["metadata"]["name"])
    assert "replicas" not in DEPLOYMENT["spec"]
    assert HPA["spec"]["minReplicas"] >= 2  # with maxUnavailable 1, a drain leaves one serving
    assert PDB["spec"]["maxUnavailable"] == 1


def test_ports_are_the_servers_and_grpc_is_declared_http2() -> None:
    assert PORTS == {"http": int(ENV["PORT"]), "grpc": int(ENV["GRPC_PORT"])}
    service_ports = {port["name"]: port for port in SERVICE["spec"]["ports"]}
    assert {p["targetPort"] for p in service_ports.values()} <= PORTS.keys()
    assert service_ports["grpc"]["appProtocol"] == "kubernetes.io/h2c"
    assert service_ports["http"]["appProtocol"] == "http"


@pytest.mark.parametrize(("probe", "path"), [
    ("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live"),
    ("startupProbe", "/health/live")])
def test_probes_use_the_health_routes_on_the_http_port(probe: str, path: str) -> None:
    assert SERVER[probe]["httpGet"] == {"path": path, "port": "http"}


def test_the_grace_period_outlasts_the_pre_stop_sleep_and_the_drain() -> None:
    command = SERVER["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pre_stop, drain = float(command[1]), float(ENV["SHUTDOWN_GRACE_SECONDS"])
    assert POD["spec"]["terminationGracePeriodSeconds"] > pre_stop + drain


def test_workers_match_the_cores_requested() -> None:
    assert int(ENV["WORKERS"]) == int(SERVER["resources"]["requests"]["cpu"])
    assert "cpu" not in SERVER["resources"].get("limits", {})


def test_the_repository_volume_is_shared_written_by_the_job_and_read_only_for_servers() -> None:
    claim = PVC["metadata"]["name"]
    assert "ReadWriteMany" in PVC["spec"]["accessModes"]
    for pod, read_only in ((POD, True), (JOB["spec"]["template"], False)):
        volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
        (mount,) = [m for m in pod["spec"]["containers"][0]["volumeMounts"]
                    if m["mountPath"] == "/models"]
        source = volumes[mount["name"]]["persistentVolumeClaim"]
        assert source["claimName"] == claim
        assert mount.get("readOnly", False) is read_only
        assert source.get("readOnly", False) is read_only
    assert ENV["MODEL_REPOSITORY"] == "/models"
    assert JOB["spec"]["template"]["spec"]["containers"][0]["args"][:3] == \
        ["training", "--repository", "/models"]


@pytest.mark.parametrize("pod", [POD, JOB["spec"]["template"]], ids=["server", "trainer"])
def test_pods_run_as_the_images_non_root_user_on_a_read_only_root(pod: dict) -> None:
    security = pod["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True and security["runAsUser"] == 10001
    for container in pod["spec"]["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
        volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
        assert len(tmp) == 1 and "emptyDir" in volumes[tmp[0]["name"]]
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
        assert "memory" in container["resources"]["limits"]


def test_the_in_flight_component_is_the_base_autoscaler_plus_one_metric() -> None:
    base_metrics = HPA["spec"]["metrics"]
    metrics = IN_FLIGHT_HPA["spec"]["metrics"]
    assert metrics[:len(base_metrics)] == base_metrics
    assert [m["pods"]["metric"]["name"] for m in metrics[len(base_metrics):]] == \
        ["serving_requests_in_flight"]
    strip = {**IN_FLIGHT_HPA["spec"], "metrics": base_metrics}
    assert strip == HPA["spec"] and IN_FLIGHT_HPA["metadata"] == HPA["metadata"]


def test_the_custom_metric_is_one_the_server_exports(tmp_path: Path) -> None:
    (metric,) = [m["pods"]["metric"]["name"] for m in IN_FLIGHT_HPA["spec"]["metrics"]
                 if m["type"] == "Pods"]
    with serve_in_process(tmp_path, wait_ready=False) as client:
        exported = client.get("/metrics").text
    assert f"# TYPE {metric} gauge" in exported
