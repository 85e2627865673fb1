"""Turns JSON instances into named float32 columns, validated with NumPy, not per-element Python.

Accepted row forms (one per instance, TensorFlow Serving's row format):
- a number, for one-input models: `[10, 11]`
- a list of numbers in input order: `[[6, 2, 3]]` (or `[[10]]` for one input)
- an object keyed by input name: `[{"sugars": 6, "fibre": 2, "protein": 3}]`
Columnar form (TensorFlow Serving's `inputs`): `{"x": [1, 2]}`, or a bare list for one input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from service.core.errors import InvalidArgument, TooLarge
from service.core.types import Tensors

NUMBER = (int, float)
# float64 magnitudes from here up round to infinity in float32 (FLT_MAX plus half an ulp)
FLOAT32_LIMIT = 2.0**128 - 2.0**103


def _accepted(inputs: Sequence[str]) -> str:
    names = ", ".join(inputs)
    if len(inputs) == 1:
        return f"each instance is a number, a one-element list, or {{\"{inputs[0]}\": number}}"
    return (f"each instance is a list of {len(inputs)} numbers ({names}) or an object with "
            "those keys")


def _fast_matrix(instances: list, width: int, maybe_bool: bool) -> np.ndarray | None:
    """The numbers as one array ((rows,) for one input, else (rows, width)) when every instance
    is plain numbers of the right shape; None when the instances need a closer look."""
    if maybe_bool or not isinstance(instances[0], (*NUMBER, list)):
        return None
    try:
        array = np.asarray(instances)
    except (ValueError, TypeError):
        return None
    if array.dtype.kind not in "fiu":
        return None
    if array.ndim == 1 and width == 1:
        return array
    if array.ndim == 2 and array.shape[1] == width:
        return array.reshape(-1) if width == 1 else array
    return None


def _number(value: object, where: str, inputs: Sequence[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, NUMBER):
        kind = "null" if value is None else type(value).__name__
        raise InvalidArgument(f"{where}: expected a number, got {kind}; {_accepted(inputs)}")
    try:
        return float(value)
    except OverflowError:
        raise InvalidArgument(f"{where}: {value} is out of range; values must fit "
                              "float32") from None


def _row(index: int, instance: object, inputs: Sequence[str]) -> list[float]:
    where = f"instance {index}"
    if isinstance(instance, dict):
        missing = [n for n in inputs if n not in instance]
        unknown = [k for k in instance if k not in inputs]
        if unknown:
            raise InvalidArgument(f"{where}: unknown input {unknown[0]!r}; inputs are "
                                  f"{', '.join(inputs)}")
        if missing:
            raise InvalidArgument(f"{where}: missing input {missing[0]!r}; inputs are "
                                  f"{', '.join(inputs)}")
        return [_number(instance[n], f"{where}, input {n!r}", inputs) for n in inputs]
    if isinstance(instance, list):
        if len(instance) != len(inputs):
            raise InvalidArgument(f"{where} has {len(instance)} values but the model takes "
                                  f"{len(inputs)} ({', '.join(inputs)}); {_accepted(inputs)}")
        return [_number(v, f"{where}, input {n!r}", inputs) for v, n in zip(instance, inputs,
                                                                             strict=True)]
    if len(inputs) == 1:
        return [_number(instance, where, inputs)]
    got = "a number" if isinstance(instance, NUMBER) else type(instance).__name__
    raise InvalidArgument(f"{where} is {got} but the model takes {len(inputs)} inputs; "
                          f"{_accepted(inputs)}")


def _finite(matrix: np.ndarray, inputs: Sequence[str]) -> Tensors:
    """Float32 columns from a (rows,) or (rows, width) array, rejecting what float32 cannot
    hold (a NaN fails the comparison too). Few NumPy calls, since for one small instance each
    call's overhead dominates."""
    if matrix.dtype.kind == "f" and matrix.size and not np.abs(matrix).max() < FLOAT32_LIMIT:
        _reject_non_finite(matrix.reshape(len(matrix), -1), inputs)
    values = matrix.astype(np.float32)  # JSON integers always fit float32's range
    if values.ndim == 1:
        return {inputs[0]: values}
    return dict(zip(inputs, values.T.copy(), strict=True))  # rows of the copy are contiguous


def _reject_non_finite(matrix: np.ndarray, inputs: Sequence[str]) -> None:
    row, col = (int(i) for i in np.argwhere(~(np.abs(matrix) < FLOAT32_LIMIT))[0])
    value = float(matrix[row, col])
    raise InvalidArgument(f"instance {row}, input {inputs[col]!r}: {value!r} is not a "
                          "finite float32 (NaN, Infinity and |x| > 3.4e38 are not accepted)")


