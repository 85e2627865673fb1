"""Open Inference Protocol v2 tensors: datatypes, shapes, JSON `data` and binary tensor data.

An input's `shape` is `[n, ...]`; its `data` is flat (row-major) or nested exactly as the shape.
Every numeric datatype and BOOL is read as sent, checked against the datatype (an INT32 value
must be a whole number within int32), and then cast to the signature's dtype with the same
checks (service.protocols.values); BYTES is refused. Binary data (the binary tensor data
extension that tritonclient uses by default) is little-endian, row-major, `binary_data_size`
bytes per tensor after the JSON header (BOOL: one byte per element).
"""

from __future__ import annotations

import math

import numpy as np

from service.core.errors import InvalidArgument
from service.core.types import TensorSpec
from service.protocols.json_tensors import MAX_RANK, numbers
from service.protocols.values import cast

NUMPY_OF = {"BOOL": "bool", "FP16": "float16", "FP32": "float32", "FP64": "float64",
            "INT8": "int8", "INT16": "int16", "INT32": "int32", "INT64": "int64",
            "UINT8": "uint8", "UINT16": "uint16", "UINT32": "uint32", "UINT64": "uint64"}
DATATYPE_OF = {numpy: datatype for datatype, numpy in NUMPY_OF.items()}
ACCEPTED = ", ".join(NUMPY_OF)
WIRE = {name: np.dtype(numpy).newbyteorder("<") for name, numpy in NUMPY_OF.items()}



def datatype_of(numpy_dtype: str) -> str:
    return DATATYPE_OF[numpy_dtype]


def metadata_shape(spec: TensorSpec) -> list[int]:
    return [-1 if d is None else d for d in spec.shape]


def checked_datatype(datatype: object, where: str) -> str:
    """The NumPy dtype name of a request's datatype."""
    if datatype is None:
        raise InvalidArgument(f"{where}: datatype is missing (null); give one of {ACCEPTED}")
    if not isinstance(datatype, str) or datatype not in NUMPY_OF:
        shown = datatype if isinstance(datatype, str) else type(datatype).__name__
        raise InvalidArgument(f"{where}: datatype {shown!r} is not accepted: tensors are numbers "
                              f"or booleans, sent as one of {ACCEPTED}")
    return NUMPY_OF[datatype]


def checked_shape(shape: object, where: str) -> list[int]:
    if type(shape) is list and len(shape) == 1 and type(shape[0]) is int and shape[0] >= 0:
        return shape  # the usual [n], checked without the general loop (bool is not int)
    if not isinstance(shape, list) or not 0 < len(shape) <= MAX_RANK or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise InvalidArgument(f"{where}: shape must be a list of 1 to {MAX_RANK} non-negative "
                              "integers, the batch size first")
    return shape


def from_json(data: object, shape: list[int], dtype: str, name: str,
              maybe_bool: bool) -> np.ndarray:
    """`data` (flat, or nested exactly as `shape`) as an array of `shape`, its values checked
    against the request's datatype."""
    where = f"input {name!r}"
    if not isinstance(data, list):
        raise InvalidArgument(f"{where}: data must be a JSON array (flat, or nested as the shape)")
    spec = TensorSpec(name, dtype, tuple(shape))

    def at(path: tuple[int, ...]) -> str:
        return f"{where}: data" + "".join(f"[{i}]" for i in path) if path else where

    array = numbers(data, spec, at, maybe_bool)
    if array.ndim > 1 and list(array.shape) != shape:
        raise InvalidArgument(f"{where}: data is nested as {list(array.shape)} but shape is "
                              f"{shape}; nest it exactly as the shape or send it flat")
    if array.size != math.prod(shape):
        raise InvalidArgument(f"{where}: data has {array.size} values but shape {shape} holds "
                              f"{math.prod(shape)}")
    if array.ndim != len(shape):  # flat data for a higher rank (reshape costs 0.25 us)
        array = array.reshape(shape)
    return cast(array, dtype, lambda index: f"{where}, element {list(index)}")


def from_binary(chunk: bytes, shape: list[int], dtype: str, where: str) -> np.ndarray:
    datatype = DATATYPE_OF[dtype]
    wire = WIRE[datatype]
    expected = math.prod(shape) * wire.itemsize
    if len(chunk) != expected:
        raise InvalidArgument(f"{where}: binary_data_size is {len(chunk)} bytes but shape {shape} "
                              f"of {wire.itemsize}-byte elements needs {expected}")
    if datatype == "BOOL":
        raw = np.frombuffer(chunk, dtype=np.uint8)
        if raw.size and raw.max() > 1:
            raise InvalidArgument(f"{where}: BOOL binary data holds bytes other than 0 and 1")
        return raw.astype(bool).reshape(shape)
    return np.frombuffer(chunk, dtype=wire).reshape(shape)


def to_binary(values: np.ndarray, datatype: str) -> bytes:
    if datatype == "BOOL":
        return np.ascontiguousarray(values, dtype=np.uint8).tobytes()
    return np.ascontiguousarray(values, dtype=WIRE[datatype]).tobytes()


def for_signature(array: np.ndarray, spec: TensorSpec) -> tuple[np.ndarray, bool]:
    """An input as the signature takes it: `[n, 1]` is read as `[n]` for an input of shape
    [-1] (unambiguous, and what `[-1, 1]` clients send); whether that was done."""
    if spec.shape == (None,) and array.ndim == 2 and array.shape[1] == 1:
        return array.reshape(-1), True
    return array, False
