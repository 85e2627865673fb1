"""Which versions to serve: TensorFlow Serving's availability-preserving policy.

Serve the highest complete version that has not failed, plus every labelled version. A new
version is loaded before the one it replaces is unloaded; a version that fails falls back to
the next older one. A version removed from disk is unloaded, but never a model's last serving
one. The policy only decides; the manager (manager.py) acts, one action at a time, asking again
after each, as TensorFlow Serving's AspiredVersionPolicy does.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.core.registry.records import ModelRecord
from service.core.registry.servable import Servable
from service.core.repository.entries import VersionEntry
from service.core.types import VersionState


@dataclass(frozen=True)
class Load:
    entry: VersionEntry


@dataclass(frozen=True)
class Reload:
    """A served version whose files changed under the same number: load the new files and swap
    them in once warm; if they fail, the old ones keep serving."""

    entry: VersionEntry
    current: Servable


@dataclass(frozen=True)
class Unload:
    servable: Servable
    reason: str


def next_load(record: ModelRecord) -> Load | Reload | None:
    """The next version to load, or None when every wanted version is loaded or has failed."""
    return _rewritten(record) or _latest(record) or _labelled(record)


def _rewritten(record: ModelRecord) -> Reload | None:
    for version, servable in sorted(record.versions.items()):
        entry = record.on_disk.get(version)
        if not servable.available or entry is None or not entry.complete \
                or entry.listing == servable.listing:
            continue
        failed = record.rewrite_failures.get(version)
        if failed is None or failed[0] != entry.listing:
            return Reload(entry, servable)
    return None


def _latest(record: ModelRecord) -> Load | None:
    for version in sorted(record.on_disk, reverse=True):
        entry = record.on_disk[version]
        if not entry.complete:
            continue
        current = record.versions.get(version)
        if current is None:
            return Load(entry)
        if current.state is not VersionState.FAILED:
            return None  # the latest loadable version is held
    return None


def _labelled(record: ModelRecord) -> Load | None:
    for version in sorted(set(record.labels.values())):
        entry = record.on_disk.get(version)
        if entry is not None and entry.complete and version not in record.versions:
            return Load(entry)
    return None


def retirements(record: ModelRecord) -> list[Unload]:
    """Available versions no longer wanted: superseded and unlabelled, or gone from disk."""
    default = record.default()
    labelled = set(record.labels.values())
    unloads = []
    for version, servable in sorted(record.versions.items()):
        if not servable.available or servable is default:
            continue
        gone = version not in record.on_disk
        if gone or version not in labelled:
            unloads.append(Unload(servable, "removed from disk" if gone else "superseded"))
    return unloads


def stale_failures(record: ModelRecord) -> list[int]:
    """FAILED versions whose directory is gone or was rewritten: forget them (and maybe retry)."""
    return [version for version, servable in record.versions.items()
            if servable.state is VersionState.FAILED
            and ((entry := record.on_disk.get(version)) is None
                 or entry.listing != servable.listing)]
