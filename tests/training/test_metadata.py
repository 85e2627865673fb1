"""metadata.json: every lineage field DESIGN section 4 lists, with correct values."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keras
import pytest
import tensorflow as tf

from tests.training.trained import Repositories
from training.datasets import load_dataset
from training.metadata import build_metadata
from training.pipeline import evaluate, train_model
from training.specs import ZOO, ModelSpec, find_spec

FIELDS = {"model", "version", "tag", "created_at", "spec", "hyperparameters", "data", "metrics",
          "weights", "formula", "versions", "code_revision"}
FORMULAS = {
    "linear": "y = 2.0000*x - 1.0000",
    "celsius_to_fahrenheit": "fahrenheit = 1.8000*celsius + 32.0000",
    "quadratic": "y = 10.0000*x^2 + 5.0000*x + 12.0000",
}
REVISION = re.compile(r"^[0-9a-f]{40}(-dirty)?$")


def read_metadata(repository: Path, name: str, version: int = 1) -> dict:
    return json.loads((repository / name / str(version) / "metadata.json").read_text())


@pytest.mark.parametrize("spec", ZOO, ids=lambda s: s.name)
def test_metadata_has_every_design_field(trained_repository: Path, spec: ModelSpec) -> None:
    metadata = read_metadata(trained_repository, spec.name)
    assert FIELDS <= set(metadata)
    assert metadata["model"] == spec.name
    assert metadata["version"] == 1
    assert metadata["tag"] == f"{spec.name}:v1"
    assert metadata["spec"]["inputs"] == list(spec.inputs)
    assert metadata["spec"]["output"] == spec.output
    hyper = metadata["hyperparameters"]
    assert (hyper["name"], hyper["optimizer"], hyper["learning_rate"], hyper["max_steps"]) == (
        spec.default.name, spec.default.optimizer, spec.default.learning_rate,
        spec.default.max_steps)
    assert (hyper["loss"], hyper["seed"]) == (spec.loss, spec.seed)
    metrics = metadata["metrics"]
    assert 0 < metrics["steps"] <= spec.default.max_steps
    assert metrics["final_loss"] >= 0 and metrics["converged"] is True
    assert {"mse", "mae", "r2"} <= set(metrics["train"])
    assert metadata["versions"]["tensorflow"] == tf.__version__
    assert metadata["versions"]["keras"] == keras.__version__
    assert metadata["code_revision"] is None or REVISION.match(metadata["code_revision"])


@pytest.mark.parametrize("spec", ZOO, ids=lambda s: s.name)
def test_metadata_created_at_is_utc_iso8601(trained_repository: Path, spec: ModelSpec) -> None:
    stamp = read_metadata(trained_repository, spec.name)["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
    created = datetime.fromisoformat(stamp)
    assert created.utcoffset() == timedelta(0)
    assert timedelta(0) <= datetime.now(UTC) - created < timedelta(hours=1)


@pytest.mark.parametrize("spec", ZOO, ids=lambda s: s.name)
def test_metadata_fingerprints_the_data(repositories: Repositories, spec: ModelSpec) -> None:
    data = read_metadata(repositories.default, spec.name)["data"]
    assert re.fullmatch(r"[0-9a-f]{64}", data["sha256"])
    # stable across runs: the CLI's process and this one hash the same data alike
    assert data["sha256"] == load_dataset(spec.dataset, spec.seed).fingerprint()
    assert data["rows"] == data["train_rows"] + data["holdout_rows"]


def test_metadata_fingerprint_follows_the_data(repositories: Repositories) -> None:
    default = read_metadata(repositories.default, "linear")["data"]["sha256"]
    seed_run = read_metadata(repositories.seed, "linear")["data"]["sha256"]
    assert default == seed_run  # two training processes, one dataset
    celsius_rule = read_metadata(repositories.default, "celsius_to_fahrenheit")["data"]
    seed_table = read_metadata(repositories.seed, "celsius_to_fahrenheit")["data"]
    assert (celsius_rule["name"], seed_table["name"]) == ("celsius_rule", "celsius_seed_table")
    assert celsius_rule["sha256"] != seed_table["sha256"]  # the seed's rounded table differs


@pytest.mark.parametrize("name", FORMULAS)
def test_metadata_formula_states_learned_rule(trained_repository: Path, name: str) -> None:
    assert read_metadata(trained_repository, name)["formula"] == FORMULAS[name]


def test_metadata_weights_hold_kernel_and_bias(trained_repository: Path) -> None:
    weights = read_metadata(trained_repository, "linear")["weights"]
    assert list(weights) == ["y"]  # the output Dense layer is named after the output
    assert weights["y"]["kernel"] == [[pytest.approx(2.0, abs=1e-3)]]
    assert weights["y"]["bias"] == [pytest.approx(-1.0, abs=1e-3)]
    cereal = read_metadata(trained_repository, "cereal_calories")["weights"]["calories"]
    assert len(cereal["kernel"]) == 3 and len(cereal["bias"]) == 1


def test_metadata_seed_recipe_recorded(repositories: Repositories) -> None:
    metadata = read_metadata(repositories.seed, "celsius_to_fahrenheit")
    hyper = metadata["hyperparameters"]
    assert (hyper["name"], hyper["optimizer"], hyper["learning_rate"]) == ("keras-adam", "adam",
                                                                            0.1)
    assert metadata["metrics"]["steps"] == 500
    assert metadata["metrics"]["converged"] is False  # a fixed budget, no stopping rule


def test_build_metadata_takes_revision_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = find_spec("linear")
    run = train_model(spec, dataclasses.replace(spec.default, max_steps=5))
    monkeypatch.setenv("CODE_REVISION", "release-2024.1")
    metadata = build_metadata(run, 7, evaluate(run))
    assert metadata["code_revision"] == "release-2024.1"
    assert (metadata["version"], metadata["tag"]) == (7, "linear:v7")
    assert metadata["metrics"]["steps"] == 5
    json.dumps(metadata, allow_nan=False)  # plain JSON: no NaN, no numpy types