def may_hold_booleans(body: bytes) -> bool:
    """Whether a JSON body might contain `true` or `false` (NumPy would read them as 1 and 0).
    Most bodies are numbers only: they hold neither a `u` nor an `l`, which two fast byte
    scans show before the slower scans for the words themselves."""
    return (b"u" in body or b"l" in body) and (b"true" in body or b"false" in body)


def check_count(rows: int, max_rows: int) -> None:
    if rows == 0:
        raise InvalidArgument("no instances: send at least one")
    if rows > max_rows:
        raise TooLarge(f"{rows} instances is more than the limit of {max_rows} per request")


def columns_from_instances(instances: object, inputs: Sequence[str], max_rows: int,
                           maybe_bool: bool = True) -> Tensors:
    """Row format -> columns. `maybe_bool=False` (no `true`/`false` in the body) allows the
    all-NumPy fast path, since NumPy would silently read booleans as 1.0 and 0.0. `instances`
    may also be a float64 vector already read from a flat array of numbers."""
    if isinstance(instances, np.ndarray):
        check_count(len(instances), max_rows)
        if len(inputs) != 1:
            _row(0, float(instances[0]), inputs)  # raises: a number is not a row of several
        return _finite(instances, inputs)
    if not isinstance(instances, list):
        raise InvalidArgument(f'"instances" must be a JSON array; {_accepted(inputs)}')
    check_count(len(instances), max_rows)
    matrix = _fast_matrix(instances, len(inputs), maybe_bool)
    if matrix is None:
        matrix = np.asarray([_row(i, inst, inputs) for i, inst in enumerate(instances)],
                            dtype=np.float64).reshape(len(instances), len(inputs))
    return _finite(matrix, inputs)


def columns_from_inputs(payload: object, inputs: Sequence[str], max_rows: int) -> Tensors:
    """Columnar format: an object of equal-length lists keyed by input name, or a bare list
    for a one-input model."""
    if isinstance(payload, list):
        if len(inputs) != 1:
            raise InvalidArgument(f'"inputs" as a list only works for one-input models; send an '
                                  f"object keyed by {', '.join(inputs)}")
        payload = {inputs[0]: payload}
    if not isinstance(payload, dict):
        raise InvalidArgument('"inputs" must be an object of lists keyed by input name')
    _check_names(payload, inputs)
    lengths = set()
    columns = []
    for name in inputs:
        column = payload[name]
        if not isinstance(column, list):
            column = [column]
        lengths.add(len(column))
        columns.append([_number(v, f"input {name!r}, row {i}", inputs) for i, v in
                        enumerate(column)] if _needs_check(column) else column)
    if len(lengths) != 1:
        raise InvalidArgument(f"inputs have different lengths ({sorted(lengths)}); each input "
                              "needs one value per row")
    check_count(lengths.pop(), max_rows)
    return _finite(np.asarray(columns, dtype=np.float64).T.reshape(-1, len(inputs)), inputs)


def columns_from_arrays(arrays: dict[str, np.ndarray], inputs: Sequence[str],
                       max_rows: int) -> Tensors:
    """Already decoded 1-D numeric arrays keyed by input name (e.g. Open Inference Protocol
    tensors) -> columns, with the same name, length, count and finiteness checks."""
    if len(inputs) == 1 and len(arrays) == 1 and inputs[0] in arrays:  # the common case
        values = arrays[inputs[0]]
        check_count(len(values), max_rows)
        return _finite(values, inputs)
    _check_names(arrays, inputs)
    lengths = {len(arrays[name]) for name in inputs}
    if len(lengths) != 1:
        raise InvalidArgument(f"inputs have different lengths ({sorted(lengths)}); each input "
                              "needs one value per row")
    check_count(lengths.pop(), max_rows)
    if len(inputs) == 1:
        return _finite(arrays[inputs[0]], inputs)
    return _finite(np.column_stack([arrays[name] for name in inputs]), inputs)


def _check_names(given: dict, inputs: Sequence[str]) -> None:
    unknown = [str(k) for k in given if k not in inputs]
    missing = [n for n in inputs if n not in given]
    if unknown or missing:
        raise InvalidArgument(f"inputs must be exactly {', '.join(inputs)}"
                              + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                              + (f"; missing: {', '.join(missing)}" if missing else ""))


def _needs_check(column: list) -> bool:
    try:
        return np.asarray(column).dtype.kind not in "fiu" or any(
            isinstance(v, bool) for v in column[:1])
    except (ValueError, TypeError):
        return True
