"""KServe manifests against KServe's CRD schemas, closed to unknown fields; proof that the check
catches a wrong type and an unknown field in a broken copy, in the spec and in metadata."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from deploy.validation import kserve
from deploy.validation.documents import KSERVE_DIR, Manifest, load, load_dir
from deploy.validation.metadata import DNS_SUBDOMAIN

MANIFESTS = load_dir(KSERVE_DIR)


def manifest(name: str) -> Manifest:
    return load(KSERVE_DIR / name)[0]


def broken(original: Manifest, change: Callable[[dict], object]) -> Manifest:
    body = copy.deepcopy(original.body)
    change(body)
    return Manifest(original.path, original.index, body)


def test_the_runtime_and_every_example_are_there() -> None:
    assert sorted((m.kind, m.name) for m in MANIFESTS) == [
        ("ClusterServingRuntime", "dense-serving"),
        ("InferenceService", "celsius-to-fahrenheit"), ("InferenceService", "cereal-calories"),
        ("InferenceService", "linear"), ("InferenceService", "quadratic-grpc")]


@pytest.mark.parametrize("example", MANIFESTS, ids=lambda m: m.where())
def test_manifest_is_valid_against_its_crd(example: Manifest) -> None:
    assert kserve.problems(example) == []


def test_every_version_of_every_crd_has_a_schema() -> None:
    assert sorted(kserve.validators(kserve.crd_dir())) == [
        ("serving.kserve.io/v1alpha1", "ClusterServingRuntime"),
        ("serving.kserve.io/v1alpha1", "ServingRuntime"),
        ("serving.kserve.io/v1beta1", "InferenceService")]


def test_a_wrong_type_is_caught() -> None:
    bad = broken(manifest("inferenceservice-pvc.yaml"),
                 lambda b: b["spec"]["predictor"].update(minReplicas="one"))
    assert kserve.problems(bad) == [
        f"{bad.where()}: spec.predictor.minReplicas: 'one' is not of type 'integer'"]


def test_an_unknown_field_is_caught() -> None:
    bad = broken(manifest("inferenceservice-pvc.yaml"),
                 lambda b: b["spec"]["predictor"]["model"].update(storageUrl="pvc://x/y"))
    assert kserve.problems(bad) == [
        f"{bad.where()}: spec.predictor.model: Additional properties are not allowed "
        "('storageUrl' was unexpected)"]


def test_an_unknown_field_in_the_runtime_container_is_caught() -> None:
    bad = broken(manifest("cluster-serving-runtime.yaml"),
                 lambda b: b["spec"]["containers"][0].update(argz=[]))
    assert kserve.problems(bad) == [
        f"{bad.where()}: spec.containers.0: Additional properties are not allowed "
        "('argz' was unexpected)"]


def test_the_crd_alone_would_let_the_unknown_field_through() -> None:
    """Why the schemas are closed: as published, an unknown field is valid JSON Schema."""
    import jsonschema

    crd = kserve.crds(kserve.crd_dir())[0]
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    bad = broken(manifest("inferenceservice-pvc.yaml"),
                 lambda b: b["spec"]["predictor"]["model"].update(storageUrl="pvc://x/y"))
    jsonschema.Draft4Validator(schema).validate(bad.body)  # no error


def test_metadata_is_checked_as_objectmeta() -> None:
    bad = broken(manifest("inferenceservice-pvc.yaml"),
                 lambda b: b["metadata"].update(name="Linear_Model", lables={}))
    assert kserve.problems(bad) == [
        f"{bad.where()}: metadata.name: 'Linear_Model' does not match "
        f"{DNS_SUBDOMAIN!r}",
        f"{bad.where()}: metadata: Additional properties are not allowed ('lables' was "
        "unexpected)"]


def test_an_unknown_kind_is_named() -> None:
    bad = broken(manifest("inferenceservice-pvc.yaml"), lambda b: b.update(kind="InferenceSvc"))
    (problem,) = kserve.problems(bad)
    assert "no KServe schema for InferenceSvc serving.kserve.io/v1beta1; known: " \
           "ClusterServingRuntime (serving.kserve.io/v1alpha1)" in problem


def test_closing_adds_no_others_only_where_the_schema_lists_properties() -> None:
    schema = {"type": "object", "properties": {
        "listed": {"type": "object", "properties": {"a": {"type": "string"}}},
        "map": {"type": "object", "additionalProperties": {"type": "string"}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                 "properties": {"b": {"type": "string"}}},
        "list": {"type": "array", "items": {"type": "object", "properties": {}}},
        "either": {"anyOf": [{"type": "object", "properties": {}}, {"type": "string"}]},
    }}
    closed = kserve.closed(schema)
    assert closed["additionalProperties"] is False
    assert closed["properties"]["listed"]["additionalProperties"] is False
    assert closed["properties"]["map"]["additionalProperties"] == {"type": "string"}
    assert "additionalProperties" not in closed["properties"]["free"]
    assert closed["properties"]["list"]["items"]["additionalProperties"] is False
    assert closed["properties"]["either"]["anyOf"][0]["additionalProperties"] is False
    assert "additionalProperties" not in schema  # the original is left as it was


def test_missing_crds_are_named_with_the_setting_to_fix_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KSERVE_CRDS", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="serving.kserve.io_inferenceservices.yaml, .* "
                                                f"missing in {tmp_path}; set KSERVE_CRDS"):
        kserve.crd_dir()
