"""The report's right panel: what the model answers, against the data and the baseline."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from training.datasets import Dataset
from training.metrics import class_probabilities, confusion
from training.run import TrainingRun


def _parts(run: TrainingRun) -> list[tuple[str, Dataset, str]]:
    parts = [("training rows", run.train, "tab:blue")]
    if run.holdout is not None:
        parts.append(("holdout rows", run.holdout, "tab:orange"))
    return parts


def _curve(run: TrainingRun, axis: plt.Axes, mean: float) -> None:
    name = run.spec.inputs[0]
    x = run.data.features[name]
    grid = np.linspace(float(x.min()), float(x.max()), 200, dtype=np.float32)
    for label, part, color in _parts(run):
        axis.scatter(part.features[name], part.target, s=14, color=color, label=label)
    axis.plot(grid, run.predict(grid.reshape(-1, 1)), color="tab:red", label="model's answer")
    axis.axhline(mean, color="grey", linestyle="--", label=f"baseline: mean {mean:.4g}")
    axis.set_xlabel(name)
    axis.set_ylabel(run.spec.output)
    axis.set_title(f"What the model answers for each {name}", fontsize=10)


def _predicted_vs_actual(run: TrainingRun, axis: plt.Axes, mean: float) -> None:
    for label, part, color in _parts(run):
        axis.scatter(part.target, run.predict(part.matrix(run.spec.inputs)), s=14, color=color,
                     label=label)
    low, high = float(run.data.target.min()), float(run.data.target.max())
    axis.plot([low, high], [low, high], color="tab:red", label="perfect answers")
    axis.axhline(mean, color="grey", linestyle="--", label=f"baseline: mean {mean:.4g}")
    axis.set_xlabel(f"actual {run.spec.output}")
    axis.set_ylabel(f"model's {run.spec.output}")
    axis.set_title("Model's answer against the true value (closer to the line is better)",
                   fontsize=10)


def _confusion(run: TrainingRun, axis: plt.Axes) -> None:
    label, part, _ = _parts(run)[-1]
    names = run.data.class_names or ()
    probabilities = class_probabilities(run.spec.task, run.predict(part.matrix(run.spec.inputs)))
    counts = confusion(part.target, np.argmax(probabilities, axis=1), len(names))
    axis.imshow(counts, cmap="Blues")
    for (row, column), count in np.ndenumerate(counts):
        axis.text(column, row, str(count), ha="center", va="center",
                  color="white" if count > counts.max() / 2 else "black")
    ticks = range(len(names))
    axis.set_xticks(ticks, names, rotation=30, ha="right", fontsize=8)
    axis.set_yticks(ticks, names, fontsize=8)
    axis.set_xlabel("class the model picks (highest probability)")
    axis.set_ylabel("true class")
    right = int(np.trace(counts))
    axis.set_title(f"Classes picked on the {label}: {right} of {part.rows} right "
                   "(diagonal)", fontsize=10)


def plot_answers(run: TrainingRun, axis: plt.Axes) -> None:
    if run.spec.task != "regression":
        _confusion(run, axis)
        return
    mean = float(np.mean(run.train.target.astype(np.float64)))
    if len(run.spec.inputs) == 1:
        _curve(run, axis, mean)
    else:
        _predicted_vs_actual(run, axis, mean)
    axis.legend(fontsize=8)
