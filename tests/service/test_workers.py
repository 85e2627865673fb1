"""WORKERS > 1 over real sockets: every worker answers on the one port, metrics add up across
them, a killed worker is replaced, a publish reaches every worker, readiness waits for all,
SIGTERM drains them all; and the supervisor imports no TensorFlow."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.metrics import Metrics
from service.serving import ServingCore
from service.settings import Settings
from service.worker_slot import WorkerSlot
from tests.service.fault_tools import save_slow_model
from tests.support import ROOT, LiveServer, copy_models, eventually, publish_affine

pytestmark = pytest.mark.timeout(240)
POLL = 0.2


@pytest.fixture
def repository(trained_repository: Path, tmp_path: Path) -> Path:
    root = copy_models(trained_repository, tmp_path / "models", "linear")
    save_slow_model(root / "slow" / "1")
    return root


@pytest.fixture
def workers(repository: Path) -> Iterator[LiveServer]:
    with LiveServer(repository, WORKERS=2, LOG_FORMAT="json") as server:
        yield server


def fresh(url: str, path: str = "/health/live") -> dict:
    """One request on a new connection (the kernel picks the worker)."""
    return httpx.get(url + path, headers={"Connection": "close"}, timeout=10).json()


def worker_pids(url: str) -> set[int]:
    pids: set[int] = set()
    for _ in range(60):
        pids.add(fresh(url)["pid"])
        if len(pids) == 2:
            break
    return pids


def test_every_worker_answers_and_metrics_add_up(workers: LiveServer) -> None:
    assert len(worker_pids(workers.url)) == 2
    for i in range(30):
        answer = httpx.post(f"{workers.url}/predict/linear", json={"instances": [i]},
                            headers={"Connection": "close", "X-Request-ID": f"w-{i}"})
        assert answer.status_code == 200
    for _ in range(4):  # whichever worker answers /metrics
        text = httpx.get(f"{workers.url}/metrics", headers={"Connection": "close"}).text
        line = next(x for x in text.splitlines()
                    if x.startswith("serving_requests_total") and 'status="200"' in x
                    and "/predict/{model}" in x)
        assert float(line.rsplit(" ", 1)[1]) == 30
    logged = [json.loads(line).get("request_id") for line in workers.log().splitlines()
              if line.startswith("{") and '"service.access"' in line]
    assert sorted(r for r in logged if r and r.startswith("w-")) == \
        sorted(f"w-{i}" for i in range(30))  # one access-log line per request


def test_a_killed_worker_is_replaced(workers: LiveServer) -> None:
    before = worker_pids(workers.url)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    eventually(lambda: len(worker_pids(workers.url) - {victim}) == 2, timeout=60,
               what="a new worker beside the survivor")
    assert "exited with code -9; restarting it" in workers.log()
    eventually(lambda: httpx.get(f"{workers.url}/health/ready").status_code == 200, timeout=60,
               what="ready again once the new worker has loaded")


def test_a_publish_reaches_every_worker_within_two_polls(workers: LiveServer,
                                                         repository: Path) -> None:
    publish_affine(repository, 3.0, 1.0)
    published = time.monotonic()

    def everyone_answers_v2() -> bool:
        versions = {httpx.post(f"{workers.url}/predict/linear", json={"instances": [1]},
                               headers={"Connection": "close"}).json()["version"]
                    for _ in range(12)}
        return versions == {2}

    eventually(everyone_answers_v2, timeout=30, what="version 2 on every worker")
    loading = 5.0  # loading and warming the SavedModel on a shared 2-core machine
    assert time.monotonic() - published < 2 * POLL + loading


def test_sigterm_drains_every_worker(workers: LiveServer) -> None:
    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(httpx.post(
        f"{workers.url}/predict/slow", json={"instances": [1500]}, timeout=30).status_code))
    thread.start()
    time.sleep(0.5)
    code = workers.stop(signal.SIGTERM, timeout=60)
    thread.join(30)
    assert results == [200] and code == 0
    assert "all 2 workers drained" in workers.log()


def test_readiness_waits_for_the_other_workers(trained_repository: Path) -> None:
    flags = [0, 0]
    settings = Settings(model_repository=trained_repository, poll_interval_seconds=0.2,
                        version_settle_seconds=0)
    core = ServingCore(settings, Metrics(), slot=WorkerSlot(0, 2, flags))
    with TestClient(create_app(settings, core)) as client:
        waiting = eventually(lambda: (r := client.get("/health/ready")).json()["not_ready"]
                             .get("*", "").startswith("worker") and r, timeout=60,
                             what="this worker ready, the other not")
        assert waiting.status_code == 503
        assert waiting.json()["not_ready"] == {"*": "worker(s) 2 of 2 not ready yet"}
        assert flags[0] == 1
        flags[1] = 1
        assert client.get("/health/ready").status_code == 200
        assert client.get("/health/live").json()["worker"] == 1


def test_the_supervisor_imports_no_tensorflow() -> None:
    code = ("import sys, service.cli, service.workers\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'tensorflow'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
