"""Publishing: integer versions, atomic (staging then rename), safe under concurrency."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.training.processes import PROJECT_ROOT, TIMEOUT_SECONDS, child_env, probe_savedmodels
from tests.training.publish_worker import copy_savedmodel, publish_copy
from training.publishing import (
    STAGING_PREFIX,
    next_version,
    publish_version,
    sweep_stale_staging,
    version_numbers,
)

PUBLISHERS = 6


def stamp_version(staging: Path, version: int) -> None:
    (staging / "metadata.json").write_text(json.dumps({"version": version}))


def exporter(source: Path):
    return lambda staging: copy_savedmodel(source, staging)


def integer_dirs(model_dir: Path) -> list[str]:
    return sorted(p.name for p in model_dir.iterdir() if p.name.isdigit())


@pytest.fixture
def savedmodel(trained_repository: Path) -> Path:
    """A real SavedModel (linear, version 1) to publish copies of."""
    return trained_repository / "linear" / "1"


def test_version_numbers_ignore_non_versions(tmp_path: Path) -> None:
    for name in ("1", "2", "10", "01", "007", "0", "-3", "abc", "2.0", "²", "١", "٣",
                 ".staging-0123abcd", "3 "):
        (tmp_path / name).mkdir()
    (tmp_path / "5").write_text("a file, not a version")
    assert version_numbers(tmp_path) == [1, 2, 10]
    assert next_version(tmp_path) == 11


def test_next_version_starts_at_1(tmp_path: Path) -> None:
    assert version_numbers(tmp_path / "missing") == []
    assert next_version(tmp_path / "missing") == 1
    (tmp_path / ".staging-abc").mkdir()
    assert next_version(tmp_path) == 1


def test_publish_version_numbers_consecutively(tmp_path: Path, savedmodel: Path) -> None:
    model_dir = tmp_path / "linear"
    published = [publish_version(model_dir, exporter(savedmodel), stamp_version)
                 for _ in range(3)]
    assert published == [1, 2, 3]
    assert sorted(p.name for p in model_dir.iterdir()) == ["1", "2", "3"]  # no staging left
    for version in published:
        metadata = json.loads((model_dir / str(version) / "metadata.json").read_text())
        assert metadata["version"] == version
        assert (model_dir / str(version) / "saved_model.pb").is_file()


def test_publish_version_failed_export_leaves_nothing(tmp_path: Path, savedmodel: Path) -> None:
    model_dir = tmp_path / "linear"

    def failing_export(staging: Path) -> None:
        copy_savedmodel(savedmodel, staging)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        publish_version(model_dir, failing_export, stamp_version)
    assert list(model_dir.iterdir()) == []
    assert publish_version(model_dir, exporter(savedmodel), stamp_version) == 1


KILLED_EXPORT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from training.publishing import publish_version

    def export(staging):
        staging.mkdir()
        (staging / "saved_model.pb").write_bytes(b"half a graph")
        os._exit(9)  # killed mid-export: no cleanup, no finally

    publish_version(Path(sys.argv[1]), export, lambda staging, version: None)
""")


def test_publish_version_killed_export_leaves_no_version(tmp_path: Path,
                                                         savedmodel: Path) -> None:
    model_dir = tmp_path / "linear"
    done = subprocess.run([sys.executable, "-c", KILLED_EXPORT, str(model_dir)],
                          cwd=PROJECT_ROOT, env=child_env(), capture_output=True, text=True,
                          timeout=TIMEOUT_SECONDS)
    assert done.returncode == 9, done.stderr
    left = [p.name for p in model_dir.iterdir()]
    assert len(left) == 1 and left[0].startswith(STAGING_PREFIX)  # the half-written export
    assert (model_dir / left[0] / "saved_model.pb").exists()
    assert version_numbers(model_dir) == []
    assert publish_version(model_dir, exporter(savedmodel), stamp_version) == 1
    assert integer_dirs(model_dir) == ["1"]


def test_publish_version_retries_when_number_taken(tmp_path: Path, savedmodel: Path) -> None:
    model_dir = tmp_path / "linear"
    stamped: list[int] = []

    def stamp_racing(staging: Path, version: int) -> None:
        if not stamped:  # another publisher renames its version 1 into place right now
            rival = model_dir / ".staging-rival"
            copy_savedmodel(savedmodel, rival)
            stamp_version(rival, 1)
            rival.rename(model_dir / "1")
        stamped.append(version)
        stamp_version(staging, version)

    assert publish_version(model_dir, exporter(savedmodel), stamp_racing) == 2
    assert stamped == [1, 2]
    for version in (1, 2):
        metadata = json.loads((model_dir / str(version) / "metadata.json").read_text())
        assert metadata["version"] == version
    assert integer_dirs(model_dir) == ["1", "2"]


def test_publish_version_concurrent_publishers_get_distinct_versions(
        tmp_path: Path, savedmodel: Path) -> None:
    model_dir = tmp_path / "linear"
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(PUBLISHERS), context.Queue()
    workers = [context.Process(target=publish_copy,
                               args=(str(savedmodel), str(model_dir), barrier, results))
               for _ in range(PUBLISHERS)]
    for worker in workers:
        worker.start()
    for worker in workers:  # results are a few bytes: workers exit without being drained
        worker.join(timeout=TIMEOUT_SECONDS)
    assert [worker.exitcode for worker in workers] == [0] * PUBLISHERS
    outcomes = [results.get(timeout=5) for _ in workers]
    versions = sorted(version for version, _ in outcomes)
    assert versions == list(range(1, PUBLISHERS + 1))
    assert sorted(p.name for p in model_dir.iterdir()) == [str(v) for v in versions]
    assert [stamped[0] for _, stamped in outcomes] == [1] * PUBLISHERS  # all raced for 1
    assert sum(len(stamped) - 1 for _, stamped in outcomes) >= PUBLISHERS - 1  # and retried
    for version in versions:
        directory = model_dir / str(version)
        assert (directory / "saved_model.pb").is_file()
        assert (directory / "variables" / "variables.index").is_file()
        assert json.loads((directory / "metadata.json").read_text())["version"] == version
    served = probe_savedmodels([{"dir": str(model_dir / str(v)), "feeds": {"x": [10.0]}}
                                for v in versions])
    for result in served["results"]:
        assert result["answers"]["y"][0] == pytest.approx(19.0, abs=0.01)


def test_sweep_stale_staging_removes_only_old(tmp_path: Path) -> None:
    old, fresh = tmp_path / ".staging-old", tmp_path / ".staging-fresh"
    for directory in (old, fresh):
        directory.mkdir()
        (directory / "saved_model.pb").write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    (tmp_path / "1").mkdir()
    os.utime(tmp_path / "1", (two_hours_ago, two_hours_ago))
    sweep_stale_staging(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".staging-fresh", "1"]


def test_sweep_stale_staging_tolerates_vanished_entries(tmp_path: Path) -> None:
    # a name that is listed but gone by the time it is looked at, as when another publisher
    # renames its staging directory between our listing and our stat
    (tmp_path / ".staging-vanished").symlink_to(tmp_path / "renamed-meanwhile")
    sweep_stale_staging(tmp_path)
    assert (tmp_path / ".staging-vanished").is_symlink()
