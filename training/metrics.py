"""Evaluation metrics in NumPy (float64), with the definitions scikit-learn documents.

Regression: R² (1 - residual sum of squares / total sum of squares about the rows' own mean),
MAE, RMSE and MSE. Classification: accuracy, log loss (mean cross-entropy, probabilities clipped
to [1e-15, 1]), ROC AUC (binary: the Mann-Whitney statistic, ties counted half) and macro F1
(multiclass: the unweighted mean of every class's F1; a class never true nor predicted scores 0).
"""

from __future__ import annotations

import numpy as np

LOG_LOSS_FLOOR = 1e-15


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict:
    actual, predicted = np.asarray(actual, np.float64), np.asarray(predicted, np.float64)
    residual = actual - predicted
    total = float(np.sum((actual - actual.mean()) ** 2))
    mse = float(np.mean(residual**2))
    return {"rows": int(actual.size),
            "r2": float(1 - np.sum(residual**2) / total) if total > 0 else None,
            "mae": float(np.mean(np.abs(residual))), "rmse": float(np.sqrt(mse)), "mse": mse}


def roc_auc(positive: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve; None when the rows hold only one class."""
    positive = np.asarray(positive, bool)
    count, negatives = int(positive.sum()), int((~positive).sum())
    if count == 0 or negatives == 0:
        return None
    values, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    first_rank = np.cumsum(counts) - counts + 1
    ranks = (first_rank + (counts - 1) / 2.0)[inverse]  # tied scores share their mean rank
    return float((ranks[positive].sum() - count * (count + 1) / 2) / (count * negatives))


def macro_f1(labels: np.ndarray, chosen: np.ndarray, classes: int) -> float:
    scores = []
    for index in range(classes):
        true_positive = np.sum((chosen == index) & (labels == index))
        wrong = np.sum((chosen == index) != (labels == index))
        denominator = 2 * true_positive + wrong
        scores.append(2 * true_positive / denominator if denominator else 0.0)
    return float(np.mean(scores))


def classification_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """`probabilities`: (rows x classes), each row summing to 1; `labels`: class indices."""
    labels = np.asarray(labels, np.int64)
    probabilities = np.asarray(probabilities, np.float64)
    classes = probabilities.shape[1]
    chosen = np.argmax(probabilities, axis=1)
    picked = np.clip(probabilities[np.arange(labels.size), labels], LOG_LOSS_FLOOR, 1.0)
    metrics = {"rows": int(labels.size), "accuracy": float(np.mean(chosen == labels)),
               "log_loss": float(-np.mean(np.log(picked)))}
    if classes == 2:
        metrics["roc_auc"] = roc_auc(labels == 1, probabilities[:, 1])
    else:
        metrics["macro_f1"] = macro_f1(labels, chosen, classes)
    return metrics


def class_probabilities(task: str, answers: np.ndarray) -> np.ndarray:
    """The served answers as (rows x classes): binary answers are P(second class)."""
    answers = np.asarray(answers, np.float64)
    if task == "binary":
        return np.stack([1 - answers, answers], axis=1)
    return answers


def confusion(labels: np.ndarray, chosen: np.ndarray, classes: int) -> np.ndarray:
    """counts[true class, predicted class]."""
    counts = np.zeros((classes, classes), np.int64)
    np.add.at(counts, (np.asarray(labels, np.int64), np.asarray(chosen, np.int64)), 1)
    return counts
