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


MAX_RANK = 32  # dimensions a request's tensor may have


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
        if _depth(value) > MAX_RANK:
            raise Ragged(f"{where(())}: the values are nested {_depth(value)} levels deep; a "
                         f"tensor has at most {MAX_RANK} dimensions (input {spec.name!r} takes "
                         f"shape {shape_text(spec.shape)})") from None
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
    except (ValueError, TypeError):  # nested deeper than NumPy's 64 dimensions
        raise Ragged(f"{where(())}: the values are nested deeper than a tensor can be; input "
                     f"{spec.name!r} takes shape {shape_text(spec.shape)}") from None
    except OverflowError:  # an integer beyond float64 (about 1.8e308)
        path, leaf = _huge_leaf(value)
        raise InvalidArgument(f"{where(path)}: {str(leaf)[:40]}... is out of range; values must "
                              f"fit {spec.dtype}") from None


def _depth(value: object) -> int:
    """How deep the first elements nest."""
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    return depth


def _leaves(value: object):  # noqa: ANN202 - a generator of (path, leaf)
    """Every leaf of nested lists with its path, depth first and in order, without recursion
    (JSON may nest deeper than Python's recursion limit)."""
    stack: list[tuple[tuple[int, ...], object]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, list):
            stack.extend(((*path, i), child) for i, child in reversed(list(enumerate(item))))
        else:
            yield path, item


def _huge_leaf(value: object) -> tuple[tuple[int, ...], object]:
    """The first integer too large for float64, and its path."""
    for path, leaf in _leaves(value):
        if isinstance(leaf, int) and abs(leaf) >= 2**1024:
            return path, leaf
    return (), None


def _has_bool(value: object) -> bool:
    return _odd_leaf(value, False) is not None


def _odd_leaf(value: object, booleans: bool) -> tuple[tuple[int, ...], object] | None:
    """The first leaf that is not a number (or not a boolean, when `booleans`), and its path."""
    for path, leaf in _leaves(value):
        fits = isinstance(leaf, bool) if booleans else (
            isinstance(leaf, int | float) and not isinstance(leaf, bool))
        if not fits:
            return path, leaf
    return None


def fits(shape: tuple[int, ...], expected: tuple[int | None, ...]) -> bool:
    """Whether a shape has the expected rank and every known dimension."""
    if len(shape) != len(expected):
        return False
    for wanted, actual in zip(expected, shape, strict=True):  # a loop: 0.5 µs, all() 1.4 µs
        if wanted is not None and wanted != actual:
            return False
    return True


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
