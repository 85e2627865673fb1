"""The rendered nginx configuration: accepted by nginx itself, bad values refused by name, and
the prediction location catching exactly the prediction routes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.nginx import TEMPLATE, Balancer, render
from deploy.nginx.__main__ import main

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
PREDICT_LOCATION = re.compile(r"location ~ (\S+) \{\n\s+proxy_next_upstream [^;]* non_idempotent;")


def balancer(tmp_path: Path, *replicas: str) -> Balancer:
    return Balancer(listen="127.0.0.1:18080", replicas=replicas or ("127.0.0.1:9001",),
                    state_dir=tmp_path)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make cluster-test installs it)")
def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    config = tmp_path / "nginx.conf"
    config.write_text(render(balancer(tmp_path, "127.0.0.1:9001", "[::1]:9002",
                                      "localhost:8000")))
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(config), "-e",
                           str(tmp_path / "error.log")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_every_token_is_filled_and_each_replica_is_a_server(tmp_path: Path) -> None:
    text = render(balancer(tmp_path, "127.0.0.1:9001", "127.0.0.1:9002"))
    assert "@" not in text.replace("'@'", "")
    servers = re.findall(r"^\s+server (\S+) max_fails=1 fail_timeout=2s;$", text, re.M)
    assert servers == ["127.0.0.1:9001", "127.0.0.1:9002"]


@pytest.mark.parametrize(("replicas", "message"), [
    ((), "no replicas"),
    (("127.0.0.1",), "is not host:port"),
    (("127.0.0.1:0",), "is not host:port"),
    (("127.0.0.1:70000",), "is not host:port"),
    (("http://127.0.0.1:8000",), "is not host:port"),
])
def test_bad_replicas_are_refused_by_name(tmp_path: Path, replicas: tuple[str, ...],
                                          message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(Balancer("8080", replicas, tmp_path))


def test_a_relative_state_directory_is_refused() -> None:
    with pytest.raises(ValueError, match="must be an absolute path"):
        render(Balancer("8080", ("127.0.0.1:9001",), Path("state")))


def test_the_command_line_prints_the_configuration(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--replica", "10.0.0.7:8000", "--replica", "10.0.0.8:8000", "--state-dir",
                 str(tmp_path), "--fail-timeout", "5"]) == 0
    out = capsys.readouterr().out
    assert "server 10.0.0.8:8000 max_fails=1 fail_timeout=5s;" in out
    assert f"pid {tmp_path}/nginx.pid;" in out


def test_the_command_line_names_a_bad_replica(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--replica", "nowhere", "--state-dir", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "replica 'nowhere' is not host:port" in capsys.readouterr().err


@pytest.mark.parametrize(("path", "retried"), [
    ("/predict/linear", True),
    ("/v1/models/linear:predict", True),
    ("/v1/models/linear/versions/2:predict", True),
    ("/v1/models/linear/labels/stable:predict", True),
    ("/v2/models/linear/infer", True),
    ("/v2/models/linear/versions/3/infer", True),
    ("/models", False),
    ("/models/linear", False),
    ("/v1/models/linear", False),
    ("/v1/models/linear:classify", False),
    ("/v2/models/linear", False),
    ("/predict/linear/extra", False),
    ("/health/ready", False),
])
def test_only_predictions_are_marked_safe_to_send_again(path: str, retried: bool) -> None:
    """nginx's location regex is PCRE; this one uses nothing Python's re reads differently."""
    pattern = PREDICT_LOCATION.search(TEMPLATE.read_text())
    assert pattern is not None
    assert (re.search(pattern.group(1), path) is not None) is retried
