"""python -m deploy.validation: one line per manifest and a count of problems."""

from __future__ import annotations

import pytest

from deploy.validation import __main__ as cli
from deploy.validation import kustomize


def test_every_manifest_is_reported_valid(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kustomize, "kubectl", lambda: None)  # rendering: test_kustomize.py
    assert cli.main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "0 problem(s)"
    assert "ok   deploy/kubernetes/deployment.yaml[0] Deployment/dense-serving (Kubernetes " \
           "1.29, " in lines[0]
    assert sum(line.startswith("ok   deploy/") for line in lines) == 12


def test_a_problem_is_printed_and_fails_the_run(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kustomize, "kubectl", lambda: None)
    monkeypatch.setattr(kustomize, "reference_problems", lambda: ["kustomization.yaml: bad"])
    assert cli.main() == 1
    captured = capsys.readouterr()
    assert "kustomization.yaml: bad" in captured.err
    assert captured.out.splitlines()[-1] == "1 problem(s)"
