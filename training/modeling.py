"""Builds the Keras Dense model an entry and its recipe describe.

The model takes one (rows x inputs) matrix of raw values, columns in the entry's input order;
the exported signature names each column (training.exporting). Inside the graph, in order:
polynomial features, input scaling, the hidden Dense layers, the output Dense layer (named
after the output) and, for a regression with `normalize_target`, the target's rescaling.
"""

from __future__ import annotations

import keras
import numpy as np

from training.datasets import Dataset
from training.schema import ModelSpec, Recipe
from training.tasks import output_units


@keras.saving.register_keras_serializable(package="training")
class PolynomialFeatures(keras.layers.Layer):
    """x -> [x, x^2]: the quadratic model's features, computed inside the graph."""

    def call(self, inputs):
        return keras.ops.concatenate([inputs, keras.ops.square(inputs)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] * 2)


def _scaling(spec: ModelSpec, train: Dataset) -> keras.layers.Layer:
    matrix = train.matrix(spec.inputs)
    if spec.features == "polynomial":
        matrix = np.concatenate([matrix, np.square(matrix)], axis=1)
    norm = keras.layers.Normalization(name="input_scaling")
    norm.adapt(matrix)
    return norm


def _output_layer(spec: ModelSpec, recipe: Recipe, units: int) -> keras.layers.Layer:
    start = {}
    if recipe.initial_weights is not None:
        kernel = np.asarray(recipe.initial_weights.kernel, np.float32).reshape(-1, 1)
        start = {"kernel_initializer": keras.initializers.Constant(kernel),
                 "bias_initializer": keras.initializers.Constant(recipe.initial_weights.bias)}
    return keras.layers.Dense(units, name=spec.output, **start)


def _target_scaling(train: Dataset) -> keras.layers.Layer | None:
    mean, std = float(np.mean(train.target)), float(np.std(train.target))
    if std == 0:
        return None
    return keras.layers.Rescaling(scale=std, offset=mean, name="target_scaling")


def build_model(spec: ModelSpec, recipe: Recipe, train: Dataset | None) -> keras.Model:
    """`train` adapts the in-graph scaling the recipe asks for (None: no scaling asked)."""
    keras.utils.set_random_seed(spec.seed)
    layers: list[keras.layers.Layer] = []
    if spec.features == "polynomial":
        layers.append(PolynomialFeatures(name="polynomial_features"))
    if recipe.normalize:
        assert train is not None, "scaling is learned from the training rows"
        layers.append(_scaling(spec, train))
    for index, units in enumerate(spec.hidden):
        layers.append(keras.layers.Dense(units, activation=spec.activation,
                                         name=f"hidden_{index}"))
    classes = train.class_names if train is not None else None
    layers.append(_output_layer(spec, recipe, output_units(spec.task, classes)))
    if spec.task == "regression" and recipe.normalize_target and train is not None:
        layers += [layer for layer in [_target_scaling(train)] if layer is not None]
    features = keras.Input(shape=(len(spec.inputs),), name="features")
    return keras.Sequential([features, *layers], name=spec.name)
