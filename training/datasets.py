"""A model's rows: named float32 input columns and a target, and the seeded holdout split."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    name: str
    features: dict[str, np.ndarray]  # one float32 column per input name
    target: np.ndarray  # float32 values (regression) or int32 class indices (classification)
    source: str
    class_names: tuple[str, ...] | None = None  # classification: index -> class
    dropped_rows: int = 0  # rows left out for a missing value (missing: drop)

    @property
    def rows(self) -> int:
        return int(self.target.shape[0])

    def matrix(self, names: tuple[str, ...] | list[str]) -> np.ndarray:
        """Features as an (rows, len(names)) float32 matrix in the given order."""
        return np.stack([self.features[n] for n in names], axis=1).astype(np.float32)

    def fingerprint(self) -> str:
        """sha256 over the column names and the exact float32 bytes of every column (and the
        class names of a classification)."""
        digest = hashlib.sha256()
        for name in sorted(self.features):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(self.features[name], np.float32).tobytes())
        digest.update(b"target")
        digest.update(np.ascontiguousarray(self.target, np.float32).tobytes())
        for name in self.class_names or ():
            digest.update(b"class\0" + name.encode())
        return digest.hexdigest()

    def take(self, rows: np.ndarray) -> Dataset:
        features = {k: v[rows] for k, v in self.features.items()}
        return Dataset(self.name, features, self.target[rows], self.source, self.class_names,
                       self.dropped_rows)


def holdout_size(rows: int, fraction: float) -> int:
    return max(1, round(rows * fraction)) if fraction > 0 else 0


def _held_rows(data: Dataset, fraction: float, seed: int) -> np.ndarray:
    order = np.random.default_rng(seed).permutation(data.rows)
    if data.class_names is None:
        return order[: holdout_size(data.rows, fraction)]
    held = []  # classification: the same fraction of every class (a stratified split)
    for index in range(len(data.class_names)):
        members = order[data.target[order] == index]
        held.append(members[: round(members.size * fraction)])
    return np.concatenate(held)


def split_holdout(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset | None]:
    """A seeded train/holdout split; no holdout when the fraction is zero."""
    if fraction <= 0:
        return data, None
    held = np.zeros(data.rows, bool)
    held[_held_rows(data, fraction, seed)] = True
    return data.take(np.flatnonzero(~held)), data.take(np.flatnonzero(held))
