"""TensorFlow Serving's columnar format (`inputs`: each input's whole tensor, batch dimension
first; a bare tensor for a one-input signature), and already decoded arrays (Open Inference
Protocol tensors, TensorProtos): the same name, shape, count and value checks for both.

Leniency kept where it cannot be ambiguous: a bare number as the column of a `[-1]` input.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from service.core.errors import InvalidArgument
from service.core.types import Signature, Tensors
from service.protocols.counts import check_count
from service.protocols.json_tensors import check_shape, tensor
from service.protocols.values import cast


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
                        max_rows: int, checked: Collection[str] = ()) -> Tensors:
    """Already decoded arrays keyed by input name (Open Inference Protocol tensors,
    TensorProtos) -> tensors, with the same name, shape, count and value checks. `checked`:
    inputs whose values were already cast with these checks to the dtype they have (JSON
    data read as its datatype); they are cast again only to a different dtype."""
    check_names(arrays, signature.input_names)

    tensors = {}
    for spec in signature.inputs:
        array = arrays[spec.name]
        if array.dtype.kind not in "biuf":
            raise InvalidArgument(f"input {spec.name!r} holds {array.dtype} values; tensors are "
                                  "numbers or booleans")
        check_shape(array, spec, f"input {spec.name!r}")
        if spec.name in checked and array.dtype == spec.dtype:
            tensors[spec.name] = array
            continue

        def locate(index: tuple[int, ...], name: str = spec.name) -> str:
            return f"input {name!r}, element {list(index)}"

        tensors[spec.name] = cast(array, spec.dtype, locate)
    check_count(same_batch(tensors), max_rows)
    return tensors


def same_batch(tensors: Tensors) -> int:
    """The batch size every input shares; InvalidArgument naming them when they differ."""
    if len(tensors) == 1:  # nothing to compare (1 us saved on the usual request)
        return int(next(iter(tensors.values())).shape[0])
    sizes = {name: int(t.shape[0]) for name, t in tensors.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name}: {size}" for name, size in sizes.items())
        raise InvalidArgument(f"inputs have different lengths (batch sizes {listed}); each "
                              "input needs one row per instance")
    return next(iter(sizes.values()))


def check_names(given: dict, names: tuple[str, ...]) -> None:
    if len(given) == len(names) and all(name in given for name in names):
        return
    unknown = [str(k) for k in given if k not in names]
    missing = [n for n in names if n not in given]
    if unknown or missing:
        raise InvalidArgument(f"inputs must be exactly {', '.join(names)}"
                              + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                              + (f"; missing: {', '.join(missing)}" if missing else ""))
