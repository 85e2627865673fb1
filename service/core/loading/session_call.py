"""Calling a serving signature as TensorFlow Serving does: a graph run on a session.

An eager call of a signature function, even its flat call on the single-threaded executor,
costs 90-170 µs of CPU for a Dense model's handful of kernels, and it wakes one of
TensorFlow's inter-op threads on every call (a thread hand-over; on one core, two context
switches). The same graph run by a session takes 6-15 µs for 1-32 rows, in the caller's
thread (measured in-process on one core, `linear` and `cereal_calories`).

So each signature's function is frozen (its variables become constants: the weights are read
once, at load) and imported into a graph of its own, run by a session that runs every kernel
in the calling thread (`inter_op_parallelism_threads=-1`) with Grappler off: optimising the
frozen graph folds the weights into rearranged arithmetic, which answered `cereal_calories`
one float step away from the eager call. Kernels still use the intra-op threads for large
batches. A signature gets this call only when it answers probes of 1, 3 and 64 rows exactly as
the keyword call does. A signature that cannot be frozen (resources that are not variables,
weights over MAX_FROZEN_BYTES), whose frozen graph holds a stateful op (it writes a variable,
draws random numbers, reads a queue: a frozen copy would not keep that state), or anything
unexpected keeps the eager call.
"""

from __future__ import annotations

import logging

import numpy as np

from service.core.loading.signature_call import (
    Call,
    flat_inputs,
    keyword_call,
    probe_inputs,
    same_answers,
)
from service.core.types import Signature, Tensors

logger = logging.getLogger("service.loading")
MAX_FROZEN_BYTES = 256 * 1024 * 1024  # the weights are copied into the graph: one more copy
PROBE_ROWS = (1, 3, 64)


def _weight_bytes(function) -> int:  # noqa: ANN001 - a TF ConcreteFunction
    return sum(v.shape.num_elements() * v.dtype.size for v in function.variables)


def _stateful_ops(graph_def) -> set[str]:  # noqa: ANN001 - a GraphDef
    """The ops of the graph and its functions that keep or change state between calls."""
    from tensorflow.python.framework import op_def_registry

    nodes = [*graph_def.node, *(n for f in graph_def.library.function for n in f.node_def)]
    return {n.op for n in nodes if (op := op_def_registry.get(n.op)) is None or op.is_stateful}


def _session(graph_def):  # noqa: ANN001, ANN202 - a GraphDef in, a tf.compat.v1.Session out
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    config = tf.compat.v1.ConfigProto(
        inter_op_parallelism_threads=-1,  # every kernel in the calling thread
        intra_op_parallelism_threads=tf.config.threading.get_intra_op_parallelism_threads())
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return tf.compat.v1.Session(graph=graph, config=config)


def _frozen_call(function, signature: Signature) -> Call | None:  # noqa: ANN001
    from tensorflow.core.protobuf.config_pb2 import CallableOptions
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    inputs = flat_inputs(function, signature)
    if inputs is None:
        return None  # placeholders not named after the inputs: the feeds cannot be matched
    frozen = convert_variables_to_constants_v2(function)
    outputs = sorted(function.structured_outputs)  # the flat outputs are in key order
    if len(frozen.outputs) != len(outputs) or outputs != sorted(signature.output_names):
        return None
    graph_def = frozen.graph.as_graph_def()
    if stateful := _stateful_ops(graph_def):
        logger.info("signature %r keeps the eager call: its graph has stateful ops (%s)",
                    signature.name, ", ".join(sorted(stateful)))
        return None
    names, dtypes = [spec.name for spec in inputs], [np.dtype(spec.dtype) for spec in inputs]
    run = _session(graph_def)._make_callable_from_options(CallableOptions(
        feed=[t.name for t in frozen.inputs], fetch=[t.name for t in frozen.outputs]))

    def call(tensors: Tensors) -> Tensors:
        answers = run(*(np.asarray(tensors[n], dtype) for n, dtype in zip(names, dtypes,
                                                                          strict=True)))
        return dict(zip(outputs, answers, strict=True))
    return call


def session_call(function, signature: Signature) -> Call | None:  # noqa: ANN001
    """The signature as a session run, or None when it cannot be one that answers exactly as
    the keyword call does."""
    reference = keyword_call(function, signature)
    try:
        if _weight_bytes(function) > MAX_FROZEN_BYTES:
            logger.info("signature %r keeps the eager call: more than %d MiB of weights",
                        signature.name, MAX_FROZEN_BYTES >> 20)
            return None
        call = _frozen_call(function, signature)
        if call is None:
            return None
        for rows in PROBE_ROWS:
            sample = probe_inputs(signature, rows)
            if not same_answers(call(sample), reference(sample)):
                logger.info("signature %r keeps the eager call: the session's answer to a "
                            "probe of %d rows differs", signature.name, rows)
                return None
    except Exception as exc:  # frozen or run: any failure keeps the eager call
        logger.info("signature %r keeps the eager call: %s: %s", signature.name,
                    type(exc).__name__, str(exc).strip().split("\n")[0][:300])
        return None
    return call
