"""The training package has no import cycle, counting every import (also inside functions and
under TYPE_CHECKING), and imports nothing from service/."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import ROOT

PACKAGE = ROOT / "training"


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def module_graph() -> dict[str, set[str]]:
    modules = {f"training.{p.stem}": p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return {name: {m for m in imports_of(path) if m in modules and m != name}
            for name, path in modules.items()}


def cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    stack, seen = [(start, [start])], set()
    while stack:
        node, trail = stack.pop()
        for child in graph[node]:
            if child == start:
                return [*trail, start]
            if child not in seen:
                seen.add(child)
                stack.append((child, [*trail, child]))
    return None


def test_no_import_cycle_in_training() -> None:
    graph = module_graph()
    assert len(graph) > 20
    cycles = {name: cycle for name in graph if (cycle := cycle_from(graph, name))}
    assert cycles == {}


def test_cycle_finder_sees_a_cycle() -> None:
    assert cycle_from({"a": {"b"}, "b": {"c"}, "c": {"a"}}, "a") == ["a", "b", "c", "a"]


def test_training_imports_nothing_from_service() -> None:
    offenders = {p.name: sorted(m for m in imports_of(p) if m.split(".")[0] == "service")
                 for p in PACKAGE.glob("*.py")}
    assert {name: found for name, found in offenders.items() if found} == {}
