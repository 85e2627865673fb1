"""The lineage record written beside each published version as metadata.json."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import tensorflow as tf

if TYPE_CHECKING:
    from training.pipeline import TrainingRun

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


def build_metadata(run: TrainingRun, version: int, evaluation: dict) -> dict:
    spec, recipe = run.spec, run.recipe
    return {
        "model": spec.name,
        "version": version,
        "tag": f"{spec.name}:v{version}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "description": spec.description,
        "signature": {"inputs": list(spec.inputs), "outputs": [spec.output],
                      "dtype": "float32", "row_shape": []},
        "spec": {k: v for k, v in asdict(spec).items() if k not in ("default", "seed_recipes")},
        "hyperparameters": {**asdict(recipe), "loss": spec.loss, "seed": spec.seed,
                            "batch": "full"},
        "data": {"name": run.data.name, "source": run.data.source, "rows": run.data.rows,
                 "train_rows": run.train.rows,
                 "holdout_rows": run.holdout.rows if run.holdout else 0,
                 "sha256": run.data.fingerprint()},
        "metrics": {"final_loss": run.result.final_loss, "steps": run.result.steps,
                    "converged": run.result.converged, **evaluation},
        "weights": layer_weights(run),
        "coefficients": run.terms,
        "formula": run.formula,
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__,
                     "python": platform.python_version()},
        "code_revision": code_revision(),
    }
