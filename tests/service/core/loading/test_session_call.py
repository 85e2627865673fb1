"""The session call answers exactly as the eager keyword call, or is not used: a SavedModel
with a signature that writes state, and weights over the limit, keep the eager call."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from service.core.loading.loader import SavedModelLoader
from service.core.loading.session_call import session_call, writes_state
from service.core.loading.signature_call import keyword_call
from tests.service.core.loading.saved_modules import Counting, Looping, ReaderAndWriter, save

ZOO = ("linear", "celsius_to_fahrenheit", "quadratic", "cereal_calories")


def _loaded(path: Path) -> tuple[SavedModelLoader, object]:
    loader = SavedModelLoader(path)
    loader.load()
    return loader, loader.functions["serving_default"]


@pytest.mark.parametrize("name", ZOO)
def test_zoo_session_call_matches_keyword_call(trained_repository: Path, name: str) -> None:
    loader, function = _loaded(trained_repository / name / "1")
    run = session_call(function, loader.signature)
    assert run is not None and run.steady  # a Dense model freezes; its cost follows its size
    call = run.call
    rng = np.random.default_rng(5)
    for rows in (1, 2, 7, 64, 5000):
        columns = {t.name: rng.normal(size=rows).astype(np.float32) * 50
                   for t in loader.signature.inputs}
        expected = keyword_call(function, loader.signature)(columns)
        for got in (call(columns), loader.predict("serving_default", columns)):
            assert got.keys() == expected.keys()
            for key in expected:
                assert got[key].dtype == expected[key].dtype
                np.testing.assert_array_equal(got[key], expected[key])


class TwoOutputs(tf.Module):
    """Outputs whose names sort against their order of creation, with a weight."""

    def __init__(self) -> None:
        super().__init__()
        self.w = tf.Variable([[2.0, -1.0], [0.5, 3.0]])

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x"),
                                  tf.TensorSpec([None], tf.int64, name="count")])
    def serve(self, x: tf.Tensor, count: tf.Tensor) -> dict:
        return {"zeta": tf.matmul(x, self.w), "alpha": count * 3 + 1}


def test_outputs_and_inputs_keep_their_names(tmp_path: Path) -> None:
    save(TwoOutputs(), tmp_path / "1")
    loader, function = _loaded(tmp_path / "1")
    assert session_call(function, loader.signature) is not None
    got = loader.predict("serving_default", {"x": np.array([[1.0, 1.0]], np.float32),
                                             "count": np.array([4], np.int64)})
    np.testing.assert_array_equal(got["zeta"], np.array([[2.5, 2.0]], np.float32))
    np.testing.assert_array_equal(got["alpha"], np.array([13], np.int64))


def test_a_signature_that_writes_state_keeps_the_eager_call(tmp_path: Path) -> None:
    save(Counting(), tmp_path / "1")
    loader, function = _loaded(tmp_path / "1")
    assert writes_state(function)
    assert session_call(function, loader.signature) is None
    first = loader.predict("serving_default", {"x": np.zeros(1, np.float32)})["y"][0]
    second = loader.predict("serving_default", {"x": np.zeros(1, np.float32)})["y"][0]
    assert second == first + 1.0  # the variable still counts


def test_weights_over_the_limit_keep_the_eager_call(trained_repository: Path) -> None:
    loader, function = _loaded(trained_repository / "quadratic" / "1")
    assert session_call(function, loader.signature, max_weight_bytes=4) is None
    assert session_call(function, loader.signature, max_weight_bytes=1 << 20) is not None


def test_a_reader_of_state_another_signature_writes_keeps_the_eager_call(
        tmp_path: Path) -> None:
    save(ReaderAndWriter(), tmp_path / "1", "update")
    loader, function = _loaded(tmp_path / "1")
    assert not writes_state(function) and writes_state(loader.functions["update"])
    x = {"x": np.array([1.0], np.float32)}
    for offset in (5.0, 7.0):  # (the warm-up at load also called update)
        loader.predict("update", {"x": np.array([offset], np.float32)})
        assert loader.predict("serving_default", x)["y"].tolist() == [1.0 + offset]


class Ragged(tf.Module):
    """An input whose inner dimension is unknown."""

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32, name="x")])
    def serve(self, x: tf.Tensor) -> dict:
        return {"y": tf.reduce_sum(x, axis=1)}


@pytest.mark.parametrize("module", [Looping, Ragged])
def test_a_cost_not_set_by_the_size_is_never_run_on_the_loop(tmp_path: Path,
                                                              module: type) -> None:
    save(module(), tmp_path / "1")
    loader = SavedModelLoader(tmp_path / "1", inline_budget_us=1e6)
    loader.load()
    run = session_call(loader.functions["serving_default"], loader.signature)
    assert run is None or not run.steady
    assert loader.inline_values == {"serving_default": 0}
