"""Adaptive micro-batching: concurrent requests for one version share one signature call.

One worker task per version runs one signature call at a time in the inference thread pool.
Requests that arrive while a call runs queue up and go together into the next call, so batches
grow with the load. Before a call, the worker also holds the batch open for company, never
beyond `max_batch_size` rows or `max_wait`:
- a wait of a millisecond or more is timed (TensorFlow Serving's batch timeout: a lone request
  waits it out);
- a shorter one, below the event loop's timer resolution (uvloop counts in milliseconds), lasts
  only while requests keep arriving: the worker yields to the loop until a turn brings no new
  request, so at the default a lone request is answered at once.
A batch with no more input values than `inline_values` (measured per signature at load:
service.core.loading.call_cost) is called on the loop, not handed to a thread. Each request
gets back exactly its own rows, in order. Requests at least a full batch big skip
the queue. If a batched call fails, each request is retried alone, so a bad request cannot fail
its neighbours.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor

import numpy as np

from service.core.batching.queue import BatchQueue, Pending
from service.core.errors import Unavailable
from service.core.types import Tensors

PredictFn = Callable[[Tensors], Tensors]
logger = logging.getLogger("service.batching")
TIMED_WAIT = 0.001  # seconds: waits at least this long use a timer


class BatchingPredictor:
    def __init__(self, predict: PredictFn, executor: Executor, max_batch_size: int,
                 max_wait_seconds: float, on_batch: Callable[[int], None] | None = None,
                 clock: Callable[[], float] | None = None, inline_values: int = 0) -> None:
        self._predict = predict
        self._inline_values = inline_values
        self._executor = executor
        self._max_wait = max_wait_seconds
        self._on_batch = on_batch or (lambda rows: None)
        self._clock = clock or time.monotonic  # sub-millisecond resolution
        self._queue = BatchQueue(max_batch_size)
        self._wakeup: asyncio.Future | None = None  # set while the worker waits for work
        self._full: asyncio.Future | None = None  # set while it waits for company
        self._worker: asyncio.Task | None = None
        self._running: list[Pending] = []
        self._closed = False

    async def predict(self, tensors: Tensors, rows: int) -> Tensors:
        """This request's output rows. Cancelling the caller (the request deadline, a client
        gone) withdraws it: a cancelled request is dropped from the batch it was queued for."""
        if self._closed:
            raise Unavailable("this model version is being unloaded; retry")
        loop = asyncio.get_running_loop()
        if rows >= self._queue.max_rows:
            self._on_batch(rows)
            return await loop.run_in_executor(self._executor, self._predict, tensors)
        if self._worker is None:
            self._worker = loop.create_task(self._work())
        future = loop.create_future()
        self._queue.add(Pending(tensors, rows, future))
        _wake(self._wakeup)
        if self._queue.full:
            _wake(self._full)
        return await future

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._closed:
            if not self._queue:
                self._wakeup = loop.create_future()
                await self._wakeup
                continue
            await self._gather(loop)
            batch = self._queue.take()
            self._running = batch
            try:
                await self._run(batch)
            except Exception as exc:  # never let the worker die: fail this batch instead
                logger.exception("batch of %d requests failed unexpectedly", len(batch))
                _fail(batch, exc)
            finally:
                self._running = []

    async def _gather(self, loop: asyncio.AbstractEventLoop) -> None:
        """Holds the next batch open for company (see the module docstring)."""
        queue = self._queue
        if queue.full or self._max_wait <= 0:
            return
        if self._max_wait < TIMED_WAIT:
            deadline = self._clock() + self._max_wait
            seen = -1
            while not queue.full and len(queue) != seen and self._clock() < deadline:
                seen = len(queue)
                await asyncio.sleep(0)
            return
        self._full = loop.create_future()
        timer = loop.call_later(self._max_wait, _wake, self._full)
        try:
            await self._full
        finally:
            timer.cancel()
            self._full = None

    async def _run(self, batch: list[Pending]) -> None:
        live = [p for p in batch if not p.future.done()]
        if not live:
            return
        if len(live) == 1:
            await self._run_alone(live[0])
            return
        try:
            merged = {k: np.concatenate([p.tensors[k] for p in live]) for k in live[0].tensors}
            self._on_batch(sum(p.rows for p in live))
            outputs = await self._call(merged)
        except Exception:
            for pending in live:  # isolate the failing request
                if not pending.future.done():
                    await self._run_alone(pending)
            return
        start = 0
        for pending in live:
            end = start + pending.rows
            if not pending.future.done():
                pending.future.set_result({k: v[start:end] for k, v in outputs.items()})
            start = end

    async def _run_alone(self, pending: Pending) -> None:
        self._on_batch(pending.rows)
        try:
            outputs = await self._call(pending.tensors)
        except Exception as exc:
            if not pending.future.done():
                pending.future.set_exception(exc)
            return
        if not pending.future.done():
            pending.future.set_result(outputs)

    async def _call(self, tensors: Tensors) -> Tensors:
        if sum(values.size for values in tensors.values()) <= self._inline_values:
            return self._predict(tensors)  # cheaper than the hand-over (call_cost.py)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._predict, tensors)

    async def close(self) -> None:
        self._closed = True
        _fail(self._queue.drain() + self._running, Unavailable("model version unloaded; retry"))
        if self._worker is not None:
            self._worker.cancel()


def _wake(future: asyncio.Future | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


def _fail(batch: list[Pending], exc: BaseException) -> None:
    for pending in batch:
        if not pending.future.done():
            pending.future.set_exception(exc)
