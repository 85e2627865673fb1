"""The metrics, against Keras' own implementations and hand-worked cases."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from training.metrics import (
    classification_metrics,
    confusion,
    macro_f1,
    regression_metrics,
    roc_auc,
)

RNG = np.random.default_rng(11)


def test_regression_metrics_by_hand() -> None:
    metrics = regression_metrics(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 2.0, 2.0, 4.5]))
    assert metrics["mse"] == pytest.approx((0.25 + 0 + 1 + 0.25) / 4)
    assert metrics["mae"] == pytest.approx(0.5)
    assert metrics["rmse"] == pytest.approx(np.sqrt(0.375))
    assert metrics["r2"] == pytest.approx(1 - 1.5 / 5.0)  # total: 2.25 + .25 + .25 + 2.25
    assert regression_metrics(np.ones(3), np.ones(3))["r2"] is None  # no variance to explain


def test_regression_metrics_match_keras() -> None:
    actual, predicted = RNG.normal(0, 3, 200), RNG.normal(0, 3, 200)
    metrics = regression_metrics(actual, predicted)
    r2 = keras.metrics.R2Score()
    r2.update_state(actual.reshape(-1, 1), predicted.reshape(-1, 1))
    assert metrics["r2"] == pytest.approx(float(r2.result()), rel=1e-5)
    assert metrics["mae"] == pytest.approx(float(keras.losses.mean_absolute_error(
        actual, predicted)), rel=1e-5)


def test_roc_auc_by_hand_and_with_ties() -> None:
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)
    assert roc_auc(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(0.5)
    assert roc_auc(np.array([1, 1]), np.array([0.2, 0.9])) is None


def test_roc_auc_matches_keras() -> None:
    labels = RNG.integers(0, 2, 500)
    scores = np.clip(labels * 0.3 + RNG.normal(0.35, 0.25, 500), 0, 1)
    auc = keras.metrics.AUC(num_thresholds=20001)
    auc.update_state(labels, scores)
    assert roc_auc(labels.astype(bool), scores) == pytest.approx(float(auc.result()), abs=1e-3)


def test_macro_f1_matches_keras() -> None:
    labels, chosen = RNG.integers(0, 3, 300), RNG.integers(0, 3, 300)
    f1 = keras.metrics.F1Score(average="macro")
    f1.update_state(np.eye(3)[labels], np.eye(3)[chosen])
    assert macro_f1(labels, chosen, 3) == pytest.approx(float(f1.result()), rel=1e-5)
    assert macro_f1(np.array([0, 0]), np.array([0, 0]), 2) == pytest.approx(0.5)  # class 1: 0


def test_classification_metrics_match_keras_cross_entropy() -> None:
    labels = RNG.integers(0, 3, 100)
    probabilities = RNG.dirichlet([1, 1, 1], 100)
    metrics = classification_metrics(labels, probabilities)
    keras_loss = keras.losses.sparse_categorical_crossentropy(labels, probabilities)
    assert metrics["log_loss"] == pytest.approx(float(np.mean(keras_loss)), rel=1e-4)
    assert metrics["accuracy"] == pytest.approx(np.mean(probabilities.argmax(1) == labels))
    assert "macro_f1" in metrics and "roc_auc" not in metrics
    two = classification_metrics(np.array([0, 1]), np.array([[0.9, 0.1], [0.2, 0.8]]))
    assert two["roc_auc"] == 1.0 and "macro_f1" not in two


def test_confusion_counts_true_by_picked() -> None:
    counts = confusion(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 1, 2, 0]), 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]
