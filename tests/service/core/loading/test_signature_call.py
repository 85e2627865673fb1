"""The flat signature call answers exactly as the keyword call, or is not used; so does the
single-threaded executor, which control flow keeps from being used."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.core.loading.loader import SavedModelLoader
from service.core.loading.signature_call import flat_call, keyword_call, single_threaded
from tests.service.core.loading.saved_modules import Looping, save

ZOO = ("linear", "celsius_to_fahrenheit", "quadratic", "cereal_calories")


@pytest.mark.parametrize("name", ZOO)
def test_flat_call_matches_keyword_call(trained_repository: Path, name: str) -> None:
    loader = SavedModelLoader(trained_repository / name / "1")
    loader.load()
    function, signature = loader.functions["serving_default"], loader.signature
    fast = flat_call(function, signature)
    assert fast is not None
    rng = np.random.default_rng(7)
    for rows in (1, 7, 64):
        columns = {t.name: rng.normal(size=rows).astype(np.float32) * 50
                   for t in loader.signature.inputs}
        expected = keyword_call(function, signature)(columns)
        got = fast(columns)
        assert got.keys() == expected.keys()
        for key in expected:
            np.testing.assert_array_equal(got[key], expected[key])


class PublicOnly:
    """A real signature seen only through its public interface (no `_call_flat`)."""

    def __init__(self, signature) -> None:  # noqa: ANN001 - a TensorFlow ConcreteFunction
        self._signature = signature
        self.structured_input_signature = signature.structured_input_signature
        self.inputs = signature.inputs

    def __call__(self, **tensors):  # noqa: ANN003, ANN204
        return self._signature(**tensors)


def test_flat_call_is_not_offered_without_the_private_method(trained_repository: Path) -> None:
    loader = SavedModelLoader(trained_repository / "cereal_calories" / "1")
    loader.load()
    public = PublicOnly(loader.functions["serving_default"])
    assert flat_call(public, loader.signature) is None
    columns = {t.name: np.ones(2, np.float32) for t in loader.signature.inputs}
    assert keyword_call(public, loader.signature)(columns)["calories"].shape == (2,)


@pytest.mark.parametrize("name", ZOO)
def test_zoo_signatures_run_single_threaded_with_the_same_answers(trained_repository: Path,
                                                                  name: str) -> None:
    loader = SavedModelLoader(trained_repository / name / "1")
    loader.load()
    function, signature = loader.functions["serving_default"], loader.signature
    call = flat_call(function, signature)
    inline = single_threaded(call, signature)
    assert inline is not call  # the Dense zoo has no control flow
    rng = np.random.default_rng(11)
    for rows in (1, 33, 5000):
        columns = {t.name: rng.normal(size=rows).astype(np.float32) * 50
                   for t in signature.inputs}
        expected = keyword_call(function, signature)(columns)
        got = inline(columns)
        for key in expected:
            np.testing.assert_array_equal(got[key], expected[key])
        np.testing.assert_array_equal(loader.predict("serving_default", columns)[
            signature.output_names[0]], expected[signature.output_names[0]])


def test_control_flow_keeps_the_default_executor_and_answers(tmp_path: Path) -> None:
    save(Looping(), tmp_path / "1")
    loader = SavedModelLoader(tmp_path / "1")
    loader.load()
    function, signature = loader.functions["serving_default"], loader.signature
    call = flat_call(function, signature)
    assert single_threaded(call, signature) is call  # the executor refuses the while loop
    got = loader.predict("serving_default", {"x": np.array([1.0, 2.0], np.float32)})
    np.testing.assert_array_equal(got["y"], np.array([5.0, 7.0], np.float32))
    got = loader.predict("serving_default", {"x": np.array([-1.0], np.float32)})
    np.testing.assert_array_equal(got["y"], np.array([1.0], np.float32))
