"""Signatures for codec tests, made without a SavedModel (the codecs read only names, dtypes
and shapes)."""

from __future__ import annotations

from service.core.types import Signature, TensorSpec


def vectors(*names: str) -> Signature:
    """Inputs of shape [-1] float32 (one number per row, as the zoo exports), output `y`."""
    return Signature(tuple(TensorSpec(n, "float32", (None,)) for n in names),
                     (TensorSpec("y", "float32", (None,)),))


def tensors(**inputs: tuple[str, tuple[int | None, ...]]) -> Signature:
    """Inputs given as name=(dtype, shape), output `y`."""
    return Signature(tuple(TensorSpec(n, dtype, shape) for n, (dtype, shape) in inputs.items()),
                     (TensorSpec("y", "float32", (None,)),))
