"""Kubernetes' own kinds against the OpenAPI-derived JSON schemas that kubernetes-validate ships
(no cluster, no network), in strict mode: an unknown field is an error, not silently dropped."""

from __future__ import annotations

import kubernetes_validate

from deploy.validation.documents import Manifest

# The oldest Kubernetes release the manifests promise to work on, and the newest that
# kubernetes-validate knows; every core manifest is checked against both.
OLDEST = "1.29"
NEWEST = ".".join(kubernetes_validate.latest_version().split(".")[:2])
VERSIONS = (OLDEST, NEWEST)


def problems(manifest: Manifest, versions: tuple[str, ...] = VERSIONS) -> list[str]:
    """What is wrong with `manifest` for each Kubernetes version (empty: valid everywhere)."""
    found = []
    for version in versions:
        try:
            kubernetes_validate.validate(manifest.body, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path) or "(top)"
            found.append(f"{manifest.where()}: Kubernetes {version}: {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            found.append(f"{manifest.where()}: {error.message}")
    return found
