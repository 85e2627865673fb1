"""Repository faults: the root empties, vanishes, becomes a file or is swapped for another; the
service keeps serving what it loaded, reports the fault, and recovers when the root is back.

(Tests run as root, for whom chmod 000 blocks nothing: unreadability is simulated by moving the
directory away or putting a file in its place, which is what the scanner sees either way.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.fault_tools import Traffic, failures, model_view
from tests.support import LiveServer, eventually, publish_affine


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    root = tmp_path_factory.mktemp("repo-faults")
    publish_affine(root / "models", 2.0, 1.0)
    shutil.copytree(root / "models" / "linear", root / "models" / "other")
    with LiveServer(root / "models", log_path=root / "server.log") as server:
        yield server, root


def repository_error(url: str) -> str | None:
    return httpx.get(f"{url}/models", timeout=10).json()["repository_error"]


def assert_fault_reported(url: str, fragment: str, load: Traffic) -> None:
    """The fault shows in /models and /health/ready (still 200: it keeps serving), and a
    batch of predictions is answered while it lasts."""
    eventually(lambda: fragment in (repository_error(url) or ""), what=f"fault {fragment!r}")
    ready = httpx.get(f"{url}/health/ready")
    assert ready.status_code == 200, ready.text
    assert fragment in ready.json()["repository_error"]
    during = load.count()
    eventually(lambda: load.count() >= during + 100, what="predictions during the fault")
    assert fragment in (repository_error(url) or "")  # the fault lasted throughout


def traffic(server: LiveServer) -> Traffic:
    return Traffic(f"{server.url}/predict/linear", lambda i: [float(i % 5)], workers=4)


def check(outcomes: list, weights: tuple[float, ...] = (2.0,)) -> None:
    assert len(outcomes) >= 100
    assert failures(outcomes) == []
    for outcome in outcomes:
        x, y = outcome.inputs[0], outcome.body["predictions"][0]
        assert any(y == pytest.approx(w * x + 1.0) for w in weights), outcome


def test_emptied_repository_keeps_serving_and_recovers(site: tuple) -> None:
    server, root = site
    aside = root / "aside"
    aside.mkdir()
    with traffic(server) as load:
        for name in ("linear", "other"):
            (root / "models" / name).rename(aside / name)
        assert_fault_reported(server.url, "is empty", load)
        assert model_view(server.url, "linear")["default_version"] == 1
        for name in ("linear", "other"):
            (aside / name).rename(root / "models" / name)
        eventually(lambda: repository_error(server.url) is None, what="recovery")
        outcomes = load.stop()
    check(outcomes)


@pytest.mark.parametrize("fault", ["missing", "a file"])
def test_vanished_repository_keeps_serving_and_recovers(site: tuple, fault: str) -> None:
    server, root = site
    repository = root / "models"
    with traffic(server) as load:
        repository.rename(root / "away")
        if fault == "a file":
            repository.write_text("not a directory")
        assert_fault_reported(server.url, "is not a readable directory", load)
        repository.unlink(missing_ok=True)
        (root / "away").rename(repository)
        eventually(lambda: repository_error(server.url) is None, what="recovery")
        outcomes = load.stop()
    check(outcomes)


def test_replaced_repository_serves_its_contents(site: tuple, tmp_path: Path) -> None:
    server, root = site
    repository = root / "models"
    fresh = root / "fresh"
    publish_affine(fresh, 5.0, 1.0)  # same number 1, other weights: a rewritten version
    shutil.copytree(fresh / "linear", fresh / "third")
    with traffic(server) as load:
        repository.rename(root / "old")
        fresh.rename(repository)
        eventually(lambda: httpx.post(f"{server.url}/predict/linear", json={"instances": [1]})
                   .json()["predictions"] == [6.0], what="the new files of version 1 serving")
        eventually(lambda: load.count() >= 100, what="100 predictions")
        outcomes = load.stop()
    check(outcomes, weights=(2.0, 5.0))

    def third_ready() -> bool:  # models load one after another: "third" may follow "linear"
        models = httpx.get(f"{server.url}/models").json()["models"]
        return any(m["name"] == "third" and m["ready"] for m in models)

    eventually(third_ready, what="the new model 'third' serving")
    listing = httpx.get(f"{server.url}/models").json()
    assert listing["repository_error"] is None
    names = {m["name"]: m for m in listing["models"]}
    assert names["third"]["ready"]
    assert names["other"]["ready"]  # gone from disk, still served, and said so
    assert "missing from the repository" in names["other"]["problems"][0]
