"""nginx with the project's configuration in front of two stand-in replicas: one that drops
every connection without answering (as a replica killed mid-request does), one that answers.
Predictions must all succeed through the retry; other POSTs must not be sent twice."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from deploy.cluster.balancer import Nginx
from deploy.cluster.replicas import free_port
from deploy.nginx import Balancer

pytestmark = pytest.mark.skipif(
    (shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")) is None,
    reason="nginx is not installed (make cluster-test installs it)")


class Replica(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    drops = False
    seen: list[str]

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(self.path)
        if self.drops:
            self.close_connection = True  # no answer: the connection just closes
            return
        body = b'{"version": 1}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def stand_in(drops: bool) -> tuple[ThreadingHTTPServer, list[str]]:
    seen: list[str] = []
    handler = type("Handler", (Replica,), {"drops": drops, "seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.fixture
def balanced(tmp_path: Path) -> Iterator[tuple[str, list[str], Nginx]]:
    """nginx on a free port before the dropping and the answering replica. max_fails is high
    so that round robin keeps sending first attempts to the dropping one."""
    dropping, dropped = stand_in(drops=True)
    answering, _ = stand_in(drops=False)
    port = free_port()
    replicas = tuple(f"127.0.0.1:{s.server_address[1]}" for s in (dropping, answering))
    nginx = Nginx(Balancer(f"127.0.0.1:{port}", replicas, tmp_path / "nginx",
                           worker_processes="1", max_fails=1000))
    nginx.start(port)
    yield f"http://127.0.0.1:{port}", dropped, nginx
    nginx.stop()
    for server in (dropping, answering):
        server.shutdown()


def test_predictions_sent_to_a_replica_that_dropped_them_are_answered_by_another(
        balanced: tuple[str, list[str], Nginx]) -> None:
    url, dropped, nginx = balanced
    paths = ["/predict/linear", "/v1/models/linear:predict", "/v2/models/linear/infer"] * 4
    with httpx.Client(base_url=url, timeout=10) as client:
        statuses = [client.post(path, json={"instances": [1.0]}).status_code for path in paths]
    assert statuses == [200] * len(paths)
    assert len(dropped) >= len(paths) // 3  # the dropping replica really got first attempts
    nginx.stop()
    retries = nginx.retries()
    assert retries.answered == len(paths) and retries.non_2xx == 0
    assert retries.retried == len(dropped)
    assert set(retries.first_failures) == {"502"}


def test_other_posts_are_not_sent_again(balanced: tuple[str, list[str], Nginx]) -> None:
    url, dropped, nginx = balanced
    with httpx.Client(base_url=url, timeout=10) as client:
        statuses = [client.post("/models", json={}).status_code for _ in range(8)]
    assert 502 in statuses and 200 in statuses
    assert statuses.count(502) == len(dropped)  # each dropped POST failed, none was resent
