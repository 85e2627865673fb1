"""Adaptive micro-batching: concurrent requests for one version share one signature call.

A worker task takes every request queued while the previous call ran (up to `max_batch_size`
rows), waits at most `max_wait` for more when the batch is not full, runs one signature call in
the inference thread pool, and hands each request back exactly its own rows. Requests at least a
full batch big skip the queue. If a batched call fails, each request is retried alone, so a bad
request cannot fail its neighbours.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from service.errors import NotReady

Columns = dict[str, np.ndarray]
PredictFn = Callable[[Columns], Columns]


@dataclass
class _Pending:
    columns: Columns
    rows: int
    future: asyncio.Future


class BatchingPredictor:
    def __init__(self, predict: PredictFn, executor: Executor, max_batch_size: int,
                 max_wait_seconds: float,
                 on_batch: Callable[[int], None] | None = None) -> None:
        self._predict = predict
        self._executor = executor
        self._max_rows = max_batch_size
        self._max_wait = max_wait_seconds
        self._on_batch = on_batch or (lambda rows: None)
        self._queue: deque[_Pending] = deque()
        self._wakeup = asyncio.Event()
        self._worker: asyncio.Task | None = None
        self._closed = False

    async def predict(self, columns: Columns, rows: int) -> Columns:
        if self._closed:
            raise NotReady("this model version is being unloaded; retry")
        loop = asyncio.get_running_loop()
        if rows >= self._max_rows:
            self._on_batch(rows)
            return await loop.run_in_executor(self._executor, self._predict, columns)
        if self._worker is None:
            self._worker = loop.create_task(self._work())
        pending = _Pending(columns, rows, loop.create_future())
        self._queue.append(pending)
        self._wakeup.set()
        return await pending.future

    async def _work(self) -> None:
        while not self._closed:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch = await self._collect()
                await self._run(batch)

    async def _collect(self) -> list[_Pending]:
        await asyncio.sleep(0)  # let handlers that are ready enqueue their rows first
        rows = sum(p.rows for p in self._queue)
        if rows < self._max_rows and self._max_wait > 0:
            deadline = asyncio.get_running_loop().time() + self._max_wait
            while rows < self._max_rows:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), remaining)
                except TimeoutError:
                    break
                rows = sum(p.rows for p in self._queue)
        batch, rows = [], 0
        while self._queue and (not batch or rows + self._queue[0].rows <= self._max_rows):
            item = self._queue.popleft()
            batch.append(item)
            rows += item.rows
        return batch

    async def _run(self, batch: list[_Pending]) -> None:
        loop = asyncio.get_running_loop()
        live = [p for p in batch if not p.future.done()]
        if not live:
            return
        rows = sum(p.rows for p in live)
        self._on_batch(rows)
        if len(live) == 1:
            merged = live[0].columns
        else:
            merged = {k: np.concatenate([p.columns[k] for p in live]) for k in live[0].columns}
        try:
            outputs = await loop.run_in_executor(self._executor, self._predict, merged)
        except Exception as exc:
            if len(live) == 1:
                if not live[0].future.done():
                    live[0].future.set_exception(exc)
                return
            for pending in live:  # isolate the failing request
                await self._run([pending])
            return
        start = 0
        for pending in live:
            end = start + pending.rows
            if not pending.future.done():
                pending.future.set_result({k: v[start:end] for k, v in outputs.items()})
            start = end

    async def close(self) -> None:
        self._closed = True
        self._wakeup.set()
        while self._queue:
            pending = self._queue.popleft()
            if not pending.future.done():
                pending.future.set_exception(NotReady("model version unloaded; retry"))
        if self._worker is not None:
            self._worker.cancel()

