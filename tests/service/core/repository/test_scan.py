"""ModelRepository.scan: which names count as models and versions, the completeness rule, and
refusing anything that leads outside the repository. File contents do not matter here."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from modelrepo.layout import VERSION_RULE
from service.core.repository.entries import ProblemKind, RepositoryUnavailable
from service.core.repository.scan import ModelRepository


def make_version(model_dir: Path, name: str, complete: bool = True) -> Path:
    version = model_dir / name
    (version / "variables").mkdir(parents=True)
    (version / "saved_model.pb").write_bytes(b"pb")
    if complete:
        (version / "variables" / "variables.index").write_bytes(b"index")
        (version / "variables" / "variables.data-00000-of-00001").write_bytes(b"data")
    return version


def age(path: Path, seconds: float) -> None:
    """Makes every file under `path` look `seconds` old."""
    past = time.time() - seconds
    for item in [path, *path.rglob("*")]:
        os.utime(item, (past, past))


def test_scan_sees_valid_model_names_only(tmp_path: Path) -> None:
    for name in ["linear", "Model-2.b_c", "9lives", ".hidden", "-dash", "_under", "a b"]:
        make_version(tmp_path / name, "1")
    (tmp_path / "notes.txt").write_text("not a model")
    models = ModelRepository(tmp_path, settle_seconds=0).scan()
    assert sorted(models) == ["9lives", "Model-2.b_c", "linear"]


@pytest.mark.parametrize("name", ["0", "01", "v1", "1.5", "-1", "1e3", "１"])
def test_scan_ignores_non_integer_version_names_with_a_problem(tmp_path: Path,
                                                               name: str) -> None:
    make_version(tmp_path / "linear", "1")
    make_version(tmp_path / "linear", name)
    entry = ModelRepository(tmp_path, settle_seconds=0).scan()["linear"]
    assert list(entry.versions) == [1]
    assert entry.problems == [f"ignored directory {name!r}: a version is {VERSION_RULE}"]


def test_scan_skips_hidden_staging_directories_silently(tmp_path: Path) -> None:
    make_version(tmp_path / "linear", "1")
    make_version(tmp_path / "linear", ".staging-abc", complete=False)
    entry = ModelRepository(tmp_path, settle_seconds=0).scan()["linear"]
    assert list(entry.versions) == [1] and entry.problems == []


def test_scan_marks_version_without_required_files_incomplete(tmp_path: Path) -> None:
    make_version(tmp_path / "linear", "1", complete=False)
    (tmp_path / "linear" / "2").mkdir()
    versions = ModelRepository(tmp_path, settle_seconds=0).scan()["linear"].versions
    assert not versions[1].complete
    assert versions[1].problem.text == "incomplete: missing variables/variables.index"
    assert versions[1].problem.kind is ProblemKind.INCOMPLETE and not versions[1].problem.refused
    assert versions[2].problem.text == ("incomplete: missing saved_model.pb, "
                                   "variables/variables.index")


def test_scan_loads_settled_version_at_once(tmp_path: Path) -> None:
    make_version(tmp_path / "linear", "1")
    time.sleep(0.3)  # older than the settle time (by mtime and ctime)
    version = ModelRepository(tmp_path, settle_seconds=0.2).scan()["linear"].versions[1]
    assert version.complete and version.problem is None
    assert {row[0] for row in version.listing} == {
        "saved_model.pb", "variables/variables.index", "variables/variables.data-00000-of-00001"}


def test_scan_waits_for_young_version_to_stay_unchanged(tmp_path: Path) -> None:
    version_dir = make_version(tmp_path / "linear", "1")
    age(version_dir, 10)  # old mtimes, as `cp -p` leaves them: the ctime still says "now"
    repository = ModelRepository(tmp_path, settle_seconds=0.5)
    first = repository.scan()["linear"].versions[1]
    (version_dir / "variables" / "variables.data-00000-of-00001").write_bytes(b"more")
    second = repository.scan()["linear"].versions[1]
    third = repository.scan()["linear"].versions[1]
    time.sleep(0.6)
    fourth = repository.scan()["linear"].versions[1]
    for early in (first, second, third):
        assert not early.complete and early.problem.text.startswith("still being written")
    assert fourth.complete


def test_scan_refuses_version_symlinked_outside_repository(tmp_path: Path) -> None:
    root, outside = tmp_path / "models", tmp_path / "outside"
    make_version(outside, "1")
    (root / "linear").mkdir(parents=True)
    (root / "linear" / "1").symlink_to(outside / "1")
    version = ModelRepository(root, settle_seconds=0).scan()["linear"].versions[1]
    assert not version.complete and "outside the repository" in version.problem.text


def test_scan_refuses_file_linking_outside_repository(tmp_path: Path) -> None:
    root = tmp_path / "models"
    version_dir = make_version(root / "linear", "1")
    secret = tmp_path / "secret.pb"
    secret.write_bytes(b"x")
    (version_dir / "saved_model.pb").unlink()
    (version_dir / "saved_model.pb").symlink_to(secret)
    version = ModelRepository(root, settle_seconds=0).scan()["linear"].versions[1]
    assert not version.complete
    assert version.problem.text == "refused: a file in it links outside the repository"
    assert version.problem.kind is ProblemKind.REFUSED and version.problem.refused


def test_scan_ignores_model_symlinked_outside_repository(tmp_path: Path) -> None:
    root, outside = tmp_path / "models", tmp_path / "elsewhere"
    make_version(outside / "linear", "1")
    root.mkdir()
    (root / "linear").symlink_to(outside / "linear")
    assert ModelRepository(root, settle_seconds=0).scan() == {}


def test_scan_reads_labels(tmp_path: Path) -> None:
    make_version(tmp_path / "linear", "1")
    (tmp_path / "linear" / "labels.json").write_text(json.dumps({"stable": 1, "canary": 2}))
    entry = ModelRepository(tmp_path, settle_seconds=0).scan()["linear"]
    assert entry.labels == {"stable": 1, "canary": 2} and entry.problems == []


@pytest.mark.parametrize("content", ['{"stable": 0}', '{"stable": true}', '{"stable": "x"}',
                                     "[1, 2]", "{not json", '{"stable": -3}'])
def test_scan_ignores_invalid_labels_with_a_problem(tmp_path: Path, content: str) -> None:
    make_version(tmp_path / "linear", "1")
    (tmp_path / "linear" / "labels.json").write_text(content)
    entry = ModelRepository(tmp_path, settle_seconds=0).scan()["linear"]
    assert entry.labels == {}
    assert len(entry.problems) == 1 and entry.problems[0].startswith("labels.json ignored: ")


def test_scan_ignores_oversized_labels(tmp_path: Path) -> None:
    make_version(tmp_path / "linear", "1")
    labels = {f"label{i}": 1 for i in range(8000)}
    (tmp_path / "linear" / "labels.json").write_text(json.dumps(labels))
    entry = ModelRepository(tmp_path, settle_seconds=0).scan()["linear"]
    assert entry.labels == {} and "larger than 64 KiB" in entry.problems[0]


def test_scan_of_missing_root_raises_unavailable(tmp_path: Path) -> None:
    with pytest.raises(RepositoryUnavailable, match="is not a readable directory"):
        ModelRepository(tmp_path / "absent").scan()
