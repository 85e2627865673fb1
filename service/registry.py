"""The registry of loaded versions and the policy that keeps it in step with the repository.

Policy (TensorFlow Serving's availability-preserving one): serve the highest complete version
plus every labelled version. A new version is loaded and warmed before it takes traffic; the one
it replaces keeps answering until then, and is unloaded only after its in-flight requests end. A
version that fails is FAILED with its reason (retried when its files change) and older ones keep
serving. A version removed from disk is unloaded, but never a model's last serving one: a
repository that vanishes or empties is a fault to report, not an order to stop serving.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from service.errors import NotFound, NotReady
from service.repository import (
    Listing,
    ModelEntry,
    ModelRepository,
    RepositoryUnavailable,
    VersionEntry,
)
from service.servable import Servable, State

logger = logging.getLogger("service.registry")
ServableFactory = Callable[[str, VersionEntry], Servable]


@dataclass
class ModelRecord:
    name: str
    versions: dict[int, Servable] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    on_disk: dict[int, VersionEntry] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    rewrite_failures: dict[int, tuple[Listing, str | None]] = field(default_factory=dict)
    synced: bool = False  # False until a poll has looked at its versions

    def available(self) -> list[Servable]:
        return sorted((s for s in self.versions.values() if s.state is State.AVAILABLE),
                      key=lambda s: s.version, reverse=True)

    def default(self) -> Servable | None:
        """The highest available version still on disk; a removed one only when no other can
        answer (the model's last serving version)."""
        available = self.available()
        on_disk = [s for s in available if s.version in self.on_disk]
        return (on_disk or available)[0] if available else None


class ModelRegistry:
    def __init__(self, repository: ModelRepository, load_executor: Executor,
                 make_servable: ServableFactory) -> None:
        self.repository = repository
        self._load_executor = load_executor
        self._make_servable = make_servable
        self.models: dict[str, ModelRecord] = {}
        self.repository_error: str | None = None
        self.polls = 0
        self._lock = asyncio.Lock()

    # -- reading -----------------------------------------------------------------------------
    def record(self, name: str) -> ModelRecord:
        if name not in self.models:
            known = ", ".join(sorted(self.models)) or "none"
            raise NotFound(f"model {name!r} not found (models: {known})")
        return self.models[name]

    def resolve(self, name: str, version: int | None = None, label: str | None = None) -> Servable:
        record = self.record(name)
        if label is not None:
            if label not in record.labels:
                labels = ", ".join(sorted(record.labels)) or "none"
                raise NotFound(f"model {name!r} has no label {label!r} (labels: {labels})")
            version = record.labels[label]
        if version is None:
            servable = record.default()
            if servable is None:
                raise NotReady(f"model {name!r} has no available version yet{self._why(record)}")
            return servable
        servable = record.versions.get(version)
        if servable is None:
            served = ", ".join(str(v) for v in sorted(record.versions)) or "none"
            hint = " (on disk but not served: only the latest and labelled versions are loaded)" \
                if version in record.on_disk else ""
            raise NotFound(f"model {name!r} has no servable version {version}{hint}; "
                           f"served versions: {served}")
        if servable.state is not State.AVAILABLE:
            reason = f": {servable.error}" if servable.error else ""
            raise NotReady(f"model {name!r} version {version} is {servable.state.value}{reason}")
        return servable

    @staticmethod
    def _why(record: ModelRecord) -> str:
        failed = [f"version {s.version} FAILED: {s.error}" for s in record.versions.values()
                  if s.state is State.FAILED]
        pending = [f"version {v} {e.problem}" for v, e in record.on_disk.items() if e.problem]
        loading = [f"version {s.version} LOADING" for s in record.versions.values()
                   if s.state is State.LOADING]
        details = failed + pending + loading or ([] if record.synced else ["waiting to load"])
        return f" ({'; '.join(details)})" if details else ""

    @asynccontextmanager
    async def borrow(self, name: str, version: int | None = None,
                     label: str | None = None) -> AsyncIterator[Servable]:
        """The version that answers one request; it is not unloaded until it is given back."""
        servable = self.resolve(name, version, label)
        servable.acquire()
        try:
            yield servable
        finally:
            servable.release()

    def not_ready(self) -> dict[str, str]:
        """Models with no servable version, each with the reason."""
        if not self.models:
            return {"*": self.repository_error or f"no models in {self.repository.root}"}
        return {name: f"no available version{self._why(record)}"
                for name, record in sorted(self.models.items()) if record.default() is None}

    # -- keeping in step with the repository -----------------------------------------------------
    async def poll_once(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            try:
                scan = await loop.run_in_executor(self._load_executor, self.repository.scan)
            except RepositoryUnavailable as exc:
                self._fault(str(exc))
                return
            if not scan and any(r.versions for r in self.models.values()):
                self._fault(f"model repository {self.repository.root} is empty")
                return
            if self.repository_error:
                logger.info("model repository is back: %s", self.repository.root)
            self.repository_error = None
            # Every model on disk is known before any loads: readiness must not pass while
            # the models later in the scan wait for their turn.
            records = [self.models.setdefault(name, ModelRecord(name)) for name in scan]
            for record, entry in zip(records, scan.values(), strict=True):
                await self._sync_model(record, entry)
            for name in set(self.models) - set(scan):
                await self._model_vanished(self.models[name])
            self.polls += 1

    def _fault(self, message: str) -> None:
        if message != self.repository_error:
            logger.error("%s; keeping the loaded versions", message)
        self.repository_error = message

    async def _sync_model(self, record: ModelRecord, entry: ModelEntry) -> None:
        record.on_disk, record.labels, record.synced = entry.versions, entry.labels, True
        record.problems = list(entry.problems) + [
            f"version {v}: {e.problem}" for v, e in sorted(entry.versions.items()) if e.problem]
        self._forget_changed_failures(record)
        await self._reload_rewritten(record)
        await self._load_latest(record)
        for version in sorted(set(record.labels.values())):
            target = record.on_disk.get(version)
            if target and target.complete and version not in record.versions:
                await self._load(record, target)
        self._retire(record)

    def _forget_changed_failures(self, record: ModelRecord) -> None:
        for version, servable in list(record.versions.items()):
            entry = record.on_disk.get(version)
            if servable.state is State.FAILED and (entry is None or
                                                   entry.listing != servable.listing):
                del record.versions[version]  # gone or rewritten: forget the failure, maybe retry

    async def _load_latest(self, record: ModelRecord) -> None:
        for version in sorted(record.on_disk, reverse=True):
            entry = record.on_disk[version]
            if not entry.complete:
                continue
            current = record.versions.get(version)
            if current is not None and current.state is State.FAILED:
                continue  # fall back to the next older version
            if current is None:
                await self._load(record, entry)
                if record.versions[version].state is State.FAILED:
                    continue
            return

    async def _reload_rewritten(self, record: ModelRecord) -> None:
        """A served version whose files changed (same number, new content: a restored backup, a
        publisher reusing a number) is loaded again and swapped in once warm. If the new files
        fail, the old ones keep serving and the failure is reported."""
        for version, servable in list(record.versions.items()):
            entry = record.on_disk.get(version)
            if servable.state is not State.AVAILABLE or entry is None or not entry.complete \
                    or entry.listing == servable.listing:
                continue
            failed = record.rewrite_failures.get(version)
            if failed is None or failed[0] != entry.listing:
                fresh = self._make_servable(record.name, entry)
                await self._run_load(fresh)
                if fresh.state is State.AVAILABLE:
                    record.versions[version] = fresh
                    record.rewrite_failures.pop(version, None)
                    self._unload(record, servable, "rewritten on disk")
                    continue
                failed = record.rewrite_failures[version] = (entry.listing, fresh.error)
            record.problems.append(f"version {version} was rewritten on disk and the new files "
                                   f"failed to load ({failed[1]}); still serving the old ones")

    async def _load(self, record: ModelRecord, entry: VersionEntry) -> None:
        servable = self._make_servable(record.name, entry)
        record.versions[entry.number] = servable
        await self._run_load(servable)

    async def _run_load(self, servable: Servable) -> None:
        logger.info("loading %s version %d", servable.model, servable.version)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._load_executor, servable.load)
        if servable.state is State.FAILED:
            logger.error("%s version %d FAILED: %s", servable.model, servable.version,
                         servable.error)
        else:
            logger.info("%s version %d AVAILABLE", servable.model, servable.version)

    def _retire(self, record: ModelRecord) -> None:
        default = record.default()
        labelled = set(record.labels.values())
        for version, servable in list(record.versions.items()):
            if servable.state is not State.AVAILABLE or servable is default:
                continue
            gone = version not in record.on_disk
            if gone or version not in labelled:
                self._unload(record, servable, "removed from disk" if gone else "superseded")
        if default is not None and default.version not in record.on_disk:
            record.problems.append(f"version {default.version} was removed from disk; still "
                                   "served because it is the model's last serving version")

    def _unload(self, record: ModelRecord, servable: Servable, why: str) -> None:
        servable.state = State.UNLOADING
        logger.info("unloading %s version %d (%s)", record.name, servable.version, why)

        async def finish() -> None:
            await servable.drained()
            await servable.close()
            if record.versions.get(servable.version) is servable:
                del record.versions[servable.version]
            logger.info("%s version %d unloaded", record.name, servable.version)

        asyncio.get_running_loop().create_task(finish())

    async def _model_vanished(self, record: ModelRecord) -> None:
        if record.versions:
            record.problems = [f"model directory {record.name!r} is missing from the repository; "
                               "keeping its loaded versions"]
        else:
            del self.models[record.name]

    async def run_polling(self, interval: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.poll_once()
            except Exception:  # a poll must never kill the poller
                logger.exception("repository poll failed")
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass

    async def close(self) -> None:
        for record in self.models.values():
            for servable in record.versions.values():
                await servable.close()
