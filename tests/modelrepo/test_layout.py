"""The naming rules both the trainer and the server follow."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelrepo.layout import is_hidden, is_model_name, is_version_name, version_numbers


@pytest.mark.parametrize("name", ["1", "2", "10", "999999999999999999"])
def test_versions_are_positive_integers_without_leading_zeros(name: str) -> None:
    assert is_version_name(name)


@pytest.mark.parametrize("name", ["0", "01", "v2", "²", "١", "1\n", " 1", "1.0", "",
                                  "1000000000000000000"])
def test_other_names_are_not_versions(name: str) -> None:
    assert not is_version_name(name)


@pytest.mark.parametrize("name", ["linear", "a", "cereal_calories", "m.v-2", "9lives"])
def test_model_names(name: str) -> None:
    assert is_model_name(name)


@pytest.mark.parametrize("name", ["", ".hidden", "-dash", "a/b", "a b", "x" * 129, "linear\n",
                                  "ü"])
def test_not_model_names(name: str) -> None:
    assert not is_model_name(name)


def test_hidden_names_start_with_a_dot() -> None:
    assert is_hidden(".staging-abc") and not is_hidden("staging")


def test_version_numbers_ignore_non_versions(tmp_path: Path) -> None:
    for name in ("1", "2", "10", "01", "v3", ".staging-x", "²"):
        (tmp_path / name).mkdir()
    (tmp_path / "4").write_text("a file, not a version")
    assert version_numbers(tmp_path) == [1, 2, 10]
    assert version_numbers(tmp_path / "missing") == []
