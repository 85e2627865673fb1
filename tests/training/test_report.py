"""The training report image published beside each version."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from training.modelfile import zoo
from training.schema import ModelSpec

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("spec", zoo().specs, ids=lambda s: s.name)
def test_report_is_a_png_beside_the_version(trained_repository: Path, spec: ModelSpec) -> None:
    image = (trained_repository / spec.name / "1" / "report.png").read_bytes()
    assert image[:8] == PNG_SIGNATURE
    assert image[12:16] == b"IHDR"
    width, height = struct.unpack(">II", image[16:24])
    assert width > height >= 200  # two panels side by side: loss curve and fit
    assert len(image) > 10_000  # drawn, not blank


def test_classification_report_draws_the_confusion_matrix(tmp_path: Path) -> None:
    from tests.training.builders import dataset, spec
    from training.pipeline import train_model
    from training.report import write_report

    labels = np.repeat([0, 1, 2], 20)
    matrix = (labels[:, None] + np.random.default_rng(0).normal(0, 0.2, (60, 1))).astype(
        np.float32)
    entry = spec(task="multiclass", epochs=30, batch_size=16, holdout=0.25)
    run = train_model(entry, entry.default_recipe(),
                      dataset(matrix, labels, ["x"], ("low", "mid", "high")))
    path = tmp_path / "report.png"
    write_report(run, path)
    image = path.read_bytes()
    assert image[:8] == PNG_SIGNATURE and len(image) > 10_000
    assert run.evaluation["holdout"]["rows"] == 15
