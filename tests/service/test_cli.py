"""python -m service: documented flags, environment twins, flags over environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from service.cli import load_settings
from tests.support import ROOT, LiveServer, copy_models, free_port

ENV_NAMES = ["MODEL_REPOSITORY", "HOST", "PORT", "POLL_INTERVAL_SECONDS", "LOG_LEVEL",
             "LOG_FORMAT", "MAX_REQUEST_BYTES"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_help_documents_every_flag_and_its_environment_twin() -> None:
    result = subprocess.run([sys.executable, "-m", "service", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    text = " ".join(result.stdout.split())
    assert text.startswith("usage: python -m service")
    for flag, env in [("--repository", "MODEL_REPOSITORY"), ("--host", "HOST"),
                      ("--port", "PORT"), ("--poll-interval", "POLL_INTERVAL_SECONDS"),
                      ("--log-level", "LOG_LEVEL"), ("--log-format", "LOG_FORMAT")]:
        assert flag in text and f"env {env}" in text


def test_defaults_without_flags_or_environment() -> None:
    settings = load_settings([])
    assert (settings.model_repository, settings.host, settings.port) == \
        (Path("models"), "127.0.0.1", 8000)
    assert settings.poll_interval_seconds == 2.0 and settings.log_format == "text"


def test_environment_twins_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [("MODEL_REPOSITORY", "/srv/models"), ("HOST", "0.0.0.0"),
                        ("PORT", "9001"), ("POLL_INTERVAL_SECONDS", "0.5"),
                        ("LOG_FORMAT", "json"), ("MAX_REQUEST_BYTES", "4096")]:
        monkeypatch.setenv(name, value)
    settings = load_settings([])
    assert (settings.model_repository, settings.host, settings.port) == \
        (Path("/srv/models"), "0.0.0.0", 9001)
    assert settings.poll_interval_seconds == 0.5 and settings.log_format == "json"
    assert settings.max_request_bytes == 4096


def test_flags_override_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_REPOSITORY", "/from/env")
    monkeypatch.setenv("PORT", "9001")
    settings = load_settings(["--repository", "/from/flag", "--port", "9002", "--host",
                              "127.0.0.2", "--poll-interval", "0.3", "--log-level", "debug",
                              "--log-format", "json"])
    assert (settings.model_repository, settings.host, settings.port) == \
        (Path("/from/flag"), "127.0.0.2", 9002)
    assert (settings.poll_interval_seconds, settings.log_level, settings.log_format) == \
        (0.3, "debug", "json")


@pytest.mark.parametrize("argv", [["--port", "http"], ["--log-format", "xml"],
                                  ["--bogus"], ["--poll-interval", "soon"]])
def test_bad_flags_exit_2_with_usage(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "service", *argv], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "usage: python -m service" in result.stderr


@pytest.mark.parametrize(("argv", "env", "message"), [
    (["--port", "70000"], {}, "invalid setting PORT (--port): Input should be less than or "
                              "equal to 65535, got 70000"),
    ([], {"MAX_BATCH_SIZE": "0"}, "invalid setting MAX_BATCH_SIZE: Input should be greater "
                                  "than or equal to 1, got '0'"),
])
def test_invalid_setting_exits_2_naming_it(argv: list[str], env: dict[str, str],
                                           message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "service", *argv], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_real_server_follows_flags_over_environment(trained_repository: Path,
                                                   tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    port = free_port()  # the environment names another port and a missing repository
    server = LiveServer(tmp_path / "nowhere", log_path=tmp_path / "server.log",
                        args=("--repository", str(repository), "--port", str(port),
                              "--host", "127.0.0.1", "--poll-interval", "0.2"))
    server.url = f"http://127.0.0.1:{port}"
    with server:
        models = httpx.get(f"{server.url}/models").json()
        assert server.stop() == 0
    assert models["repository"] == str(repository)
    assert [m["name"] for m in models["models"]] == ["linear"]
