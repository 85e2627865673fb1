"""TensorFlow Serving's request formats, for every signature (its api_rest.md):

- row format (`instances`): each instance is one batch row of every input. For one input, the
  row itself (a number for shape [-1], a list of k for [-1, k], nested lists for higher rank)
  or `{"name": row}`; for several inputs, an object with one row per input name.
- (the columnar format, `inputs`, is read by service.protocols.columns).

Leniency kept where it cannot be ambiguous: for an input of shape [-1], a row may be a
one-element list (`[[10]]`); when every input has shape [-1], a row may list the inputs' values
in signature order (`[[6, 2, 3]]`).
"""

from __future__ import annotations

import numpy as np

from service.core.errors import InvalidArgument
from service.core.types import Signature, Tensors, TensorSpec
from service.protocols.columns import check_names
from service.protocols.counts import check_count
from service.protocols.flat_json import ObjectRows
from service.protocols.instance_forms import accepted, columns_of, numbers_matrix, unwrapped
from service.protocols.json_tensors import Ragged, fits, numbers, shape_text
from service.protocols.values import cast


def may_hold_booleans(body: bytes) -> bool:
    """Whether a JSON body might contain `true` or `false` (NumPy would read them as 1 and 0).
    Most bodies are numbers only: they hold neither a `u` nor an `l`, which two fast byte
    scans show before the slower scans for the words themselves."""
    return (b"u" in body or b"l" in body) and (b"true" in body or b"false" in body)


def _rows_tensor(rows: object, spec: TensorSpec, single: bool, maybe_bool: bool,
                 forms: str = "") -> np.ndarray:
    """One input's tensor from its row of every instance; `forms` (the accepted instance
    forms) is added to the message when a value is not a number."""
    def where(path: tuple[int, ...]) -> str:
        if not path:
            return "instances"
        inner = "".join(f"[{i}]" for i in path[1:])
        return f"instance {path[0]}{inner}" + ("" if single else f", input {spec.name!r}")

    def locate(index: tuple[int, ...]) -> str:
        inner = "".join(f"[{i}]" for i in index[1:])
        return f"instance {index[0]}, input {spec.name!r}{inner}"

    try:
        array = numbers(rows, spec, where, maybe_bool)
    except Ragged:
        raise _row_shape_error(rows, spec, single, forms) from None
    except InvalidArgument as exc:
        raise InvalidArgument(f"{exc.message}; {forms}" if forms else exc.message) from None
    if not fits(array.shape, spec.shape):
        raise _row_shape_error(rows, spec, single, forms)
    return cast(array, spec.dtype, locate)


def _row_shape_error(rows: object, spec: TensorSpec, single: bool,
                     forms: str) -> InvalidArgument:
    """Names the first instance whose row does not have the input's row shape."""
    inner = spec.shape[1:]
    expected = "a number" if not inner else f"a row of shape {shape_text(inner)}"
    name = "" if single else f", input {spec.name!r}"
    hint = f"; {forms}" if forms else ""
    first: tuple[int, ...] | None = None
    for i, row in enumerate(rows if isinstance(rows, list) else ()):
        if not inner and isinstance(row, list):
            if len(row) == 1 and single:  # a one-element list where a number was named
                return InvalidArgument(f"instance {i}: expected a number, got list{hint}")
            return InvalidArgument(f"instance {i}{name} has {len(row)} values but the model "
                                   f"takes 1 ({spec.name}){hint}")
        try:
            shape: tuple[int, ...] | None = np.shape(row)
        except ValueError:
            shape = None
        if shape is None or not fits(shape, inner):
            got = "ragged lists" if shape is None else (
                "a number" if shape == () else f"shape {list(shape)}")
            return InvalidArgument(f"instance {i}{name} has {got} but the model takes {expected} "
                                   f"(input {spec.name!r} has shape "
                                   f"{shape_text(spec.shape)}){hint}")
        if first is not None and shape != first:
            return InvalidArgument(f"instance {i}{name} has shape {list(shape)} but instance 0 "
                                   f"has shape {list(first)}: every row of input {spec.name!r} "
                                   f"in one request has the same shape (input shape "
                                   f"{shape_text(spec.shape)})")
        if first is None:
            first = shape
    return InvalidArgument(f"the instances do not form a tensor of shape "
                           f"{shape_text(spec.shape)} for input {spec.name!r}")


def tensors_from_instances(instances: object, signature: Signature, max_rows: int,
                           maybe_bool: bool = True) -> Tensors:
    """Row format -> tensors. `instances` may also be a float64 vector already read from a flat
    array of numbers. `maybe_bool=False` (no true/false in the body) spares the search for
    booleans among numbers."""
    specs = signature.inputs
    if isinstance(instances, ObjectRows):
        return _object_rows(instances, signature, max_rows)
    if isinstance(instances, np.ndarray):
        check_count(len(instances), max_rows)
        if len(specs) == 1:
            return {specs[0].name: _rows_tensor(instances, specs[0], True, False)}
        instances = instances.tolist()
    if not isinstance(instances, list):
        raise InvalidArgument(f'"instances" must be a JSON array; {accepted(signature)}')
    check_count(len(instances), max_rows)
    if len(specs) == 1:
        spec = specs[0]
        try:  # the rows as they are: the common case, read in one NumPy call
            return {spec.name: _rows_tensor(instances, spec, True, maybe_bool)}
        except InvalidArgument:
            plain = unwrapped(instances, signature)  # objects, one-element lists, mixed
            if plain is instances:
                plain = list(instances)  # nothing to unwrap: fail again, with the forms
        return {spec.name: _rows_tensor(plain, spec, True, maybe_bool, accepted(signature))}
    matrix = numbers_matrix(instances, signature, maybe_bool)
    if matrix is not None:  # lists of numbers in input order, read in one NumPy call
        return {spec.name: _rows_tensor(column, spec, False, False)
                for spec, column in zip(specs, matrix.T, strict=True)}
    columns = columns_of(instances, signature)
    forms = accepted(signature)
    return {spec.name: _rows_tensor(column, spec, False, maybe_bool, forms)
            for spec, column in zip(specs, columns, strict=True)}


def _object_rows(rows: ObjectRows, signature: Signature, max_rows: int) -> Tensors:
    """Row objects already read into a column per key (large bodies, flat_json)."""
    check_count(rows.rows, max_rows)
    check_names(rows.columns, signature.input_names)
    tensors = {}
    for spec in signature.inputs:
        if spec.shape != (None,):
            raise InvalidArgument(f"instance 0, input {spec.name!r} is a number but the model "
                                  f"takes a row of shape {shape_text(spec.shape[1:])} (input "
                                  f"{spec.name!r} has shape {shape_text(spec.shape)})")

        def locate(index: tuple[int, ...], name: str = spec.name) -> str:
            return f"instance {index[0]}, input {name!r}"

        tensors[spec.name] = cast(rows.columns[spec.name], spec.dtype, locate)
    return tensors


