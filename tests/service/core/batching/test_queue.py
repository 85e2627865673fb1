"""How the next batch is cut from the queued requests."""

from __future__ import annotations

import asyncio

import numpy as np

from service.core.batching.queue import BatchQueue, Pending


def queue_of(rows: list[int], max_rows: int, loop: asyncio.AbstractEventLoop) -> BatchQueue:
    queue = BatchQueue(max_rows)
    for n in rows:
        queue.add(Pending({"x": np.zeros(n, np.float32)}, n, loop.create_future()))
    return queue


def test_take_cuts_batches_in_arrival_order_up_to_max_rows() -> None:
    loop = asyncio.new_event_loop()
    try:
        queue = queue_of([2, 3, 1, 4, 5], max_rows=6, loop=loop)
        assert queue.full and queue.rows == 15
        cuts = []
        while len(queue):
            cuts.append([p.rows for p in queue.take()])
        assert cuts == [[2, 3, 1], [4], [5]] and queue.rows == 0
    finally:
        loop.close()


def test_take_drops_requests_no_longer_waiting_and_their_rows() -> None:
    loop = asyncio.new_event_loop()
    try:
        queue = queue_of([1, 1, 1, 1], max_rows=2, loop=loop)
        pending = queue.drain()
        pending[0].future.cancel()
        pending[2].future.set_result({})
        for item in pending:
            queue.add(item)
        assert [p.rows for p in queue.take()] == [1, 1] and queue.rows == 0 and len(queue) == 0
    finally:
        loop.close()


def test_take_gives_an_oversized_request_a_batch_of_its_own() -> None:
    loop = asyncio.new_event_loop()
    try:
        queue = queue_of([9, 1], max_rows=4, loop=loop)
        assert [p.rows for p in queue.take()] == [9]
        assert [p.rows for p in queue.take()] == [1]
    finally:
        loop.close()
