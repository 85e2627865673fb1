"""Rows: the zoo's data from its model file, fingerprints, the seeded (stratified) holdout."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from tests.training.builders import dataset
from tests.training.trained import zoo_plan
from training.datasets import split_holdout
from training.modelfile import zoo
from training.schema import ModelSpec


@pytest.mark.parametrize("spec", zoo().specs, ids=lambda s: s.name)
def test_zoo_data_has_a_column_per_input(spec: ModelSpec) -> None:
    for recipe in (None, *(r.name for r in spec.seed_recipes)):
        data = zoo_plan(spec.name, recipe).data
        assert set(data.features) == set(spec.inputs)
        for column in data.features.values():
            assert column.dtype == np.float32 and column.shape == (data.rows,)
        assert data.target.dtype == np.float32 and np.isfinite(data.target).all()


def test_zoo_data_sizes_match_the_seeds() -> None:
    sizes = {(name, recipe): zoo_plan(name, recipe).data.rows for name, recipe in
             [("linear", None), ("celsius_to_fahrenheit", None),
              ("celsius_to_fahrenheit", "keras-adam"), ("quadratic", None),
              ("cereal_calories", None)]}
    assert list(sizes.values()) == [6, 7, 7, 1000, 65]


def test_zoo_celsius_rows_follow_the_rule_and_the_seed_table() -> None:
    rule, table = zoo_plan("celsius_to_fahrenheit").data, zoo_plan(
        "celsius_to_fahrenheit", "keras-adam").data
    celsius = rule.features["celsius"].astype(np.float64)
    np.testing.assert_array_equal(rule.target, (1.8 * celsius + 32).astype(np.float32))
    assert table.target.tolist() == [-40, 14, 32, 46, 59, 72, 100]  # as the seed prints it
    assert (rule.name, table.name) == ("celsius_rule", "celsius_seed_table")


def test_quadratic_csv_is_the_seeded_draw() -> None:
    # training/data/quadratic.csv holds exactly numpy seed 42's draw, rounded to float32
    data = zoo_plan("quadratic").data
    x = np.random.default_rng(42).normal(0.0, 1.0, 1000)
    np.testing.assert_array_equal(data.features["x"], x.astype(np.float32))
    np.testing.assert_array_equal(data.target, (10 * x**2 + 5 * x + 12).astype(np.float32))


def test_fingerprint_is_stable_sha256_of_the_values() -> None:
    data = zoo_plan("cereal_calories").data
    digest = data.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert zoo_plan("cereal_calories").data.fingerprint() == digest
    target = data.target.copy()
    target[0] += 1.0
    assert dataclasses.replace(data, target=target).fingerprint() != digest


def test_split_holdout_is_seeded_and_disjoint() -> None:
    data = zoo_plan("cereal_calories").data
    train, holdout = split_holdout(data, 0.2, 42)
    assert (train.rows, holdout.rows) == (52, 13)
    _, again = split_holdout(data, 0.2, 42)
    np.testing.assert_array_equal(holdout.target, again.target)
    _, other = split_holdout(data, 0.2, 7)
    assert not np.array_equal(holdout.features["sugars"], other.features["sugars"])
    names = ("sugars", "fibre", "protein")
    seen = [tuple(r) for part in (train, holdout) for r in part.matrix(names)]
    assert len(seen) == data.rows and set(seen) == {tuple(r) for r in data.matrix(names)}


def test_split_holdout_stratifies_classes() -> None:
    labels = np.array([0] * 40 + [1] * 10 + [2] * 30)
    data = dataset(np.arange(80, dtype=np.float32).reshape(-1, 1), labels, ["x"],
                   ("a", "b", "c"))
    train, holdout = split_holdout(data, 0.2, 42)
    assert np.bincount(holdout.target).tolist() == [8, 2, 6]
    assert np.bincount(train.target).tolist() == [32, 8, 24]
    assert holdout.class_names == ("a", "b", "c")


def test_split_holdout_zero_keeps_everything() -> None:
    data = zoo_plan("linear").data
    train, holdout = split_holdout(data, 0.0, 42)
    assert holdout is None and train is data
