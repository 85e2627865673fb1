"""Polls the repository (TensorFlow Serving's Source) and hands each scan to the manager.

A repository that vanishes, cannot be listed or empties while versions are served is a fault to
report, not an order to stop serving: the loaded versions stay.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor

from service.core.registry.manager import ModelManager
from service.core.repository.entries import RepositoryUnavailable
from service.core.repository.scan import ModelRepository

logger = logging.getLogger("service.registry")


class RepositoryPoller:
    def __init__(self, repository: ModelRepository, manager: ModelManager,
                 executor: Executor) -> None:
        self.repository = repository
        self.manager = manager
        self._executor = executor
        self.repository_error: str | None = None
        self.polls = 0
        self._lock = asyncio.Lock()

    async def poll_once(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            try:
                scan = await loop.run_in_executor(self._executor, self.repository.scan)
            except RepositoryUnavailable as exc:
                self._fault(str(exc))
                return
            if not scan and any(r.versions for r in self.manager.models.values()):
                self._fault(f"model repository {self.repository.root} is empty")
                return
            if self.repository_error:
                logger.info("model repository is back: %s", self.repository.root)
            self.repository_error = None
            await self.manager.apply_scan(scan)
            self.polls += 1

    def _fault(self, message: str) -> None:
        if message != self.repository_error:
            logger.error("%s; keeping the loaded versions", message)
        self.repository_error = message

    async def run(self, interval: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.poll_once()
            except Exception:  # a poll must never kill the poller
                logger.exception("repository poll failed")
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass
