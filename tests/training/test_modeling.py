"""Model building: named Keras inputs, seeded and fixed starts, preprocessing in the graph."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from training.datasets import load_dataset
from training.modeling import build_model, model_inputs
from training.specs import find_spec


def built(name: str, recipe_name: str | None = None) -> keras.Model:
    spec = find_spec(name)
    recipe = spec.default if recipe_name is None else spec.seed_recipe(recipe_name)
    data = load_dataset(recipe.dataset or spec.dataset, spec.seed)
    return build_model(spec, recipe, data.matrix(spec.inputs))


def test_build_model_one_input_is_sequential_with_named_input() -> None:
    model = built("celsius_to_fahrenheit")
    assert isinstance(model, keras.Sequential)
    assert [t.name for t in model.inputs] == ["celsius"]


def test_build_model_many_inputs_are_named_functional_inputs() -> None:
    model = built("cereal_calories")
    assert not isinstance(model, keras.Sequential)
    assert [t.name for t in model.inputs] == ["sugars", "fibre", "protein"]
    rows = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    assert model(model_inputs(find_spec("cereal_calories"), rows)).shape == (2, 1)


def test_build_model_seed_start_is_fixed() -> None:
    kernel, bias = built("linear", "gradient-tape").get_layer("y").get_weights()
    assert kernel.tolist() == [[10.0]] and bias.tolist() == [10.0]
    kernel, bias = built("quadratic", "numpy-gd").get_layer("y").get_weights()
    assert kernel.ravel().tolist() == [-2.0, 15.0] and bias.tolist() == [10.0]  # [x, x^2]


def test_build_model_seeded_start_repeats() -> None:
    first = built("linear", "keras-sgd").get_weights()
    second = built("linear", "keras-sgd").get_weights()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert first[0].item() != 0.0  # a glorot draw, not a constant


def test_build_model_polynomial_features_inside_graph() -> None:
    model = built("quadratic", "numpy-gd")  # y = 15x^2 - 2x + 10 before training
    x = np.array([[0.0], [1.0], [-2.0]], np.float32)
    np.testing.assert_allclose(np.asarray(model(x)).ravel(), [10.0, 23.0, 74.0], rtol=1e-6)


def test_build_model_scaling_adapted_to_training_data() -> None:
    model = built("celsius_to_fahrenheit")
    scaling = model.get_layer("input_scaling")
    celsius = load_dataset("celsius_rule", 42).features["celsius"]
    assert np.asarray(scaling.mean).item() == pytest.approx(float(celsius.mean()), rel=1e-5)
    assert np.asarray(scaling.variance).item() == pytest.approx(float(celsius.var()), rel=1e-4)
