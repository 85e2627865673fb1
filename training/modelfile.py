"""Reads a model file: YAML, validated by the schema, every problem named with its line.

    ModelFileError: path/to/file.yaml:7: iris: hidden_units: unknown key; did you mean 'hidden'?
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from training.rules import conflicts, repeated_names
from training.schema import DataSource, InitialWeights, ModelFile, ModelSpec, Recipe
from training.yamlfile import Key, YamlDocument, YamlProblem, read_yaml

ZOO_FILE = Path(__file__).with_name("zoo.yaml")
KEY_OWNERS: dict[str, type[BaseModel]] = {"models": ModelSpec, "seed_recipes": Recipe,
                                          "data": DataSource, "initial_weights": InitialWeights}


class ModelFileError(ValueError):
    """Every problem found in a model file, each as (line, text)."""

    def __init__(self, path: Path, problems: list[tuple[int, str]]) -> None:
        self.path, self.problems = path, sorted(problems)
        lines = [f"{path}:{line}: {text}" if line else f"{path}: {text}"
                 for line, text in self.problems]
        count = len(self.problems)
        lines.append(f"{count} problem{'s' if count > 1 else ''} in {path}; nothing was trained")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    specs: list[ModelSpec]
    document: YamlDocument

    def data_path(self, source: DataSource) -> Path:
        assert source.csv is not None
        return (self.path.parent / source.csv).resolve()

    def problem(self, index: int, key: Key, message: str) -> tuple[int, str]:
        return problem_at(self.document, ("models", index, *key), message)


def _reached(data: Any, key: Key) -> tuple[Key, Any]:
    """The longest prefix of `key` present in the raw data, and the value there."""
    for depth, part in enumerate(key):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return key[:depth], data
    return key, data


def _where(document: YamlDocument, key: Key) -> str:
    """`name: key.path: ` for a key inside a model entry, `key.path: ` outside one."""
    model = ""
    if len(_reached(document.data, key[:2])[0]) == 2 and key[0] == "models":
        name = _reached(document.data, (*key[:2], "name"))[1]
        model = f"{name}: " if isinstance(name, str) else f"models[{key[1]}]: "
        key = key[2:]
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in key).lstrip(".")
    return model + (f"{text}: " if text else "")


def problem_at(document: YamlDocument, key: Key, message: str) -> tuple[int, str]:
    return document.line(key), _where(document, key) + message


def _owner(key: Key) -> type[BaseModel]:
    named = [p for p in key[:-1] if isinstance(p, str) and p in KEY_OWNERS]
    return KEY_OWNERS[named[-1]] if named else ModelFile


def _message(error: dict) -> str:
    kind, key, given = error["type"], error["loc"], error.get("input")
    if kind == "extra_forbidden":
        known = list(_owner(key).model_fields)
        close = difflib.get_close_matches(str(key[-1]), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        return f"unknown key; {hint}"
    if kind == "missing":
        return "missing (this key is required)"
    text = error["msg"].removeprefix("Value error, ").replace("Input should", "should")
    if kind == "literal_error":
        close = difflib.get_close_matches(str(given), re.findall(r"'([^']*)'", text), n=1)
        return f"{text}; got {given!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    return text if kind == "value_error" else f"{text}; got {given!r}"


def _schema_problems(document: YamlDocument, exc: ValidationError) -> list[tuple[int, str]]:
    problems = []
    for error in exc.errors():
        key = tuple(error["loc"])
        reached, _ = _reached(document.data, key)
        if error["type"] in ("missing", "extra_forbidden"):
            reached = key  # the key itself: the line is its owner's (missing) or its own
        problems.append(problem_at(document, reached, _message(error)))
    return problems


def load_model_file(path: Path) -> LoadedFile:
    """Parses and validates `path`; raises ModelFileError naming every problem's line."""
    if not path.is_file():
        raise ModelFileError(path, [(0, "no such model file")])
    try:
        document = read_yaml(path)
    except YamlProblem as exc:
        raise ModelFileError(path, [(exc.line, exc.message)]) from None
    try:
        parsed = ModelFile.model_validate(document.data)
    except ValidationError as exc:
        raise ModelFileError(path, _schema_problems(document, exc)) from None
    loaded = LoadedFile(path, parsed.models, document)
    problems = [problem_at(document, key, text) for key, text in repeated_names(parsed.models)]
    for index, spec in enumerate(parsed.models):
        problems += [loaded.problem(index, key, text) for key, text in conflicts(spec)]
    if problems:
        raise ModelFileError(path, problems)
    return loaded


@functools.cache
def zoo() -> LoadedFile:
    """The model file shipped with the project (training/zoo.yaml)."""
    return load_model_file(ZOO_FILE)


def find_spec(name: str, loaded: LoadedFile | None = None) -> ModelSpec:
    """The entry named `name` (in the zoo unless another file is given); KeyError if none."""
    loaded = loaded or zoo()
    for spec in loaded.specs:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in loaded.specs)
    raise KeyError(f"unknown model {name!r} (known: {known})")
