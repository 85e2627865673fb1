"""The learned formula, read off a model by probing it (pure numpy stand-ins for models)."""

from __future__ import annotations

import numpy as np
import pytest

from training.formula import coefficients, formula_text
from training.modelfile import find_spec


def test_formula_text_linear() -> None:
    assert formula_text(find_spec("linear"), {"x": 2.0, "1": -1.0}) == "y = 2.0000*x - 1.0000"


def test_formula_text_negative_first_term() -> None:
    spec = find_spec("celsius_to_fahrenheit")
    text = formula_text(spec, {"celsius": -0.5, "1": 3.25})
    assert text == "fahrenheit = -0.5000*celsius + 3.2500"


def test_coefficients_quadratic_in_raw_units() -> None:
    def predict(rows: np.ndarray) -> np.ndarray:
        x = rows[:, 0]
        return 10 * x**2 + 5 * x + 12

    terms = coefficients(find_spec("quadratic"), predict)
    assert terms == pytest.approx({"x^2": 10.0, "x": 5.0, "1": 12.0})
    assert formula_text(find_spec("quadratic"), terms) == "y = 10.0000*x^2 + 5.0000*x + 12.0000"


def test_coefficients_three_inputs() -> None:
    weights = np.array([2.5, -1.0, 4.0])
    terms = coefficients(find_spec("cereal_calories"), lambda rows: rows @ weights + 90)
    assert terms == pytest.approx({"sugars": 2.5, "fibre": -1.0, "protein": 4.0, "1": 90.0})


def test_coefficients_hidden_layers_give_a_sentence() -> None:
    spec = find_spec("linear").model_copy(update={"hidden": [3, 2]})
    assert coefficients(spec, lambda rows: rows[:, 0]) is None
    assert formula_text(spec, None) == "y = a Dense network with hidden layers of 3, 2 units"


def test_formula_text_classification_is_a_sentence() -> None:
    spec = find_spec("linear").model_copy(update={"task": "multiclass", "hidden": [4]})
    assert coefficients(spec, lambda rows: rows[:, 0]) is None
    assert formula_text(spec, None) == ("y = one probability per class: softmax of a Dense "
                                        "network with hidden layers of 4 units")
    binary = spec.model_copy(update={"task": "binary", "hidden": []})
    assert formula_text(binary, None) == ("y = the probability of the second class: sigmoid "
                                          "of a single Dense layer")
