"""The layers, enforced: the core imports no web framework, codecs import no transport,
`service` and `training` never import each other, and no package has an import cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGES = ("service", "training", "modelrepo")
WEB = {"fastapi", "starlette", "uvicorn", "grpc", "httpx", "h11", "httptools"}


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of its code (function bodies and
    TYPE_CHECKING blocks included), as absolute dotted names."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                node.func, "id", None)) in ("import_module", "__import__") and node.args \
                and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob(
        "*.py"))}


def imports_of(prefix: str) -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imported_modules(path) for name, path in modules.items()
            if name == prefix or name.startswith(prefix + ".")}


def offenders(prefix: str, forbidden: set[str]) -> dict[str, list[str]]:
    """Modules under `prefix` importing anything under a `forbidden` prefix."""
    found = {}
    for name, imports in imports_of(prefix).items():
        bad = sorted(m for m in imports if any(m == f or m.startswith(f + ".")
                                               for f in forbidden))
        if bad:
            found[name] = bad
    return found


def test_every_package_is_scanned() -> None:
    counts = {p: len(imports_of(p)) for p in PACKAGES}
    assert counts["service"] > 40 and counts["training"] > 10 and counts["modelrepo"] >= 3


def test_core_imports_no_web_framework_and_nothing_above_it() -> None:
    above = {"service.http", "service.grpc", "service.protocols", "service.serving",
             "service.cli", "service.settings", "service.metrics", "service.runtime"}
    assert offenders("service.core", WEB | above) == {}


def test_protocols_import_no_transport() -> None:
    assert offenders("service.protocols", WEB | {"service.http", "service.grpc",
                                                 "service.serving", "service.cli"}) == {}


def test_service_and_training_never_import_each_other() -> None:
    assert offenders("service", {"training"}) == {}
    assert offenders("training", {"service"}) == {}
    assert offenders("modelrepo", {"service", "training"}) == {}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), and self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: {m for m in imported_modules(path) if m in modules and m != name}
            for name, path in modules.items()}


@pytest.mark.parametrize("package", ["service", "training", "modelrepo"])
def test_no_import_cycles(package: str) -> None:
    graph = import_graph()
    within = {name: {t for t in targets if t.split(".")[0] == package}
              for name, targets in graph.items() if name.split(".")[0] == package}
    assert cycles(within) == []


def test_cycle_finder_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("source", ["import training.specs\n", "from training import cli\n",
                                    "import importlib\nimportlib.import_module('training.x')\n",
                                    "def f():\n    from training.labels import set_label\n"])
def test_import_scanner_sees_every_import_form(tmp_path: Path, source: str) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source)
    assert any(m.startswith("training") for m in imported_modules(probe))


def test_importing_the_service_loads_no_training_module() -> None:
    code = ("import sys, service.http.app, service.cli, service.__init__\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'training'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
