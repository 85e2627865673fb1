"""KServe's kinds (InferenceService, ServingRuntime, ClusterServingRuntime) against the
`openAPIV3Schema` of each version of KServe's CustomResourceDefinitions, closed to unknown
fields, and their `metadata` against Kubernetes' ObjectMeta.

Closing the schemas: a CRD schema lists an object's properties but, being OpenAPI, says nothing
of the others, and JSON Schema then allows any. The API server does not: it drops a field the
schema does not list (pruning), or refuses it under strict field validation. Either way a
misspelt field (`storageUrl`) never does what was meant. So wherever a schema object lists
`properties` and has neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`,
`additionalProperties: false` is added, recursively, as the API server's pruning rules read it.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import jsonschema
import yaml

from deploy.validation.documents import DEPLOY, Manifest
from deploy.validation.metadata import metadata_problems

# KServe's CRDs as published by KServe, beside the project's checkout (shared/kserve/README.md
# names the commit); KSERVE_CRDS points elsewhere.
DEFAULT_CRDS = DEPLOY.parent.parent / "shared" / "kserve"
CRD_FILES = ("serving.kserve.io_inferenceservices.yaml", "serving.kserve.io_servingruntimes.yaml",
             "serving.kserve.io_clusterservingruntimes.yaml")
SUBSCHEMA_LISTS = ("anyOf", "allOf", "oneOf")


def crd_dir() -> Path:
    directory = Path(os.environ.get("KSERVE_CRDS", DEFAULT_CRDS))
    missing = [name for name in CRD_FILES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(f"KServe CRDs not found: {', '.join(missing)} missing in "
                                f"{directory}; set KSERVE_CRDS to the directory holding them")
    return directory


def closed(schema: object) -> object:
    """A copy of `schema` in which every object that lists its properties allows no others."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: closed(value) if key in ("items", "additionalProperties", "not",
                                          *SUBSCHEMA_LISTS) else value
            for key, value in schema.items()}
    if "properties" in schema:
        copy["properties"] = {name: closed(value) for name, value in schema["properties"].items()}
        if "additionalProperties" not in schema and \
                not schema.get("x-kubernetes-preserve-unknown-fields"):
            copy["additionalProperties"] = False
    return copy


@cache
def crds(directory: Path) -> tuple[dict, ...]:
    """The CRDs as published (libyaml's parser when PyYAML has it: seconds faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return tuple(yaml.load((directory / name).read_text(), Loader=loader) for name in CRD_FILES)


@cache
def validators(directory: Path) -> dict[tuple[str, str], jsonschema.Draft4Validator]:
    """(apiVersion, kind) -> a validator of the closed schema, for every CRD version."""
    found = {}
    for crd in crds(directory):
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = closed(version["schema"]["openAPIV3Schema"])
            found[(f"{group}/{version['name']}", kind)] = jsonschema.Draft4Validator(schema)
    return found


def problems(manifest: Manifest, directory: Path | None = None) -> list[str]:
    """What is wrong with `manifest` (empty: valid)."""
    known = validators(directory or crd_dir())
    key = (str(manifest.body.get("apiVersion")), manifest.kind)
    if key not in known:
        kinds = ", ".join(sorted(f"{kind} ({api})" for api, kind in known))
        return [f"{manifest.where()}: no KServe schema for {key[1]} {key[0]}; known: {kinds}"]
    found = [f"{manifest.where()}: {'.'.join(str(p) for p in error.absolute_path) or '(top)'}: "
             f"{error.message}" for error in known[key].iter_errors(manifest.body)]
    return found + metadata_problems(manifest)
