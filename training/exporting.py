"""Exports a Keras model as a SavedModel whose `serving_default` speaks the spec's names.

Every input is a float32 vector of shape [-1] (one scalar per row) and the output is a dict
`{spec.output: [-1]}`, so TensorFlow Serving's row format `{"instances": [1.0, 2.0]}` works
unchanged and no `keras_tensor` / `output_0` names leak into the signature.
"""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from training.specs import ModelSpec


class ServingModule(tf.Module):
    """Holds the model (so its variables are saved) and its serving function."""

    def __init__(self, model: keras.Model) -> None:
        super().__init__(name="serving")
        self.model = model


def _serving_function(spec: ModelSpec, model: keras.Model) -> tf.types.experimental.Callable:
    signature = [tf.TensorSpec([None], tf.float32, name=name) for name in spec.inputs]

    def serve(*columns: tf.Tensor) -> dict[str, tf.Tensor]:
        rows = [tf.expand_dims(column, -1) for column in columns]
        outputs = model(rows[0] if len(rows) == 1 else rows, training=False)
        return {spec.output: tf.squeeze(outputs, axis=-1)}

    return tf.function(serve, input_signature=signature)


def export_savedmodel(spec: ModelSpec, model: keras.Model, directory: Path) -> None:
    """Writes saved_model.pb and variables/ into `directory` (which must not exist yet)."""
    module = ServingModule(model)
    function = _serving_function(spec, model)
    module.serve = function
    tf.saved_model.save(module, str(directory),
                        signatures={"serving_default": function.get_concrete_function()})
