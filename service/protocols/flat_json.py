"""Reads the commonest large body, one flat array of numbers under one key, straight into NumPy.

`{"instances": [1.5, 2, ...]}` is what a one-input model is usually sent. Building a Python float
per number (orjson) and then a NumPy array from the list costs two passes over Python objects;
simdjson parses and validates the document and copies the numbers into one float64 buffer in
C++, several times faster for large bodies. Any body that is not exactly that shape (another
key, nesting, a string, true/false/null, NaN, a number beyond float64 or a malformed document)
gives None here, and the general path reads it and words the error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simdjson

from service.protocols.counts import check_count
from service.protocols.json_parsers import parser_for

MIN_BYTES = 4096  # below this orjson and NumPy are as quick, and the general path is taken
EXACT_INTEGERS = 2.0**53  # beyond this a JSON integer is rounded twice on its way to float32


def _only_once(body: bytes, byte: bytes) -> bool:
    first = body.find(byte)
    return first >= 0 and body.find(byte, first + 1) < 0


def flat_numbers(body: bytes, key: str, min_bytes: int = MIN_BYTES) -> np.ndarray | None:
    """The float64 vector of a body that is exactly `{"<key>": [number, ...]}`, else None.

    One colon means one key (a colon inside a string key would make the lookup fail) and one
    `[` means the array holds no arrays, so what simdjson flattens into the buffer is exactly
    the array's elements, in order. Bodies under `min_bytes` give None too."""
    if len(body) < min_bytes or not (_only_once(body, b":") and _only_once(body, b"[")):
        return None
    try:
        with parser_for(body) as parser:
            values = _read(parser, body, key)
    except RuntimeError:  # the parser was still referenced (an abandoned parse): replaced
        return None
    if values is None or (values.size and not np.abs(values).max() < EXACT_INTEGERS):
        return None
    return values


def _read(parser: simdjson.Parser, body: bytes, key: str) -> np.ndarray | None:
    try:
        document = parser.parse(body)
        if not isinstance(document, simdjson.Object):
            return None
        array = document.get(key)
        if not isinstance(array, simdjson.Array):
            return None
        return np.frombuffer(array.as_buffer(of_type="d"), dtype=np.float64)
    except (ValueError, TypeError):  # malformed JSON, or an element that is not a number
        return None


ROWS_MIN_BYTES = 1024 * 1024  # below this orjson's dictionaries cost little


@dataclass(frozen=True)
class ObjectRows:
    """Row objects of numbers (`[{"a": 1, "b": 2}, ...]`) read as one float64 column per key,
    without a Python dictionary per row."""

    columns: dict[str, np.ndarray]
    rows: int


def object_rows(body: bytes, key: str, max_rows: int) -> ObjectRows | None:
    """The rows of a body that is exactly `{"<key>": [{name: number, ...}, ...]}` (every row
    with the same keys), else None (the general path reads it and words any error). The row
    count is checked before a single row is read (TooLarge beyond `max_rows`)."""
    if len(body) < ROWS_MIN_BYTES or not _only_once(body, b"["):
        return None
    try:
        with parser_for(body) as parser:
            rows = _read_rows(parser, body, key, max_rows)
    except RuntimeError:  # the parser was still referenced (an abandoned parse): replaced
        return None
    if isinstance(rows, int):  # raised here, where no parsed object is left
        check_count(rows, max_rows)
    return rows


def _read_rows(parser: simdjson.Parser, body: bytes, key: str,
               max_rows: int) -> ObjectRows | int | None:
    """The rows, None when the body is not that shape, or the row count when it is over
    `max_rows` (before a row is read)."""
    try:
        document = parser.parse(body)
        if not isinstance(document, simdjson.Object) or list(document.keys()) != [key]:
            return None
        array = document[key]
        if not isinstance(array, simdjson.Array) or not len(array):
            return None
        return len(array) if len(array) > max_rows else _columns(array)
    except (ValueError, TypeError, KeyError):  # malformed, or not that shape
        return None


def _columns(array: simdjson.Array) -> ObjectRows | None:
    first = array[0]
    if not isinstance(first, simdjson.Object):
        return None
    names = list(first.keys())
    columns = {name: np.empty(len(array), np.float64) for name in names}
    for index, row in enumerate(array):
        if not isinstance(row, simdjson.Object) or len(row) != len(names):
            return None
        for name, column in columns.items():
            value = row.get(name)
            if type(value) is not float and (type(value) is not int
                                             or abs(value) >= EXACT_INTEGERS):
                return None  # a boolean, a string, null, a nested value, a missing key
            column[index] = value
    return ObjectRows(columns, len(array))
