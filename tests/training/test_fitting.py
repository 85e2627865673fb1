"""Fitting: the seed recipes reproduce the seeds' results; runs are reproducible and bounded."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.training.reference import adam, gradient_descent, with_bias
from tests.training.trained import Served, zoo_plan
from training.fitting import PLATEAU, fit
from training.modeling import build_model
from training.pipeline import train_model

SEED_RECIPES = [("linear", "keras-sgd"), ("linear", "gradient-tape"),
                ("celsius_to_fahrenheit", "keras-adam"), ("quadratic", "numpy-gd")]


def start_and_end(run) -> tuple[np.ndarray, np.ndarray]:
    """A run's single Dense unit as [kernel..., bias]: freshly built (the recipe's start), and
    as trained."""
    fresh = build_model(run.spec, run.recipe, run.train)
    flat = [np.concatenate([np.ravel(w) for w in m.get_weights()]) for m in (fresh, run.model)]
    return flat[0].astype(np.float64), flat[1].astype(np.float64)


def test_seed_recipe_keras_sgd_predicts_18_98(seed_run: Callable, served: Served) -> None:
    run = seed_run("linear", "keras-sgd")
    assert run.predict(np.array([[10.0]]))[0] == pytest.approx(18.98, abs=0.02)
    assert served.seed["linear"]["answers"]["y"][0] == pytest.approx(18.98, abs=0.02)
    assert run.result.steps == 500
    start, learned = start_and_end(run)  # SGD(0.01) from the seeded Glorot start
    expected = gradient_descent(with_bias(run.train.features["x"]), run.train.target, start,
                                0.01, 500)
    np.testing.assert_allclose(learned, expected, atol=1e-4)


def test_seed_recipe_keras_adam_answers_211_3(seed_run: Callable, served: Served) -> None:
    run = seed_run("celsius_to_fahrenheit", "keras-adam")
    assert run.predict(np.array([[100.0]]))[0] == pytest.approx(211.3, abs=0.5)
    assert served.seed["celsius_to_fahrenheit"]["answers"]["fahrenheit"][0] == pytest.approx(
        211.3, abs=0.5)
    assert run.result.steps == 500
    assert run.data.name == "celsius_seed_table"  # the seed's rounded table, as printed
    start, learned = start_and_end(run)  # Adam(0.1) from the seeded Glorot start
    expected = adam(with_bias(run.train.features["celsius"]), run.train.target, start, 0.1, 500)
    np.testing.assert_allclose(learned, expected, atol=1e-3)


def test_seed_recipe_gradient_tape_learns_seed_line(seed_run: Callable) -> None:
    run = seed_run("linear", "gradient-tape")
    w, b = run.terms["x"], run.terms["1"]
    assert (w, b) == pytest.approx((1.989, -0.967), abs=0.05)  # the slide: y = 1.98x - 0.94
    data = zoo_plan("linear").data
    expected = gradient_descent(with_bias(data.features["x"]), data.target, np.array([10.0, 10.0]),
                                0.1, 50)
    assert (w, b) == pytest.approx(tuple(expected), abs=1e-4)


def test_seed_recipe_numpy_gd_converges_toward_10_5_12(seed_run: Callable,
                                                        served: Served) -> None:
    run = seed_run("quadratic", "numpy-gd")
    truth = np.array([10.0, 5.0, 12.0])
    start = np.array([15.0, -2.0, 10.0])
    learned = np.array([run.terms["x^2"], run.terms["x"], run.terms["1"]])
    x, y = run.train.features["x"].astype(np.float64), run.train.target.astype(np.float64)
    start_loss = np.mean((start[0] * x**2 + start[1] * x + start[2] - y) ** 2)
    assert run.result.losses[0] == pytest.approx(start_loss, rel=1e-4)  # started at 15, -2, 10
    assert run.result.steps == 50
    # 50 steps of rate 0.1 get within 0.01 of the truth (the start is 7 away)
    assert np.max(np.abs(learned - truth)) < 0.01
    assert np.max(np.abs(learned - truth)) < np.max(np.abs(start - truth)) / 500
    assert run.result.final_loss < start_loss / 1e5
    expected = gradient_descent(with_bias(x, x**2), y, np.array([-2.0, 15.0, 10.0]), 0.1, 50)
    np.testing.assert_allclose(learned, expected[[1, 0, 2]], atol=1e-3)
    at_0, at_1, at_minus_1 = served.seed["quadratic"]["answers"]["y"]
    served_terms = np.array([(at_1 + at_minus_1) / 2 - at_0, (at_1 - at_minus_1) / 2, at_0])
    np.testing.assert_allclose(served_terms, learned, atol=1e-3)


@pytest.mark.parametrize(("model", "recipe"), SEED_RECIPES)
def test_train_same_seed_gives_identical_weights(seed_run: Callable, model: str,
                                                 recipe: str) -> None:
    first = seed_run(model, recipe)
    plan = zoo_plan(model, recipe)
    again = train_model(plan.spec, plan.recipe, plan.data)
    for mine, theirs in zip(first.model.get_weights(), again.model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert first.result.losses == again.result.losses


def test_fit_runs_exactly_the_step_budget() -> None:
    plan = zoo_plan("linear")
    run = train_model(plan.spec, plan.recipe.model_copy(update={"epochs": 37}), plan.data)
    assert run.result.steps == run.result.epochs == len(run.result.losses) == 37
    assert not run.result.converged  # 37 steps cannot reach the 1e-12 tolerance
    assert run.result.losses[-1] < run.result.losses[0]


def test_fit_stops_once_tolerance_met() -> None:
    plan = zoo_plan("linear")
    run = train_model(plan.spec, plan.recipe, plan.data)
    assert run.result.converged and run.result.stop_reason == "tolerance"
    assert run.result.final_loss <= plan.recipe.tolerance
    assert run.result.steps < plan.recipe.epochs


def test_fit_continues_across_chunks_until_plateau() -> None:
    plan = zoo_plan("cereal_calories")
    spec, recipe, data = plan.spec, plan.recipe, plan.data
    model = build_model(spec, recipe, data)
    matrix = data.matrix(spec.inputs)
    result = fit(model, recipe, "regression", (matrix, data.target))
    assert result.stop_reason == PLATEAU
    assert 500 < result.steps < recipe.epochs  # more than one chunk, stopped on the plateau
    design = np.c_[matrix.astype(np.float64), np.ones(data.rows)]
    best, *_ = np.linalg.lstsq(design, data.target.astype(np.float64), rcond=None)
    least_squares = np.mean((design @ best - data.target) ** 2)
    assert result.final_loss == pytest.approx(least_squares, rel=1e-4)
