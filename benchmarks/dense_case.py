"""The benchmark's model with hidden layers: 400 seeded rows of 10 inputs, trained in
mini-batches of 32 rows in order, from a model entry like any user's."""

from __future__ import annotations

import numpy as np

from training.datasets import Dataset
from training.planning import Plan
from training.schema import ModelSpec

ROWS, INPUTS = 400, 10
NAMES = [f"x{i}" for i in range(INPUTS)]


def dense_rows(seed: int = 0) -> Dataset:
    """y = sum(sin(2x_i)) + x_0*x_1 + noise, x ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0, 1, (ROWS, INPUTS))
    target = np.sin(2 * matrix).sum(axis=1) + matrix[:, 0] * matrix[:, 1]
    target += rng.normal(0, 0.1, ROWS)
    features = {name: matrix[:, i].astype(np.float32) for i, name in enumerate(NAMES)}
    return Dataset("dense_400x10", features, target.astype(np.float32),
                   "benchmarks/dense_case.py: seeded synthetic rows")


def dense_plan() -> Plan:
    spec = ModelSpec.model_validate({
        "name": "dense_400x10", "data": {"table": {"x0": [0.0], "y": [0.0]}}, "inputs": NAMES,
        "output": "y", "hidden": [32, 16], "optimizer": "adam", "learning_rate": 0.01,
        "batch_size": 32, "shuffle": False, "holdout": 0, "normalize": True,
        "normalize_target": True, "seed": 42})
    return Plan(spec, spec.default_recipe(), dense_rows(), model_file=None)
