"""Calling a serving signature as TensorFlow Serving does: a graph run on a session.

An eager call of a signature function, even its flat call on the single-threaded executor,
costs 90-170 µs of CPU for a Dense model's handful of kernels, and it wakes one of
TensorFlow's inter-op threads on every call (a thread hand-over; on one core, two context
switches). The same graph run by a session takes 6-17 µs for 1-32 rows, in the caller's
thread (measured in-process on one core, the zoo's four models).

So each signature's function is frozen (its variables become constants: the weights are read
once, at load) and imported into a graph of its own, run by a session that runs every kernel
in the calling thread (`inter_op_parallelism_threads=-1`) with Grappler off: optimising the
frozen graph folds the weights into rearranged arithmetic, which answered `cereal_calories`
one float step away from the eager call. Kernels still use the intra-op threads for large
batches. A signature gets this call only when it answers probes of 1, 3 and 64 rows exactly as
the keyword call does. It keeps the eager call when any signature of its SavedModel writes
state (a variable or a table: a frozen copy would go on answering with the values read at
load; the loader checks, see `writes_state`), when it cannot be frozen (resources that are not
variables), when the version's frozen weights would pass MAX_FROZEN_BYTES, when its frozen
graph holds a stateful op (a random draw, a queue), or on anything unexpected.
(`convert_variables_to_constants_v2` also re-registers the functions it inlines in the eager
context, optimised; the eager calls answer as before, which the probes check.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
# Per version: each frozen signature holds its weights in its graph and its session, besides
# the SavedModel's variables; beyond this, a call's own work outweighs the 100 µs saved.
MAX_FROZEN_BYTES = 32 * 1024 * 1024
PROBE_ROWS = (1, 3, 64)
# Ops that write a variable or a table (TensorFlow does not mark all of them stateful).
WRITING_OPS = ("Assign", "ResourceScatter", "ResourceApply", "ResourceSparseApply",
               "ResourceStridedSliceAssign", "LookupTableInsert", "LookupTableImport",
               "LookupTableRemove", "InitializeTable", "MutableHashTable", "MutableDenseHashTable")
# Ops whose cost may depend on the values, not only on the batch's size.
CONTROL_FLOW_OPS = frozenset({"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond",
                              "While", "StatelessWhile", "If", "StatelessIf", "Case",
                              "StatelessCase"})


@dataclass(frozen=True)
class SessionRun:
    call: Call
    weight_bytes: int  # the weights frozen into its graph
    steady: bool  # its cost follows the batch's size: known inner dimensions, no control flow


def _ops(graph_def) -> set[str]:  # noqa: ANN001 - a GraphDef
    """The op types of the graph and of every function in its library."""
    return {n.op for n in (*graph_def.node,
                           *(n for f in graph_def.library.function for n in f.node_def))}


def writes_state(function) -> bool:  # noqa: ANN001 - a TF ConcreteFunction
    """The signature (or a function it calls) writes a variable or a table; True when its graph
    cannot be read."""
    try:
        return any(op.startswith(WRITING_OPS) for op in _ops(function.graph.as_graph_def()))
    except Exception:  # an unreadable graph: assume the worst
        return True


def weight_bytes(function) -> int:  # noqa: ANN001 - a TF ConcreteFunction
    return sum((v.shape.num_elements() or 0) * v.dtype.size for v in function.variables)


def _stateful_ops(ops: set[str]) -> set[str]:
    """The ops that keep or change state between calls (unknown ops count as such)."""
    from tensorflow.python.framework import op_def_registry

    return {op for op in ops if (found := op_def_registry.get(op)) is None or found.is_stateful}


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


def _frozen_run(function, signature: Signature,  # noqa: ANN001 - a TF ConcreteFunction
                weights: int) -> SessionRun | None:
    from tensorflow.core.protobuf.config_pb2 import CallableOptions
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    inputs = flat_inputs(function, signature)
    if inputs is None:
        return None  # placeholders not named after the inputs: the feeds cannot be matched
    frozen = convert_variables_to_constants_v2(function)
    outputs = sorted(function.structured_outputs)  # the flat outputs are in key order
    if len(frozen.outputs) != len(outputs) or outputs != sorted(signature.output_names) or \
            len(frozen.inputs) != len(inputs):  # a resource left to feed: not only variables
        return None
    graph_def = frozen.graph.as_graph_def()
    ops = _ops(graph_def)
    if stateful := _stateful_ops(ops):
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
    steady = all(spec.known for spec in inputs) and not ops & CONTROL_FLOW_OPS
    return SessionRun(call, weights, steady)


def session_call(function, signature: Signature,  # noqa: ANN001 - a TF ConcreteFunction
                 max_weight_bytes: int = MAX_FROZEN_BYTES) -> SessionRun | None:
    """The signature as a session run, or None when it cannot be one that answers exactly as
    the keyword call does, or would freeze more than `max_weight_bytes` of weights."""
    reference = keyword_call(function, signature)
    try:
        weights = weight_bytes(function)
        if weights > max_weight_bytes:
            logger.info("signature %r keeps the eager call: its weights would pass the %d MiB "
                        "frozen per version", signature.name, MAX_FROZEN_BYTES >> 20)
            return None
        run = _frozen_run(function, signature, weights)
        if run is None:
            return None
        for rows in PROBE_ROWS:
            sample = probe_inputs(signature, rows)
            if not same_answers(run.call(sample), reference(sample)):
                logger.info("signature %r keeps the eager call: the session's answer to a "
                            "probe of %d rows differs", signature.name, rows)
                return None
    except Exception as exc:  # frozen or run: any failure keeps the eager call
        logger.info("signature %r keeps the eager call: %s: %s", signature.name,
                    type(exc).__name__, str(exc).strip().split("\n")[0][:300])
        return None
    return run
