"""The command line: `python -m training [NAME ...] ...` and `python -m training label ...`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.training.processes import run_training_cli
from training.cli import main
from training.modelfile import zoo


def steps_published(repository: Path, name: str, version: int) -> int:
    metadata = json.loads((repository / name / str(version) / "metadata.json").read_text())
    return metadata["metrics"]["steps"]


def test_help_names_every_flag() -> None:
    done = run_training_cli("--help")
    assert done.returncode == 0, done.stderr
    for flag in ("--repository", "--seed-recipe", "--epochs", "--quiet", "MODEL_REPOSITORY",
                 "--config", "label NAME LABEL VERSION", *(spec.name for spec in zoo().specs)):
        assert flag in done.stdout


def test_train_unknown_model_exits_2_listing_known(tmp_path: Path) -> None:
    done = run_training_cli("linear", "nosuch", "--repository", str(tmp_path / "models"))
    assert done.returncode == 2
    assert "unknown model 'nosuch'" in done.stderr
    for spec in zoo().specs:
        assert spec.name in done.stderr
    assert not (tmp_path / "models").exists()  # refused before training anything


@pytest.mark.parametrize("epochs", [20, 35])
def test_train_epochs_sets_steps_run(tmp_path: Path, epochs: int) -> None:
    assert main(["linear", "--epochs", str(epochs), "--repository", str(tmp_path),
                 "--quiet"]) == 0
    assert steps_published(tmp_path, "linear", 1) == epochs


@pytest.mark.parametrize("epochs", ["0", "-5", "ten"])
def test_train_epochs_not_positive_refused(tmp_path: Path, epochs: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["linear", "--epochs", epochs, "--repository", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "--epochs" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_train_unknown_seed_recipe_publishes_nothing(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    # linear has gradient-tape, celsius_to_fahrenheit has not: refuse before training linear
    assert main(["--seed-recipe", "gradient-tape", "--repository", str(tmp_path)]) == 2
    assert "no seed recipe 'gradient-tape' (known: keras-adam)" in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_train_seed_recipe_by_name(tmp_path: Path) -> None:
    assert main(["linear", "--seed-recipe", "gradient-tape", "--repository", str(tmp_path),
                 "--quiet"]) == 0
    metadata = json.loads((tmp_path / "linear" / "1" / "metadata.json").read_text())
    assert metadata["hyperparameters"]["name"] == "gradient-tape"
    assert metadata["metrics"]["steps"] == 50
    assert metadata["formula"] == "y = 1.9894*x - 0.9672"  # README "Training"


def test_train_seed_recipe_skips_model_without_one(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    assert main(["cereal_calories", "--seed-recipe", "--repository", str(tmp_path)]) == 0
    assert "cereal_calories: the seed shows no training run to reproduce" in caplog.text
    assert not (tmp_path / "cereal_calories").exists()


def test_train_prints_a_metrics_table_naming_each_model(tmp_path: Path) -> None:
    done = run_training_cli("cereal_calories", "linear", "--repository", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "training cereal_calories (regression, recipe default): 65 rows" in done.stderr
    lines = done.stdout.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("cereal_calories:v1 "))
    assert "52 training rows, 13 held out" in lines[heading]
    assert lines[heading + 2] == "  baseline: the training rows' mean calories (149.1)"
    assert lines[heading + 3].split() == ["metric", "holdout", "baseline", "train", "baseline"]
    r2 = lines[heading + 4].split()
    assert r2[0] == "R²" and float(r2[1]) > 0.5 > float(r2[2])
    assert any(line.startswith("linear:v1 ") for line in lines)
    assert "  y = 2.0000*x - 1.0000" in lines


def test_train_quiet_prints_no_table(tmp_path: Path) -> None:
    done = run_training_cli("linear", "--quiet", "--epochs", "5", "--repository", str(tmp_path))
    assert done.returncode == 0 and done.stdout == ""
