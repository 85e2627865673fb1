"""A run's evaluation: cereal_calories against the mean predictor on held-out rows; evaluated
once per run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import training.run
from tests.training.trained import Served, holdout_rows, zoo_plan
from training.datasets import split_holdout
from training.modelfile import find_spec


def test_evaluate_cereal_beats_mean_predictor(trained_repository: Path, served: Served) -> None:
    spec = find_spec("cereal_calories")
    metrics = json.loads((trained_repository / spec.name / "1" / "metadata.json").read_text())[
        "metrics"]
    holdout, baseline = metrics["holdout"], metrics["baseline"]["holdout"]
    assert metrics["baseline"]["predictor"] == "the training rows' mean calories (149.1)"
    assert holdout["rows"] == baseline["rows"] == 13
    assert holdout["r2"] > 0
    assert holdout["mae"] < baseline["mae"]

    # recomputed from what the served SavedModel answers for the held-out rows
    train, _ = split_holdout(zoo_plan(spec.name).data, spec.holdout, spec.seed)
    actual = holdout_rows(spec).target.astype(np.float64)
    predicted = np.asarray(served.default[spec.name]["answers"]["calories"], np.float64)
    mean = float(np.mean(train.target))
    mae, baseline_mae = np.mean(np.abs(actual - predicted)), np.mean(np.abs(actual - mean))
    r2 = 1 - np.sum((actual - predicted) ** 2) / np.sum((actual - actual.mean()) ** 2)
    rmse = np.sqrt(np.mean((actual - predicted) ** 2))
    assert mae == pytest.approx(holdout["mae"], rel=1e-4)
    assert rmse == pytest.approx(holdout["rmse"], rel=1e-4)
    assert baseline_mae == pytest.approx(baseline["mae"], rel=1e-6)
    assert r2 == pytest.approx(holdout["r2"], rel=1e-4)
    assert mae < baseline_mae and r2 > 0 > baseline["r2"]


def test_train_keeps_holdout_rows_out(trained_repository: Path) -> None:
    data = json.loads(
        (trained_repository / "cereal_calories" / "1" / "metadata.json").read_text())["data"]
    assert (data["rows"], data["train_rows"], data["holdout_rows"]) == (65, 52, 13)


def test_evaluate_runs_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from training.metadata import build_metadata
    from training.pipeline import train_model
    from training.report import write_report
    from training.summary import table

    calls = []
    evaluate = training.run.evaluate
    monkeypatch.setattr(training.run, "evaluate", lambda run: calls.append(run) or evaluate(run))
    plan = zoo_plan("cereal_calories")
    run = train_model(plan.spec, plan.recipe.model_copy(update={"epochs": 20}), plan.data)
    build_metadata(run, 1)
    table(run, 1)
    write_report(run, Path(os.devnull))
    assert calls == [run]
