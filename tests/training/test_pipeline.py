"""Models of a user's own model file, trained by the CLI from CSVs and served by plain TensorFlow:
a regression with hidden layers, a binary and a three-class classification, each against its
baseline on the holdout rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.training.builders import smooth_regression, write_csv, write_model_file
from tests.training.processes import probe_savedmodels
from training.cli import main

RNG_SEED = 5


@dataclass(frozen=True)
class Trained:
    repository: Path
    rows: dict[str, list[list]]  # model -> its CSV rows (header first)
    served: dict[str, dict]  # model -> the probe's answers for every CSV row


def classification_rows(rows: int) -> tuple[list[list], list[list]]:
    rng = np.random.default_rng(RNG_SEED)
    points = rng.normal(0, 1, (rows, 2))
    binary = [["u", "v", "sick"]] + [
        [f"{u:.4f}", f"{v:.4f}", "yes" if u + v * v > 1 else "no"] for u, v in points]
    sector = (np.floor((np.arctan2(points[:, 1], points[:, 0]) + np.pi) / (2 * np.pi / 3)) % 3)
    three = [["u", "v", "sector"]] + [
        [f"{u:.4f}", f"{v:.4f}", int(s) + 1] for (u, v), s in zip(points, sector, strict=True)]
    return binary, three


def entry(name: str, data: str, output: str, task: str, **keys: object) -> dict:
    return {"name": name, "data": data, "inputs": "all but output", "output": output,
            "task": task, "hidden": [16, 8], "epochs": 200, "batch_size": 32, "seed": 3, **keys}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    folder = tmp_path_factory.mktemp("own-models")
    matrix, target = smooth_regression(300, 4, seed=RNG_SEED)
    regression = [["a", "b", "c", "d", "y"]] + [[*map(float, r), float(t)]
                                                for r, t in zip(matrix, target, strict=True)]
    regression.insert(7, [1.0, "", 0.5, "NA", 2.0])  # dropped with missing: drop
    binary, three = classification_rows(300)
    rows = {"wave": regression, "sick": binary, "sector": three}
    for name, table in rows.items():
        write_csv(folder / f"{name}.csv", table[0], table[1:])
    path = write_model_file(
        folder / "models.yaml",
        entry("wave", "wave.csv", "y", "regression", missing="drop"),
        entry("sick", "sick.csv", "sick", "binary"),
        entry("sector", "sector.csv", "sector", "multiclass", learning_rate=0.02))
    repository = folder / "models"
    assert main(["--config", str(path), "--repository", str(repository), "--quiet"]) == 0
    rows["wave"].pop(7)
    requests = [{"dir": str(repository / name / "1"),
                 "feeds": {column: [float(r[i]) for r in table[1:]]
                           for i, column in enumerate(table[0][:-1])}}
                for name, table in rows.items()]
    answers = probe_savedmodels(requests)["results"]
    return Trained(repository, rows, dict(zip(rows, answers, strict=True)))


def metadata(trained: Trained, name: str) -> dict:
    return json.loads((trained.repository / name / "1" / "metadata.json").read_text())


def test_regression_with_hidden_layers_beats_the_mean_on_the_holdout(trained: Trained) -> None:
    meta = metadata(trained, "wave")
    holdout, baseline = meta["metrics"]["holdout"], meta["metrics"]["baseline"]["holdout"]
    assert holdout["rows"] == baseline["rows"] == 60
    assert holdout["r2"] > 0.8 and baseline["r2"] <= 0
    assert holdout["rmse"] < baseline["rmse"] / 2 and holdout["mae"] < baseline["mae"] / 2
    assert meta["data"]["dropped_rows"] == 1 and meta["data"]["rows"] == 300
    assert meta["spec"]["hidden"] == [16, 8]
    assert meta["formula"] == "y = a Dense network with hidden layers of 16, 8 units"
    assert trained.served["wave"]["outputs"] == {"y": {"dtype": "float32", "shape": [None]}}


def test_binary_beats_the_majority_class(trained: Trained) -> None:
    meta = metadata(trained, "sick")
    assert (meta["task"], meta["class_names"]) == ("binary", ["no", "yes"])
    holdout, baseline = meta["metrics"]["holdout"], meta["metrics"]["baseline"]["holdout"]
    assert holdout["accuracy"] > baseline["accuracy"] + 0.15
    assert holdout["log_loss"] < baseline["log_loss"] / 2
    assert holdout["roc_auc"] > 0.95 and baseline["roc_auc"] == 0.5
    probability = np.asarray(trained.served["sick"]["answers"]["sick"])  # P("yes")
    truth = np.array([row[2] == "yes" for row in trained.rows["sick"][1:]])
    assert probability.shape == truth.shape and ((probability >= 0) & (probability <= 1)).all()
    assert np.mean((probability > 0.5) == truth) > 0.9


def test_three_classes_beat_the_majority_and_sum_to_one(trained: Trained) -> None:
    meta = metadata(trained, "sector")
    assert (meta["task"], meta["class_names"]) == ("multiclass", ["1", "2", "3"])
    assert meta["signature"]["output_row_shape"] == [3]
    holdout, baseline = meta["metrics"]["holdout"], meta["metrics"]["baseline"]["holdout"]
    assert holdout["accuracy"] > 0.85 > 0.5 > baseline["accuracy"]
    assert holdout["macro_f1"] > 0.85 and holdout["log_loss"] < baseline["log_loss"] / 2
    served = trained.served["sector"]
    assert served["outputs"] == {"sector": {"dtype": "float32", "shape": [None, 3]}}
    probabilities = np.asarray(served["answers"]["sector"])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    truth = np.array([int(row[2]) - 1 for row in trained.rows["sector"][1:]])
    assert np.mean(np.argmax(probabilities, axis=1) == truth) > 0.85


def test_metrics_on_the_training_rows_too(trained: Trained) -> None:
    for name, metric in (("wave", "r2"), ("sick", "accuracy"), ("sector", "macro_f1")):
        metrics = metadata(trained, name)["metrics"]
        assert metrics["train"][metric] > metrics["baseline"]["train"][metric]
        assert metrics["train"]["rows"] + metrics["holdout"]["rows"] == metadata(
            trained, name)["data"]["train_rows"] + metadata(trained, name)["data"]["holdout_rows"]
