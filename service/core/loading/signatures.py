"""What of a SavedModel's signatures can be served, and why not the rest.

A signature is served when every input and output is a tensor of a number or boolean dtype
with a leading batch dimension (unknown size), of any rank, known or unknown inner dimensions.
Strings, resources, nested structures and tensors without a batch dimension are not: such a
signature is reported with the reason, naming the tensor and what is supported.
"""

from __future__ import annotations

from service.core.types import SERVABLE_DTYPES, Signature, TensorSpec


class Unservable(Exception):
    """A signature this server cannot serve; the message names the tensor and why."""


def _spec(kind: str, name: str, spec) -> TensorSpec:  # noqa: ANN001 - a tf.TensorSpec
    import tensorflow as tf

    if not isinstance(spec, tf.TensorSpec):
        raise Unservable(f"{kind} {name!r} is a {type(spec).__name__}, not a tensor; served "
                         "signatures take and give tensors only")
    dtype = spec.dtype.name
    if dtype not in SERVABLE_DTYPES:
        raise Unservable(f"{kind} {name!r} is {dtype}; served tensors are numbers or booleans "
                         f"({', '.join(SERVABLE_DTYPES)})")
    if spec.shape.rank is None or spec.shape.rank == 0 or spec.shape[0] is not None:
        shown = "unknown" if spec.shape.rank is None else str(spec.shape.as_list())
        raise Unservable(f"{kind} {name!r} has shape {shown}: a served tensor's first "
                         "dimension is the batch dimension, of any size (-1)")
    return TensorSpec(name, dtype, tuple(spec.shape.as_list()))


def describe(name: str, function, declared_order: list[str]) -> Signature:  # noqa: ANN001
    """The Signature of one of a SavedModel's signature functions; Unservable if it is not.
    Inputs are in `declared_order` (the version's metadata) when it names them all, else by
    name."""
    args, specs = function.structured_input_signature
    if args:
        raise Unservable("the signature takes positional arguments; served signatures take "
                         "named tensors")
    outputs = function.structured_outputs
    if not isinstance(outputs, dict) or not outputs:
        raise Unservable("the signature does not return a dictionary of named tensors")
    order = list(declared_order) if sorted(declared_order) == sorted(specs) else sorted(specs)
    return Signature(tuple(_spec("input", n, specs[n]) for n in order),
                     tuple(_spec("output", n, outputs[n]) for n in sorted(outputs)), name)
