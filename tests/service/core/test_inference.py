"""The finite-output check of the inference path, for small and large outputs."""

from __future__ import annotations

import numpy as np
import pytest

from service.core.errors import PredictionFailed
from service.core.inference import SMALL_OUTPUT, _all_finite, _check_finite


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [1, SMALL_OUTPUT, SMALL_OUTPUT + 1, 1000])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_every_non_finite_value_is_found_at_any_size(dtype: type, size: int,
                                                     bad: float) -> None:
    values = np.linspace(-3e3, 3e3, size).astype(dtype).reshape(size, 1)
    assert _all_finite(values)
    values[size // 2, 0] = bad
    assert not _all_finite(values)


def test_the_largest_finite_values_are_finite() -> None:
    for dtype in (np.float16, np.float32, np.float64):
        top = np.finfo(dtype).max
        assert _all_finite(np.array([top, -top], dtype))


def test_check_names_the_instance_and_the_output() -> None:
    outputs = {"y": np.array([[1.0], [np.inf]], np.float32), "z": np.array([1], np.int64)}
    with pytest.raises(PredictionFailed, match=r"instance 1: output 'y' is not finite \(inf\)"):
        _check_finite(outputs)
    _check_finite({"z": np.array([1, 2], np.int64)})  # integers are never checked
