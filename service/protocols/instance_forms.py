"""The instance forms of TensorFlow Serving's row format, and the leniency kept where it cannot
be ambiguous: objects keyed by input name, lists of numbers in input order (when every input
takes one number per row), one-element lists for a `[-1]` input; and what they say when an
instance fits none of them."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from service.core.errors import InvalidArgument
from service.core.types import Signature
from service.protocols.json_tensors import shape_text


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


def unwrapped(instances: list, signature: Signature) -> list:
    """A one-input model's instances with `{"name": row}` objects (and, for an input of shape
    [-1], one-element lists) replaced by their row; the same list when there was none."""
    spec = signature.inputs[0]
    if not any(isinstance(row, dict) or (spec.shape == (None,) and type(row) is list)
               for row in instances):
        return instances
    return [named(row, i, signature)[0] if isinstance(row, dict) else
            row[0] if spec.shape == (None,) and type(row) is list and len(row) == 1 else row
            for i, row in enumerate(instances)]


def numbers_matrix(instances: list, signature: Signature, maybe_bool: bool) -> np.ndarray | None:
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


def columns_of(instances: list, signature: Signature) -> list[list]:
    """Per input, its row of every instance (instances as objects, or as lists in input order
    when every input takes one number per row)."""
    names, lists = signature.input_names, scalar_rows(signature)
    if all(type(row) is dict and len(row) == len(names) for row in instances):
        try:
            return [[row[name] for row in instances] for name in names]
        except KeyError:
            pass  # a key is wrong: the slow path below names it
    rows = [named(row, i, signature) if isinstance(row, dict) or not lists
            else listed(row, i, signature) for i, row in enumerate(instances)]
    return [list(column) for column in zip(*rows, strict=True)]


def named(row: object, index: int, signature: Signature) -> list:
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


def listed(row: object, index: int, signature: Signature) -> list:
    names = signature.input_names
    if not isinstance(row, list):
        got = "a number" if isinstance(row, int | float) else type(row).__name__
        raise InvalidArgument(f"instance {index} is {got} but the model takes {len(names)} "
                              f"inputs; {accepted(signature)}")
    if len(row) != len(names):
        raise InvalidArgument(f"instance {index} has {len(row)} values but the model takes "
                              f"{len(names)} ({', '.join(names)}); {accepted(signature)}")
    return row
