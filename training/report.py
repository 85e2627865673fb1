"""The training report image: loss curve beside the fit against the data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

if TYPE_CHECKING:
    from training.pipeline import TrainingRun


def _plot_fit(run: TrainingRun, axis: plt.Axes) -> None:
    spec, data = run.spec, run.data
    if len(spec.inputs) == 1:
        x = data.features[spec.inputs[0]]
        grid = np.linspace(float(x.min()), float(x.max()), 200, dtype=np.float32)
        axis.scatter(x, data.target, s=12, color="tab:red", label="data")
        axis.plot(grid, run.predict(grid.reshape(-1, 1)), color="tab:blue", label="model")
        axis.set_xlabel(spec.inputs[0])
        axis.set_ylabel(spec.output)
    else:
        for part, color in ((run.train, "tab:blue"), (run.holdout, "tab:orange")):
            if part is not None:
                label = "train" if part is run.train else "holdout"
                axis.scatter(part.target, run.predict(part.matrix(spec.inputs)), s=12,
                             color=color, label=label)
        low, high = float(data.target.min()), float(data.target.max())
        axis.plot([low, high], [low, high], color="grey", linestyle="--", label="ideal")
        axis.set_xlabel(f"actual {spec.output}")
        axis.set_ylabel(f"predicted {spec.output}")
    axis.set_title(run.formula, fontsize=8)
    axis.legend(fontsize=8)


def write_report(run: TrainingRun, path: Path) -> None:
    figure, (loss_axis, fit_axis) = plt.subplots(1, 2, figsize=(10, 4))
    losses = np.maximum(np.asarray(run.result.losses), 1e-30)
    loss_axis.semilogy(np.arange(1, losses.size + 1), losses)
    loss_axis.set_xlabel("step (full batch)")
    loss_axis.set_ylabel(f"training loss ({run.spec.loss})")
    loss_axis.set_title(f"{run.spec.name}: {run.recipe.name}, {run.result.steps} steps")
    _plot_fit(run, fit_axis)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
