"""The service stands alone: nothing in service/ imports the training package."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

SERVICE = ROOT / "service"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                node.func, "id", None)) in ("import_module", "__import__") and node.args \
                and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def test_service_sources_import_nothing_from_training() -> None:
    sources = sorted(SERVICE.rglob("*.py"))
    assert len(sources) > 15
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p)
                                                  if m.split(".")[0] == "training")
                 for p in sources}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_import_scanner_sees_every_import_form(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import training.specs\nfrom training import cli\n"
                     "import importlib\nimportlib.import_module('training.labels')\n")
    assert imported_modules(probe) >= {"training.specs", "training", "training.labels"}


def test_importing_the_service_loads_no_training_module() -> None:
    code = ("import sys, service.app, service.cli, service.__init__\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'training'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
