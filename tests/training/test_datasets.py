"""The zoo's datasets: columns, fingerprints, seeded holdout split."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from training.datasets import load_dataset, split_holdout
from training.specs import ZOO, ModelSpec


@pytest.mark.parametrize("spec", ZOO, ids=lambda s: s.name)
def test_load_dataset_has_a_column_per_input(spec: ModelSpec) -> None:
    for name in {spec.dataset, *(r.dataset for r in spec.seed_recipes if r.dataset)}:
        data = load_dataset(name, spec.seed)
        assert set(data.features) == set(spec.inputs)
        for column in data.features.values():
            assert column.dtype == np.float32 and column.shape == (data.rows,)
        assert data.target.dtype == np.float32 and np.isfinite(data.target).all()


def test_load_dataset_sizes_match_the_seeds() -> None:
    sizes = {name: load_dataset(name, 42).rows for name in
             ("linear_pairs", "celsius_rule", "celsius_seed_table", "quadratic_synthetic",
              "us_cereal")}
    assert sizes == {"linear_pairs": 6, "celsius_rule": 7, "celsius_seed_table": 7,
                     "quadratic_synthetic": 1000, "us_cereal": 65}


def test_load_dataset_quadratic_follows_rule_and_seed() -> None:
    data = load_dataset("quadratic_synthetic", 42)
    x = data.features["x"].astype(np.float64)
    np.testing.assert_allclose(data.target, 10 * x**2 + 5 * x + 12, rtol=1e-5)
    assert abs(x.mean()) < 0.1 and abs(x.std() - 1) < 0.1
    assert data.fingerprint() != load_dataset("quadratic_synthetic", 43).fingerprint()


def test_load_dataset_unknown_refused() -> None:
    with pytest.raises(KeyError, match="unknown dataset 'iris'"):
        load_dataset("iris", 0)


def test_fingerprint_is_stable_sha256_of_the_values() -> None:
    data = load_dataset("us_cereal", 42)
    digest = data.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert load_dataset("us_cereal", 42).fingerprint() == digest
    target = data.target.copy()
    target[0] += 1.0
    assert dataclasses.replace(data, target=target).fingerprint() != digest


def test_split_holdout_is_seeded_and_disjoint() -> None:
    data = load_dataset("us_cereal", 42)
    train, holdout = split_holdout(data, 0.2, 42)
    assert (train.rows, holdout.rows) == (52, 13)
    again_train, again_holdout = split_holdout(data, 0.2, 42)
    np.testing.assert_array_equal(holdout.target, again_holdout.target)
    _, other = split_holdout(data, 0.2, 7)
    assert not np.array_equal(holdout.features["sugars"], other.features["sugars"])
    pairs = {tuple(r) for r in data.matrix(("sugars", "fibre", "protein"))}
    seen = [tuple(r) for part in (train, holdout) for r in part.matrix(("sugars", "fibre",
                                                                         "protein"))]
    assert len(seen) == data.rows and set(seen) == pairs


def test_split_holdout_zero_keeps_everything() -> None:
    data = load_dataset("linear_pairs", 42)
    train, holdout = split_holdout(data, 0.0, 42)
    assert holdout is None and train is data
