"""A SavedModel whose signature writes a variable, shared by the loading tests."""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf


class Counting(tf.Module):
    """A signature that counts its calls: frozen, it would forget every one."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = tf.Variable(0.0)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def serve(self, x: tf.Tensor) -> dict:
        self.calls.assign_add(1.0)
        return {"y": x + self.calls}


def save_counting(version_dir: Path) -> Path:
    module = Counting()
    tf.saved_model.save(module, str(version_dir), signatures={"serving_default": module.serve})
    return version_dir
