"""A YAML document read with the line of every key and item, so errors can name the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Key = tuple[str | int, ...]


class YamlProblem(ValueError):
    """A file that is not the YAML it should be; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    root: yaml.Node

    def line(self, key: Key) -> int:
        """1-based line of the deepest node the key path reaches (a key's own line for a
        mapping key, an item's line for a list item)."""
        node, line = self.root, self.root.start_mark.line + 1
        for part in key:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                match = next(((k, v) for k, v in node.value if k.value == part), None)
                if match is None:
                    return line
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                    and 0 <= part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def _duplicate_keys(node: yaml.Node) -> list[YamlProblem]:
    problems = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(YamlProblem(key.start_mark.line + 1,
                                            f"key {key.value!r} is given twice"))
            seen.add(key.value)
            problems += _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems += _duplicate_keys(item)
    return problems


def read_yaml(path: Path) -> YamlDocument:
    """Parses one YAML document; raises YamlProblem on a syntax error or a repeated key."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else 1,
                          f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"not valid YAML: {exc}") from None
    if root is None:
        raise YamlProblem(1, "the file is empty; it needs a `models:` list")
    duplicates = _duplicate_keys(root)
    if duplicates:
        raise duplicates[0]
    return YamlDocument(data, root)
