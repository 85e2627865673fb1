"""What the pages show of a version's metadata.json, read defensively: the file is optional
(a SavedModel exported elsewhere has none) and may come from an older trainer or another tool,
so every field is checked for its type and anything unexpected is left out, never an error."""

from __future__ import annotations

from dataclasses import dataclass


def text(value: object) -> str | None:
    """A string, or a number written as one; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float) else None


def number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def section(metadata: object, key: str) -> dict:
    """metadata[key] when both are objects, else {}."""
    value = metadata.get(key) if isinstance(metadata, dict) else None
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Scores:
    """A metric set: how many rows, R², mean absolute and root mean squared error."""

    rows: int | None
    r2: float | None
    mae: float | None
    rmse: float | None

    @staticmethod
    def of(node: object) -> Scores | None:
        if not isinstance(node, dict):
            return None
        rows = node.get("rows")
        scores = Scores(rows if isinstance(rows, int) and not isinstance(rows, bool) else None,
                        number(node.get("r2")), number(node.get("mae")),
                        number(node.get("rmse")))
        return scores if (scores.r2, scores.mae, scores.rmse) != (None, None, None) else None


@dataclass(frozen=True)
class Metrics:
    train: Scores | None
    holdout: Scores | None
    baseline: str | None  # what the baseline predicts, e.g. "the training rows' mean y (2)"
    baseline_train: Scores | None
    baseline_holdout: Scores | None

    @staticmethod
    def of(metadata: object) -> Metrics | None:
        metrics = section(metadata, "metrics")
        baseline = section(metrics, "baseline")
        found = Metrics(Scores.of(metrics.get("train")), Scores.of(metrics.get("holdout")),
                        text(baseline.get("predictor")), Scores.of(baseline.get("train")),
                        Scores.of(baseline.get("holdout")))
        return None if found == Metrics(None, None, None, None, None) else found


@dataclass(frozen=True)
class Lineage:
    """Where a version came from."""

    created: str | None
    data_name: str | None
    data_source: str | None
    data_rows: str | None
    fingerprint: str | None  # the training data's SHA-256
    tensorflow: str | None
    keras: str | None
    python: str | None
    code_revision: str | None
    model_file: str | None
    recipe: str | None

    @staticmethod
    def of(metadata: object) -> Lineage | None:
        data, versions = section(metadata, "data"), section(metadata, "versions")
        field = metadata.get if isinstance(metadata, dict) else {}.get
        found = Lineage(
            text(field("created_at")), text(data.get("name")), text(data.get("source")),
            text(data.get("rows")), text(data.get("sha256")), text(versions.get("tensorflow")),
            text(versions.get("keras")), text(versions.get("python")),
            text(field("code_revision")), text(field("model_file")),
            text(section(metadata, "hyperparameters").get("name")))
        return None if all(v is None for v in vars(found).values()) else found


@dataclass(frozen=True)
class Facts:
    """Everything the pages show of one version's metadata."""

    present: bool  # False: no metadata.json (or not a JSON object)
    description: str | None
    formula: str | None
    metrics: Metrics | None
    lineage: Lineage | None

    @staticmethod
    def of(metadata: object) -> Facts:
        if not isinstance(metadata, dict) or not metadata:
            return Facts(False, None, None, None, None)
        return Facts(True, text(metadata.get("description")), text(metadata.get("formula")),
                     Metrics.of(metadata), Lineage.of(metadata))
