"""Open Inference Protocol v2 tensors: datatypes, JSON `data` and binary tensor data.

Inputs are one value per row: shape `[n]` or `[n, 1]`. `data` may be flat or nested as the
shape says. Numeric datatypes are accepted and converted to the model's float32; BOOL, BYTES and
BF16 are refused. Binary data (the binary tensor data extension that tritonclient uses by
default) is little-endian, row-major, `binary_data_size` bytes per tensor after the JSON header.
"""

from __future__ import annotations

import math

import numpy as np

from service.core.errors import InvalidArgument

NUMERIC = {"FP16": "<f2", "FP32": "<f4", "FP64": "<f8", "INT8": "i1", "INT16": "<i2",
           "INT32": "<i4", "INT64": "<i8", "UINT8": "u1", "UINT16": "<u2", "UINT32": "<u4",
           "UINT64": "<u8"}
FROM_NUMPY = {"float16": "FP16", "float32": "FP32", "float64": "FP64", "int8": "INT8",
              "int16": "INT16", "int32": "INT32", "int64": "INT64", "uint8": "UINT8",
              "uint16": "UINT16", "uint32": "UINT32", "uint64": "UINT64"}
ACCEPTED = ", ".join(NUMERIC)
DTYPES = {name: np.dtype(code) for name, code in NUMERIC.items()}


def datatype_of(numpy_dtype: str) -> str:
    return FROM_NUMPY.get(numpy_dtype, "FP32")


def numpy_dtype(datatype: object, where: str) -> np.dtype:
    if not isinstance(datatype, str) or datatype not in DTYPES:
        shown = datatype if isinstance(datatype, str) else type(datatype).__name__
        raise InvalidArgument(f"{where}: datatype {shown!r} is not accepted: these models take "
                              f"numbers (sent as one of {ACCEPTED}; converted to FP32)")
    return DTYPES[datatype]


def rows_of(shape: object, where: str) -> int:
    """The row count of an input shape: `[n]` or `[n, 1]`."""
    if type(shape) is list and 0 < len(shape) < 3 and type(shape[0]) is int and shape[0] >= 0 \
            and (len(shape) == 1 or (type(shape[1]) is int and shape[1] == 1)):
        return shape[0]  # the usual shapes, checked without the general loop (bool is not int)
    if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise InvalidArgument(f"{where}: shape must be a list of non-negative integers")
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        return shape[0]
    raise InvalidArgument(f"{where}: shape {shape} is not accepted; each input takes one value per "
                          "row: shape [n] or [n, 1]")


def _first_non_number(data: object, path: str = "") -> tuple[str, object] | None:
    if isinstance(data, list):
        for i, item in enumerate(data):
            found = _first_non_number(item, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        return path, data
    return None


def _refuse_non_numbers(data: object, where: str) -> None:
    found = _first_non_number(data)
    if found:
        path, value = found
        kind = "null" if value is None else type(value).__name__
        raise InvalidArgument(f"{where}: data{path} is {kind}, not a number; these models take "
                              "numbers only")


def from_json(data: object, shape: list[int], dtype: np.dtype, where: str,
              maybe_bool: bool) -> np.ndarray:
    """`data` (flat, or nested exactly as `shape`) -> a flat array of `dtype`'s kind."""
    if not isinstance(data, list):
        raise InvalidArgument(f"{where}: data must be a JSON array (flat, or nested as the shape)")
    if maybe_bool:
        _refuse_non_numbers(data, where)
    try:
        array = np.asarray(data)
    except (ValueError, TypeError):
        raise InvalidArgument(f"{where}: data is ragged; nest it exactly as shape {shape} or send "
                              "it flat") from None
    if array.dtype.kind not in "fiu":
        _refuse_non_numbers(data, where)
        array = np.asarray(data, dtype=np.float64)  # integers beyond int64
    if array.ndim > 1:
        if list(array.shape) != shape:
            raise InvalidArgument(f"{where}: data is nested as {list(array.shape)} but shape is "
                                  f"{shape}; nest it exactly as the shape or send it flat")
        array = array.reshape(-1)
    if len(shape) != 1 or array.size != shape[0]:  # one comparison for the usual flat [n]
        _check_size(array.size, shape, where)
    if dtype.kind in "iu":
        _check_integers(array, dtype, where)
    return array


def from_binary(chunk: bytes, shape: list[int], dtype: np.dtype, where: str) -> np.ndarray:
    expected = math.prod(shape) * dtype.itemsize
    if len(chunk) != expected:
        raise InvalidArgument(f"{where}: binary_data_size is {len(chunk)} bytes but shape {shape} "
                              f"of {dtype.itemsize}-byte elements needs {expected}")
    return np.frombuffer(chunk, dtype=dtype)


def _check_size(size: int, shape: list[int], where: str) -> None:
    if size != math.prod(shape):
        raise InvalidArgument(f"{where}: data has {size} values but shape {shape} holds "
                              f"{math.prod(shape)}")


def _check_integers(flat: np.ndarray, dtype: np.dtype, where: str) -> None:
    if flat.dtype.kind == "f" and not np.all(np.isfinite(flat) & (flat == np.round(flat))):
        raise InvalidArgument(f"{where}: an integer datatype needs whole numbers; send FP32 or "
                              "FP64 for fractional values")
    info = np.iinfo(dtype)
    if flat.size and (flat.min() < info.min or flat.max() > info.max):
        raise InvalidArgument(f"{where}: a value is outside the range of {dtype.name}")


def to_binary(values: np.ndarray, datatype: str) -> bytes:
    return np.ascontiguousarray(values, dtype=np.dtype(NUMERIC[datatype])).tobytes()
