"""Models named rather than found: single-model mode (`--model-name`/`--model-base-path`, and
TensorFlow Serving's `--model_name`, `--model_base_path`, `--rest_api_port`, `--port`) as
KServe's storage initializer lays a model out at /mnt/models, and `--model_config_file`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.support import ROOT, LiveServer, free_port

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def mnt_models(trained_repository: Path, tmp_path: Path) -> Path:
    """One model's version directories, with no model directory around them."""
    target = tmp_path / "mnt" / "models"
    shutil.copytree(trained_repository / "linear", target)
    return target


def test_tf_serving_spellings_serve_one_model(mnt_models: Path, tmp_path: Path) -> None:
    grpc_port = free_port()
    server = LiveServer(tmp_path / "unused")
    server.args = ("--model_name=my-linear", f"--model_base_path={mnt_models}",
                   "--rest_api_port", str(server.port), "--port", str(grpc_port))
    with server:
        status = httpx.get(f"{server.url}/v1/models/my-linear").json()
        assert status["model_version_status"][0]["state"] == "AVAILABLE"
        answer = httpx.post(f"{server.url}/v1/models/my-linear:predict",
                            json={"instances": [10]}).json()
        assert answer["predictions"] == pytest.approx([19.0], abs=1e-3)
        assert httpx.get(f"{server.url}/v2/models/my-linear").json()["name"] == "my-linear"
        assert [m["name"] for m in httpx.get(f"{server.url}/models").json()["models"]] == \
            ["my-linear"]
        with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            check = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(),
                                                             timeout=10)
        assert check.status == health_pb2.HealthCheckResponse.SERVING


def test_model_config_file_names_models_and_paths(trained_repository: Path,
                                                  tmp_path: Path) -> None:
    shutil.copytree(trained_repository / "linear", tmp_path / "store" / "a")
    shutil.copytree(trained_repository / "quadratic", tmp_path / "elsewhere" / "quad")
    config = tmp_path / "models.config"
    config.write_text('model_config_list {\n'
                      '  config { name: "line" base_path: "store/a" model_platform: '
                      '"tensorflow" }\n'
                      f'  config {{ name: "quad" base_path: "{tmp_path / "elsewhere"}/quad" }}\n'
                      '}\n')
    with LiveServer(tmp_path / "unused", args=("--model_config_file", str(config))) as server:
        names = [m["name"] for m in httpx.get(f"{server.url}/models").json()["models"]]
        answer = httpx.post(f"{server.url}/predict/quad", json={"instances": [1]}).json()
    assert names == ["line", "quad"] and answer["predictions"] == pytest.approx([27.0], abs=1e-2)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "GRPC_PORT": "0",
                               "PORT": str(free_port())})


@pytest.mark.parametrize(("args", "says"), [
    (("--model-name", "lin"), "needs both MODEL_NAME (--model-name) and MODEL_BASE_PATH"),
    (("--model-name", "bad/name", "--model-base-path", "/tmp"), "is not a model name"),
])
def test_half_a_single_model_setting_exits_2(args: tuple[str, ...], says: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2 and says in done.stderr


def test_an_unusable_model_config_exits_2_naming_it(tmp_path: Path) -> None:
    config = tmp_path / "models.config"
    config.write_text("model_config_list { config { name: 'x' base_path: '/a' "
                      "model_version_policy { all {} } } }")
    done = run_cli("--model_config_file", str(config))
    assert done.returncode == 2
    assert "asks for a version policy other than the latest version" in done.stderr
    config.write_text("model_config_list { nonsense: 1 }")
    done = run_cli("--model_config_file", str(config))
    assert done.returncode == 2 and str(config) in done.stderr
