"""Model entries, rows and model files for tests: CSV and YAML written into a temporary folder."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import yaml

from training.datasets import Dataset
from training.schema import ModelSpec


def spec(**keys: object) -> ModelSpec:
    """A regression entry on a one-row placeholder table, with `keys` on top."""
    entry = {"name": "probe", "data": {"table": {"x": [0.0], "y": [0.0]}}, "inputs": ["x"],
             "output": "y", **keys}
    return ModelSpec.model_validate(entry)


def dataset(matrix: np.ndarray, target: np.ndarray, names: list[str],
            class_names: tuple[str, ...] | None = None) -> Dataset:
    features = {name: np.asarray(matrix[:, i], np.float32) for i, name in enumerate(names)}
    dtype = np.float32 if class_names is None else np.int32
    return Dataset("test", features, np.asarray(target, dtype), "made by the test", class_names)


def smooth_regression(rows: int, inputs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded nonlinear rule with a little noise: y = sum(sin(2 x_i)) + x_0 * x_1."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0, 1, (rows, inputs))
    target = np.sin(2 * matrix).sum(axis=1) + matrix[:, 0] * matrix[:, 1]
    return matrix.astype(np.float32), (target + rng.normal(0, 0.1, rows)).astype(np.float32)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_model_file(path: Path, *models: dict) -> Path:
    path.write_text(yaml.safe_dump({"models": list(models)}, sort_keys=False))
    return path
