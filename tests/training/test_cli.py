"""The command line: `python -m training [NAME ...] ...` and `python -m training label ...`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.training.processes import run_training_cli
from training.cli import main
from training.specs import ZOO


def steps_published(repository: Path, name: str, version: int) -> int:
    metadata = json.loads((repository / name / str(version) / "metadata.json").read_text())
    return metadata["metrics"]["steps"]


def test_help_names_every_flag() -> None:
    done = run_training_cli("--help")
    assert done.returncode == 0, done.stderr
    for flag in ("--repository", "--seed-recipe", "--epochs", "--quiet", "MODEL_REPOSITORY",
                 "label NAME LABEL VERSION", *(spec.name for spec in ZOO)):
        assert flag in done.stdout


def test_label_help_names_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["label", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--remove", "--repository", "version"):
        assert flag in out


def test_train_unknown_model_exits_2_listing_known(tmp_path: Path) -> None:
    done = run_training_cli("linear", "nosuch", "--repository", str(tmp_path / "models"))
    assert done.returncode == 2
    assert "unknown model 'nosuch'" in done.stderr
    for spec in ZOO:
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
    assert metadata["formula"] == "y = 1.9894*x - 0.9672"


def test_train_seed_recipe_skips_model_without_one(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    assert main(["cereal_calories", "--seed-recipe", "--repository", str(tmp_path)]) == 0
    assert "cereal_calories: the seed shows no training run to reproduce" in caplog.text
    assert not (tmp_path / "cereal_calories").exists()


def test_label_command_writes_labels_json(repository: Path) -> None:
    (repository / "linear" / "2").mkdir()  # a second version to point at
    assert main(["label", "linear", "stable", "1", "--repository", str(repository)]) == 0
    assert main(["label", "linear", "canary", "2", "--repository", str(repository)]) == 0
    labels = json.loads((repository / "linear" / "labels.json").read_text())
    assert labels == {"canary": 2, "stable": 1}


def test_label_command_unknown_version_exits_2(repository: Path) -> None:
    done = run_training_cli("label", "linear", "stable", "9", "--repository", str(repository))
    assert done.returncode == 2
    assert "linear has no version 9 (published: [1])" in done.stderr
    assert not (repository / "linear" / "labels.json").exists()


def test_label_command_remove(repository: Path) -> None:
    assert main(["label", "linear", "stable", "1", "--repository", str(repository)]) == 0
    assert main(["label", "linear", "canary", "1", "--repository", str(repository)]) == 0
    assert main(["label", "linear", "canary", "--remove", "--repository", str(repository)]) == 0
    labels = json.loads((repository / "linear" / "labels.json").read_text())
    assert labels == {"stable": 1}
    assert main(["label", "linear", "canary", "--remove", "--repository", str(repository)]) == 2


@pytest.mark.parametrize("label", ["1st", "with space", "a/b", "ünïcode"])
def test_label_command_invalid_label_exits_2(repository: Path, label: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    assert main(["label", "linear", label, "1", "--repository", str(repository)]) == 2
    assert f"invalid label {label!r}" in caplog.text
    assert not (repository / "linear" / "labels.json").exists()


def test_label_command_invalid_model_name_exits_2(repository: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    outside = repository.parent / "outside"
    (outside / "1").mkdir(parents=True)  # a directory that looks like a model, outside
    assert main(["label", "../outside", "stable", "1", "--repository", str(repository)]) == 2
    assert "invalid model name '../outside'" in caplog.text
    assert not (outside / "labels.json").exists()


def test_label_command_needs_version_unless_remove(repository: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["label", "linear", "stable", "--repository", str(repository)])
    assert exit_info.value.code == 2
    assert "VERSION is required unless --remove is given" in capsys.readouterr().err
