"""TensorFlow Serving's request formats, for every signature (its api_rest.md):

- row format (`instances`): each instance is one batch row of every input. For one input, the
  row itself (a number for shape [-1], a list of k for [-1, k], nested lists for higher rank)
  or `{"name": row}`; for several inputs, an object with one row per input name.
- columnar format (`inputs`): each input's whole tensor, batch dimension first; a bare tensor
  for a one-input signature.

Leniency kept where it cannot be ambiguous: for an input of shape [-1], a row may be a
one-element list (`[[10]]`) and a column a bare number; when every input has shape [-1], a row
may list the inputs' values in signature order (`[[6, 2, 3]]`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from service.core.errors import InvalidArgument, TooLarge
from service.core.types import Signature, Tensors, TensorSpec
from service.protocols.json_tensors import Ragged, check_shape, fits, numbers, shape_text, tensor
from service.protocols.values import cast


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


def scalar_rows(signature: Signature) -> bool:
    """Every input takes one number per row (shape [-1])."""
    return all(spec.shape == (None,) for spec in signature.inputs)


@lru_cache(maxsize=1024)
def accepted(signature: Signature) -> str:
    """The instance forms a signature takes, for error messages."""
    names = signature.input_names
    if len(names) == 1:
        spec = signature.inputs[0]
        if spec.shape == (None,):
            return f'each instance is a number, a one-element list, or {{"{names[0]}": number}}'
        return (f"each instance is one row of shape {shape_text(spec.shape[1:])} (nested lists) "
                f'or {{"{names[0]}": row}}')
    if scalar_rows(signature):
        return (f"each instance is a list of {len(names)} numbers ({', '.join(names)}) or an "
                "object with those keys")
    return f"each instance is an object with one row for each of {', '.join(names)}"


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
            plain = _unwrapped(instances, signature)  # objects, one-element lists, mixed
            if plain is instances:
                plain = list(instances)  # nothing to unwrap: fail again, with the forms
        return {spec.name: _rows_tensor(plain, spec, True, maybe_bool, accepted(signature))}
    matrix = _matrix(instances, signature, maybe_bool)
    if matrix is not None:  # lists of numbers in input order, read in one NumPy call
        return {spec.name: _rows_tensor(column, spec, False, False)
                for spec, column in zip(specs, matrix.T, strict=True)}
    columns = _columns_of(instances, signature)
    forms = accepted(signature)
    return {spec.name: _rows_tensor(column, spec, False, maybe_bool, forms)
            for spec, column in zip(specs, columns, strict=True)}


def _unwrapped(instances: list, signature: Signature) -> list:
    """A one-input model's instances with `{"name": row}` objects (and, for an input of shape
    [-1], one-element lists) replaced by their row; the same list when there was none."""
    spec = signature.inputs[0]
    if not any(isinstance(row, dict) or (spec.shape == (None,) and type(row) is list)
               for row in instances):
        return instances
    return [_named(row, i, signature)[0] if isinstance(row, dict) else
            row[0] if spec.shape == (None,) and type(row) is list and len(row) == 1 else row
            for i, row in enumerate(instances)]


def _matrix(instances: list, signature: Signature, maybe_bool: bool) -> np.ndarray | None:
    """The instances as one (rows, inputs) array when they are all lists of numbers in input
    order and every input takes one number per row; None when they need a closer look."""
    if maybe_bool or not scalar_rows(signature) or type(instances[0]) is not list:
        return None
    try:
        array = np.asarray(instances)
    except (ValueError, TypeError):
        return None
    width = len(signature.inputs)
    ok = array.dtype.kind in "fiu" and array.ndim == 2 and array.shape[1] == width
    return array if ok else None


def _columns_of(instances: list, signature: Signature) -> list[list]:
    """Per input, its row of every instance (instances as objects, or as lists in input order
    when every input takes one number per row)."""
    names, lists = signature.input_names, scalar_rows(signature)
    if all(type(row) is dict and len(row) == len(names) for row in instances):
        try:
            return [[row[name] for row in instances] for name in names]
        except KeyError:
            pass  # a key is wrong: the slow path below names it
    rows = [_named(row, i, signature) if isinstance(row, dict) or not lists
            else _listed(row, i, signature) for i, row in enumerate(instances)]
    return [list(column) for column in zip(*rows, strict=True)]


def _named(row: object, index: int, signature: Signature) -> list:
    names = signature.input_names
    where = f"instance {index}"
    if not isinstance(row, dict):
        got = "a number" if isinstance(row, int | float) else type(row).__name__
        raise InvalidArgument(f"{where} is {got} but the model takes {len(names)} inputs; "
                              f"{accepted(signature)}")
    unknown = [k for k in row if k not in names]
    if unknown:
        raise InvalidArgument(f"{where}: unknown input {unknown[0]!r}; inputs are "
                              f"{', '.join(names)}")
    missing = [n for n in names if n not in row]
    if missing:
        raise InvalidArgument(f"{where}: missing input {missing[0]!r}; inputs are "
                              f"{', '.join(names)}")
    return [row[name] for name in names]


def _listed(row: object, index: int, signature: Signature) -> list:
    names = signature.input_names
    if not isinstance(row, list):
        got = "a number" if isinstance(row, int | float) else type(row).__name__
        raise InvalidArgument(f"instance {index} is {got} but the model takes {len(names)} "
                              f"inputs; {accepted(signature)}")
    if len(row) != len(names):
        raise InvalidArgument(f"instance {index} has {len(row)} values but the model takes "
                              f"{len(names)} ({', '.join(names)}); {accepted(signature)}")
    return row


def tensors_from_inputs(payload: object, signature: Signature, max_rows: int,
                        maybe_bool: bool = True) -> Tensors:
    """Columnar format: an object of tensors keyed by input name, or a bare tensor for a
    one-input signature."""
    names = signature.input_names
    if not isinstance(payload, dict):
        if len(names) != 1:
            raise InvalidArgument(f'"inputs" as a list only works for one-input models; send '
                                  f"an object keyed by {', '.join(names)}")
        payload = {names[0]: payload}
    check_names(payload, names)
    tensors = {}
    for spec in signature.inputs:
        value = payload[spec.name]
        if spec.shape == (None,) and not isinstance(value, list):
            value = [value]  # one number for one row

        def locate(index: tuple[int, ...], name: str = spec.name) -> str:
            return f"input {name!r}, row {index[0]}" + "".join(f"[{i}]" for i in index[1:])

        def where(path: tuple[int, ...], name: str = spec.name) -> str:
            return locate(path, name) if path else f"input {name!r}"

        tensors[spec.name] = tensor(value, spec, f"input {spec.name!r}", where, locate,
                                    maybe_bool)
    check_count(same_batch(tensors), max_rows)
    return tensors


def tensors_from_arrays(arrays: dict[str, np.ndarray], signature: Signature,
                        max_rows: int) -> Tensors:
    """Already decoded arrays keyed by input name (Open Inference Protocol tensors,
    TensorProtos) -> tensors, with the same name, shape, count and value checks."""
    check_names(arrays, signature.input_names)

    tensors = {}
    for spec in signature.inputs:
        array = arrays[spec.name]
        if array.dtype.kind not in "biuf":
            raise InvalidArgument(f"input {spec.name!r} holds {array.dtype} values; tensors are "
                                  "numbers or booleans")
        check_shape(array, spec, f"input {spec.name!r}")

        def locate(index: tuple[int, ...], name: str = spec.name) -> str:
            return f"input {name!r}, element {list(index)}"

        tensors[spec.name] = cast(array, spec.dtype, locate)
    check_count(same_batch(tensors), max_rows)
    return tensors


def same_batch(tensors: Tensors) -> int:
    """The batch size every input shares; InvalidArgument naming them when they differ."""
    sizes = {name: int(t.shape[0]) for name, t in tensors.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name}: {size}" for name, size in sizes.items())
        raise InvalidArgument(f"inputs have different lengths (batch sizes {listed}); each "
                              "input needs one row per instance")
    return next(iter(sizes.values()))


def check_names(given: dict, names: tuple[str, ...]) -> None:
    unknown = [str(k) for k in given if k not in names]
    missing = [n for n in names if n not in given]
    if unknown or missing:
        raise InvalidArgument(f"inputs must be exactly {', '.join(names)}"
                              + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                              + (f"; missing: {', '.join(missing)}" if missing else ""))
