"""Small tf.Modules the loading tests save as SavedModels: state, and control flow."""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf


def save(module: tf.Module, version_dir: Path, *names: str) -> Path:
    """Saves `module` with its `serve` as serving_default and each named method under its
    name."""
    signatures = {"serving_default": module.serve, **{n: getattr(module, n) for n in names}}
    tf.saved_model.save(module, str(version_dir), signatures=signatures)
    return version_dir


class Counting(tf.Module):
    """A signature that counts its calls: frozen, it would forget every one."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = tf.Variable(0.0)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def serve(self, x: tf.Tensor) -> dict:
        self.calls.assign_add(1.0)
        return {"y": x + self.calls}


class ReaderAndWriter(tf.Module):
    """One signature reads the variable another one (`update`) writes."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = tf.Variable(1.0)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def serve(self, x: tf.Tensor) -> dict:
        return {"y": x + self.offset}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def update(self, x: tf.Tensor) -> dict:
        self.offset.assign(tf.reduce_sum(x))
        return {"y": x}


class Looping(tf.Module):
    """A signature with a while loop and a cond: low-level control flow once lowered."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = tf.Variable(2.0)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def serve(self, x: tf.Tensor) -> dict:
        y = tf.cond(tf.reduce_sum(x) > 0, lambda: x * self.scale, lambda: x - 1.0)
        _, y = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a + 1.0),
                             [tf.constant(0), y])
        return {"y": y}
