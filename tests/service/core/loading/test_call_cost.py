"""How many input values a signature call may take and still run on the event loop."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from service.core.loading.call_cost import PROBE_ROWS, inline_values
from service.core.loading.loader import SavedModelLoader
from service.core.types import Signature, Tensors, TensorSpec
from tests.service.core.loading.saved_modules import Counting, save

PAIR = Signature((TensorSpec("a", "float32", (None, 3)), TensorSpec("b", "int64", (None, None))),
                 (TensorSpec("y", "float32", (None,)),), "serving_default")


def rows_in(tensors: Tensors) -> int:
    return len(next(iter(tensors.values())))


def test_the_limit_counts_every_input_value() -> None:
    seen: list[int] = []

    def call(tensors: Tensors) -> Tensors:
        seen.append(rows_in(tensors))
        return {"y": np.zeros(rows_in(tensors), np.float32)}

    # 3 values a row for a, 2 for b (an unknown inner dimension is probed as 2)
    assert inline_values(call, PAIR, 10_000) == PROBE_ROWS[-1] * 5
    assert max(seen) == PROBE_ROWS[-1]


def test_the_limit_stops_at_the_first_probe_over_the_budget() -> None:
    def call(tensors: Tensors) -> Tensors:
        if rows_in(tensors) > 8:
            time.sleep(0.002)
        return {"y": np.zeros(rows_in(tensors), np.float32)}

    assert inline_values(call, PAIR, 1_000) == 8 * 5


def test_a_probe_that_fails_ends_the_measure() -> None:
    def refusing(tensors: Tensors) -> Tensors:
        if rows_in(tensors) >= 8:
            raise ValueError("index out of range")
        return {"y": np.zeros(rows_in(tensors), np.float32)}

    assert inline_values(refusing, PAIR, 10_000) == 4 * 5


def test_no_budget_or_a_slow_call_never_runs_on_the_loop() -> None:
    def slow(tensors: Tensors) -> Tensors:
        time.sleep(0.002)
        return {"y": np.zeros(rows_in(tensors), np.float32)}

    assert inline_values(slow, PAIR, 1_000) == 0
    assert inline_values(lambda t: {"y": np.zeros(rows_in(t))}, PAIR, 0) == 0


def test_a_loaded_session_call_is_measured(trained_repository: Path) -> None:
    loader = SavedModelLoader(trained_repository / "cereal_calories" / "1", 1e6)
    loader.load()
    assert loader.inline_values == {"serving_default": PROBE_ROWS[-1] * 3}
    unmeasured = SavedModelLoader(trained_repository / "cereal_calories" / "1")
    unmeasured.load()
    assert unmeasured.inline_values == {"serving_default": 0}


def test_an_eager_call_is_never_run_on_the_loop(tmp_path: Path) -> None:
    save(Counting(), tmp_path / "1")
    loader = SavedModelLoader(tmp_path / "1", 1e6)
    loader.load()
    assert loader.inline_values == {"serving_default": 0}
