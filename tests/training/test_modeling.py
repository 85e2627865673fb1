"""Model building: one input matrix, seeded and fixed starts, preprocessing in the graph."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tests.training.builders import dataset, spec
from tests.training.trained import zoo_plan
from training.modeling import build_model


def built(name: str, recipe: str | None = None) -> keras.Model:
    plan = zoo_plan(name, recipe)
    return build_model(plan.spec, plan.recipe, plan.data)


def test_build_model_takes_the_inputs_as_one_matrix() -> None:
    model = built("cereal_calories")
    assert [tuple(t.shape) for t in model.inputs] == [(None, 3)]
    rows = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    assert model(rows).shape == (2, 1)


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
    celsius = zoo_plan("celsius_to_fahrenheit").data.features["celsius"]
    assert np.asarray(scaling.mean).item() == pytest.approx(float(celsius.mean()), rel=1e-5)
    assert np.asarray(scaling.variance).item() == pytest.approx(float(celsius.var()), rel=1e-4)


def test_build_model_hidden_layers_and_target_scaling() -> None:
    entry = spec(inputs=["a", "b"], hidden=[6, 3], activation="tanh")
    target = np.array([100.0, 120.0, 140.0, 160.0], np.float32)
    train = dataset(np.arange(8, dtype=np.float32).reshape(4, 2), target, ["a", "b"])
    model = build_model(entry, entry.default_recipe(), train)
    assert [layer.name for layer in model.layers] == ["input_scaling", "hidden_0", "hidden_1",
                                                      "y", "target_scaling"]
    assert model.get_layer("hidden_0").activation.__name__ == "tanh"
    rescale = model.get_layer("target_scaling")
    assert (rescale.scale, rescale.offset) == pytest.approx((float(target.std()), 130.0))


def test_build_model_multiclass_has_a_unit_per_class() -> None:
    entry = spec(task="multiclass", hidden=[4])
    train = dataset(np.zeros((3, 1), np.float32), np.array([0, 1, 2]), ["x"], ("a", "b", "c"))
    model = build_model(entry, entry.default_recipe(), train)
    assert model.output_shape == (None, 3)
    assert "target_scaling" not in [layer.name for layer in model.layers]
