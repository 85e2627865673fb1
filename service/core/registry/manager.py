"""The manager of served versions: resolves requests to a version, lends it out, and applies
the version policy (policy.py) to each scan of the repository.

A new version is loaded and warmed before it takes traffic; the one it replaces keeps answering
until then and is unloaded only after its in-flight requests end. A version that fails is FAILED
with its reason (retried when its files change) and older ones keep serving.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor

from service.core.errors import NotFound, Unavailable
from service.core.registry import policy
from service.core.registry.records import ModelRecord
from service.core.registry.servable import Servable
from service.core.repository.entries import ModelEntry, VersionEntry
from service.core.types import Address, VersionState

logger = logging.getLogger("service.registry")
ServableFactory = Callable[[str, VersionEntry], Servable]


class Loan:
    """One request's hold on a servable (a class, not a generator: it is on every request)."""

    __slots__ = ("servable",)

    def __init__(self, servable: Servable) -> None:
        self.servable = servable

    async def __aenter__(self) -> Servable:
        self.servable.acquire()
        return self.servable

    async def __aexit__(self, *exc: object) -> None:
        self.servable.release()

class ModelManager:
    def __init__(self, load_executor: Executor, make_servable: ServableFactory) -> None:
        self._load_executor = load_executor
        self._make_servable = make_servable
        self.models: dict[str, ModelRecord] = {}
        self._unloading: set[asyncio.Task] = set()  # kept referenced until they finish

    # -- serving requests ---------------------------------------------------------------------
    def record(self, name: str) -> ModelRecord:
        record = self.models.get(name)
        if record is None:
            known = ", ".join(sorted(self.models)) or "none"
            raise NotFound(f"model {name!r} not found", f" (models: {known})")
        return record

    def resolve(self, address: Address) -> Servable:
        """The available version an address names; NotFound or Unavailable saying why not."""
        record = self.record(address.model)
        version = address.version
        if address.label is not None:
            version = label_target(record, address.label)
        if version is None:
            servable = record.default()
            if servable is None:
                raise Unavailable(f"model {record.name!r} has no available version yet",
                                  record.waiting_detail())
            return servable
        servable = record.versions.get(version)
        if servable is None:
            served = ", ".join(str(v) for v in sorted(record.versions)) or "none"
            hint = " (on disk but not served: only the latest and labelled versions are loaded)" \
                if version in record.on_disk else ""
            raise NotFound(f"model {record.name!r} has no servable version {version}",
                           f"{hint}; served versions: {served}")
        if not servable.available:
            reason = f": {servable.error}" if servable.error else ""
            raise Unavailable(f"model {record.name!r} version {version} is "
                              f"{servable.state.value}", reason)
        return servable

    @staticmethod
    def borrow(servable: Servable) -> Loan:
        """Holds `servable` for one request (`async with`): it is not unloaded until the
        request gives it back."""
        return Loan(servable)

    # -- applying the policy ------------------------------------------------------------------
    async def apply_scan(self, scan: dict[str, ModelEntry]) -> None:
        # Every model on disk is known before any loads: readiness must not pass while the
        # models later in the scan wait for their turn.
        records = [self.models.setdefault(name, ModelRecord(name)) for name in scan]
        for record, entry in zip(records, scan.values(), strict=True):
            await self._sync(record, entry)
        for name in set(self.models) - set(scan):
            self._vanished(self.models[name])

    async def _sync(self, record: ModelRecord, entry: ModelEntry) -> None:
        record.on_disk, record.labels, record.synced = entry.versions, entry.labels, True
        record.problems = list(entry.problems) + [
            f"version {v}: {e.problem}" for v, e in sorted(entry.versions.items()) if e.problem]
        for version in policy.stale_failures(record):
            del record.versions[version]
        while (action := policy.next_load(record)) is not None:
            if isinstance(action, policy.Reload):
                await self._reload(record, action)
            else:
                await self._load(record, action.entry)
        for version, (listing, error) in sorted(record.rewrite_failures.items()):
            entry = record.on_disk.get(version)
            if entry is None or entry.listing != listing:
                continue  # the failed files were replaced since
            record.problems.append(f"version {version} was rewritten on disk and the new files "
                                   f"failed to load ({error}); still serving the old ones")
        for unload in policy.retirements(record):
            self._unload(record, unload)
        default = record.default()
        if default is not None and default.version not in record.on_disk:
            record.problems.append(f"version {default.version} was removed from disk; still "
                                   "served because it is the model's last serving version")

    async def _load(self, record: ModelRecord, entry: VersionEntry) -> None:
        servable = self._make_servable(record.name, entry)
        record.versions[entry.number] = servable
        await self._run_load(servable)
        record.served = record.served or servable.available

    async def _reload(self, record: ModelRecord, action: policy.Reload) -> None:
        fresh = self._make_servable(record.name, action.entry)
        await self._run_load(fresh)
        version = action.entry.number
        if fresh.available:
            record.versions[version] = fresh
            record.rewrite_failures.pop(version, None)
            self._unload(record, policy.Unload(action.current, "rewritten on disk"))
        else:
            record.rewrite_failures[version] = (action.entry.listing, fresh.error)

    async def _run_load(self, servable: Servable) -> None:
        logger.info("loading %s version %d", servable.model, servable.version)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._load_executor, servable.load)
        if servable.state is VersionState.FAILED:
            logger.error("%s version %d FAILED: %s", servable.model, servable.version,
                         servable.error)
        else:
            logger.info("%s version %d AVAILABLE", servable.model, servable.version)

    def _unload(self, record: ModelRecord, unload: policy.Unload) -> None:
        servable = unload.servable
        servable.state = VersionState.UNLOADING
        logger.info("unloading %s version %d (%s)", record.name, servable.version, unload.reason)

        async def finish() -> None:
            await servable.drained()
            await servable.close()
            if record.versions.get(servable.version) is servable:
                del record.versions[servable.version]
            logger.info("%s version %d unloaded", record.name, servable.version)

        task = asyncio.get_running_loop().create_task(finish())
        self._unloading.add(task)
        task.add_done_callback(self._unloading.discard)

    def _vanished(self, record: ModelRecord) -> None:
        if any(s.available for s in record.versions.values()):
            record.problems = [f"model directory {record.name!r} is missing from the repository; "
                               "keeping its loaded versions"]
        else:
            del self.models[record.name]

    async def close(self) -> None:
        for record in self.models.values():
            for servable in record.versions.values():
                await servable.close()


def label_target(record: ModelRecord, label: str) -> int:
    """The version a label points to; NotFound naming the model's labels."""
    if label not in record.labels:
        labels = ", ".join(sorted(record.labels)) or "none"
        raise NotFound(f"model {record.name!r} has no label {label!r}", f" (labels: {labels})")
    return record.labels[label]

