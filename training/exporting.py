"""Exports a Keras model as a SavedModel whose `serving_default` speaks the entry's names.

Every input is a float32 vector of shape [-1] (one scalar per row) named after its column, and
the output is a dict `{spec.output: ...}`: shape [-1] for a regression (the value) and a binary
classification (the probability of the second class), [-1, classes] for a multiclass one (one
probability per class, in the metadata's class order). So TensorFlow Serving's row format
`{"instances": [{"age": 50, ...}]}` works unchanged and no `keras_tensor` / `output_0` names leak
into the signature.
"""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from training.schema import ModelSpec
from training.tasks import answer


class ServingModule(tf.Module):
    """Holds the model (so its variables are saved) and its serving function."""

    def __init__(self, model: keras.Model) -> None:
        super().__init__(name="serving")
        self.model = model


def _serving_function(spec: ModelSpec, model: keras.Model) -> tf.types.experimental.Callable:
    signature = [tf.TensorSpec([None], tf.float32, name=name) for name in spec.inputs]

    def serve(*columns: tf.Tensor) -> dict[str, tf.Tensor]:
        matrix = tf.stack(columns, axis=1)
        return {spec.output: answer(spec.task, model(matrix, training=False))}

    return tf.function(serve, input_signature=signature)


def export_savedmodel(spec: ModelSpec, model: keras.Model, directory: Path) -> None:
    """Writes saved_model.pb and variables/ into `directory` (which must not exist yet)."""
    module = ServingModule(model)
    function = _serving_function(spec, model)
    module.serve = function
    tf.saved_model.save(module, str(directory),
                        signatures={"serving_default": function.get_concrete_function()})
