"""The kustomizations: every file they name exists, every manifest beside them is named, and
(where kubectl is installed) what `kubectl kustomize` renders."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from deploy.validation.documents import KUBERNETES_DIR, Manifest

COMPONENT = KUBERNETES_DIR / "in-flight-autoscaling"


def named_files(kustomization: Path) -> list[Path]:
    """The resources, patches and components a kustomization.yaml names."""
    body = yaml.safe_load(kustomization.read_text())
    names = [*body.get("resources", []), *body.get("components", []),
             *(patch["path"] for patch in body.get("patches", []) if "path" in patch)]
    return [kustomization.parent / name for name in names]


def reference_problems(directory: Path = KUBERNETES_DIR) -> list[str]:
    """Named files that are missing, and manifests that no kustomization names."""
    problems, named = [], set()
    for kustomization in sorted(directory.rglob("kustomization.yaml")):
        for path in named_files(kustomization):
            named.add(path.resolve())
            if not path.exists():
                problems.append(f"{kustomization}: names {path.name}, which does not exist")
    for path in sorted(directory.rglob("*.yaml")):
        if path.name != "kustomization.yaml" and path.resolve() not in named:
            problems.append(f"{path}: not named by any kustomization.yaml")
    return problems


def kubectl() -> str | None:
    return shutil.which("kubectl")


def render(components: tuple[Path, ...] = ()) -> list[Manifest]:
    """`kubectl kustomize` of deploy/kubernetes, with `components` added through an overlay
    (as a user enables one). Needs kubectl (kustomize is built into it)."""
    command = kubectl()
    if command is None:
        raise FileNotFoundError("kubectl is not installed (kustomize is part of it)")
    with tempfile.TemporaryDirectory() as overlay:
        relative = [os.path.relpath(path, overlay) for path in (KUBERNETES_DIR, *components)]
        text = yaml.safe_dump({"resources": relative[:1], "components": relative[1:]})
        (Path(overlay) / "kustomization.yaml").write_text(text)
        done = subprocess.run([command, "kustomize", overlay], capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"kubectl kustomize failed: {done.stderr.strip()}")
    source = Path(f"kustomize({', '.join(p.name for p in (KUBERNETES_DIR, *components))})")
    return [Manifest(source, index, body)
            for index, body in enumerate(yaml.safe_load_all(done.stdout)) if body]
