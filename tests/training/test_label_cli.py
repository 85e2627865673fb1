"""`python -m training label ...`: labels.json, named errors, and --wait against a live server."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from tests.support import LiveServer, free_port
from tests.training.processes import run_training_cli
from training.cli import main


def test_label_help_names_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["label", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--remove", "--repository", "version", "--wait URL", "--wait-timeout",
                 "POLL_INTERVAL_SECONDS"):
        assert flag in out


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


def test_label_unknown_model_is_named_with_the_models(repository: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    assert main(["label", "nosuch", "stable", "1", "--repository", str(repository)]) == 2
    assert (f"unknown model 'nosuch' in {repository} (models: celsius_to_fahrenheit, "
            "cereal_calories, linear, quadratic)") in caplog.text
    assert not (repository / "nosuch").exists()


def test_label_missing_repository_is_named(tmp_path: Path) -> None:
    done = run_training_cli("label", "linear", "stable", "1", "--repository",
                            str(tmp_path / "absent"))
    assert done.returncode == 2
    assert f"repository '{tmp_path / 'absent'}' does not exist" in done.stderr
    assert not (tmp_path / "absent").exists()


def test_label_without_wait_says_when_the_server_applies_it(
        repository: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="training")
    assert main(["label", "linear", "stable", "1", "--repository", str(repository)]) == 0
    assert "applies this at its next repository poll" in caplog.text


def test_label_wait_returns_once_the_server_answers_by_label(
        repository: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="training")
    with LiveServer(repository, poll_interval_seconds=1.0) as server:
        stable = f"{server.url}/predict/linear?label=stable"
        assert httpx.post(stable, json={"instances": [1]}).status_code == 404
        assert main(["label", "linear", "stable", "1", "--repository", str(repository),
                     "--wait", server.url]) == 0
        answer = httpx.post(stable, json={"instances": [1]})  # at once, no sleep
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] == 1
        assert f"{server.url} shows it after" in caplog.text
        assert main(["label", "linear", "stable", "--remove", "--repository", str(repository),
                     "--wait", server.url]) == 0
        assert httpx.post(stable, json={"instances": [1]}).status_code == 404


def test_label_wait_times_out_naming_what_it_saw(repository: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    assert main(["label", "linear", "stable", "1", "--repository", str(repository), "--wait",
                 url, "--wait-timeout", "0.5"]) == 1
    assert f"{url} did not show stable -> 1 for linear within 0.5 s" in caplog.text
    assert "no answer" in caplog.text and "the label is written" in caplog.text
    assert json.loads((repository / "linear" / "labels.json").read_text()) == {"stable": 1}
