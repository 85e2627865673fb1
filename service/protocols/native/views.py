"""GET /models and GET /models/{name}: every model, its versions, states and signature."""

from __future__ import annotations

from service.core.registry.manager import ModelManager
from service.core.registry.servable import Servable
from service.core.status import ModelStatus, VersionStatus, model_status
from service.core.types import Signature, TensorSpec, VersionState


def tensor_view(tensor: TensorSpec) -> dict:
    return {"name": tensor.name, "dtype": tensor.dtype,
            "shape": [-1 if d is None else d for d in tensor.shape]}


def signature_view(signature: Signature | None) -> dict | None:
    if signature is None:
        return None
    return {"inputs": [tensor_view(t) for t in signature.inputs],
            "outputs": [tensor_view(t) for t in signature.outputs]}


def version_view(status: VersionStatus, detailed: bool) -> dict:
    view = {"version": status.version, "state": status.state.value, "error": status.error}
    if detailed and status.state is not VersionState.PENDING:
        servable: Servable | None = status.servable
        assert servable is not None
        view["signature"] = signature_view(servable.signature)
        view["signatures"] = {name: signature_view(s) for name, s in servable.signatures.items()}
        view["unservable_signatures"] = dict(servable.unservable)
        view["metadata"] = servable.metadata or None
        if servable.metadata_problem:
            view["metadata_problem"] = servable.metadata_problem
    return view


def model_view(status: ModelStatus, detailed: bool) -> dict:
    default = status.default
    loaded = [v for v in status.versions if v.state is not VersionState.PENDING]
    pending = [v for v in status.versions if v.state is VersionState.PENDING]
    view = {
        "name": status.name,
        "default_version": default.version if default else None,
        "ready": default is not None,
        "labels": status.labels,
        "versions": [version_view(v, detailed) for v in loaded + pending],
        "versions_on_disk": list(status.versions_on_disk),
        "problems": list(status.problems),
    }
    if detailed:
        view["signature"] = signature_view(default.signature) if default else None
        view["formula"] = default.metadata.get("formula") if default else None
    return view


def models_view(manager: ModelManager, root: object, repository_error: str | None,
                repository_problems: list[str]) -> dict:
    return {"models": [model_view(model_status(r), detailed=False)
                       for _, r in sorted(manager.models.items())],
            "repository": str(root), "repository_error": repository_error,
            "repository_problems": repository_problems}
