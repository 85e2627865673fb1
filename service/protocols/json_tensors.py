"""One input's tensor from a JSON value (a number, a boolean, or nested lists): rectangular,
numbers only (booleans only for a boolean input), of the signature's shape, cast to its dtype.
Shapes are checked, never changed: nothing is reshaped or transposed silently."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from service.core.errors import InvalidArgument
from service.core.types import TensorSpec
from service.protocols.values import Locate, cast

Where = Callable[[tuple[int, ...]], str]  # a path into the value -> where it is, for messages


class Ragged(InvalidArgument):
    """Lists of different lengths where a tensor needs equal ones."""


def shape_text(shape: tuple[int | None, ...]) -> str:
    return "[" + ", ".join("-1" if d is None else str(d) for d in shape) + "]"


def numbers(value: object, spec: TensorSpec, where: Where, maybe_bool: bool) -> np.ndarray:
    """`value` as a rectangular array of numbers (or of booleans, for a boolean input),
    not yet checked against the shape; InvalidArgument naming the first value that is not."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise Ragged(f"{where(())}: the values are ragged (rows of different lengths); "
                     f"input {spec.name!r} takes shape {shape_text(spec.shape)}") from None
    kind = array.dtype.kind
    if kind == "b" and spec.dtype == "bool":
        return array
    if kind in "fiu" and (not maybe_bool or spec.dtype == "bool" or not _has_bool(value)):
        return array
    found = _odd_leaf(value, spec.dtype == "bool")
    if found is not None:
        path, leaf = found
        expected = "a boolean (true or false)" if spec.dtype == "bool" else "a number"
        kind_name = "null" if leaf is None else type(leaf).__name__
        raise InvalidArgument(f"{where(path)}: expected {expected}, got {kind_name}")
    try:
        return np.asarray(value, dtype=np.float64)  # integers beyond int64: range-checked later
    except OverflowError:  # an integer beyond float64 (about 1.8e308)
        path, leaf = _huge_leaf(value)
        raise InvalidArgument(f"{where(path)}: {str(leaf)[:40]}... is out of range; values must "
                              f"fit {spec.dtype}") from None


def _huge_leaf(value: object, path: tuple[int, ...] = ()) -> tuple[tuple[int, ...], object]:
    """The first integer too large for float64, and its path."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _huge_leaf(item, (*path, i))
            if found[1] is not None:
                return found
        return path, None
    return (path, value) if isinstance(value, int) and abs(value) > 2**1023 * 2 else (path, None)


def _has_bool(value: object) -> bool:
    return _odd_leaf(value, False) is not None


def _odd_leaf(value: object, booleans: bool, path: tuple[int, ...] = ()
              ) -> tuple[tuple[int, ...], object] | None:
    """The first leaf that is not a number (or not a boolean, when `booleans`), and its path."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _odd_leaf(item, booleans, (*path, i))
            if found is not None:
                return found
        return None
    fits = isinstance(value, bool) if booleans else (
        isinstance(value, int | float) and not isinstance(value, bool))
    return None if fits else (path, value)


def fits(shape: tuple[int, ...], expected: tuple[int | None, ...]) -> bool:
    """Whether a shape has the expected rank and every known dimension."""
    return len(shape) == len(expected) and all(
        d is None or d == a for d, a in zip(expected, shape, strict=True))


def check_shape(array: np.ndarray, spec: TensorSpec, what: str) -> None:
    """InvalidArgument unless `array` has the signature's rank and known dimensions."""
    expected = spec.shape
    if fits(array.shape, expected):
        return
    raise InvalidArgument(f"{what} has shape {list(array.shape)} but input {spec.name!r} takes "
                          f"shape {shape_text(expected)} (-1: any size)")


def tensor(value: object, spec: TensorSpec, what: str, where: Where, locate: Locate,
           maybe_bool: bool) -> np.ndarray:
    """The whole tensor of one input: numbers, shape, dtype."""
    array = numbers(value, spec, where, maybe_bool)
    check_shape(array, spec, what)
    return cast(array, spec.dtype, locate)
