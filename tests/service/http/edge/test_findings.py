"""The smaller findings, each over a real server: forged log lines, what an API key's admin
scope hides on open routes, plain-text and redirect answers, HEAD, SIGHUP, a metadata.json of
the wrong shape, and the command line failing fast."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support import ROOT, LiveServer, copy_models, eventually, free_port

pytestmark = pytest.mark.timeout(180)
KEY = "edge-key"


def raw(server: LiveServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_control_characters_cannot_forge_log_lines(trained_repository: Path,
                                                   tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    with LiveServer(repository) as server:
        httpx.get(f"{server.url}/models%0A2026-01-01 00:00:00,000 INFO forged: hello")
        time.sleep(0.3)
        lines = server.log().splitlines()
    assert not any(line.startswith("2026-01-01") for line in lines)
    assert any("\\x0a2026-01-01" in line for line in lines)


def broken_model(repository: Path) -> None:
    version = repository / "broken" / "1"
    (version / "variables").mkdir(parents=True)
    (version / "saved_model.pb").write_bytes(b"not a SavedModel")
    (version / "variables" / "variables.index").write_bytes(b"")
    (version / "variables" / "variables.data-00000-of-00001").write_bytes(b"")


def test_open_routes_hide_the_repository_from_clients_without_the_key(
        trained_repository: Path, tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    broken_model(repository)
    with LiveServer(repository, API_KEY=KEY) as server:
        eventually(lambda: "broken" in httpx.get(
            f"{server.url}/models", headers={"Authorization": f"Bearer {KEY}"}).text)
        anonymous = httpx.post(f"{server.url}/predict/nope", json={"instances": [1]}).json()
        keyed = httpx.post(f"{server.url}/predict/nope", json={"instances": [1]},
                           headers={"Authorization": f"Bearer {KEY}"}).json()
        failed = httpx.post(f"{server.url}/predict/broken", json={"instances": [1]}).json()
        ready = httpx.get(f"{server.url}/health/ready").json()
    assert anonymous == {"error": "model 'nope' not found"}
    assert "models: broken, linear" in keyed["error"]
    assert str(repository) not in failed["error"] and "FAILED" not in failed["error"]
    assert set(ready) == {"status", "detail"}


def test_http_layer_errors_are_json_and_nothing_redirects(trained_repository: Path,
                                                          tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    with LiveServer(repository) as server:
        garbage = raw(server, b"NOT A REQUEST\r\n\r\n")
        slash = httpx.get(f"{server.url}/models/", headers={"Host": "evil.example"})
        head = httpx.head(f"{server.url}/models/linear")
        get = httpx.get(f"{server.url}/models/linear")
    assert garbage.startswith(b"HTTP/1.1 400") and b"application/json" in garbage
    assert slash.status_code == 404 and "location" not in slash.headers
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


def test_sighup_is_logged_and_ignored(trained_repository: Path, tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    with LiveServer(repository) as server:
        assert server.process is not None
        server.process.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert httpx.get(f"{server.url}/health/live").status_code == 200
        assert "SIGHUP ignored" in server.log()


def test_a_metadata_json_of_the_wrong_shape_is_reported(trained_repository: Path,
                                                        tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    (repository / "linear" / "1" / "metadata.json").write_text("[1, 2, 3]")
    with LiveServer(repository) as server:
        version = httpx.get(f"{server.url}/models/linear").json()["versions"][0]
    assert version["metadata_problem"] == \
        "metadata.json ignored: it holds a JSON list, not an object"


def run_service(*args: str, port: int | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "GRPC_PORT": "0",
                               "PORT": str(port or free_port())})


def test_a_missing_repository_or_a_file_exits_2(tmp_path: Path) -> None:
    missing = run_service("--repository", str(tmp_path / "absent"))
    (tmp_path / "file").write_text("x")
    file = run_service("--repository", str(tmp_path / "file"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert file.returncode == 2 and "is a file, not a directory" in file.stderr


def test_a_port_in_use_exits_2_before_loading_models(trained_repository: Path,
                                                     tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = run_service("--repository", str(repository), port=taken.getsockname()[1])
    assert done.returncode == 2 and "cannot serve HTTP on" in done.stderr
    assert "loading linear" not in done.stderr


