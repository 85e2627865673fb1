"""The served core, composed once per process and shared by every transport: executors, the
repository and its poller, the manager, the inference path, and the heap keeper.

Constructing it is cheap; `start()` begins polling (the first loads happen then) and `stop()`
ends it. The HTTP app's lifespan drives it, and a gRPC server calls the same object.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from service.admission import Admission
from service.core.inference import InferenceCore
from service.core.registry.manager import ModelManager
from service.core.registry.poller import RepositoryPoller
from service.core.registry.servable import Servable
from service.core.repository.scan import ModelRepository, VersionEntry
from service.core.status import not_ready
from service.metrics import Metrics
from service.runtime.heap import keep_heap
from service.settings import Settings

logger = logging.getLogger("service")
OFFLOAD_THREADS = 2  # threads decoding large bodies (each holds one body's parse at a time)


class ServingCore:
    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self._inference_pool = ThreadPoolExecutor(settings.inference_threads, "inference")
        self._load_pool = ThreadPoolExecutor(1, "loader")
        self._offload_pool = ThreadPoolExecutor(OFFLOAD_THREADS, "decode")
        self.repository = ModelRepository(settings.model_repository,
                                          settings.version_settle_seconds)
        self.manager = ModelManager(self._load_pool, self._make_servable)
        self.poller = RepositoryPoller(self.repository, self.manager, self._load_pool)
        self.inference = InferenceCore(self.manager, self._offload_pool, settings.max_instances)
        self.admission = Admission(settings.max_concurrency)  # shared by every transport
        metrics.in_flight.set_function(lambda: self.admission.in_flight)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def _make_servable(self, model: str, entry: VersionEntry) -> Servable:
        settings = self.settings
        return Servable(model, entry.number, entry.path, entry.listing, self._inference_pool,
                        settings.max_batch_size, settings.max_batch_wait_ms / 1000,
                        on_batch=self.metrics.observe_batch)

    def not_ready(self) -> dict[str, str]:
        """Models with no servable version, with reasons ({} when ready)."""
        return not_ready(self.manager, self.poller.repository_error, self.repository.root)

    async def start(self) -> None:
        poll = self.poller.run(self.settings.poll_interval_seconds, self._stop)
        self._tasks = [asyncio.create_task(poll), asyncio.create_task(
            keep_heap(self.poller, self._stop))]
        logger.info("serving models from %s", self.settings.model_repository.resolve())

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            await task
        await self.manager.close()
        # Every request has ended or been cancelled: a TensorFlow call still running (grace
        # period exceeded) is not waited for; the CLI exits without joining its thread.
        for pool in (self._inference_pool, self._load_pool, self._offload_pool):
            pool.shutdown(wait=False, cancel_futures=True)
