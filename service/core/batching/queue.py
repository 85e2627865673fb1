"""The requests waiting for a signature call, in arrival order, and how a batch is cut."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from service.core.types import Tensors


@dataclass(slots=True)
class Pending:
    tensors: Tensors
    rows: int
    future: asyncio.Future  # done early when its request was cancelled (deadline, disconnect)


class BatchQueue:
    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.rows = 0  # queued rows, counting requests cancelled while queued until cut
        self._items: deque[Pending] = deque()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def full(self) -> bool:
        return self.rows >= self.max_rows

    def add(self, pending: Pending) -> None:
        self._items.append(pending)
        self.rows += pending.rows

    def take(self) -> list[Pending]:
        """The next batch: requests in arrival order up to `max_rows` (at least one);
        requests no longer waiting are dropped on the way."""
        batch: list[Pending] = []
        rows = 0
        items = self._items
        while items:
            item = items[0]
            if not item.future.done():
                if batch and rows + item.rows > self.max_rows:
                    break
                batch.append(item)
                rows += item.rows
            items.popleft()
            self.rows -= item.rows
        return batch

    def drain(self) -> list[Pending]:
        """Everything queued, emptying the queue."""
        items = list(self._items)
        self._items.clear()
        self.rows = 0
        return items
