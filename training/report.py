"""The training report image: how the error fell, what the model answers, and its numbers.

Left: the loss per epoch on the training rows (and the holdout rows), beside the baseline's.
Right: a regression's answers against the data (the learned curve for one input, predicted
against actual otherwise) with the baseline drawn in; a classification's confusion matrix.
Below: the learned formula and the metrics of the model and of the baseline.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from training.report_panels import plot_answers  # noqa: E402
from training.run import TrainingRun  # noqa: E402
from training.summary import metric_line  # noqa: E402

LOSS_NAMES = {"regression": "mean squared error", "binary": "log loss (cross-entropy)",
              "multiclass": "log loss (cross-entropy)"}


def _baseline_loss(run: TrainingRun) -> float:
    baseline = run.evaluation["baseline"]["train"]
    return baseline["mse"] if run.spec.task == "regression" else baseline["log_loss"]


def _plot_losses(run: TrainingRun, axis: plt.Axes) -> None:
    result = run.result
    epochs = np.arange(1, len(result.losses) + 1)
    axis.semilogy(epochs, np.maximum(result.losses, 1e-30), label="training rows")
    if result.holdout_losses:
        axis.semilogy(epochs, np.maximum(result.holdout_losses, 1e-30), label="holdout rows")
    constant = "the training mean" if run.spec.task == "regression" else "the class shares"
    axis.axhline(_baseline_loss(run), color="grey", linestyle="--",
                 label=f"baseline: always {constant}")
    if result.best_epoch is not None:
        axis.axvline(result.best_epoch, color="tab:green", linestyle=":",
                     label=f"kept: epoch {result.best_epoch}")
    axis.set_xlabel("epoch (one pass over the training rows)")
    axis.set_ylabel(LOSS_NAMES[run.spec.task])
    axis.set_title(f"How the error fell over {result.epochs} epochs (lower is better)",
                   fontsize=10)
    axis.legend(fontsize=8)


def _caption(run: TrainingRun) -> str:
    evaluation, task = run.evaluation, run.spec.task
    split = "holdout" if "holdout" in evaluation else "train"
    rows = evaluation[split]["rows"]
    which = "held-out rows" if split == "holdout" else "training rows (none held out)"
    lines = [f"Learned: {run.formula}",
             f"On {rows} {which}: {metric_line(task, evaluation[split])}",
             f"Baseline, {evaluation['baseline']['predictor']}: "
             f"{metric_line(task, evaluation['baseline'][split])}"]
    return "\n".join(textwrap.shorten(line, 150, placeholder=" ...") for line in lines)


def write_report(run: TrainingRun, path: Path) -> None:
    figure, (loss_axis, answer_axis) = plt.subplots(1, 2, figsize=(11, 5.2))
    inputs = ", ".join(run.spec.inputs)
    figure.suptitle(textwrap.shorten(f"{run.spec.name}: {run.spec.output} from {inputs} "
                                     f"({run.spec.task}, recipe {run.recipe.name})", 110),
                    fontsize=12)
    _plot_losses(run, loss_axis)
    plot_answers(run, answer_axis)
    figure.text(0.01, 0.01, _caption(run), fontsize=9, va="bottom", family="monospace")
    figure.tight_layout(rect=(0, 0.14, 1, 1))
    figure.savefig(path, dpi=80)
    plt.close(figure)
