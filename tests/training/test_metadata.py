"""metadata.json: every lineage field DESIGN section 4 lists, with correct values."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keras
import pytest
import tensorflow as tf

from tests.training.processes import PROJECT_ROOT
from tests.training.trained import Repositories, zoo_plan
from training.metadata import build_metadata
from training.modelfile import zoo
from training.pipeline import train_model
from training.schema import ModelSpec

FIELDS = {"model", "version", "tag", "created_at", "description", "task", "class_names",
          "signature", "spec", "hyperparameters", "model_file", "data", "metrics", "weights",
          "coefficients", "formula", "versions", "code_revision"}
FORMULAS = {
    "linear": "y = 2.0000*x - 1.0000",
    "celsius_to_fahrenheit": "fahrenheit = 1.8000*celsius + 32.0000",
    "quadratic": "y = 10.0000*x^2 + 5.0000*x + 12.0000",
}
REVISION = re.compile(r"^[0-9a-f]{40}(-dirty)?$")


def read_metadata(repository: Path, name: str, version: int = 1) -> dict:
    return json.loads((repository / name / str(version) / "metadata.json").read_text())


@pytest.mark.parametrize("spec", zoo().specs, ids=lambda s: s.name)
def test_metadata_has_every_design_field(trained_repository: Path, spec: ModelSpec) -> None:
    metadata = read_metadata(trained_repository, spec.name)
    assert FIELDS <= set(metadata)
    assert metadata["model"] == spec.name
    assert metadata["version"] == 1
    assert metadata["tag"] == f"{spec.name}:v1"
    assert metadata["spec"]["inputs"] == list(spec.inputs)
    assert metadata["spec"]["output"] == spec.output
    assert (metadata["task"], metadata["class_names"]) == ("regression", None)
    assert metadata["model_file"] == "training/zoo.yaml"
    default = spec.default_recipe()
    hyper = metadata["hyperparameters"]
    assert (hyper["name"], hyper["optimizer"], hyper["learning_rate"], hyper["epochs"],
            hyper["batch_size"]) == ("default", default.optimizer, default.learning_rate,
                                     default.epochs, "full")
    assert (hyper["loss"], hyper["seed"]) == (spec.loss, spec.seed)
    metrics = metadata["metrics"]
    assert 0 < metrics["steps"] == metrics["epochs"] <= default.epochs
    assert metrics["final_loss"] >= 0 and metrics["converged"] is True
    assert metrics["stop_reason"] in ("tolerance", "plateau")
    assert {"r2", "mae", "rmse", "mse"} <= set(metrics["train"]) & set(
        metrics["baseline"]["train"])
    assert metadata["versions"]["tensorflow"] == tf.__version__
    assert metadata["versions"]["keras"] == keras.__version__


@pytest.mark.parametrize("spec", zoo().specs, ids=lambda s: s.name)
def test_metadata_created_at_is_utc_iso8601(trained_repository: Path, spec: ModelSpec) -> None:
    stamp = read_metadata(trained_repository, spec.name)["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
    created = datetime.fromisoformat(stamp)
    assert created.utcoffset() == timedelta(0)
    assert timedelta(0) <= datetime.now(UTC) - created < timedelta(hours=1)


@pytest.mark.parametrize("spec", zoo().specs, ids=lambda s: s.name)
def test_metadata_fingerprints_the_data(repositories: Repositories, spec: ModelSpec) -> None:
    data = read_metadata(repositories.default, spec.name)["data"]
    assert re.fullmatch(r"[0-9a-f]{64}", data["sha256"])
    # stable across runs: the CLI's process and this one hash the same data alike
    assert data["sha256"] == zoo_plan(spec.name).data.fingerprint()
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
    assert (hyper["name"], hyper["optimizer"], hyper["learning_rate"], hyper["normalize"]) == (
        "keras-adam", "adam", 0.1, False)
    assert metadata["metrics"]["steps"] == 500
    assert metadata["metrics"]["converged"] is False  # a fixed budget, no stopping rule
    assert metadata["metrics"]["stop_reason"] == "epoch budget"


def git_head() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, check=True, timeout=10).stdout.strip()


@pytest.mark.parametrize("spec", zoo().specs, ids=lambda s: s.name)
def test_metadata_code_revision_is_the_checkout(trained_repository: Path,
                                                spec: ModelSpec) -> None:
    # the suite runs inside the project's git checkout: the revision is its commit
    revision = read_metadata(trained_repository, spec.name)["code_revision"]
    assert REVISION.match(revision)
    assert revision.removesuffix("-dirty") == git_head()


def test_build_metadata_takes_revision_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = zoo_plan("linear")
    run = train_model(plan.spec, plan.recipe.model_copy(update={"epochs": 5}), plan.data)
    monkeypatch.setenv("CODE_REVISION", "release-2024.1")
    metadata = build_metadata(run, 7)
    assert metadata["code_revision"] == "release-2024.1"
    assert (metadata["version"], metadata["tag"]) == (7, "linear:v7")
    assert metadata["metrics"]["steps"] == 5
    json.dumps(metadata, allow_nan=False)  # plain JSON: no NaN, no numpy types
