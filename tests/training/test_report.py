"""The training report image published beside each version."""

from __future__ import annotations

import struct
from pathlib import Path

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
