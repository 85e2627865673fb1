"""Calling a serving signature with less Python per call.

The keyword call `function(x=...)` spends most of its ~0.15 ms binding the keywords to the
signature's structure before it reaches the concrete function's flat call; with the event loop
thread busy, every step of that Python also waits for the GIL. The flat call takes positional
tensors in the signature's own flat order and is what the keyword call ends in. It is a private
TensorFlow method, so it is used only when it answers a probe exactly as the keyword call does;
otherwise, or on any surprise, the keyword call is used.

Either call then runs under TensorFlow's single-threaded executor when the signature allows it:
the default executor hands each of a function's few kernels to its thread pool, which for a
Dense model's handful of ops costs more than the ops (a one-row `linear` call: 137 µs of CPU by
default, 89 µs single-threaded, measured in-process on one core). Kernels still use the
intra-op threads for large batches. That executor refuses low-level control flow (a while
loop, a lowered cond), so it is used only when it answers the probe exactly as the default does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from service.core.types import Signature, Tensors, TensorSpec

Call = Callable[[Tensors], Tensors]
SINGLE_THREADED = "SINGLE_THREADED_EXECUTOR"


def keyword_call(function, signature: Signature) -> Call:  # noqa: ANN001 - a TF function
    import tensorflow as tf

    dtypes = {t.name: tf.as_dtype(t.dtype) for t in signature.inputs}
    outputs = signature.output_names

    def call(tensors: Tensors) -> Tensors:
        result = function(**{name: tf.constant(values, dtype=dtypes[name])
                             for name, values in tensors.items()})
        return {name: result[name].numpy() for name in outputs}
    return call


def probe(spec: TensorSpec, seed: int, rows: int = 3) -> np.ndarray:
    """Distinct, valid values of an input's dtype and shape (unknown dimensions 2)."""
    shape = (rows, *(2 if d is None else d for d in spec.shape[1:]))
    values = np.arange(int(np.prod(shape))).reshape(shape) * (seed + 2) + seed
    if spec.dtype == "bool":
        return values % 2 == 1
    if spec.dtype.startswith(("float", "bfloat")):
        return (values + 0.5).astype(spec.dtype)
    return (values % 100).astype(spec.dtype)


def probe_inputs(signature: Signature, rows: int = 3) -> Tensors:
    """A probe for every input, each with its own values."""
    return {spec.name: probe(spec, i, rows) for i, spec in enumerate(signature.inputs)}


def single_threaded(call: Call, signature: Signature) -> Call:
    """`call` under the single-threaded executor, or `call` itself when the signature cannot
    run there or answers the probe differently."""
    import tensorflow as tf

    def inline(tensors: Tensors) -> Tensors:
        with tf.experimental.function_executor_type(SINGLE_THREADED):
            return call(tensors)

    sample = probe_inputs(signature)
    try:
        fast, reference = inline(sample), call(sample)
    except Exception:  # e.g. FailedPrecondition: "does not support low level control flow"
        return call
    return inline if same_answers(fast, reference) else call


def same_answers(fast: Tensors, reference: Tensors) -> bool:
    return fast.keys() == reference.keys() and all(
        fast[k].dtype == reference[k].dtype and np.array_equal(fast[k], reference[k])
        for k in reference)


def flat_inputs(function, signature: Signature) -> tuple[TensorSpec, ...] | None:  # noqa: ANN001
    """The inputs in the function's flat order: its first placeholders, named after the
    inputs in name order; None when they are named otherwise."""
    ordered = tuple(sorted(signature.inputs, key=lambda spec: spec.name))
    placeholders = [t.name.rsplit(":", 1)[0] for t in function.inputs[:len(ordered)]]
    return ordered if placeholders == [spec.name for spec in ordered] else None


def flat_call(function, signature: Signature) -> Call | None:  # noqa: ANN001
    """The flat call, or None when this signature or TensorFlow version does not offer one
    that matches the keyword call on a probe."""
    import tensorflow as tf

    inputs = flat_inputs(function, signature)
    call_flat = getattr(function, "_call_flat", None)
    if call_flat is None or inputs is None:
        return None
    names = [spec.name for spec in inputs]
    dtypes = [tf.as_dtype(spec.dtype) for spec in inputs]
    outputs = signature.output_names

    def call(tensors: Tensors) -> Tensors:
        flat = [tf.constant(tensors[name], dtype=dtype) for name, dtype in zip(names, dtypes,
                                                                                strict=True)]
        result = call_flat(flat, function.captured_inputs)
        return {name: result[name].numpy() for name in outputs}

    sample = probe_inputs(signature)
    try:
        fast, reference = call(sample), keyword_call(function, signature)(sample)
    except Exception:  # anything unexpected: keep the keyword call
        return None
    return call if same_answers(fast, reference) else None
