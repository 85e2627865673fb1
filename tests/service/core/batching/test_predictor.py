"""The micro-batcher against a real SavedModel signature (linear: y = 2x - 1)."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from service.core.batching.predictor import BatchingPredictor
from service.core.errors import Unavailable
from service.core.loading.loader import SavedModelLoader
from tests.support import serve_in_process

HANG_GUARD = 60.0  # seconds; only there so that a broken batcher fails instead of hanging


def near(values: list[float] | float) -> object:
    """The trained linear model answers 2x - 1 to within float32 training error."""
    return pytest.approx(values, abs=1e-3)


@pytest.fixture(scope="module")
def linear(trained_repository: Path) -> SavedModelLoader:
    loader = SavedModelLoader(trained_repository / "linear" / "1")
    loader.load()
    return loader


def run(coroutine: Coroutine) -> object:
    async def guarded() -> object:
        return await asyncio.wait_for(coroutine, HANG_GUARD)
    return asyncio.run(guarded())


def batcher(linear: SavedModelLoader, batches: list[int], max_batch_size: int = 64,
            max_wait: float = 0.0005, **options: object) -> BatchingPredictor:
    return BatchingPredictor(partial(linear.predict, "serving_default"), ThreadPoolExecutor(2),
                             max_batch_size, max_wait,
                             on_batch=batches.append, **options)


def column(*values: float) -> dict[str, np.ndarray]:
    return {"x": np.asarray(values, dtype=np.float32)}


def test_predict_coalesces_concurrent_requests_into_one_call(linear: SavedModelLoader) -> None:
    batches: list[int] = []
    predictor = batcher(linear, batches)

    async def scenario() -> list:
        return await asyncio.gather(*(predictor.predict(column(i), 1) for i in range(20)))

    results = run(scenario())
    assert max(batches) > 1 and sum(batches) == 20
    assert [float(r["y"][0]) for r in results] == near([2 * i - 1 for i in range(20)])


def test_predict_returns_each_request_exactly_its_rows_in_order(
        linear: SavedModelLoader) -> None:
    batches: list[int] = []
    predictor = batcher(linear, batches)
    requests = [tuple(float(10 * r + k) for k in range(r % 5 + 1)) for r in range(12)]

    async def scenario() -> list:
        return await asyncio.gather(*(predictor.predict(column(*values), len(values))
                                      for values in requests))

    results = run(scenario())
    assert len(batches) < len(requests)
    for values, result in zip(requests, results, strict=True):
        assert result["y"].tolist() == near([2 * v - 1 for v in values])


def test_predict_splits_batches_at_max_batch_size(linear: SavedModelLoader) -> None:
    batches: list[int] = []
    predictor = batcher(linear, batches, max_batch_size=4)

    async def scenario() -> list:
        small = [predictor.predict(column(i, i + 1, i + 2), 3) for i in range(5)]
        large = predictor.predict(column(*range(10)), 10)  # a full batch or more skips the queue
        return await asyncio.gather(*small, large)

    *small, large = run(scenario())
    assert sorted(batches) == [3, 3, 3, 3, 3, 10]
    for i, result in enumerate(small):
        assert result["y"].tolist() == near([2 * i - 1, 2 * i + 1, 2 * i + 3])
    assert large["y"].tolist() == near([2 * i - 1 for i in range(10)])


@pytest.mark.parametrize("inline_values", [0, 64])  # in the inference threads, on the loop
def test_predict_failing_request_fails_alone(linear: SavedModelLoader,
                                             inline_values: int) -> None:
    batches: list[int] = []
    predictor = batcher(linear, batches, inline_values=inline_values)
    bad = {"x": np.zeros((1, 2), np.float32)}  # rank 2: the signature takes shape [-1]

    async def scenario() -> list:
        calls = [predictor.predict(column(i), 1) for i in range(3)]
        calls.insert(1, predictor.predict(bad, 1))
        return await asyncio.gather(*calls, return_exceptions=True)

    first, failed, *rest = run(scenario())
    assert isinstance(failed, Exception)
    assert [float(r["y"][0]) for r in (first, *rest)] == near([-1.0, 1.0, 3.0])
    assert max(batches) == 1  # the merged call failed; each request was retried alone


def test_predict_lone_request_does_not_wait_for_a_clock_that_never_moves(
        linear: SavedModelLoader) -> None:
    """Below the timer resolution the wait ends when a loop turn brings no one: with a frozen
    clock the deadline never comes, yet the lone request is answered."""
    batches: list[int] = []
    predictor = batcher(linear, batches, max_wait=0.0009, clock=lambda: 0.0)
    result = run(predictor.predict(column(10), 1))
    assert float(result["y"][0]) == near(19.0) and batches == [1]


def test_predict_wait_ends_at_max_wait_while_requests_keep_arriving(
        linear: SavedModelLoader) -> None:
    """A steady trickle (one request per loop turn) would keep the batch open for ever; the
    clock (one tick per reading) closes it after max_wait."""
    batches: list[int] = []
    ticks = itertools.count()
    predictor = batcher(linear, batches, max_batch_size=1000, max_wait=0.0005,
                        clock=lambda: next(ticks) * 0.0001)

    async def scenario() -> list:
        calls = []
        for i in range(200):
            calls.append(asyncio.ensure_future(predictor.predict(column(i), 1)))
            await asyncio.sleep(0)
        return await asyncio.gather(*calls)

    results = run(scenario())
    assert 1 < batches[0] < 20 and sum(batches) == 200
    assert [float(r["y"][0]) for r in results] == near([2 * i - 1 for i in range(200)])


def test_predict_timed_wait_holds_lone_request_until_batch_fills(
        linear: SavedModelLoader) -> None:
    batches: list[int] = []
    predictor = batcher(linear, batches, max_batch_size=2, max_wait=3600.0)

    async def scenario() -> tuple[bool, list]:
        first = asyncio.ensure_future(predictor.predict(column(1), 1))
        for _ in range(50):
            await asyncio.sleep(0)
        held = not first.done()
        second = await predictor.predict(column(2), 1)
        return held, [await first, second]

    held, results = run(scenario())
    assert held and batches == [2]
    assert [float(r["y"][0]) for r in results] == near([1.0, 3.0])


def test_predict_cancelled_request_leaves_its_batch(linear: SavedModelLoader) -> None:
    """A request cancelled while queued (its deadline, a client gone) takes no batch slot."""
    batches: list[int] = []
    predictor = batcher(linear, batches, max_batch_size=2, max_wait=3600.0)

    async def scenario() -> list:
        waiting = asyncio.ensure_future(predictor.predict(column(1), 1))
        await asyncio.sleep(0)
        waiting.cancel()
        return await asyncio.gather(predictor.predict(column(2), 1),
                                    predictor.predict(column(3), 1))

    results = run(scenario())
    assert [float(r["y"][0]) for r in results] == near([3.0, 5.0]) and batches == [2]


def test_close_fails_queued_requests_and_refuses_new_ones(linear: SavedModelLoader) -> None:
    predictor = batcher(linear, [], max_batch_size=8, max_wait=3600.0)

    async def scenario() -> tuple[object, object]:
        queued = asyncio.ensure_future(predictor.predict(column(1), 1))
        await asyncio.sleep(0)
        await predictor.close()
        queued_error = (await asyncio.gather(queued, return_exceptions=True))[0]
        new_error = (await asyncio.gather(predictor.predict(column(2), 1),
                                          return_exceptions=True))[0]
        return queued_error, new_error

    queued_error, new_error = run(scenario())
    assert isinstance(queued_error, Unavailable) and isinstance(new_error, Unavailable)


def test_predict_route_coalesces_concurrent_http_requests(trained_repository: Path) -> None:
    """End to end: eight concurrent POST /predict/linear share one signature call (the timed
    wait holds the batch open until it is full), seen in the batch-size metric."""
    with serve_in_process(trained_repository, max_batch_size=8,
                          max_batch_wait_ms=30_000) as client:
        answers: dict[int, float] = {}

        def post(x: int) -> None:
            body = client.post("/predict/linear", json={"instances": [x]}).json()
            answers[x] = body["predictions"][0]

        threads = [threading.Thread(target=post, args=(x,)) for x in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(HANG_GUARD)
        metrics = client.get("/metrics").text
    assert answers == pytest.approx({x: 2 * x - 1 for x in range(8)}, abs=1e-3)
    assert 'serving_batch_rows_count{model="linear",version="1"} 1.0' in metrics
    assert 'serving_batch_rows_sum{model="linear",version="1"} 8.0' in metrics


def test_batches_within_the_inline_values_run_on_the_loop(linear: SavedModelLoader) -> None:
    threads: list[str] = []

    def predict(tensors: dict) -> dict:
        threads.append(threading.current_thread().name)
        return linear.predict("serving_default", tensors)

    predictor = BatchingPredictor(predict, ThreadPoolExecutor(2, "inference"), 64, 0.0005,
                                  inline_values=4)

    async def scenario() -> tuple:
        small = await predictor.predict(column(1.0, 2.0), 2)
        large = await predictor.predict(column(*range(5)), 5)
        return small, large

    small, large = run(scenario())
    assert threads[0] == threading.current_thread().name  # asyncio.run's loop: this thread
    assert threads[1].startswith("inference")
    assert small["y"].tolist() == near([1.0, 3.0])
    assert large["y"].tolist() == near([2.0 * v - 1 for v in range(5)])
