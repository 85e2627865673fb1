"""The pipeline's evaluation: cereal_calories against the mean predictor on held-out rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.training.trained import Served, holdout_rows
from training.datasets import load_dataset, split_holdout
from training.specs import find_spec


def test_evaluate_cereal_beats_mean_predictor(trained_repository: Path, served: Served) -> None:
    spec = find_spec("cereal_calories")
    metrics = json.loads((trained_repository / spec.name / "1" / "metadata.json").read_text())[
        "metrics"]
    holdout, baseline = metrics["holdout"], metrics["holdout_mean_baseline"]
    assert holdout["rows"] == baseline["rows"] == 13
    assert holdout["r2"] > 0
    assert holdout["mae"] < baseline["mae"]

    # recomputed from what the served SavedModel answers for the held-out rows
    train, _ = split_holdout(load_dataset(spec.dataset, spec.seed), spec.holdout_fraction,
                             spec.seed)
    actual = holdout_rows(spec).target.astype(np.float64)
    predicted = np.asarray(served.default[spec.name]["answers"]["calories"], np.float64)
    mean = float(np.mean(train.target))
    mae, baseline_mae = np.mean(np.abs(actual - predicted)), np.mean(np.abs(actual - mean))
    skill = 1 - np.sum((actual - predicted) ** 2) / np.sum((actual - mean) ** 2)
    r2 = 1 - np.sum((actual - predicted) ** 2) / np.sum((actual - actual.mean()) ** 2)
    assert mae == pytest.approx(holdout["mae"], rel=1e-4)
    assert baseline_mae == pytest.approx(baseline["mae"], rel=1e-6)
    assert skill == pytest.approx(holdout["r2"], rel=1e-4)
    assert mae < baseline_mae and r2 > 0


def test_train_keeps_holdout_rows_out(trained_repository: Path) -> None:
    data = json.loads(
        (trained_repository / "cereal_calories" / "1" / "metadata.json").read_text())["data"]
    assert (data["rows"], data["train_rows"], data["holdout_rows"]) == (65, 52, 13)
