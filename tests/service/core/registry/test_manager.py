"""Hot reload over real HTTP: new versions, failed versions, removed versions and label changes
are picked up by polling (POLL_INTERVAL_SECONDS=0.2) while the server keeps answering."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support import (
    LiveServer,
    copy_models,
    eventually,
    publish_affine,
    run_training,
    serve_in_process,
)

POLL = 0.2
SWAP_DEADLINE = 2 * POLL + 10.0  # two polls, plus loading and warming a SavedModel on 2 cores


@pytest.fixture
def linear_repository(trained_repository: Path, tmp_path: Path) -> Path:
    """linear only: version 1 (y = 2x - 1) and version 2 (y = 3x + 0.5)."""
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    assert publish_affine(repository, 3.0, 0.5) == 2
    return repository


def answer(client: httpx.Client, query: str = "", x: float = 2.0) -> tuple[int, float]:
    response = client.post(f"/predict/linear{query}", json={"instances": [x]})
    assert response.status_code == 200, response.text
    body = response.json()
    return body["version"], body["predictions"][0]


def versions(client: httpx.Client) -> dict[int, str]:
    return {v["version"]: v["state"] for v in client.get("/models/linear").json()["versions"]}


def write_labels(repository: Path, labels: dict[str, int]) -> None:
    """Atomic replace, as an operator's tool would do it."""
    staging = repository / "linear" / ".labels.tmp"
    staging.write_text(json.dumps(labels))
    os.replace(staging, repository / "linear" / "labels.json")


@contextmanager
def hammering(url: str) -> Iterator[list[int]]:
    """Posts to /predict/linear from a thread until the block ends; yields the statuses seen."""
    statuses: list[int] = []
    stop = threading.Event()

    def run() -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            while not stop.is_set() and len(statuses) < 5000:
                statuses.append(client.post("/predict/linear",
                                            json={"instances": [1]}).status_code)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        thread.join(15)


def test_publish_while_serving_switches_to_new_version(linear_repository: Path) -> None:
    shutil.rmtree(linear_repository / "linear" / "2")
    with LiveServer(linear_repository, POLL_INTERVAL_SECONDS=POLL) as server, \
            httpx.Client(base_url=server.url, timeout=10) as client:
        assert answer(client) == (1, pytest.approx(3.0, abs=0.01))
        with hammering(server.url) as statuses:
            assert publish_affine(linear_repository, 5.0, 1.0) == 2
            published = time.monotonic()
            eventually(lambda: answer(client)[0] == 2, timeout=SWAP_DEADLINE, interval=0.02)
            switched = time.monotonic() - published
            eventually(lambda: versions(client) == {2: "AVAILABLE"})
        assert answer(client) == (2, pytest.approx(11.0))
        assert server.stop() == 0
    assert statuses and set(statuses) == {200}, "a request failed during the swap"
    print(f"switched to version 2 {switched:.2f} s after publishing")


