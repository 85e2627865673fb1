"""The served core, composed once per process and shared by every transport: executors, the
repository and its poller, the manager, the inference path, and the heap keeper.

Constructing it is cheap; `start()` begins polling (the first loads happen then) and `stop()`
ends it. The HTTP app's lifespan drives it, and a gRPC server calls the same object.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from service.admission import Admission
from service.budget import MemoryBudget
from service.core.inference import InferenceCore
from service.core.registry.manager import ModelManager
from service.core.registry.poller import RepositoryPoller
from service.core.registry.servable import Servable
from service.core.repository.entries import VersionEntry
from service.core.repository.scan import ModelRepository
from service.core.status import not_ready, not_serving, version_counts
from service.metrics import Metrics
from service.runtime.heap import keep_heap
from service.settings import Settings
from service.worker_slot import WorkerSlot

logger = logging.getLogger("service")
OFFLOAD_THREADS = 2  # threads decoding large bodies (each holds one body's parse at a time)


class ServingCore:
    def __init__(self, settings: Settings, metrics: Metrics,
                 models: dict[str, Path] | None = None, slot: WorkerSlot | None = None) -> None:
        """`models`: the named models to serve (single-model mode, a model config); None:
        every model directory of MODEL_REPOSITORY. `slot`: this worker's, with WORKERS > 1."""
        self.slot = slot
        self.settings = settings
        self.metrics = metrics
        self._inference_pool = ThreadPoolExecutor(settings.inference_threads, "inference")
        self._load_pool = ThreadPoolExecutor(1, "loader")
        self._offload_pool = ThreadPoolExecutor(OFFLOAD_THREADS, "decode")
        root = next(iter(models.values())) if models and len(models) == 1 else \
            settings.model_repository
        self.repository = ModelRepository(root, settings.version_settle_seconds, models)
        self.manager = ModelManager(self._load_pool, self._make_servable)
        self.poller = RepositoryPoller(self.repository, self.manager, self._load_pool)
        self.inference = InferenceCore(self.manager, self._offload_pool, settings.max_instances)
        self.budget = MemoryBudget(settings.max_inflight_bytes)  # shared by every transport
        if metrics.multiprocess:
            self.admission = Admission(settings.max_concurrency, metrics.in_flight)
        else:
            self.admission = Admission(settings.max_concurrency)
            metrics.in_flight.set_function(lambda: self.admission.in_flight)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def _make_servable(self, model: str, entry: VersionEntry) -> Servable:
        settings = self.settings
        return Servable(model, entry.number, entry.path, entry.listing, self._inference_pool,
                        settings.max_batch_size, settings.max_batch_wait_ms / 1000,
                        on_batch=self.metrics.observe_batch,
                        inline_budget_us=settings.inline_call_max_us)

    def not_ready(self) -> dict[str, str]:
        """Models with no servable version, with reasons ({} when ready); with workers, also
        the other workers not ready yet."""
        waiting = not_ready(self.manager, self.poller.repository_error, self.repository.root,
                            self.settings.ready_requires_all_models)
        if self.slot is None:
            return waiting
        self.slot.set_ready(not waiting)
        others = self.slot.others_waiting()
        if others and not waiting:
            return {"*": f"worker(s) {', '.join(map(str, others))} of {self.slot.count} not "
                         "ready yet"}
        return waiting

    def not_serving(self) -> dict[str, str]:
        """Models that serve nothing but do not hold up readiness, with reasons."""
        return not_serving(self.manager)

    async def _report(self, interval: float = 0.25) -> None:
        """With workers: this worker's readiness and version counts, for the others'."""
        while not self._stop.is_set():
            self.not_ready()
            self.metrics.set_versions(version_counts(self.manager))
            try:
                await asyncio.wait_for(self._stop.wait(), interval)
            except TimeoutError:
                pass

    async def start(self) -> None:
        poll = self.poller.run(self.settings.poll_interval_seconds, self._stop)
        self._tasks = [asyncio.create_task(poll), asyncio.create_task(
            keep_heap(self.poller, self._stop))]
        if self.slot is not None:
            self._tasks.append(asyncio.create_task(self._report()))
        named = self.repository.models
        logger.info("serving %s", ", ".join(f"{n} from {p.resolve()}" for n, p in named.items())
                    if named else f"models from {self.repository.root.resolve()}")

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            await task
        await self.manager.close()
        # Every request has ended or been cancelled: a TensorFlow call still running (grace
        # period exceeded) is not waited for; the CLI exits without joining its thread.
        for pool in (self._inference_pool, self._load_pool, self._offload_pool):
            pool.shutdown(wait=False, cancel_futures=True)
