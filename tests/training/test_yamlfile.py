"""YAML read with the line of every key: lines, syntax errors and repeated keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.yamlfile import YamlProblem, read_yaml

TEXT = """# a comment
models:
  - name: a
    inputs: [x, y]
    seed_recipes:
      - name: quick
        epochs: 5
"""


def test_line_of_keys_items_and_missing_keys(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(TEXT)
    document = read_yaml(path)
    assert document.data["models"][0]["inputs"] == ["x", "y"]
    assert document.line(("models",)) == 2
    assert document.line(("models", 0)) == 3
    assert document.line(("models", 0, "inputs")) == 4
    assert document.line(("models", 0, "seed_recipes", 0, "epochs")) == 7
    assert document.line(("models", 0, "output")) == 3  # absent: its owner's line
    assert document.line(("models", 5, "name")) == 2


@pytest.mark.parametrize(("text", "line", "message"), [
    ("models:\n  - name: [a\n", 3, "not valid YAML"),
    ("models:\n  - name: a\n    name: b\n", 3, "key 'name' is given twice"),
    ("", 1, "the file is empty"),
])
def test_bad_yaml_names_its_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(YamlProblem) as problem:
        read_yaml(path)
    assert problem.value.line == line and message in problem.value.message
