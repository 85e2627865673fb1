"""What the task decides in the graph: output units, the training loss, the served answer.

The network ends in raw scores (a value, or logits); the loss reads the scores, and the served
answer (and every prediction the training job makes) is the task's activation of them:
regression the value, binary the probability of the second class (sigmoid), multiclass one
probability per class (softmax).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

Loss = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]


def output_units(task: str, class_names: tuple[str, ...] | None) -> int:
    return len(class_names) if task == "multiclass" and class_names else 1


def answer(task: str, scores: tf.Tensor) -> tf.Tensor:
    """Scores (rows x units) -> the served output: (rows,) or (rows x classes)."""
    if task == "multiclass":
        return tf.nn.softmax(scores, axis=-1)
    if task == "binary":
        return tf.squeeze(tf.sigmoid(scores), axis=-1)
    return tf.squeeze(scores, axis=-1)


def target_tensor(task: str, target: np.ndarray) -> tf.Tensor:
    if task == "multiclass":
        return tf.constant(np.asarray(target, np.int32))
    return tf.constant(np.asarray(target, np.float32).reshape(-1, 1))


def _squared_error(target: tf.Tensor, scores: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.square(scores - target))


def _binary_cross_entropy(target: tf.Tensor, scores: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=scores))


def _cross_entropy(target: tf.Tensor, scores: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=scores))


def loss_function(task: str) -> Loss:
    """Mean loss of a batch: squared error, or cross-entropy on the logits."""
    return {"regression": _squared_error, "binary": _binary_cross_entropy,
            "multiclass": _cross_entropy}[task]
