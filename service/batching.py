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
Each request gets back exactly its own rows, in order. Requests at least a full batch big skip
the queue. If a batched call fails, each request is retried alone, so a bad request cannot fail
its neighbours.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from service.errors import NotReady

Columns = dict[str, np.ndarray]
PredictFn = Callable[[Columns], Columns]
logger = logging.getLogger("service.batching")
TIMED_WAIT = 0.001  # seconds: waits at least this long use a timer


@dataclass(slots=True)
class _Pending:
    columns: Columns
    rows: int
    future: asyncio.Future


class BatchingPredictor:
    def __init__(self, predict: PredictFn, executor: Executor, max_batch_size: int,
                 max_wait_seconds: float, on_batch: Callable[[int], None] | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self._predict = predict
        self._executor = executor
        self._max_rows = max_batch_size
        self._max_wait = max_wait_seconds
        self._on_batch = on_batch or (lambda rows: None)
        self._clock = clock or time.monotonic  # sub-millisecond resolution
        self._queue: deque[_Pending] = deque()
        self._queued_rows = 0
        self._wakeup: asyncio.Future | None = None  # set while the worker waits for work
        self._full: asyncio.Future | None = None  # set while it waits for company
        self._worker: asyncio.Task | None = None
        self._running: list[_Pending] = []
        self._closed = False

    async def predict(self, columns: Columns, rows: int, timeout: float | None = None) -> Columns:
        """This request's output rows; TimeoutError after `timeout` seconds."""
        if self._closed:
            raise NotReady("this model version is being unloaded; retry")
        loop = asyncio.get_running_loop()
        if rows >= self._max_rows:
            self._on_batch(rows)
            async with asyncio.timeout(timeout):
                return await loop.run_in_executor(self._executor, self._predict, columns)
        if self._worker is None:
            self._worker = loop.create_task(self._work())
        future = loop.create_future()
        self._queue.append(_Pending(columns, rows, future))
        self._queued_rows += rows
        _wake(self._wakeup)
        if self._queued_rows >= self._max_rows:
            _wake(self._full)
        if timeout is None:
            return await future
        timer = loop.call_later(timeout, _expire, future)  # cheaper than asyncio.timeout
        try:
            return await future
        finally:
            timer.cancel()

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._closed:
            if not self._queue:
                self._wakeup = loop.create_future()
                await self._wakeup
                continue
            await self._gather(loop)
            batch = self._take()
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
        if self._queued_rows >= self._max_rows or self._max_wait <= 0:
            return
        if self._max_wait < TIMED_WAIT:
            deadline = self._clock() + self._max_wait
            seen = -1
            while (self._queued_rows < self._max_rows and len(self._queue) != seen
                   and self._clock() < deadline):
                seen = len(self._queue)
                await asyncio.sleep(0)
            return
        self._full = loop.create_future()
        timer = loop.call_later(self._max_wait, _wake, self._full)
        try:
            await self._full
        finally:
            timer.cancel()
            self._full = None

    def _take(self) -> list[_Pending]:
        """The next batch in arrival order; requests already answered (timed out) are dropped."""
        batch: list[_Pending] = []
        rows = 0
        queue = self._queue
        while queue:
            item = queue[0]
            if not item.future.done():
                if batch and rows + item.rows > self._max_rows:
                    break
                batch.append(item)
                rows += item.rows
            queue.popleft()
            self._queued_rows -= item.rows
        return batch

    async def _run(self, batch: list[_Pending]) -> None:
        live = [p for p in batch if not p.future.done()]
        if not live:
            return
        if len(live) == 1:
            await self._run_alone(live[0])
            return
        loop = asyncio.get_running_loop()
        try:
            merged = {k: np.concatenate([p.columns[k] for p in live]) for k in live[0].columns}
            self._on_batch(sum(p.rows for p in live))
            outputs = await loop.run_in_executor(self._executor, self._predict, merged)
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

    async def _run_alone(self, pending: _Pending) -> None:
        self._on_batch(pending.rows)
        loop = asyncio.get_running_loop()
        try:
            outputs = await loop.run_in_executor(self._executor, self._predict, pending.columns)
        except Exception as exc:
            if not pending.future.done():
                pending.future.set_exception(exc)
            return
        if not pending.future.done():
            pending.future.set_result(outputs)

    async def close(self) -> None:
        self._closed = True
        _fail(list(self._queue) + self._running, NotReady("model version unloaded; retry"))
        self._queue.clear()
        self._queued_rows = 0
        if self._worker is not None:
            self._worker.cancel()


def _wake(future: asyncio.Future | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def _fail(batch: list[_Pending], exc: BaseException) -> None:
    for pending in batch:
        if not pending.future.done():
            pending.future.set_exception(exc)
