"""A bad model file exits 2 before any training, naming the YAML line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.builders import write_csv
from training.cli import main
from training.modelfile import ModelFileError, load_model_file

HEADER = ["age", "bmi", "sex", "target"]
ROWS = [[50 + i, 20 + i / 2, "f" if i % 2 else "m", 100 + 3 * i] for i in range(12)]


def model_file(tmp_path: Path, entry: str, rows: list[list[object]] = ROWS) -> Path:
    """`entry` is the YAML of one model (its lines start at line 3 of the file)."""
    write_csv(tmp_path / "data.csv", HEADER, rows)
    path = tmp_path / "models.yaml"
    path.write_text("models:\n  - name: progression\n" + entry)
    return path


def refused(tmp_path: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    repository = tmp_path / "repository"
    assert main(["--config", str(path), "--repository", str(repository)]) == 2
    assert not repository.exists()  # refused before any training
    return capsys.readouterr().err


GOOD = "    data: data.csv\n    inputs: [age, bmi]\n    output: target\n"

CASES = {
    # name: (entry YAML, rows, line, texts the message must hold)
    "unknown key": (GOOD + "    hidden_units: [8]\n", ROWS, 6,
                    ["progression: hidden_units: unknown key; did you mean 'hidden'?"]),
    "unknown key in a seed recipe": (
        GOOD + "    seed_recipes:\n      - name: quick\n        epoch: 5\n", ROWS, 8,
        ["progression: seed_recipes[0].epoch: unknown key; did you mean 'epochs'?"]),
    "misspelt task": (GOOD + "    task: regresion\n", ROWS, 6,
                      ["task: should be 'regression', 'binary' or 'multiclass'; got "
                       "'regresion' (did you mean 'regression'?)"]),
    "missing output": ("    data: data.csv\n    inputs: [age]\n", ROWS, 2,
                       ["progression: output: missing (this key is required)"]),
    "missing file": ("    data: nowhere.csv\n    inputs: [age]\n    output: target\n", ROWS, 3,
                     ["progression: data: no such file", "nowhere.csv"]),
    "missing column": ("    data: data.csv\n    inputs: [age, bmj]\n    output: target\n", ROWS, 4,
                       ["progression: inputs[1]: column 'bmj' is not in data.csv (columns: age, "
                        "bmi, sex, target)"]),
    "missing output column": ("    data: data.csv\n    inputs: [age]\n    output: targte\n",
                              ROWS, 5, ["output: column 'targte' is not in data.csv (columns: "]),
    "non-numeric cell": ("    data: data.csv\n    inputs: [age, sex]\n    output: target\n", ROWS,
                         4, ["progression: inputs[1]: data.csv line 2, column 'sex': 'm' is not "
                             "a finite number"]),
    "missing value": (GOOD, [*ROWS[:5], [55, "", "f", 115], *ROWS[5:]], 3,
                      ["data: data.csv line 7, column 'bmi' is empty or NA (1 rows have a "
                       "missing value): fill them in, or set missing: drop"]),
    "too few rows for the holdout": (GOOD + "    holdout: 0.05\n", ROWS[:6], 6,
                                     ["holdout: holdout 0.05 of 6 rows keeps 1 out and 5 for "
                                      "training; each needs at least 2: add rows, change "
                                      "holdout, or set holdout: 0"]),
    "one class": ("    data: data.csv\n    inputs: [age]\n    output: sex\n    task: binary\n",
                  [[50 + i, 20, "f", 1] for i in range(12)], 5,
                  ["progression: output: column 'sex' has one class ('f') in 12 rows; a "
                   "classification needs at least two"]),
    "three classes for binary": (
        "    data: data.csv\n    inputs: [age]\n    output: target\n    task: binary\n",
        [[50 + i, 20, "f", i % 3] for i in range(12)], 6,
        ["task: task: binary needs two classes; 'target' has 3 (0, 1, 2): use task: "
         "multiclass"]),
    "bad batch size": (GOOD + "    batch_size: all\n", ROWS, 6,
                       ["batch_size: must be a whole number of at least 1, or full; got 'all'"]),
    "weights with hidden layers": (GOOD + "    hidden: [4]\n    initial_weights: {kernel: [1]}\n",
                                   ROWS, 7, ["initial_weights: fixed initial weights need "
                                             "hidden: []"]),
    "YAML syntax": (GOOD + "    hidden: [4\n", ROWS, 7, ["not valid YAML"]),
    "repeated key": (GOOD + "    inputs: [age]\n", ROWS, 6, ["key 'inputs' is given twice"]),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_model_file_exits_2_naming_line_and_fix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    entry, rows, line, texts = CASES[case]
    path = model_file(tmp_path, entry, rows)
    err = refused(tmp_path, path, capsys)
    assert f"{path}:{line}: " in err
    for text in texts:
        assert text in err
    assert f"in {path}; nothing was trained" in err


def test_every_problem_of_the_file_is_listed(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = model_file(tmp_path, GOOD + "    optimiser: adam\n    epochs: 0\n"
                      "  - name: second\n    data: data.csv\n    inputs: [nope]\n"
                      "    output: target\n")
    err = refused(tmp_path, path, capsys)
    assert f"{path}:6: progression: optimiser: unknown key; did you mean 'optimizer'?" in err
    assert f"{path}:7: progression: epochs: should be greater than or equal to 1; got 0" in err
    assert "2 problems in" in err
    # the second entry is sound in form; its data is read only once the file validates
    path = model_file(tmp_path, GOOD + "  - name: second\n    data: data.csv\n"
                      "    inputs: [nope]\n    output: target\n  - name: third\n"
                      "    data: gone.csv\n    inputs: [age]\n    output: target\n")
    err = refused(tmp_path, path, capsys)
    assert f"{path}:8: second: inputs[0]: column 'nope' is not in data.csv" in err
    assert f"{path}:11: third: data: no such file" in err


def test_repeated_model_name_is_refused(tmp_path: Path) -> None:
    path = model_file(tmp_path, GOOD + "  - name: progression\n" + GOOD)
    with pytest.raises(ModelFileError) as error:
        load_model_file(path)
    assert error.value.problems == [(6, "progression: name: model name 'progression' is used "
                                        "twice")]


def test_missing_model_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(tmp_path, tmp_path / "absent.yaml", capsys)
    assert f"{tmp_path / 'absent.yaml'}: no such model file" in err


def test_unknown_model_name_lists_the_file_models(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = model_file(tmp_path, GOOD)
    assert main(["nosuch", "--config", str(path), "--repository", str(tmp_path / "r")]) == 2
    assert "unknown model 'nosuch' (known: progression)" in caplog.text
