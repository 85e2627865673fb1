"""What the session's trained repositories hold, and what the tests feed the served models."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.datasets import Dataset, split_holdout
from training.modelfile import find_spec, zoo
from training.planning import Plan, plan_runs
from training.schema import ModelSpec

PROBES: dict[str, list[float]] = {
    "linear": [10.0, 0.0, 1.0, -1.0],
    "celsius_to_fahrenheit": [100.0, 0.0, -40.0],
    "quadratic": [0.0, 1.0, -1.0],
}
SEED_RECIPE_MODELS = ("linear", "celsius_to_fahrenheit", "quadratic")  # cereal has none


@dataclass(frozen=True)
class Repositories:
    default: Path  # python -m training
    seed: Path  # python -m training --seed-recipe


@dataclass(frozen=True)
class Served:
    """What a fresh `tf.saved_model.load` process saw for version 1 of each model."""

    default: dict[str, dict]
    seed: dict[str, dict]
    unimportable: list[str]  # modules the probe could not have used


def zoo_plan(name: str, seed_recipe: str | None = None) -> Plan:
    """The zoo model's run as `python -m training NAME [--seed-recipe RECIPE]` plans it."""
    return plan_runs(zoo(), [name], seed_recipe, None)[0]


def holdout_rows(spec: ModelSpec) -> Dataset:
    _, holdout = split_holdout(zoo_plan(spec.name).data, spec.holdout, spec.seed)
    if holdout is None:
        raise ValueError(f"{spec.name} keeps no rows out")
    return holdout


def feeds_for(name: str) -> dict[str, list[float]]:
    spec = find_spec(name)
    if name in PROBES:
        return {spec.inputs[0]: PROBES[name]}
    rows = holdout_rows(spec)
    return {column: rows.features[column].tolist() for column in spec.inputs}
