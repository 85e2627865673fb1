"""A repository for the pages: the trained zoo plus what a person must be shown honestly: a
FAILED version, a SavedModel without metadata.json, metadata with markup in it, metadata of
another shape, and an ignored directory whose name is markup."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

MARKUP = "<script>alert('x')</script>"
IGNORED = "<img src=x onerror=alert(1)>"


def hostile_metadata(metadata: dict) -> dict:
    metadata = json.loads(json.dumps(metadata))
    metadata["description"] = f"described {MARKUP}"
    metadata["formula"] = f"y = {MARKUP}"
    metadata["metrics"]["baseline"]["predictor"] = MARKUP
    metadata["data"]["source"] = MARKUP
    return metadata


def build_showcase(trained: Path, root: Path) -> Path:
    shutil.copytree(trained, root)
    broken = root / "linear" / "2"
    shutil.copytree(root / "linear" / "1", broken)
    (broken / "saved_model.pb").write_bytes(b"not a SavedModel")
    bare = root / "bare" / "1"
    shutil.copytree(root / "linear" / "1", bare)
    (bare / "metadata.json").unlink()
    (bare / "report.png").unlink()
    for name, change in (("markup", hostile_metadata), ("odd", lambda m: {
            "signature": m["signature"], "formula": 42, "metrics": [1, 2], "data": "x"})):
        shutil.copytree(root / "quadratic", root / name)
        path = root / name / "1" / "metadata.json"
        path.write_text(json.dumps(change(json.loads(path.read_text()))))
    (root / "cereal_calories" / "labels.json").write_text('{"stable": 1}')
    (root / IGNORED).mkdir()
    return root


@pytest.fixture(scope="session")
def showcase(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Do not modify: copy it."""
    return build_showcase(trained_repository, tmp_path_factory.mktemp("showcase") / "models")
