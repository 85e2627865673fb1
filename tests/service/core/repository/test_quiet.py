"""The completeness rule (service.completeness) and the scanner's refusals that go with it:
every data shard present, quiet by change time or by a steady listing, symlink loops and
links out refused without breaking the scan."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from service.core.repository.scan import ModelRepository


def write_version(directory: Path, shards: int = 1, skip: int | None = None) -> Path:
    (directory / "variables").mkdir(parents=True)
    (directory / "saved_model.pb").write_bytes(b"pb")
    (directory / "variables" / "variables.index").write_bytes(b"index")
    for k in range(shards):
        if k != skip:
            name = f"variables.data-{k:05d}-of-{shards:05d}"
            (directory / "variables" / name).write_bytes(b"data")
    return directory


def test_scan_waits_for_every_announced_shard(tmp_path: Path) -> None:
    write_version(tmp_path / "linear" / "1", shards=3, skip=1)
    version = ModelRepository(tmp_path, settle_seconds=0).scan()["linear"].versions[1]
    assert not version.complete
    assert version.problem.text == "incomplete: missing variables/variables.data-00001-of-00003"


def test_preserved_old_mtimes_do_not_make_a_fresh_copy_settled(tmp_path: Path) -> None:
    version_dir = write_version(tmp_path / "linear" / "1")
    past = time.time() - 3600
    for path in version_dir.rglob("*"):
        os.utime(path, (past, past))  # what cp -p leaves; the ctime still says "just now"
    version = ModelRepository(tmp_path, settle_seconds=5).scan()["linear"].versions[1]
    assert not version.complete and version.problem.text.startswith("still being written")


def test_steady_listing_completes_a_version_whose_clock_runs_ahead(tmp_path: Path) -> None:
    version_dir = write_version(tmp_path / "linear" / "1")
    future = time.time() + 3600  # a file server whose clock is an hour ahead
    for path in version_dir.rglob("*"):
        os.utime(path, (future, future))
    repository = ModelRepository(tmp_path, settle_seconds=0.3)
    first = repository.scan()["linear"].versions[1]
    time.sleep(0.4)
    second = repository.scan()["linear"].versions[1]
    assert not first.complete
    assert second.complete  # the same listing on scans 0.4 s apart, by the scanner's clock


def test_listing_change_restarts_the_quiet_period(tmp_path: Path) -> None:
    version_dir = write_version(tmp_path / "linear" / "1")
    future = time.time() + 3600
    for path in version_dir.rglob("*"):
        os.utime(path, (future, future))
    repository = ModelRepository(tmp_path, settle_seconds=0.3)
    repository.scan()
    time.sleep(0.4)
    (version_dir / "extra.txt").write_text("late file")
    os.utime(version_dir / "extra.txt", (future, future))
    assert not repository.scan()["linear"].versions[1].complete


def test_symlink_loop_is_refused_and_the_scan_goes_on(tmp_path: Path) -> None:
    write_version(tmp_path / "linear" / "1")
    looped = tmp_path / "linear" / "2"
    looped.mkdir()
    (looped / "loop").symlink_to(looped / "loop")
    (tmp_path / "spin").symlink_to(tmp_path / "spin")  # a looping model entry
    repository = ModelRepository(tmp_path, settle_seconds=0)
    models = repository.scan()
    assert models["linear"].versions[1].complete
    assert "links outside the repository" in models["linear"].versions[2].problem.text
    assert "spin" not in models


def test_refused_and_ignored_root_entries_are_reported(tmp_path: Path) -> None:
    root, outside = tmp_path / "models", tmp_path / "outside"
    write_version(outside / "linear" / "1")
    write_version(root / "linear" / "1")
    (root / "evil").symlink_to(outside / "linear", target_is_directory=True)
    (root / "bad name").mkdir()
    repository = ModelRepository(root, settle_seconds=0)
    assert list(repository.scan()) == ["linear"]
    assert repository.problems == ["ignored directory 'bad name': not a valid model name",
                                   "refused model 'evil': it resolves outside the repository"]


@pytest.mark.parametrize("content", ["[" * 5000 + "]" * 5000, '{"stable": 1.5}',
                                     '{"stable": "2"}'])
def test_labels_that_are_not_plain_integers_are_ignored(tmp_path: Path, content: str) -> None:
    write_version(tmp_path / "linear" / "1")
    (tmp_path / "linear" / "labels.json").write_text(content)
    entry = ModelRepository(tmp_path, settle_seconds=0).scan()["linear"]
    assert entry.labels == {} and entry.problems[0].startswith("labels.json ignored")


def test_labels_linking_outside_are_not_read(tmp_path: Path) -> None:
    root = tmp_path / "models"
    write_version(root / "linear" / "1")
    (tmp_path / "labels.json").write_text('{"stable": 1}')
    (root / "linear" / "labels.json").symlink_to(tmp_path / "labels.json")
    entry = ModelRepository(root, settle_seconds=0).scan()["linear"]
    assert entry.labels == {} and "links outside the repository" in entry.problems[0]
