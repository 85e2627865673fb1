"""One finished training run and its evaluation against a baseline (computed once per run)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import keras
import numpy as np

from training.datasets import Dataset
from training.fitting import FitResult
from training.formula import coefficients, formula_text
from training.metrics import class_probabilities, classification_metrics, regression_metrics
from training.schema import ModelSpec, Recipe
from training.tasks import answer


@dataclass(frozen=True)
class TrainingRun:
    spec: ModelSpec
    recipe: Recipe
    data: Dataset
    train: Dataset
    holdout: Dataset | None
    model: keras.Model
    result: FitResult

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """The served answer for a (rows x inputs) matrix of raw values: (rows,) values or
        probabilities, or (rows x classes) probabilities."""
        scores = self.model(np.asarray(matrix, np.float32), training=False)
        return np.asarray(answer(self.spec.task, scores))

    def splits(self) -> dict[str, Dataset]:
        return {"train": self.train, **({"holdout": self.holdout} if self.holdout else {})}

    @cached_property
    def evaluation(self) -> dict:
        return evaluate(self)

    @cached_property
    def terms(self) -> dict[str, float] | None:
        return coefficients(self.spec, self.predict)

    @cached_property
    def formula(self) -> str:
        return formula_text(self.spec, self.terms)


def _baseline(run: TrainingRun) -> tuple[str, np.ndarray]:
    """The constant answer a model must beat, learned from the training rows alone."""
    target = run.train.target
    if run.spec.task == "regression":
        mean = float(np.mean(target.astype(np.float64)))
        return f"the training rows' mean {run.spec.output} ({mean:.4g})", np.array(mean)
    classes = run.train.class_names or ()
    shares = np.bincount(target, minlength=len(classes)) / target.size
    majority = classes[int(np.argmax(shares))]
    return f"the training rows' class shares (majority class {majority!r})", shares


def _metrics(run: TrainingRun, part: Dataset, answers: np.ndarray) -> dict:
    if run.spec.task == "regression":
        return regression_metrics(part.target, answers)
    return classification_metrics(part.target, class_probabilities(run.spec.task, answers))


def evaluate(run: TrainingRun) -> dict:
    """Metrics of the model and of the baseline on the training rows and, when rows were held
    out, on the holdout: {"train": ..., "holdout": ..., "baseline": {"predictor", "train",
    "holdout"}}."""
    predictor, constant = _baseline(run)
    report: dict = {}
    baseline: dict = {"predictor": predictor}
    for name, part in run.splits().items():
        report[name] = _metrics(run, part, run.predict(part.matrix(run.spec.inputs)))
        if run.spec.task == "regression":
            fixed = np.full(part.rows, float(constant))
        else:
            fixed = np.tile(constant, (part.rows, 1))
            fixed = fixed[:, 1] if run.spec.task == "binary" else fixed
        baseline[name] = _metrics(run, part, fixed)
    report["baseline"] = baseline
    return report
