"""Session fixtures: the zoo trained once into a read-only repository, and per-test copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import run_training


@pytest.fixture(scope="session")
def trained_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All four zoo models trained once (version 1 each). Do not modify: copy it."""
    repository = tmp_path_factory.mktemp("zoo") / "models"
    run_training(repository, "--quiet")
    return repository


@pytest.fixture
def repository(trained_repository: Path, tmp_path: Path) -> Path:
    """A private copy of the trained zoo that a test may change."""
    copy = tmp_path / "models"
    shutil.copytree(trained_repository, copy)
    return copy
