"""A served repository for the protocol tests: the trained zoo, plus linear version 2
(y = 3x + 1, no training) with label `stable` on version 1, plus `pair`, a real two-output
SavedModel (a, b -> product = a*b, sum = a+b) for the multi-output answer shapes."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.settings import Settings
from tests.support import publish_affine


def export_pair_model(version_dir: Path) -> None:
    import tensorflow as tf

    class Pair(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.one = tf.Variable(1.0)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32),
                                      tf.TensorSpec([None], tf.float32)])
        def serve(self, a: tf.Tensor, b: tf.Tensor) -> dict[str, tf.Tensor]:
            return {"product": a * b * self.one, "sum": a + b}

    module = Pair()
    staging = version_dir.parent / f".staging-{version_dir.name}"
    tf.saved_model.save(module, str(staging), signatures={"serving_default": module.serve})
    staging.rename(version_dir)


def build_repository(trained: Path, target: Path) -> Path:
    shutil.copytree(trained, target)
    assert publish_affine(target, 3.0, 1.0) == 2
    (target / "linear" / "labels.json").write_text('{"stable": 1}')
    (target / "pair").mkdir()
    export_pair_model(target / "pair" / "1")
    return target


def version_states(client: TestClient, model: str) -> dict[int, str]:
    """Per-version states from the native route (not from the routes under test)."""
    answer = client.get(f"/models/{model}")
    if answer.status_code != 200:
        return {}
    return {v["version"]: v["state"] for v in answer.json()["versions"]}


def zoo_settled(client: TestClient) -> bool:
    return (client.get("/health/ready").status_code == 200
            and version_states(client, "linear") == {1: "AVAILABLE", 2: "AVAILABLE"})


def broken_linear_repository(trained: Path, target: Path) -> Path:
    """linear alone: version 1 trained, version 2 a SavedModel that cannot load."""
    shutil.copytree(trained / "linear", target / "linear")
    broken = target / "linear" / "2"
    (broken / "variables").mkdir(parents=True)
    (broken / "saved_model.pb").write_bytes(b"not a SavedModel")
    (broken / "variables" / "variables.index").write_bytes(b"")
    (broken / "variables" / "variables.data-00000-of-00001").write_bytes(b"")
    return target


def broken_settled(client: TestClient) -> bool:
    return version_states(client, "linear") == {1: "AVAILABLE", 2: "FAILED"}


@contextmanager
def serving(repository: Path, settled: Callable[[TestClient], bool],
            timeout: float = 60.0) -> Iterator[TestClient]:
    """The app in process, once `settled(client)` holds (bounded wait)."""
    settings = Settings(model_repository=repository, poll_interval_seconds=0.2,
                        version_settle_seconds=0, access_log=False)
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + timeout
        while not settled(client):
            assert time.monotonic() < deadline, client.get("/models").text
            time.sleep(0.1)
        yield client


@contextmanager
def protocol_zoo(trained: Path, tmp_path_factory: pytest.TempPathFactory,
               name: str) -> Iterator[TestClient]:
    """The repository of build_repository, served in process once the zoo has loaded."""
    repository = build_repository(trained, tmp_path_factory.mktemp(name) / "models")
    with serving(repository, zoo_settled) as client:
        yield client
