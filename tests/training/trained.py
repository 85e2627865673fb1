"""What the session's trained repositories hold, and what the tests feed the served models."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.datasets import Dataset, load_dataset, split_holdout
from training.specs import ModelSpec, find_spec

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


def holdout_rows(spec: ModelSpec) -> Dataset:
    _, holdout = split_holdout(load_dataset(spec.dataset, spec.seed), spec.holdout_fraction,
                               spec.seed)
    if holdout is None:
        raise ValueError(f"{spec.name} keeps no rows out")
    return holdout


def feeds_for(name: str) -> dict[str, list[float]]:
    spec = find_spec(name)
    if name in PROBES:
        return {spec.inputs[0]: PROBES[name]}
    rows = holdout_rows(spec)
    return {column: rows.features[column].tolist() for column in spec.inputs}
