"""`metadata` of a custom resource against Kubernetes' ObjectMeta: CRD schemas leave it to the
API server, which refuses a bad name or an unknown field there too."""

from __future__ import annotations

import json
from functools import cache

import importlib_resources
import jsonschema
from referencing import Registry, Resource

from deploy.validation.documents import Manifest
from deploy.validation.kubernetes import NEWEST

# A name the API server accepts for most kinds: a DNS-1123 subdomain.
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"


@cache
def object_meta() -> jsonschema.Draft202012Validator:
    """ObjectMeta from kubernetes-validate's strict schemas of the newest version it ships."""
    root = importlib_resources.files("kubernetes_validate") / "kubernetes-json-schema" / \
        f"v{NEWEST}.0-local-strict"
    schema = json.loads((root / "objectmeta-meta-v1.json").read_text())
    definitions = json.loads((root / "_definitions.json").read_text())
    registry = Resource.from_contents(definitions) @ Registry()
    schema = {**schema, "properties": {**schema["properties"],
                                       "name": {"type": "string", "pattern": DNS_SUBDOMAIN,
                                                "maxLength": 253}},
              "required": ["name"]}
    return jsonschema.Draft202012Validator(schema, registry=registry)


def metadata_problems(manifest: Manifest) -> list[str]:
    metadata = manifest.body.get("metadata")
    return [f"{manifest.where()}: {'.'.join(['metadata', *map(str, error.absolute_path)])}: "
            f"{error.message}" for error in object_meta().iter_errors(metadata)]
