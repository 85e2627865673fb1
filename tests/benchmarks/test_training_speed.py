"""Smoke test of the training benchmark at a few epochs (speed itself is never asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.training_speed import WEIGHT_TOLERANCE, main


def test_training_speed_writes_table_and_json(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "training_speed.json"
    assert main(["--epochs", "5", "--batch-epochs", "2", "--output", str(output)]) == 0
    table = capsys.readouterr().out
    for heading in ("model", "fit(epochs) s", "ours s", "ratio", "max |dw|"):
        assert heading in table
    report = json.loads(output.read_text())
    rows = {row["model"]: row for row in report["results"]}
    assert set(rows) == {"linear", "celsius_to_fahrenheit", "dense_400x10"}
    assert (rows["dense_400x10"]["epochs"], rows["dense_400x10"]["steps"]) == (2, 2 * 13)
    for row in rows.values():
        assert row["epochs"] == (2 if row["model"] == "dense_400x10" else 5)
        assert row["ours_final_loss"] == pytest.approx(row["seeds_final_loss"], rel=1e-4)
        assert row["start_weight_difference"] == 0.0  # both ways start from the same model
        assert row["max_weight_difference"] <= WEIGHT_TOLERANCE
        assert row["ratio"] == pytest.approx(row["seeds_seconds"] / row["ours_seconds"])
        assert f"{row['model']:<24}" in table
