"""One training run: rows -> model -> fit -> evaluation -> published version."""

from __future__ import annotations

import json
from pathlib import Path

from training.datasets import Dataset, split_holdout
from training.exporting import export_savedmodel
from training.fitting import fit
from training.metadata import build_metadata
from training.modeling import build_model
from training.publishing import publish_version
from training.report import write_report
from training.run import TrainingRun
from training.schema import DEFAULT_RECIPE, ModelSpec, Recipe


def train_model(spec: ModelSpec, recipe: Recipe, data: Dataset,
                progress: bool = False) -> TrainingRun:
    """Fits `spec` with `recipe` on `data` (inputs resolved to columns)."""
    train, holdout = split_holdout(data, spec.holdout, spec.seed)
    model = build_model(spec, recipe, train)
    held = None if holdout is None else (holdout.matrix(spec.inputs), holdout.target)
    label = spec.name if recipe.name == DEFAULT_RECIPE else f"{spec.name} ({recipe.name})"
    result = fit(model, recipe, spec.task, (train.matrix(spec.inputs), train.target), held,
                 seed=spec.seed, label=label, progress=progress)
    return TrainingRun(spec, recipe, data, train, holdout, model, result)


def publish_run(run: TrainingRun, repository: Path, model_file: Path | None = None) -> int:
    """Exports, stamps metadata and report, and publishes as the next version."""

    def export(staging: Path) -> None:
        export_savedmodel(run.spec, run.model, staging)
        write_report(run, staging / "report.png")

    def stamp(staging: Path, version: int) -> None:
        metadata = build_metadata(run, version, model_file)
        (staging / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")

    return publish_version(repository / run.spec.name, export, stamp)
