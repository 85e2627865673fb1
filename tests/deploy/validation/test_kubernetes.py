"""Every core manifest against Kubernetes' schemas in strict mode, and proof that the check
catches a wrong type and an unknown field in a broken copy."""

from __future__ import annotations

import copy
from collections.abc import Callable

import kubernetes_validate
import pytest

from deploy.validation import kubernetes
from deploy.validation.documents import KUBERNETES_DIR, Manifest, load, load_dir

CORE = [m for m in load_dir(KUBERNETES_DIR) if not m.is_kustomization]


def deployment() -> Manifest:
    return load(KUBERNETES_DIR / "deployment.yaml")[0]


def broken(manifest: Manifest, change: Callable[[dict], object]) -> Manifest:
    body = copy.deepcopy(manifest.body)
    change(body)
    return Manifest(manifest.path, manifest.index, body)


def container(body: dict) -> dict:
    return body["spec"]["template"]["spec"]["containers"][0]


def test_every_core_kind_is_there() -> None:
    assert sorted({m.kind for m in CORE}) == [
        "Deployment", "HorizontalPodAutoscaler", "Job", "PersistentVolumeClaim",
        "PodDisruptionBudget", "Service"]


@pytest.mark.parametrize("manifest", CORE, ids=lambda m: m.where())
def test_core_manifest_is_valid_on_the_oldest_and_newest_kubernetes(manifest: Manifest) -> None:
    assert kubernetes.problems(manifest) == []


def test_the_versions_checked_are_the_promised_oldest_and_the_newest_known() -> None:
    oldest, newest = kubernetes.VERSIONS
    assert oldest == "1.29"
    assert kubernetes_validate.latest_version().startswith(newest + ".")


def test_a_wrong_type_is_caught() -> None:
    bad = broken(deployment(), lambda b: container(b)["ports"][0].update(containerPort="8000"))
    found = kubernetes.problems(bad)
    assert len(found) == 2  # once per Kubernetes version
    assert "spec.template.spec.containers.0.ports.0.containerPort: '8000' is not of type " \
           "'integer'" in found[0]


def test_an_unknown_field_is_caught() -> None:
    bad = broken(deployment(), lambda b: container(b)["readinessProbe"].update(periodSecond=5))
    found = kubernetes.problems(bad)
    assert len(found) == 2
    assert "containers.0.readinessProbe: Additional properties are not allowed " \
           "('periodSecond' was unexpected)" in found[0]


def test_strict_mode_is_what_catches_the_unknown_field() -> None:
    """Without strict mode the same typo passes: the API server would drop it silently."""
    bad = broken(deployment(), lambda b: container(b)["readinessProbe"].update(periodSecond=5))
    kubernetes_validate.validate(bad.body, kubernetes.OLDEST, strict=False)  # no error


def test_an_unknown_kind_is_named() -> None:
    bad = broken(deployment(), lambda b: b.update(kind="Deploymnet"))
    assert kubernetes.problems(bad, ("1.29",)) == [
        f"{bad.where()}: Couldn't find schema for kind Deploymnet with api version apps/v1 for "
        "kubernetes version 1.29"]
