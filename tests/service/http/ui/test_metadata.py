"""The pages' reading of metadata.json: the trainer's layout in full, and files that are absent,
older or of another shape (every field checked, nothing unexpected shown, never an error)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.http.ui.metadata import Facts, Lineage, Metrics, Scores


def test_the_trainers_metadata_is_read_in_full(trained_repository: Path) -> None:
    metadata = json.loads((trained_repository / "cereal_calories/1/metadata.json").read_text())
    facts = Facts.of(metadata)
    assert facts.present and facts.formula == metadata["formula"]
    assert facts.description == metadata["description"]
    metrics = facts.metrics
    assert metrics is not None and metrics.holdout is not None and metrics.train is not None
    holdout = metadata["metrics"]["holdout"]
    assert (metrics.holdout.rows, metrics.holdout.r2, metrics.holdout.mae) == \
        (holdout["rows"], holdout["r2"], holdout["mae"])
    assert metrics.baseline == metadata["metrics"]["baseline"]["predictor"]
    assert metrics.baseline_holdout is not None and metrics.baseline_train is not None
    lineage = facts.lineage
    assert lineage is not None
    assert lineage.fingerprint == metadata["data"]["sha256"] and len(lineage.fingerprint) == 64
    assert lineage.created == metadata["created_at"]
    assert (lineage.tensorflow, lineage.keras) == (metadata["versions"]["tensorflow"],
                                                   metadata["versions"]["keras"])
    assert lineage.code_revision == metadata["code_revision"]


def test_a_model_without_holdout_rows_has_training_scores_only(trained_repository: Path) -> None:
    metadata = json.loads((trained_repository / "linear/1/metadata.json").read_text())
    metrics = Facts.of(metadata).metrics
    assert metrics is not None and metrics.holdout is None and metrics.baseline_holdout is None
    assert metrics.train is not None and metrics.train.rows == 6


@pytest.mark.parametrize("metadata", [None, {}, [], "text", 3])
def test_no_metadata_is_absent_not_an_error(metadata: object) -> None:
    assert Facts.of(metadata) == Facts(False, None, None, None, None)


@pytest.mark.parametrize("metadata", [
    {"formula": 42, "description": ["a"], "metrics": [1, 2], "data": "x", "versions": None},
    {"metrics": {"train": "good", "holdout": {"r2": "high"}, "baseline": 5}},
    {"metrics": {"train": {"r2": True, "mae": None}}, "created_at": {"when": 1}},
    {"signature": {"inputs": ["x"]}},
])
def test_other_shapes_show_nothing_unexpected(metadata: dict) -> None:
    facts = Facts.of(metadata)
    assert facts.present
    assert facts.description is None and facts.metrics is None and facts.lineage is None
    assert facts.formula in (None, "42")


def test_an_older_flat_layout_keeps_what_it_shares() -> None:
    older = {"formula": "y = 2*x", "metrics": {"final_loss": 0.1, "r2": 0.9},
             "created_at": "2025-01-01T00:00:00Z", "data": {"rows": 6, "sha256": "ab"}}
    facts = Facts.of(older)
    assert facts.formula == "y = 2*x" and facts.metrics is None
    assert facts.lineage == Lineage("2025-01-01T00:00:00Z", None, None, "6", "ab", None, None,
                                    None, None, None, None)


def test_partial_scores_keep_what_is_numeric() -> None:
    assert Scores.of({"rows": "many", "r2": 0.5}) == Scores(None, 0.5, None, None)
    assert Metrics.of({"metrics": {"baseline": {"predictor": "mean"}}}) == \
        Metrics(None, None, "mean", None, None)
