"""The metrics table printed at the end of a run, and the metric lines drawn on the report."""

from __future__ import annotations

from training.run import TrainingRun

METRICS = {"regression": ("r2", "mae", "rmse"),
           "binary": ("accuracy", "log_loss", "roc_auc"),
           "multiclass": ("accuracy", "log_loss", "macro_f1")}
LABELS = {"r2": "R²", "mae": "MAE", "rmse": "RMSE", "accuracy": "accuracy",
          "log_loss": "log loss", "roc_auc": "ROC AUC", "macro_f1": "macro F1"}
HIGHER_IS_BETTER = {"r2", "accuracy", "roc_auc", "macro_f1"}


def number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:.4g}"


def metric_line(task: str, metrics: dict) -> str:
    """`R² 0.605, MAE 18.4, RMSE 22.1`"""
    return ", ".join(f"{LABELS[m]} {number(metrics.get(m))}" for m in METRICS[task])


def _stopping(run: TrainingRun) -> str:
    result = run.result
    text = f"{result.epochs} epochs ({result.steps} steps), stopped by {result.stop_reason}"
    if result.best_epoch is not None:
        text += f", weights of epoch {result.best_epoch} (lowest holdout loss) kept"
    return text


def run_heading(run: TrainingRun, version: int | None = None) -> str:
    tag = run.spec.name if version is None else f"{run.spec.name}:v{version}"
    held = f", {run.holdout.rows} held out" if run.holdout else ", none held out"
    return (f"{tag} ({run.spec.task}, recipe {run.recipe.name}): {run.train.rows} training rows"
            f"{held}; {_stopping(run)}")


def table(run: TrainingRun, version: int | None = None) -> str:
    """A block per run: heading, formula, and each metric for the model and the baseline."""
    evaluation = run.evaluation
    splits = [name for name in ("holdout", "train") if name in evaluation]
    header = f"  {'metric':<10}" + "".join(f"{s:>10}{'baseline':>10}" for s in splits)
    lines = [run_heading(run, version), f"  {run.formula}",
             f"  baseline: {evaluation['baseline']['predictor']}", header]
    for metric in METRICS[run.spec.task]:
        cells = "".join(f"{number(evaluation[s].get(metric)):>10}"
                        f"{number(evaluation['baseline'][s].get(metric)):>10}" for s in splits)
        better = "higher" if metric in HIGHER_IS_BETTER else "lower"
        lines.append(f"  {LABELS[metric]:<10}{cells}   ({better} is better)")
    return "\n".join(lines) + "\n"
