"""What the pages say about a tensor: its shape, and what one instance's value looks like (the
try-it form's hint and placeholder)."""

from __future__ import annotations

import json

import pytest

from service.core.types import TensorSpec
from service.http.ui.views import TensorView


@pytest.mark.parametrize(("shape", "dtype", "shown", "expects", "example"), [
    ((None,), "float32", "[-1]", "a number", "0"),
    ((None,), "int64", "[-1]", "a whole number", "0"),
    ((None,), "bool", "[-1]", "true or false", "true"),
    ((None, 3), "float32", "[-1, 3]", "a list of 3 values, each a number", "[0, 0, 0]"),
    ((None, 2, 3), "uint8", "[-1, 2, 3]",
     "a nested list of shape [2, 3], each value a whole number", "[[0, 0, 0], [0, 0, 0]]"),
    ((None, None), "float32", "[-1, -1]", "a list of any length, each value a number", "[0, 0]"),
])
def test_tensor_view(shape: tuple, dtype: str, shown: str, expects: str, example: str) -> None:
    view = TensorView.of(TensorSpec("t", dtype, shape))
    assert (view.shape, view.expects, view.example) == (shown, expects, example)
    assert json.loads(view.example) is not None  # the placeholder is a JSON value to send
