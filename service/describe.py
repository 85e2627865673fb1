"""Plain-data views of the registry for the status and metadata routes."""

from __future__ import annotations

from service.loader import SignatureInfo, TensorInfo
from service.registry import ModelRecord, ModelRegistry
from service.servable import Servable


def tensor_view(tensor: TensorInfo) -> dict:
    return {"name": tensor.name, "dtype": tensor.dtype,
            "shape": [-1 if d is None else d for d in tensor.shape]}


def signature_view(info: SignatureInfo | None) -> dict | None:
    if info is None:
        return None
    return {"inputs": [tensor_view(t) for t in info.inputs],
            "outputs": [tensor_view(t) for t in info.outputs]}


def version_view(servable: Servable, with_metadata: bool) -> dict:
    view = {"version": servable.version, "state": servable.state.value, "error": servable.error}
    if with_metadata:
        view["signature"] = signature_view(servable.info)
        view["metadata"] = servable.metadata or None
    return view


def model_view(record: ModelRecord, detailed: bool) -> dict:
    default = record.default()
    served = [version_view(s, detailed) for _, s in sorted(record.versions.items())]
    waiting = [{"version": v, "state": "PENDING", "error": e.problem}
               for v, e in sorted(record.on_disk.items())
               if e.problem and v not in record.versions]
    view = {
        "name": record.name,
        "default_version": default.version if default else None,
        "ready": default is not None,
        "labels": dict(sorted(record.labels.items())),
        "versions": served + waiting,
        "versions_on_disk": sorted(record.on_disk),
        "problems": record.problems,
    }
    if detailed:
        view["signature"] = signature_view(default.info) if default else None
        view["formula"] = default.metadata.get("formula") if default else None
    return view


def models_view(registry: ModelRegistry) -> dict:
    return {"models": [model_view(r, detailed=False) for _, r in sorted(registry.models.items())],
            "repository": str(registry.repository.root),
            "repository_error": registry.repository_error,
            "repository_problems": registry.repository.problems}


def version_counts(registry: ModelRegistry) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for name, record in registry.models.items():
        for servable in record.versions.values():
            key = (name, servable.state.value)
            counts[key] = counts.get(key, 0) + 1
    return counts
