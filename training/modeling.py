"""Builds the Keras Dense model a spec and recipe describe."""

from __future__ import annotations

import keras
import numpy as np

from training.specs import ModelSpec, Recipe


@keras.saving.register_keras_serializable(package="training")
class PolynomialFeatures(keras.layers.Layer):
    """x -> [x, x^2]: the quadratic model's features, computed inside the graph."""

    def call(self, inputs):
        return keras.ops.concatenate([inputs, keras.ops.square(inputs)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] * 2)


def feature_count(spec: ModelSpec) -> int:
    return len(spec.inputs) * (2 if spec.features == "polynomial" else 1)


def _head(spec: ModelSpec, recipe: Recipe, scale: np.ndarray | None) -> list[keras.layers.Layer]:
    """Preprocessing plus Dense layers, in order, applied to the concatenated inputs."""
    layers: list[keras.layers.Layer] = []
    if spec.features == "polynomial":
        layers.append(PolynomialFeatures(name="polynomial_features"))
    if recipe.normalize:
        norm = keras.layers.Normalization(name="input_scaling")
        norm.adapt(scale)
        layers.append(norm)
    for i, units in enumerate(spec.hidden_units):
        layers.append(keras.layers.Dense(units, activation="relu", name=f"hidden_{i}"))
    final = {}
    if recipe.initial_kernel is not None:
        final["kernel_initializer"] = keras.initializers.Constant(
            np.asarray(recipe.initial_kernel, np.float32).reshape(-1, 1))
    if recipe.initial_bias is not None:
        final["bias_initializer"] = keras.initializers.Constant(recipe.initial_bias)
    layers.append(keras.layers.Dense(1, name=spec.output, **final))
    return layers


def build_model(spec: ModelSpec, recipe: Recipe, train_matrix: np.ndarray) -> keras.Model:
    """Sequential for one input, functional with one named Input per feature otherwise.

    `train_matrix` (rows x inputs) adapts the in-graph scaling when the recipe asks for it.
    """
    keras.utils.set_random_seed(spec.seed)
    scale = None
    if recipe.normalize:
        scale = train_matrix
        if spec.features == "polynomial":
            scale = np.concatenate([train_matrix, np.square(train_matrix)], axis=1)
    head = _head(spec, recipe, scale)
    if len(spec.inputs) == 1:
        return keras.Sequential([keras.Input(shape=(1,), name=spec.inputs[0]), *head],
                                name=spec.name)
    inputs = [keras.Input(shape=(1,), name=name) for name in spec.inputs]
    x = keras.layers.Concatenate(name="features")(inputs)
    for layer in head:
        x = layer(x)
    return keras.Model(inputs=inputs, outputs=x, name=spec.name)


def model_inputs(spec: ModelSpec, matrix: np.ndarray) -> np.ndarray | list[np.ndarray]:
    """The model's call argument for a (rows x inputs) matrix."""
    if len(spec.inputs) == 1:
        return matrix
    return [matrix[:, i : i + 1] for i in range(matrix.shape[1])]