def test_corrupt_version_fails_and_previous_keeps_serving(linear_repository: Path) -> None:
    model_dir = linear_repository / "linear"
    with LiveServer(linear_repository, POLL_INTERVAL_SECONDS=POLL) as server, \
            httpx.Client(base_url=server.url, timeout=10) as client:
        assert answer(client) == (2, pytest.approx(6.5))
        staging = model_dir / ".staging-corrupt"
        shutil.copytree(model_dir / "2", staging)
        pb = staging / "saved_model.pb"
        pb.write_bytes(pb.read_bytes()[: pb.stat().st_size // 2])
        with hammering(server.url) as statuses:
            os.rename(staging, model_dir / "3")
            eventually(lambda: versions(client).get(3) == "FAILED", timeout=SWAP_DEADLINE)
        view = client.get("/models/linear").json()
        ready = client.get("/health/ready")
        pinned = client.post("/predict/linear?version=3", json={"instances": [1]})
        assert answer(client) == (2, pytest.approx(6.5))
        assert server.stop() == 0
    failed = next(v for v in view["versions"] if v["version"] == 3)
    assert failed["error"].startswith("SavedModel could not be loaded")
    assert view["default_version"] == 2 and versions_of(view) == {2: "AVAILABLE", 3: "FAILED"}
    assert ready.status_code == 200, ready.text
    assert pinned.status_code == 503, pinned.text
    assert pinned.json()["error"].startswith("model 'linear' version 3 is FAILED: SavedModel")
    assert set(statuses) == {200}
    assert "linear version 3 FAILED" in server.log()


def test_deleted_version_is_unloaded_and_older_answers(linear_repository: Path) -> None:
    with LiveServer(linear_repository, POLL_INTERVAL_SECONDS=POLL) as server, \
            httpx.Client(base_url=server.url, timeout=10) as client:
        assert answer(client) == (2, pytest.approx(6.5))
        shutil.rmtree(linear_repository / "linear" / "2")
        eventually(lambda: answer(client)[0] == 1, timeout=SWAP_DEADLINE)
        eventually(lambda: versions(client) == {1: "AVAILABLE"})
        view = client.get("/models/linear").json()
        assert answer(client) == (1, pytest.approx(3.0, abs=0.01))
        assert server.stop() == 0
    assert view["versions_on_disk"] == [1] and view["problems"] == []
    assert "unloading linear version 2 (removed from disk)" in server.log()


def test_deleting_last_version_keeps_serving_it_and_says_so(linear_repository: Path) -> None:
    shutil.rmtree(linear_repository / "linear" / "1")
    with serve_in_process(linear_repository) as client:
        shutil.rmtree(linear_repository / "linear" / "2")
        view = eventually(lambda: _with_problems(client))
        assert answer(client) == (2, pytest.approx(6.5))
        ready = client.get("/health/ready")
    assert ready.status_code == 200 and view["versions_on_disk"] == []
    assert "still served because it is the model's last serving version" in view["problems"][0]


def test_label_changes_take_effect_without_restart(linear_repository: Path) -> None:
    with serve_in_process(linear_repository) as client:
        run_training(linear_repository, "label", "linear", "stable", "1")
        eventually(lambda: client.post("/predict/linear?label=stable",
                                       json={"instances": [2]}).status_code == 200,
                   timeout=SWAP_DEADLINE)
        assert answer(client, "?label=stable") == (1, pytest.approx(3.0, abs=0.01))
        assert answer(client) == (2, pytest.approx(6.5))  # the latest still answers by default
        assert versions(client) == {1: "AVAILABLE", 2: "AVAILABLE"}

        write_labels(linear_repository, {"stable": 2, "canary": 1})
        eventually(lambda: answer(client, "?label=stable")[0] == 2, timeout=SWAP_DEADLINE)
        assert answer(client, "?label=canary")[0] == 1

        write_labels(linear_repository, {"stable": 2})
        eventually(lambda: versions(client) == {2: "AVAILABLE"}, timeout=SWAP_DEADLINE)
        missing = client.post("/predict/linear?label=canary", json={"instances": [2]})
        unloaded = client.post("/predict/linear?version=1", json={"instances": [2]})
    assert missing.status_code == 404 and "labels: stable" in missing.json()["error"]
    assert unloaded.status_code == 404, unloaded.text
    assert "on disk but not served" in unloaded.json()["error"]


def test_labelled_version_stays_loaded_when_newer_ones_arrive(linear_repository: Path) -> None:
    write_labels(linear_repository, {"stable": 1})
    with serve_in_process(linear_repository) as client:
        eventually(lambda: versions(client) == {1: "AVAILABLE", 2: "AVAILABLE"})
        assert publish_affine(linear_repository, -1.0, 0.0) == 3
        eventually(lambda: versions(client) == {1: "AVAILABLE", 3: "AVAILABLE"},
                   timeout=SWAP_DEADLINE)
        assert answer(client) == (3, pytest.approx(-2.0))
        assert answer(client, "?label=stable") == (1, pytest.approx(3.0, abs=0.01))


def test_malformed_labels_file_keeps_the_last_good_labels_and_is_reported(
        linear_repository: Path) -> None:
    """An editor half-way through writing labels.json must not drop every label at once."""
    write_labels(linear_repository, {"stable": 1})
    with serve_in_process(linear_repository) as client:
        eventually(lambda: answer(client, "?label=stable")[0] == 1)
        (linear_repository / "linear" / "labels.json").write_text('{"stable": "one"}')
        view = eventually(lambda: _with_problems(client), timeout=SWAP_DEADLINE)
        kept = answer(client, "?label=stable")
        assert answer(client) == (2, pytest.approx(6.5))
        write_labels(linear_repository, {"stable": 2})
        eventually(lambda: answer(client, "?label=stable")[0] == 2, timeout=SWAP_DEADLINE)
    assert view["labels"] == {"stable": 1} and view["problems"][0].startswith(
        "labels.json ignored") and "keeping the last good labels (stable)" in view["problems"][0]
    assert kept[0] == 1


def versions_of(view: dict) -> dict[int, str]:
    return {v["version"]: v["state"] for v in view["versions"]}


def _with_problems(client: httpx.Client) -> dict | None:
    view = client.get("/models/linear").json()
    return view if view["problems"] else None


def test_superseded_version_finishes_in_flight_request_before_unloading(
        linear_repository: Path) -> None:
    shutil.rmtree(linear_repository / "linear" / "2")
    results: list[httpx.Response] = []
    with serve_in_process(linear_repository, max_batch_wait_ms=4000) as client:
        slow = threading.Thread(target=lambda: results.append(
            client.post("/predict/linear", json={"instances": [2]})))
        slow.start()  # waits ~4 s in version 1's batcher for company
        manager = client.app.state.core.manager
        eventually(lambda: manager.models["linear"].versions[1].in_flight == 1)
        assert publish_affine(linear_repository, 5.0, 1.0) == 2
        during = eventually(lambda: versions(client) == {1: "UNLOADING", 2: "AVAILABLE"}
                            and versions(client), timeout=SWAP_DEADLINE)
        slow.join(30)
        after = eventually(lambda: versions(client) == {2: "AVAILABLE"} and versions(client))
    assert during == {1: "UNLOADING", 2: "AVAILABLE"} and after == {2: "AVAILABLE"}
    (response,) = results
    assert response.status_code == 200 and response.json()["version"] == 1
    assert response.json()["predictions"] == pytest.approx([3.0], abs=0.01)
