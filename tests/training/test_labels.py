"""Labels in models/<name>/labels.json (the library; the CLI command is in test_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.labels import read_labels, remove_label, set_label


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "linear"
    for version in ("1", "2", "3"):
        (directory / version).mkdir(parents=True)
    return directory


def test_set_label_writes_labels_json(model_dir: Path) -> None:
    set_label(model_dir, "stable", 1)
    set_label(model_dir, "canary", 3)
    assert json.loads((model_dir / "labels.json").read_text()) == {"canary": 3, "stable": 1}
    set_label(model_dir, "stable", 2)  # moving a label
    assert read_labels(model_dir) == {"canary": 3, "stable": 2}
    assert sorted(p.name for p in model_dir.iterdir()) == ["1", "2", "3", "labels.json"]


def test_set_label_unknown_version_refused(model_dir: Path) -> None:
    with pytest.raises(ValueError, match=r"linear has no version 4 \(published: \[1, 2, 3\]\)"):
        set_label(model_dir, "stable", 4)
    assert not (model_dir / "labels.json").exists()


@pytest.mark.parametrize("label", ["", "1st", "has space", "a/b", "../x", "-x", "x" * 65])
def test_set_label_invalid_name_refused(model_dir: Path, label: str) -> None:
    with pytest.raises(ValueError, match="invalid label"):
        set_label(model_dir, label, 1)


def test_remove_label_drops_only_that_label(model_dir: Path) -> None:
    set_label(model_dir, "stable", 1)
    set_label(model_dir, "canary", 2)
    assert remove_label(model_dir, "canary") == {"stable": 1}
    assert read_labels(model_dir) == {"stable": 1}


def test_remove_label_unknown_refused(model_dir: Path) -> None:
    set_label(model_dir, "stable", 1)
    with pytest.raises(ValueError, match="linear has no label 'canary'"):
        remove_label(model_dir, "canary")
    assert read_labels(model_dir) == {"stable": 1}


def test_read_labels_none_yet(model_dir: Path) -> None:
    assert read_labels(model_dir) == {}
