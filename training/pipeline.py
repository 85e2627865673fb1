"""One training run: data -> model -> fit -> evaluation -> published version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from training.datasets import Dataset, load_dataset, split_holdout
from training.exporting import export_savedmodel
from training.fitting import FitResult, fit
from training.formula import coefficients, formula_text
from training.metadata import build_metadata
from training.modeling import build_model, model_inputs
from training.publishing import publish_version
from training.report import write_report
from training.specs import ModelSpec, Recipe


@dataclass
class TrainingRun:
    spec: ModelSpec
    recipe: Recipe
    data: Dataset
    train: Dataset
    holdout: Dataset | None
    model: keras.Model
    result: FitResult

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Model output for a (rows x inputs) matrix of raw values, as a flat array."""
        inputs = model_inputs(self.spec, np.asarray(matrix, np.float32))
        return np.asarray(self.model(inputs, training=False)).ravel()

    @property
    def terms(self) -> dict[str, float] | None:
        return coefficients(self.spec, self.predict)

    @property
    def formula(self) -> str:
        return formula_text(self.spec, self.terms)


def train_model(spec: ModelSpec, recipe: Recipe, progress: bool = False) -> TrainingRun:
    data = load_dataset(recipe.dataset or spec.dataset, spec.seed)
    train, holdout = split_holdout(data, spec.holdout_fraction, spec.seed)
    matrix = train.matrix(spec.inputs)
    model = build_model(spec, recipe, matrix)
    result = fit(model, recipe, model_inputs(spec, matrix), train.target, progress=progress)
    return TrainingRun(spec, recipe, data, train, holdout, model, result)


def _regression_metrics(actual: np.ndarray, predicted: np.ndarray, mean: float) -> dict:
    residual = actual - predicted
    total = float(np.sum((actual - mean) ** 2))
    return {
        "rows": int(actual.size),
        "mse": float(np.mean(residual**2)),
        "mae": float(np.mean(np.abs(residual))),
        "r2": float(1 - np.sum(residual**2) / total) if total > 0 else None,
    }


def evaluate(run: TrainingRun) -> dict:
    """Train metrics, and holdout metrics beside the mean-predictor baseline when held out."""
    mean = float(np.mean(run.train.target))
    train = run.train.target.astype(np.float64)
    report = {"train": _regression_metrics(train, run.predict(run.train.matrix(run.spec.inputs)),
                                           mean)}
    if run.holdout is not None:
        actual = run.holdout.target.astype(np.float64)
        predicted = run.predict(run.holdout.matrix(run.spec.inputs))
        report["holdout"] = _regression_metrics(actual, predicted, mean)
        report["holdout_mean_baseline"] = _regression_metrics(actual, np.full_like(actual, mean),
                                                              mean)
    return report


def publish_run(run: TrainingRun, repository: Path) -> int:
    """Exports, stamps metadata and report, and publishes as the next version."""
    evaluation = evaluate(run)

    def export(staging: Path) -> None:
        export_savedmodel(run.spec, run.model, staging)
        write_report(run, staging / "report.png")

    def stamp(staging: Path, version: int) -> None:
        metadata = build_metadata(run, version, evaluation)
        (staging / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")

    return publish_version(repository / run.spec.name, export, stamp)
