"""Tensors of any shape and dtype: the row and columnar formats agree for random shapes, wrong
shapes are refused naming the expected shape, and values are checked against the dtype."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from service.core.errors import InvalidArgument
from service.protocols.columns import tensors_from_inputs
from service.protocols.rows import tensors_from_instances
from service.protocols.values import cast
from tests.service.protocols.signatures import tensors

DTYPES = ["float16", "float32", "float64", "int8", "int32", "int64", "uint8", "uint16", "bool"]
inner_shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


def values_of(dtype: str, shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    if dtype == "bool":
        return hnp.arrays(np.bool_, shape)
    if dtype.startswith("float"):
        return hnp.arrays(np.float64, shape, elements=st.floats(-1000, 1000, width=16))
    info = np.iinfo(dtype)
    return hnp.arrays(np.int64, shape, elements=st.integers(int(info.min), int(info.max)))


@st.composite
def tensor_batches(draw: st.DrawFn) -> tuple:
    dtypes = draw(st.lists(st.sampled_from(DTYPES), min_size=1, max_size=3))
    rows = draw(st.integers(1, 4))
    specs, arrays = {}, {}
    for i, dtype in enumerate(dtypes):
        inner = draw(inner_shapes)
        unknown = draw(st.lists(st.booleans(), min_size=len(inner), max_size=len(inner)))
        shape = (None, *(None if u else d for d, u in zip(inner, unknown, strict=True)))
        specs[f"in{i}"] = (dtype, shape)
        arrays[f"in{i}"] = draw(values_of(dtype, (rows, *inner)))
    return tensors(**specs), arrays


@settings(max_examples=150, deadline=None)
@given(tensor_batches())
def test_row_and_columnar_formats_agree_for_any_shape(batch: tuple) -> None:
    signature, arrays = batch
    names = list(arrays)
    rows = len(next(iter(arrays.values())))
    columnar = tensors_from_inputs({n: a.tolist() for n, a in arrays.items()}, signature, 10)
    if len(names) == 1:
        row_form = arrays[names[0]].tolist()
    else:
        row_form = [{n: arrays[n][i].tolist() for n in names} for i in range(rows)]
    by_rows = tensors_from_instances(row_form, signature, 10)
    for spec in signature.inputs:
        expected = arrays[spec.name].astype(spec.dtype)
        for got in (columnar[spec.name], by_rows[spec.name]):
            assert got.dtype == np.dtype(spec.dtype) and got.shape == expected.shape
            np.testing.assert_array_equal(got, expected)


@settings(max_examples=100, deadline=None)
@given(inner=inner_shapes.filter(bool), extra=st.integers(1, 2), data=st.data())
def test_a_wrong_inner_shape_is_refused_naming_the_expected_one(inner: tuple, extra: int,
                                                               data: st.DataObject) -> None:
    signature = tensors(x=("float32", (None, *inner)))
    wrong = list(inner)
    wrong[data.draw(st.integers(0, len(inner) - 1))] += extra
    value = np.zeros((2, *wrong)).tolist()
    expected = "[" + ", ".join(["-1", *map(str, inner)]) + "]"
    for read in (lambda: tensors_from_inputs({"x": value}, signature, 10),
                 lambda: tensors_from_instances(value, signature, 10)):
        with pytest.raises(InvalidArgument) as caught:
            read()
        assert expected in caught.value.message or \
            f"a row of shape [{', '.join(map(str, inner))}]" in caught.value.message


@pytest.mark.parametrize(("values", "dtype", "says"), [
    ([70000.0], "float16", "70000.0 is not a finite float16 (NaN, Infinity and |x| > 65504"),
    ([65504.0], "float16", None),
    ([3.5e38], "float32", "is not a finite float32"),
    ([float("nan")], "float64", "nan is not a finite float64 (NaN and Infinity are not"),
    ([128], "int8", "128 is outside the range of int8 (-128 to 127)"),
    ([-1], "uint8", "-1 is outside the range of uint8"),
    ([2.5], "int32", "2.5 is not a whole number"),
    ([2.0], "int32", None),
    ([True], "float32", "expected a number, got bool"),
    ([1], "bool", "expected a boolean (true or false)"),
])
def test_values_are_checked_against_the_dtype(values: list, dtype: str, says: str | None) -> None:
    array = np.asarray(values)
    if says is None:
        assert cast(array, dtype, lambda index: "x").dtype == np.dtype(dtype)
        return
    with pytest.raises(InvalidArgument, match=None) as caught:
        cast(array, dtype, lambda index: f"at {list(index)}")
    assert says in caught.value.message and "at [0]" in caught.value.message
