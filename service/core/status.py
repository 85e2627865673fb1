"""Typed status records of the served models, behind every status view (the native /models
routes, TensorFlow Serving's status, the v2 metadata, readiness and metrics)."""

from __future__ import annotations

from dataclasses import dataclass

from service.core.registry.manager import ModelManager
from service.core.registry.records import ModelRecord
from service.core.registry.servable import Servable
from service.core.repository.entries import Problem
from service.core.types import Signature, VersionState


@dataclass(frozen=True)
class VersionStatus:
    version: int
    state: VersionState
    error: str | None  # FAILED: the load error; PENDING: why it is not loadable
    problem: Problem | None = None  # PENDING only
    servable: Servable | None = None  # None when PENDING


@dataclass(frozen=True)
class ModelStatus:
    name: str
    default: Servable | None  # the version that answers when none is asked for
    labels: dict[str, int]
    versions: tuple[VersionStatus, ...]  # by version number
    versions_on_disk: tuple[int, ...]
    problems: tuple[str, ...]


def version_statuses(record: ModelRecord) -> dict[int, VersionStatus]:
    """Every loaded version, and every version on disk that is not loadable, by number."""
    statuses = {v: VersionStatus(v, s.state, s.error, servable=s)
                for v, s in record.versions.items()}
    for version, entry in record.on_disk.items():
        if entry.problem is not None and version not in statuses:
            statuses[version] = VersionStatus(version, VersionState.PENDING, entry.problem.text,
                                              entry.problem)
    return dict(sorted(statuses.items()))


def model_status(record: ModelRecord) -> ModelStatus:
    return ModelStatus(record.name, record.default(), dict(sorted(record.labels.items())),
                       tuple(version_statuses(record).values()), tuple(sorted(record.on_disk)),
                       tuple(record.problems))


def not_ready(manager: ModelManager, repository_error: str | None, root: object,
              require_all: bool = False) -> dict[str, str]:
    """What keeps the server from being ready, by model ({} when ready): no model at all, a
    model still loading or that served and now cannot (every model without an available
    version, with `require_all`, READY_REQUIRES_ALL_MODELS)."""
    if not manager.models:
        return {"*": repository_error or f"no models in {root}"}
    return {name: "no available version" + record.waiting_detail()
            for name, record in sorted(manager.models.items())
            if record.holds_up_readiness() or (require_all and record.default() is None)}


def not_serving(manager: ModelManager) -> dict[str, str]:
    """Models with no available version that do not hold up readiness (no loadable version
    on disk, or every one failed), each with the reason."""
    return {name: "no available version" + record.waiting_detail()
            for name, record in sorted(manager.models.items())
            if record.default() is None and not record.holds_up_readiness()}


def version_counts(manager: ModelManager) -> dict[tuple[str, str], int]:
    """(model, state) -> how many loaded versions are in that state."""
    counts: dict[tuple[str, str], int] = {}
    for name, record in manager.models.items():
        for servable in record.versions.values():
            key = (name, servable.state.value)
            counts[key] = counts.get(key, 0) + 1
    return counts



def default_signatures(manager: ModelManager) -> dict[str, Signature | None]:
    """Each model's default version's default signature (None while none is available)."""
    defaults = {name: record.default() for name, record in manager.models.items()}
    return {name: servable.signature if servable else None for name, servable in defaults.items()}
