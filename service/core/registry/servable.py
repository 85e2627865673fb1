"""One model version as the manager holds it: state, loader, batching predictor, borrowers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from service.core.batching.predictor import BatchingPredictor
from service.core.loading.loader import LoadError, SavedModelLoader
from service.core.repository.quiet import Listing
from service.core.types import Signature, Tensors, VersionState

BatchObserver = Callable[[str, int, int], None]  # (model, version, rows)


class Servable:
    """Cheap to construct; `load()` (run in a worker thread) does the heavy work."""

    def __init__(self, model: str, version: int, path: Path, listing: Listing,
                 executor: Executor, max_batch_size: int, max_wait_seconds: float,
                 on_batch: BatchObserver | None = None) -> None:
        self.model = model
        self.version = version
        self.path = path
        self.listing = listing
        self.state = VersionState.LOADING
        self.error: str | None = None
        self.loaded_at: float | None = None
        self.signature: Signature | None = None  # names, dtypes and shapes; None until loaded
        self.signature_defs: dict = {}
        self.metadata: dict = {}
        self._loader = SavedModelLoader(path)
        self._executor = executor
        self._batch_args = (max_batch_size, max_wait_seconds)
        self._on_batch = on_batch
        self._predictor: BatchingPredictor | None = None
        self._in_flight = 0
        self._idle: asyncio.Event | None = None

    @property
    def in_flight(self) -> int:
        """Requests currently holding this version."""
        return self._in_flight

    @property
    def available(self) -> bool:
        return self.state is VersionState.AVAILABLE

    def load(self) -> None:
        try:
            self._loader.load()
        except LoadError as exc:
            self.state, self.error = VersionState.FAILED, str(exc)
            return
        except Exception as exc:  # never let a broken file take the poller down
            self.state, self.error = VersionState.FAILED, f"{type(exc).__name__}: {exc}"[:500]
            return
        loader = self._loader
        self.signature, self.signature_defs = loader.signature, loader.signature_defs
        self.metadata = loader.metadata
        self.loaded_at = time.time()
        self.state = VersionState.AVAILABLE

    async def predict(self, tensors: Tensors, rows: int) -> Tensors:
        if self._predictor is None:
            on_batch = self._on_batch
            self._predictor = BatchingPredictor(
                self._loader.predict, self._executor, *self._batch_args,
                on_batch=(lambda n: on_batch(self.model, self.version, n)) if on_batch else None)
        return await self._predictor.predict(tensors, rows)

    def acquire(self) -> None:
        self._in_flight += 1

    def release(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0 and self._idle is not None:
            self._idle.set()

    async def drained(self) -> None:
        """Returns once no request holds this version."""
        if self._in_flight == 0:
            return
        self._idle = asyncio.Event()
        await self._idle.wait()

    async def close(self) -> None:
        if self._predictor is not None:
            await self._predictor.close()
        self._loader = SavedModelLoader(self.path)  # drop the TensorFlow objects
