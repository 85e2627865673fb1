"""Freezing the heap once the loaded versions settle; thawing and collecting when one goes."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

from service.runtime.heap import refreeze
from tests.support import copy_models, eventually, publish_affine, serve_in_process


def test_heap_is_frozen_once_models_load_and_thawed_at_shutdown(
        trained_repository: Path, tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    with serve_in_process(repository) as client:
        eventually(lambda: gc.get_freeze_count() > 0)
        assert client.post("/predict/linear", json={"instances": [1]}).status_code == 200
    assert gc.get_freeze_count() == 0


def test_refreeze_with_collect_frees_cycles_that_were_frozen() -> None:
    class Node:
        pass

    try:
        node = Node()
        node.self = node  # a reference cycle: only the collector can free it
        freed = weakref.ref(node)
        gc.freeze()
        del node
        gc.collect()
        assert freed() is not None  # frozen: the collector does not look at it
        refreeze(collect=True)
        assert freed() is None and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_unloading_a_version_refreezes_without_it(trained_repository: Path,
                                                  tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    with serve_in_process(repository) as client:
        manager = client.app.state.core.manager
        eventually(lambda: gc.get_freeze_count() > 0)
        assert client.post("/predict/linear", json={"instances": [1]}).status_code == 200
        first = weakref.ref(manager.models["linear"].versions[1])
        assert publish_affine(repository, 5.0, 1.0) == 2
        shutil.rmtree(repository / "linear" / "1")
        eventually(lambda: list(manager.models["linear"].versions) == [2], timeout=60)
        eventually(lambda: first() is None, timeout=30)  # collected, though it was frozen
