"""The zoo's datasets: each a mapping of named feature columns plus a target column."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).parent / "data"
LINEAR_X = (-1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
LINEAR_Y = (-3.0, -1.0, 1.0, 3.0, 5.0, 7.0)
CELSIUS = (-40.0, -10.0, 0.0, 8.0, 15.0, 22.0, 38.0)
FAHRENHEIT_SEED_TABLE = (-40.0, 14.0, 32.0, 46.0, 59.0, 72.0, 100.0)  # the seed rounds 3 values


@dataclass(frozen=True)
class Dataset:
    name: str
    features: dict[str, np.ndarray]  # one float32 column per input name
    target: np.ndarray  # float32 column
    source: str

    @property
    def rows(self) -> int:
        return int(self.target.shape[0])

    def matrix(self, names: tuple[str, ...]) -> np.ndarray:
        """Features as an (rows, len(names)) float32 matrix in the given order."""
        return np.stack([self.features[n] for n in names], axis=1).astype(np.float32)

    def fingerprint(self) -> str:
        """sha256 over the column names and the exact float32 bytes of every column."""
        digest = hashlib.sha256()
        for name in sorted(self.features):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(self.features[name], np.float32).tobytes())
        digest.update(b"target")
        digest.update(np.ascontiguousarray(self.target, np.float32).tobytes())
        return digest.hexdigest()

    def take(self, rows: np.ndarray) -> Dataset:
        features = {k: v[rows] for k, v in self.features.items()}
        return Dataset(self.name, features, self.target[rows], self.source)


def _columns(**cols: object) -> dict[str, np.ndarray]:
    return {k: np.asarray(v, dtype=np.float32) for k, v in cols.items()}


def linear_pairs(seed: int) -> Dataset:
    return Dataset("linear_pairs", _columns(x=LINEAR_X), np.asarray(LINEAR_Y, np.float32),
                   "seeds 000/001: six pairs of y = 2x - 1")


def celsius_rule(seed: int) -> Dataset:
    fahrenheit = [1.8 * c + 32.0 for c in CELSIUS]
    return Dataset("celsius_rule", _columns(celsius=CELSIUS), np.asarray(fahrenheit, np.float32),
                   "seed 004's seven temperatures, Fahrenheit from f = 1.8c + 32")


def celsius_seed_table(seed: int) -> Dataset:
    return Dataset("celsius_seed_table", _columns(celsius=CELSIUS),
                   np.asarray(FAHRENHEIT_SEED_TABLE, np.float32),
                   "seed 004's table as printed (46.4, 71.6, 100.4 rounded)")


def quadratic_synthetic(seed: int) -> Dataset:
    x = np.random.default_rng(seed).normal(0.0, 1.0, 1000)
    y = 10.0 * x**2 + 5.0 * x + 12.0
    return Dataset("quadratic_synthetic", _columns(x=x), y.astype(np.float32),
                   f"seed 003: 1000 x ~ N(0,1) (numpy seed {seed}), y = 10x^2 + 5x + 12")


def us_cereal(seed: int) -> Dataset:
    with open(DATA_DIR / "UScereal.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cols = _columns(sugars=[float(r["sugars"]) for r in rows],
                    fibre=[float(r["fibre"]) for r in rows],
                    protein=[float(r["protein"]) for r in rows])
    calories = np.asarray([float(r["calories"]) for r in rows], np.float32)
    return Dataset("us_cereal", cols, calories, "UScereal.csv: 65 US cereals, per-cup values")


LOADERS: dict[str, Callable[[int], Dataset]] = {
    loader.__name__: loader
    for loader in (linear_pairs, celsius_rule, celsius_seed_table, quadratic_synthetic, us_cereal)
}


def load_dataset(name: str, seed: int) -> Dataset:
    if name not in LOADERS:
        raise KeyError(f"unknown dataset {name!r} (known: {', '.join(LOADERS)})")
    return LOADERS[name](seed)


def split_holdout(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset | None]:
    """A seeded train/holdout split; no holdout when the fraction is zero."""
    if fraction <= 0:
        return data, None
    order = np.random.default_rng(seed).permutation(data.rows)
    held = max(1, round(data.rows * fraction))
    return data.take(np.sort(order[held:])), data.take(np.sort(order[:held]))
