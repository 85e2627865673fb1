"""Broken and half-written versions: each is refused with its reason, the previous version keeps
answering, and a version copied file by file is never served before it is complete.

One server (VERSION_SETTLE_SECONDS=1) serves a model per case, each with a good version 1."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.fault_tools import (
    Traffic,
    copy_slowly,
    failures,
    model_view,
    save_raises_on_zero_model,
    save_wrong_rows_model,
    version_entry,
)
from tests.support import LiveServer, eventually, publish_affine

MODELS = ["truncated", "novariables", "garbage", "wrongrows", "raises", "badnames", "symlinked",
          "rewritten", "copied", "stalled"]
WEIGHT = 2.0  # every model's version 1: y = 2*x + 0.5
SOURCE_WEIGHT = -10.0  # the good version copied in by the slow copier: y = -10*x + 0.5
SETTLE = 1.0


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    root = tmp_path_factory.mktemp("versions")
    publish_affine(root / "models", WEIGHT, 0.5, name=MODELS[0])
    for name in MODELS[1:]:
        shutil.copytree(root / "models" / MODELS[0], root / "models" / name)
    publish_affine(root / "sources", SOURCE_WEIGHT, 0.5)
    with LiveServer(root / "models", log_path=root / "server.log",
                    VERSION_SETTLE_SECONDS=SETTLE) as server:
        yield server, root


def source(root: Path) -> Path:
    return root / "sources" / "linear" / "1"


def answer(url: str, name: str, x: float = 3.0) -> dict:
    response = httpx.post(f"{url}/predict/{name}", json={"instances": [x]}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def assert_still_serving(server: LiveServer, name: str) -> None:
    body = answer(server.url, name)
    assert body["version"] == 1
    statuses = httpx.get(f"{server.url}/v1/models/{name}").json()["model_version_status"]
    assert {"version": "1", "state": "AVAILABLE",
            "status": {"error_code": "OK", "error_message": ""}} in statuses
    assert body["predictions"] == pytest.approx([WEIGHT * 3.0 + 0.5])
    assert httpx.get(f"{server.url}/health/live").status_code == 200
    ready = httpx.get(f"{server.url}/health/ready")
    assert ready.status_code == 200, ready.text
    assert server.process is not None and server.process.poll() is None


V1_STATES = {"FAILED": ("END",), "PENDING": ("START", "END")}


def refusal(server: LiveServer, name: str, version: int, state: str, reason: str) -> dict:
    """Waits until /models/{name} shows `version` in `state` with `reason` in its error; the
    TensorFlow Serving status route must say the same."""
    def refused() -> dict | None:
        entry = version_entry(server.url, name, version)
        ok = entry and entry["state"] == state and reason in (entry["error"] or "")
        return entry if ok else None

    entry = eventually(refused, timeout=20, what=f"{name} version {version} {state}: {reason}")
    v1 = httpx.get(f"{server.url}/v1/models/{name}/versions/{version}").json()
    status = v1["model_version_status"][0]
    assert status["state"] in V1_STATES[state], v1
    assert status["status"]["error_code"] != "OK" and reason in status["status"]["error_message"]
    return entry


# -- broken versions ----------------------------------------------------------------------------
def test_version_with_truncated_saved_model_fails_to_load(site: tuple) -> None:
    server, root = site
    target = root / "models" / "truncated" / "2"
    shutil.copytree(source(root), target)
    data = (target / "saved_model.pb").read_bytes()
    (target / "saved_model.pb").write_bytes(data[: len(data) // 2])
    refusal(server, "truncated", 2, "FAILED", "SavedModel could not be loaded")
    assert_still_serving(server, "truncated")


def test_version_without_variables_is_incomplete(site: tuple) -> None:
    server, root = site
    target = root / "models" / "novariables" / "2"
    shutil.copytree(source(root), target, ignore=shutil.ignore_patterns("variables"))
    refusal(server, "novariables", 2, "PENDING", "incomplete: missing variables/variables.index")
    assert_still_serving(server, "novariables")


def test_version_of_garbage_is_refused(site: tuple) -> None:
    server, root = site
    named = root / "models" / "garbage" / "2"  # the right names, random bytes
    for name in ("saved_model.pb", "variables/variables.index",
                 "variables/variables.data-00000-of-00001"):
        (named / name).parent.mkdir(parents=True, exist_ok=True)
        (named / name).write_bytes(os.urandom(4096))
    noise = root / "models" / "garbage" / "3"  # random names
    noise.mkdir()
    (noise / "junk.bin").write_bytes(os.urandom(4096))
    refusal(server, "garbage", 2, "FAILED", "SavedModel could not be loaded")
    refusal(server, "garbage", 3, "PENDING", "incomplete: missing saved_model.pb")
    assert_still_serving(server, "garbage")


def test_version_whose_warm_up_answers_wrong_rows_fails(site: tuple) -> None:
    server, root = site
    save_wrong_rows_model(root / "models" / "wrongrows" / "2")
    refusal(server, "wrongrows", 2, "FAILED",
            "warm-up prediction: output 'y' has shape [2] for 1 input row")
    assert_still_serving(server, "wrongrows")


def test_version_whose_warm_up_raises_fails(site: tuple) -> None:
    server, root = site
    save_raises_on_zero_model(root / "models" / "raises" / "2")
    refusal(server, "raises", 2, "FAILED", "warm-up prediction failed: InvalidArgumentError")
    assert_still_serving(server, "raises")


def test_badly_named_version_directories_are_ignored(site: tuple) -> None:
    server, root = site
    names = ["02", "v2", "latest", "1.5", "-3", "1e3"]
    for name in names:
        shutil.copytree(source(root), root / "models" / "badnames" / name)
    problems = eventually(lambda: len(model_view(server.url, "badnames")["problems"]) == 6
                          and model_view(server.url, "badnames")["problems"], what="6 problems")
    for name in names:
        assert any(f"ignored directory {name!r}" in p and "without leading zeros" in p
                   for p in problems), name
    assert model_view(server.url, "badnames")["versions_on_disk"] == [1]
    assert_still_serving(server, "badnames")


def test_symlinks_out_of_the_repository_are_refused(site: tuple, tmp_path: Path) -> None:
    server, root = site
    outside = tmp_path / "outside"
    shutil.copytree(source(root), outside / "linear" / "1")
    model = root / "models" / "symlinked"
    (model / "2").symlink_to(outside / "linear" / "1", target_is_directory=True)
    shutil.copytree(source(root), model / "3", ignore=shutil.ignore_patterns("variables.data*"))
    (model / "3" / "variables" / "variables.data-00000-of-00001").symlink_to(
        next((outside / "linear" / "1" / "variables").glob("variables.data*")))
    (model / "4").mkdir()
    (model / "4" / "loop").symlink_to(model / "4" / "loop")  # a symlink loop
    (root / "models" / "evil").symlink_to(outside / "linear", target_is_directory=True)
    refusal(server, "symlinked", 2, "PENDING", "is a symbolic link")
    refusal(server, "symlinked", 3, "PENDING", "a file in it links outside the repository")
    refusal(server, "symlinked", 4, "PENDING", "a file in it links outside the repository")
    # The scan that reported those may have listed the root before `evil` was made: wait for it.
    def evil_refused() -> dict | None:
        listing = httpx.get(f"{server.url}/models").json()
        refused = any("refused model 'evil'" in p for p in listing["repository_problems"])
        return listing if refused else None

    listing = eventually(evil_refused, what="the refusal of model 'evil'")
    assert "evil" not in [m["name"] for m in listing["models"]]
    assert httpx.post(f"{server.url}/predict/evil", json={"instances": [1]}).status_code == 404
    assert_still_serving(server, "symlinked")


def test_served_version_rewritten_in_place_is_reloaded_or_kept(site: tuple) -> None:
    server, root = site
    version_dir = root / "models" / "rewritten" / "1"
    (version_dir / "saved_model.pb").write_bytes(b"overwritten with junk")
    problem = eventually(lambda: [p for p in model_view(server.url, "rewritten")["problems"]
                                  if "rewritten on disk" in p], what="rewrite failure reported")
    assert "still serving the old ones" in problem[0]
    assert_still_serving(server, "rewritten")
    shutil.rmtree(version_dir)
    shutil.copytree(source(root), version_dir)  # same number, other weights
    eventually(lambda: answer(server.url, "rewritten")["predictions"] ==
               pytest.approx([SOURCE_WEIGHT * 3.0 + 0.5]), what="the new files serving")
    assert model_view(server.url, "rewritten")["problems"] == []


# -- partial writes by a foreign tool -------------------------------------------------------------
class Watcher:
    """Records every state /models/{name} shows for one version, with the time seen."""

    def __init__(self, url: str, name: str, version: int) -> None:
        self.args = (url, name, version)
        self.seen: list[tuple[float, str, str | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        for _ in range(2000):
            if self._stop.is_set():
                return
            entry = version_entry(*self.args)
            if entry is not None:
                self.seen.append((time.time(), entry["state"], entry["error"]))
            time.sleep(0.05)


def copy_under_load(server: LiveServer, root: Path, name: str, version: int,
                    **copy_options: float) -> tuple[list, Watcher, float]:
    url = f"{server.url}/predict/{name}"
    with Traffic(url, lambda i: [float(i % 7)], workers=4) as traffic, \
            Watcher(server.url, name, version) as watcher:
        done = copy_slowly(source(root), root / "models" / name / str(version), **copy_options)
        eventually(lambda: answer(server.url, name)["version"] == version, timeout=20,
                   what=f"{name} version {version} serving")
        outcomes = traffic.stop()
    return outcomes, watcher, done


def check_copied_version(outcomes: list, version: int, done: float) -> int:
    assert failures(outcomes) == []
    served = [o for o in outcomes if o.body["version"] == version]
    assert served, "the copied version never answered"
    for outcome in outcomes:
        weight = SOURCE_WEIGHT if outcome.body["version"] == version else WEIGHT
        assert outcome.body["predictions"] == pytest.approx([weight * outcome.inputs[0] + 0.5])
    assert min(o.answered for o in served) > done  # never served before the last byte
    return len(served)


def test_slow_copy_is_not_served_before_it_is_complete(site: tuple) -> None:
    server, root = site
    outcomes, watcher, done = copy_under_load(server, root, "copied", 2, pause=0.4)
    served = check_copied_version(outcomes, 2, done)
    states = {state for _, state, _ in watcher.seen}
    print(f"\nslow copy: {len(outcomes)} requests, {len(failures(outcomes))} failed, "
          f"{served} from the copied version, states seen {sorted(states)}")
    assert "FAILED" not in states  # never even tried before it was complete
    assert all(state == "PENDING" for t, state, _ in watcher.seen if t < done)
    assert any("incomplete" in (error or "") for _, _, error in watcher.seen)
    assert any("still being written" in (error or "") for _, _, error in watcher.seen)


def test_copy_stalled_longer_than_settle_time_heals(site: tuple) -> None:
    server, root = site
    outcomes, watcher, done = copy_under_load(server, root, "stalled", 2, pause=0.1,
                                              stall_in_data=SETTLE * 2.5)
    check_copied_version(outcomes, 2, done)  # no failed request, never served half-copied
    # The stall outlasts the settle time: the half-copied version was tried and FAILED, then,
    # once its files changed again, retried and served.
    states = [state for _, state, _ in watcher.seen]
    assert "FAILED" in states, states
    first_failed = states.index("FAILED")
    assert "AVAILABLE" not in states[:first_failed]
    assert version_entry(server.url, "stalled", 2)["state"] == "AVAILABLE"
