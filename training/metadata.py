"""The lineage record written beside each published version as metadata.json."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import keras
import tensorflow as tf

from training.run import TrainingRun
from training.schema import Training

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def code_revision() -> str | None:
    """`CODE_REVISION` when set (containers), else the git commit, with `-dirty` if modified."""
    if os.environ.get("CODE_REVISION"):
        return os.environ["CODE_REVISION"]
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True,
                                  text=True, timeout=5, check=True).stdout.strip()
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def layer_weights(run: TrainingRun) -> dict[str, dict[str, list]]:
    weights = {}
    for layer in run.model.layers:
        if isinstance(layer, keras.layers.Dense):
            kernel, bias = (w.tolist() for w in layer.get_weights())
            weights[layer.name] = {"kernel": kernel, "bias": bias}
    return weights


def _signature(run: TrainingRun) -> dict:
    classes = run.data.class_names
    shape = [len(classes)] if run.spec.task == "multiclass" and classes else []
    return {"inputs": list(run.spec.inputs), "outputs": [run.spec.output], "dtype": "float32",
            "row_shape": [], "output_row_shape": shape}


def _data(run: TrainingRun) -> dict:
    return {"name": run.data.name, "source": run.data.source, "rows": run.data.rows,
            "train_rows": run.train.rows, "holdout_rows": run.holdout.rows if run.holdout else 0,
            "dropped_rows": run.data.dropped_rows, "sha256": run.data.fingerprint()}


def _metrics(run: TrainingRun) -> dict:
    result = run.result
    return {"final_loss": result.final_loss, "steps": result.steps, "epochs": result.epochs,
            "converged": result.converged, "stop_reason": result.stop_reason,
            "best_epoch": result.best_epoch, **run.evaluation}


def build_metadata(run: TrainingRun, version: int, model_file: Path | None = None) -> dict:
    spec, recipe = run.spec, run.recipe
    own = spec.model_dump(exclude={"seed_recipes", "data", *Training.model_fields})
    hyper = recipe.model_dump(exclude={"data"})
    return {
        "model": spec.name,
        "version": version,
        "tag": f"{spec.name}:v{version}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "description": spec.description,
        "task": spec.task,
        "class_names": list(run.data.class_names) if run.data.class_names else None,
        "signature": _signature(run),
        "spec": own,
        "hyperparameters": {**hyper, "loss": spec.loss, "seed": spec.seed},
        "model_file": str(model_file) if model_file else None,
        "data": _data(run),
        "metrics": _metrics(run),
        "weights": layer_weights(run),
        "coefficients": run.terms,
        "formula": run.formula,
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__,
                     "python": platform.python_version()},
        "code_revision": code_revision(),
    }
