"""Values cast to a signature's dtype with every check the cast needs: floats finite and
within the target's range (float16's ±65504, float32's ±3.4e38), integers whole and within
the target's range, booleans only for boolean inputs. Shared by every codec (JSON numbers,
binary tensor data, TensorProtos), so one value is refused the same way on every route."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from service.core.errors import InvalidArgument

Locate = Callable[[tuple[int, ...]], str]  # an element's index -> where it is, for messages
# Exclusive bounds on |x|: float16 takes up to its largest finite value, 65504; float32 takes
# what rounds to a finite value (below its largest plus half an ulp); float64 what is finite.
FLOAT_LIMITS = {"float16": float(np.nextafter(65504.0, np.inf)), "float32": 2.0**128 - 2.0**103,
                "float64": float("inf")}
LIMIT_TEXT = {"float16": "65504", "float32": "3.4e38"}


def cast(array: np.ndarray, dtype: str, locate: Locate) -> np.ndarray:
    """`array` (numbers or booleans) as `dtype`, or InvalidArgument naming the first value
    that does not fit. Few NumPy calls: for one small request each call's overhead counts."""
    target = np.dtype(dtype)
    kind = array.dtype.kind
    if target.kind == "b" or kind == "b":
        if target.kind != kind:
            _refuse_kind(array, target, locate)
        return array
    if target.kind == "f":
        if array.size and (kind == "f" or dtype == "float16") \
                and not _within(array, FLOAT_LIMITS[dtype]):
            _refuse_float(array, dtype, locate)
        return array.astype(target, copy=False)
    if kind == "f" and array.size and not np.all(np.isfinite(array) & (array == np.round(array))):
        bad = ~(np.isfinite(array) & (array == np.round(array)))
        raise InvalidArgument(f"{locate(_first(bad))}: {_value(array, bad)} is not a whole "
                              f"number ({dtype} takes whole numbers only)")
    limits = np.iinfo(target)
    # Below max + 1, not up to max: a float compared with int64's max rounds it up to 2**63,
    # which would pass and then overflow in the cast.
    if array.size and (array.min() < limits.min or not array.max() < limits.max + 1):
        bad = (array < limits.min) | ~(array < limits.max + 1)
        raise InvalidArgument(f"{locate(_first(bad))}: {_value(array, bad)} is outside the "
                              f"range of {dtype} ({limits.min} to {limits.max})")
    return array.astype(target, copy=False)


SMALL = 8  # elements: up to here the range check runs on a Python list (see _within)


def _within(array: np.ndarray, limit: float) -> bool:
    """Whether every |x| < `limit` (a NaN is not). NumPy's two reductions cost about 1.4 us at
    any size; comparing the elements of a Python list costs 0.6 us for two values and as much
    as NumPy at about sixteen."""
    if array.size <= SMALL:
        return all(-limit < x < limit for x in array.ravel().tolist())
    return float(np.abs(array).max()) < limit


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _value(array: np.ndarray, mask: np.ndarray) -> str:
    value = array[_first(mask)]
    return repr(float(value)) if array.dtype.kind == "f" else str(int(value))


def _refuse_float(array: np.ndarray, dtype: str, locate: Locate) -> None:
    bad = ~(np.abs(array.astype(np.float64)) < FLOAT_LIMITS[dtype])
    refused = f"NaN, Infinity and |x| > {LIMIT_TEXT[dtype]}" if dtype in LIMIT_TEXT else \
        "NaN and Infinity"
    raise InvalidArgument(f"{locate(_first(bad))}: {_value(array, bad)} is not a finite "
                          f"{dtype} ({refused} are not accepted)")


def _refuse_kind(array: np.ndarray, target: np.dtype, locate: Locate) -> None:
    where = locate((0,) * array.ndim)
    if target.kind == "b":
        raise InvalidArgument(f"{where}: expected a boolean (true or false); this input is "
                              "of type bool")
    raise InvalidArgument(f"{where}: expected a number, got bool; this input is of type "
                          f"{target.name}")
