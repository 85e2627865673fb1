"""The manifests: every YAML document under deploy/kubernetes and deploy/kserve, with where it
came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent.parent
KUBERNETES_DIR = DEPLOY / "kubernetes"
KSERVE_DIR = DEPLOY / "kserve"
KUSTOMIZE_GROUP = "kustomize.config.k8s.io"


@dataclass(frozen=True)
class Manifest:
    path: Path
    index: int  # position of the document in its file
    body: dict

    @property
    def kind(self) -> str:
        return str(self.body.get("kind"))

    @property
    def name(self) -> str:
        metadata = self.body.get("metadata")
        return str(metadata.get("name")) if isinstance(metadata, dict) else "?"

    @property
    def is_kustomization(self) -> bool:
        return str(self.body.get("apiVersion", "")).startswith(KUSTOMIZE_GROUP + "/")

    def where(self) -> str:
        try:
            shown = self.path.relative_to(DEPLOY.parent)
        except ValueError:
            shown = self.path
        return f"{shown}[{self.index}] {self.kind}/{self.name}"


def load(path: Path) -> list[Manifest]:
    """The documents of one YAML file; a document that is not a mapping is an error."""
    manifests = []
    for index, body in enumerate(yaml.safe_load_all(path.read_text())):
        if body is None:
            continue
        if not isinstance(body, dict):
            raise ValueError(f"{path}[{index}]: a manifest must be a mapping, got "
                             f"{type(body).__name__}")
        manifests.append(Manifest(path, index, body))
    return manifests


def load_dir(directory: Path) -> list[Manifest]:
    """Every document of every .yaml file under `directory`, in path order."""
    return [m for path in sorted(directory.rglob("*.yaml")) for m in load(path)]
