"""Session fixtures: the zoo trained once into a read-only repository, and per-test copies."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support import run_training, serve_in_process


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


@pytest.fixture(scope="module")
def zoo_client(trained_repository: Path) -> Iterator[TestClient]:
    """The app in this process serving the trained zoo, ready; shared by a module's tests."""
    with serve_in_process(trained_repository) as client:
        yield client
