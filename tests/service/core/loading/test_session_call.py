"""The session call answers exactly as the eager keyword call, or is not used: signatures that
write state or whose weights are too large keep the eager call."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from service.core.loading import session_call as session_module
from service.core.loading.loader import SavedModelLoader
from service.core.loading.session_call import session_call
from service.core.loading.signature_call import keyword_call
from tests.service.core.loading.stateful import save_counting

ZOO = ("linear", "celsius_to_fahrenheit", "quadratic", "cereal_calories")


def _loaded(path: Path) -> tuple[SavedModelLoader, object]:
    loader = SavedModelLoader(path)
    loader.load()
    return loader, loader.functions["serving_default"]


@pytest.mark.parametrize("name", ZOO)
def test_zoo_session_call_matches_keyword_call(trained_repository: Path, name: str) -> None:
    loader, function = _loaded(trained_repository / name / "1")
    call = session_call(function, loader.signature)
    assert call is not None  # a Dense model freezes
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
    module = TwoOutputs()
    tf.saved_model.save(module, str(tmp_path / "1"), signatures={"serving_default": module.serve})
    loader, function = _loaded(tmp_path / "1")
    assert session_call(function, loader.signature) is not None
    got = loader.predict("serving_default", {"x": np.array([[1.0, 1.0]], np.float32),
                                             "count": np.array([4], np.int64)})
    np.testing.assert_array_equal(got["zeta"], np.array([[2.5, 2.0]], np.float32))
    np.testing.assert_array_equal(got["alpha"], np.array([13], np.int64))


def test_a_signature_that_writes_state_keeps_the_eager_call(tmp_path: Path) -> None:
    save_counting(tmp_path / "1")
    loader, function = _loaded(tmp_path / "1")
    assert session_call(function, loader.signature) is None
    first = loader.predict("serving_default", {"x": np.zeros(1, np.float32)})["y"][0]
    second = loader.predict("serving_default", {"x": np.zeros(1, np.float32)})["y"][0]
    assert second == first + 1.0  # the variable still counts


def test_weights_over_the_limit_keep_the_eager_call(trained_repository: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    loader, function = _loaded(trained_repository / "quadratic" / "1")
    monkeypatch.setattr(session_module, "MAX_FROZEN_BYTES", 4)
    assert session_call(function, loader.signature) is None
