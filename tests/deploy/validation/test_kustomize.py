"""The kustomizations name every manifest and nothing missing; what kubectl renders from them
(the base, and the base with the in-flight autoscaling component) is valid too."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.validation import kubernetes, kustomize

needs_kubectl = pytest.mark.skipif(kustomize.kubectl() is None,
                                   reason="kubectl (which holds kustomize) is not installed")


def test_the_kustomizations_name_every_manifest_and_nothing_missing() -> None:
    assert kustomize.reference_problems() == []


def test_a_missing_file_and_an_unnamed_manifest_are_reported(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - deploymnet.yaml\n")
    (tmp_path / "deployment.yaml").write_text("kind: Deployment\n")
    assert kustomize.reference_problems(tmp_path) == [
        f"{tmp_path / 'kustomization.yaml'}: names deploymnet.yaml, which does not exist",
        f"{tmp_path / 'deployment.yaml'}: not named by any kustomization.yaml"]


@needs_kubectl
def test_the_rendered_base_is_valid() -> None:
    rendered = kustomize.render()
    assert sorted(m.kind for m in rendered) == [
        "Deployment", "HorizontalPodAutoscaler", "Job", "PersistentVolumeClaim",
        "PodDisruptionBudget", "Service"]
    assert [p for m in rendered for p in kubernetes.problems(m)] == []
    (hpa,) = [m for m in rendered if m.kind == "HorizontalPodAutoscaler"]
    assert [metric["type"] for metric in hpa.body["spec"]["metrics"]] == ["Resource"]
    (server,) = [m for m in rendered if m.kind == "Deployment"]
    assert server.body["spec"]["template"]["spec"]["containers"][0]["image"] == \
        "dense-serving:latest"  # from the kustomization's images: entry


@needs_kubectl
def test_the_component_adds_requests_in_flight_to_the_autoscaler() -> None:
    rendered = kustomize.render((kustomize.COMPONENT,))
    assert [p for m in rendered for p in kubernetes.problems(m)] == []
    (hpa,) = [m for m in rendered if m.kind == "HorizontalPodAutoscaler"]
    metrics = hpa.body["spec"]["metrics"]
    assert [metric["type"] for metric in metrics] == ["Resource", "Pods"]
    assert metrics[1]["pods"]["metric"]["name"] == "serving_requests_in_flight"
