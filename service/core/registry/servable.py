"""One model version as the manager holds it: state, loader, batching predictor, borrowers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from service.core.batching.predictor import BatchingPredictor, PredictFn
from service.core.errors import InvalidArgument, PredictionFailed
from service.core.loading.loader import LoadError, SavedModelLoader
from service.core.repository.quiet import Listing
from service.core.types import SIGNATURE_KEY, Signature, Tensors, VersionState

BatchObserver = Callable[[str, int, int], None]  # (model, version, rows)
# Signatures with unknown inner dimensions batch only requests of equal shapes: each shape
# gets its own queue, up to this many per version; requests of further shapes run alone.
MAX_SHAPE_QUEUES = 16
BatchKey = tuple[str, tuple[tuple[int, ...], ...] | None]


class Servable:
    """Cheap to construct; `load()` (run in a worker thread) does the heavy work."""

    def __init__(self, model: str, version: int, path: Path, listing: Listing,
                 executor: Executor, max_batch_size: int, max_wait_seconds: float,
                 on_batch: BatchObserver | None = None, inline_budget_us: float = 0.0) -> None:
        self.model = model
        self.version = version
        self.path = path
        self.listing = listing
        self.state = VersionState.LOADING
        self.error: str | None = None
        self.loaded_at: float | None = None
        self.signatures: dict[str, Signature] = {}  # servable signatures; empty until loaded
        self.unservable: dict[str, str] = {}  # signature name -> why it cannot be served
        self.signature_defs: dict = {}
        self.metadata: dict = {}
        self.metadata_problem: str | None = None
        self._loader = SavedModelLoader(path, inline_budget_us)
        self._executor = executor
        self._batch_args = (max_batch_size, max_wait_seconds)
        self._on_batch = on_batch
        self._predictors: dict[BatchKey, BatchingPredictor] = {}
        self._in_flight = 0
        self._idle: asyncio.Event | None = None

    @property
    def signature(self) -> Signature | None:
        """The default signature (serving_default), else the first servable one; None until
        loaded."""
        default = self.signatures.get(SIGNATURE_KEY)
        return default or next(iter(self.signatures.values()), None)

    def signature_for(self, name: str | None) -> Signature:
        """The signature a request names (serving_default when it names none)."""
        name = name or SIGNATURE_KEY
        found = self.signatures.get(name)
        if found is not None:
            return found
        if name in self.unservable:
            raise InvalidArgument(f"signature {name!r} of model {self.model!r} cannot be "
                                  f"served: {self.unservable[name]}")
        raise InvalidArgument(f'Serving signature name: "{name}" not found in signature def; '
                              f"model {self.model!r} version {self.version} has "
                              f"{', '.join(repr(n) for n in self.signatures)}")

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
        self.signatures, self.unservable = loader.signatures, loader.unservable
        self.signature_defs, self.metadata = loader.signature_defs, loader.metadata
        self.metadata_problem = loader.metadata_problem
        self.loaded_at = time.time()
        self.state = VersionState.AVAILABLE

    async def predict(self, signature: Signature, tensors: Tensors, rows: int) -> Tensors:
        """The outputs for these rows, batched with other requests of the same signature and
        inner shapes."""
        known = all(spec.known for spec in signature.inputs)
        key = (signature.name, None if known else tuple(t.shape[1:] for t in tensors.values()))
        predictor = self._predictors.get(key)
        if predictor is None:
            run = self._runner(signature)
            if len(self._predictors) >= MAX_SHAPE_QUEUES:
                loop = asyncio.get_running_loop()
                self._observe(rows)
                return await loop.run_in_executor(self._executor, run, tensors)
            predictor = self._predictors[key] = BatchingPredictor(
                run, self._executor, *self._batch_args, on_batch=self._observe,
                inline_values=self._loader.inline_values.get(signature.name, 0))
        return await predictor.predict(tensors, rows)

    def _observe(self, rows: int) -> None:
        if self._on_batch is not None:
            self._on_batch(self.model, self.version, rows)

    def _runner(self, signature: Signature) -> PredictFn:
        """One signature call, checked to answer one output row per input row (so a batch
        splits back into its requests)."""
        loader, name = self._loader, signature.name

        def run(tensors: Tensors) -> Tensors:
            outputs = loader.predict(name, tensors)
            rows = len(next(iter(tensors.values())))
            for output, values in outputs.items():
                if values.ndim == 0 or values.shape[0] != rows:
                    raise PredictionFailed(f"output {output!r} has shape {list(values.shape)} "
                                           f"for {rows} input rows; outputs need one row per "
                                           "input row")
            return outputs
        return run

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
        for predictor in self._predictors.values():
            await predictor.close()
        self._loader = SavedModelLoader(self.path)  # drop the TensorFlow objects
