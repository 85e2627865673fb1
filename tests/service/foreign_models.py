"""SavedModels exported the way users export them, not by this project's trainer: plain Keras
`model.export` and plain `tf.Module` + `tf.saved_model.save`, covering vector inputs, several
named inputs of shape (1,) and (), two outputs, int32 and float64 inputs, a rank-3 input, a
bool output, an unknown inner dimension, and signatures that cannot be served."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def _keras():  # noqa: ANN202 - the keras module
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.backend.clear_session()  # unnamed tensors are named keras_tensor, keras_tensor_1, ...
    keras.utils.set_random_seed(7)
    return keras


def export_vector(target: Path) -> None:
    """Keras: Input(shape=(3,)) -> Dense(8) -> Dense(2), exported with model.export."""
    keras = _keras()
    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    keras.Model(inputs, keras.layers.Dense(2)(hidden)).export(str(target), verbose=False)


def export_two_heads(target: Path) -> None:
    """Keras: inputs a (shape (1,)) and b (shape ()), outputs mean [-1, 1] and scores [-1, 2]."""
    keras = _keras()
    a, b = keras.Input(shape=(1,), name="a"), keras.Input(shape=(), name="b")
    joined = keras.layers.Concatenate()([a, keras.layers.Reshape((1,))(b)])
    outputs = {"mean": keras.layers.Dense(1, name="mean")(joined),
               "scores": keras.layers.Dense(2, name="scores")(joined)}
    keras.Model({"a": a, "b": b}, outputs).export(str(target), verbose=False)


def export_modules(root: Path) -> None:
    """tf.Module models, one version each, under `root/<name>/1`."""
    import tensorflow as tf

    def save(name: str, module: tf.Module, signatures: dict) -> None:
        tf.saved_model.save(module, str(root / name / "1"), signatures=signatures)

    class Typed(tf.Module):
        """count: int32 [-1, 2], scale: float64 [-1] -> total float64 [-1], positive bool."""

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.int32, name="count"),
                                      tf.TensorSpec([None], tf.float64, name="scale")])
        def serve(self, count: tf.Tensor, scale: tf.Tensor) -> dict:
            total = tf.cast(tf.reduce_sum(count, axis=1), tf.float64) * scale
            return {"total": total, "positive": total > 0}

    class Cube(tf.Module):
        """cube: float32 [-1, 2, 3] -> sums [-1, 3] (summed over the middle axis)."""

        @tf.function(input_signature=[tf.TensorSpec([None, 2, 3], tf.float32, name="cube")])
        def serve(self, cube: tf.Tensor) -> dict:
            return {"sums": tf.reduce_sum(cube, axis=1)}

    class Ragged(tf.Module):
        """seq: float32 [-1, None] -> length [-1] int64, total [-1] float32."""

        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32, name="seq")])
        def serve(self, seq: tf.Tensor) -> dict:
            length = tf.fill([tf.shape(seq)[0]], tf.cast(tf.shape(seq)[1], tf.int64))
            return {"length": length, "total": tf.reduce_sum(seq, axis=1)}

    class Words(tf.Module):
        """A string input: cannot be served."""

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(self, text: tf.Tensor) -> dict:
            return {"length": tf.strings.length(text)}

    class Unbatched(tf.Module):
        """A fixed [3] input with no batch dimension: cannot be served."""

        @tf.function(input_signature=[tf.TensorSpec([3], tf.float32, name="x")])
        def serve(self, x: tf.Tensor) -> dict:
            return {"y": x * 2.0}

    for name, cls in (("typed", Typed), ("cube", Cube), ("ragged", Ragged), ("words", Words),
                      ("unbatched", Unbatched)):
        module = cls()
        save(name, module, {"serving_default": module.serve})
    both = Cube()
    tf.saved_model.save(both, str(root / "cube2" / "1"),
                        signatures={"serving_default": both.serve, "double": both.serve})


def build(root: Path) -> Path:
    """A repository of every foreign model above."""
    export_vector(root / "vector" / "1")
    export_two_heads(root / "two_heads" / "1")
    export_modules(root)
    return root


def reference(version_dir: Path, inputs: dict[str, np.ndarray],
              signature: str = "serving_default") -> dict[str, np.ndarray]:
    """The signature called directly with TensorFlow."""
    import tensorflow as tf

    function = tf.saved_model.load(str(version_dir)).signatures[signature]
    specs = function.structured_input_signature[1]
    result = function(**{k: tf.constant(v, dtype=specs[k].dtype) for k, v in inputs.items()})
    return {k: v.numpy() for k, v in result.items()}
