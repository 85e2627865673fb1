"""SIGTERM drains: requests in flight all finish with 200, new connections are refused, and the
process exits 0."""

from __future__ import annotations

import signal
import socket
import threading
import time
from pathlib import Path

import httpx

from tests.support import LiveServer, copy_models

BATCH_WAIT_MS = 3000  # small requests wait this long for company: they are in flight for ~3 s


def post_in_thread(url: str, instances: list, results: list) -> threading.Thread:
    def run() -> None:
        sent = time.monotonic()
        try:
            response = httpx.post(f"{url}/predict/linear", json={"instances": instances},
                                  timeout=30)
            rows = len(response.json()["predictions"]) if response.status_code == 200 else 0
            results.append((sent, time.monotonic(), response.status_code, rows))
        except httpx.HTTPError as exc:
            results.append((sent, time.monotonic(), repr(exc), 0))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_sigterm_finishes_in_flight_requests_and_exits_0(trained_repository: Path,
                                                          tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    small: list = []
    large: list = []
    with LiveServer(repository, MAX_BATCH_WAIT_MS=BATCH_WAIT_MS) as server:
        threads = [post_in_thread(server.url, [i], small) for i in range(4)]
        threads += [post_in_thread(server.url, list(range(200_000)), large) for _ in range(2)]
        time.sleep(1.0)  # the small four are queued in the batcher, waiting for company
        server.process.send_signal(signal.SIGTERM)
        terminated = time.monotonic()
        refused_at = None
        deadline = terminated + 10
        while refused_at is None and time.monotonic() < deadline:
            if refused(server.port):
                refused_at = time.monotonic()
            time.sleep(0.05)
        for thread in threads:
            thread.join(30)
        exit_code = server.process.wait(30)
        server.stop()
    assert exit_code == 0
    assert [status for _, _, status, _ in small + large] == [200] * 6
    assert sorted(rows for _, _, _, rows in large) == [200_000, 200_000]
    assert all(sent < terminated < answered for sent, answered, _, _ in small)
    assert refused_at is not None and refused_at < max(answered for _, answered, _, _ in small)
    log = server.log()
    assert "drained after SIGTERM" in log and "exited cleanly" in log
    assert "Traceback" not in log

