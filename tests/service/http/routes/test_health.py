"""GET /health/live and GET /health/ready: ready only when every model has a servable version."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from service.core.registry.manager import ModelManager
from service.core.registry.poller import RepositoryPoller
from service.core.registry.servable import Servable
from service.core.repository.entries import VersionEntry
from service.core.repository.scan import ModelRepository
from service.core.status import not_ready
from service.core.types import VersionState
from tests.support import copy_models, eventually, publish_affine, serve_in_process


def test_live_answers_200(zoo_client: TestClient) -> None:
    response = zoo_client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "live"})


def test_ready_is_200_when_every_model_serves(zoo_client: TestClient) -> None:
    response = zoo_client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "not_ready": {}, "not_serving": {},
                               "repository_error": None}


def half_written_repository(trained_repository: Path, tmp_path: Path) -> Path:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    (repository / "half" / "1").mkdir(parents=True)
    (repository / "half" / "1" / "saved_model.pb").write_bytes(b"\x08\x01")
    return repository


def test_a_model_with_nothing_loadable_is_reported_not_fatal(trained_repository: Path,
                                                            tmp_path: Path) -> None:
    """One half-written or stray model directory must not take the whole server out of
    service: the server is ready, and says what does not serve."""
    repository = half_written_repository(trained_repository, tmp_path)
    (repository / "stray").mkdir()
    with serve_in_process(repository, wait_ready=False) as client:
        eventually(lambda: client.get("/models/linear").json().get("ready"))
        response = eventually(lambda: (r := client.get("/health/ready")).status_code == 200
                              and r, what="ready")
    body = response.json()
    assert body["status"] == "ready" and body["not_ready"] == {}
    assert sorted(body["not_serving"]) == ["half", "stray"]
    assert "incomplete: missing variables/variables.index" in body["not_serving"]["half"]


def test_not_ready_while_a_version_found_at_start_settles(trained_repository: Path,
                                                         tmp_path: Path) -> None:
    """A model published just before the server started (its files still settling) holds up
    readiness until its first load, not only until the first poll."""
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    for path in (repository / "linear").rglob("*"):
        os.utime(path)  # just written
    with serve_in_process(repository, wait_ready=False, version_settle_seconds=2) as client:
        first = eventually(lambda: _after_first_poll(client))
        ready = eventually(lambda: (r := client.get("/health/ready")).status_code == 200 and r,
                           timeout=30, what="ready once loaded")
        served = client.post("/predict/linear", json={"instances": [1.0]})
    assert first.status_code == 503, first.text
    assert "still being written" in first.json()["not_ready"]["linear"]
    assert ready.json()["not_ready"] == {} and served.status_code == 200


def test_ready_requires_all_models_when_asked(trained_repository: Path, tmp_path: Path) -> None:
    repository = half_written_repository(trained_repository, tmp_path)
    with serve_in_process(repository, wait_ready=False, ready_requires_all_models=True) as client:
        eventually(lambda: client.get("/models/linear").json().get("ready"))
        response = client.get("/health/ready")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "not ready" and list(body["not_ready"]) == ["half"]
    assert "incomplete: missing variables/variables.index" in body["not_ready"]["half"]


def test_ready_is_503_for_empty_repository(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    with serve_in_process(tmp_path / "models", wait_ready=False) as client:
        response = eventually(lambda: _after_first_poll(client))
    assert response.status_code == 503, response.text
    assert response.json()["not_ready"] == {"*": f"no models in {tmp_path / 'models'}"}


def test_ready_is_503_for_missing_repository(tmp_path: Path) -> None:
    with serve_in_process(tmp_path / "absent", wait_ready=False) as client:
        response = eventually(lambda: _after_first_poll(client))
        live = client.get("/health/live")
    body = response.json()
    assert response.status_code == 503 and live.status_code == 200
    assert "is not a readable directory" in body["repository_error"]
    assert body["not_ready"]["*"] == body["repository_error"]


def test_a_model_published_into_an_empty_directory_starts_serving(trained_repository: Path,
                                                                   tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    (repository / "quadratic").mkdir()
    with serve_in_process(repository, wait_ready=False) as client:
        eventually(lambda: client.get("/models/linear").json().get("ready"))
        before = client.get("/health/ready").json()
        (repository / "quadratic").rmdir()
        copy_models(trained_repository, repository, "quadratic")
        eventually(lambda: client.get("/health/ready").json()["not_serving"] == {}, timeout=30)
    assert list(before["not_serving"]) == ["quadratic"] and before["not_ready"] == {}


def test_a_failed_never_served_model_is_reported_and_forgotten_when_removed(
        trained_repository: Path, tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    broken = repository / "broken" / "1"
    (broken / "variables").mkdir(parents=True)
    (broken / "saved_model.pb").write_bytes(b"not a SavedModel")
    (broken / "variables" / "variables.index").write_bytes(b"")
    (broken / "variables" / "variables.data-00000-of-00001").write_bytes(b"")
    with serve_in_process(repository, wait_ready=False) as client:
        ready = eventually(lambda: (r := client.get("/health/ready")).status_code == 200
                           and "broken" in r.json()["not_serving"] and r, what="reported")
        assert "FAILED" in ready.json()["not_serving"]["broken"]
        shutil.rmtree(repository / "broken")
        eventually(lambda: "broken" not in client.get("/models").text, what="forgotten")
        assert client.get("/health/ready").json()["not_serving"] == {}


def _after_first_poll(client: TestClient) -> httpx.Response | None:
    """The /health/ready response once the registry has polled the repository at least once."""
    core = client.app.state.core
    return client.get("/health/ready") if core.poller.polls or \
        core.poller.repository_error else None


def test_ready_waits_for_models_later_in_the_first_scan(trained_repository: Path,
                                                        tmp_path: Path) -> None:
    """linear serves version 2 while its labelled version 1 still loads (held here): quadratic,
    later in the scan, has not loaded yet, so the server is not ready and says why."""
    repository = copy_models(trained_repository, tmp_path / "models", "linear", "quadratic")
    assert publish_affine(repository, 3.0, 1.0) == 2
    (repository / "linear" / "labels.json").write_text('{"stable": 1}')
    release = threading.Event()
    pool = ThreadPoolExecutor(2)

    def make_servable(model: str, entry: VersionEntry) -> Servable:
        servable = Servable(model, entry.number, entry.path, entry.listing, pool, 8, 0.0)
        if (model, entry.number) == ("linear", 1):
            load = servable.load
            servable.load = lambda: (release.wait(30), load())  # type: ignore[method-assign]
        return servable

    async def scenario() -> tuple[dict[str, str], dict[str, str]]:
        manager = ModelManager(pool, make_servable)
        poller = RepositoryPoller(ModelRepository(repository, 0), manager, pool)
        poll = asyncio.create_task(poller.poll_once())
        while "linear" not in manager.models or 2 not in manager.models["linear"].versions \
                or manager.models["linear"].versions[2].state is not VersionState.AVAILABLE:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # linear version 1 is loading (held)
        during = not_ready(manager, None, repository)
        release.set()
        await poll
        return during, not_ready(manager, None, repository)

    try:
        during, after = asyncio.run(scenario())
    finally:
        release.set()
        pool.shutdown()
    assert during == {"quadratic": "no available version (waiting to load)"}
    assert after == {}
