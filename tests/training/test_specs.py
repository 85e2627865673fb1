"""The zoo as data: names, named inputs and outputs, recipe lookup."""

from __future__ import annotations

import pytest

from training.specs import ZOO, ModelSpec, find_spec


def test_zoo_holds_the_four_design_models() -> None:
    assert [(s.name, s.inputs, s.output) for s in ZOO] == [
        ("linear", ("x",), "y"),
        ("celsius_to_fahrenheit", ("celsius",), "fahrenheit"),
        ("quadratic", ("x",), "y"),
        ("cereal_calories", ("sugars", "fibre", "protein"), "calories"),
    ]


def test_find_spec_unknown_lists_known_names() -> None:
    with pytest.raises(KeyError) as error:
        find_spec("cubic")
    assert error.value.args[0] == ("unknown model 'cubic' (known: linear, celsius_to_fahrenheit, "
                                   "quadratic, cereal_calories)")


def test_seed_recipe_first_is_default() -> None:
    linear = find_spec("linear")
    assert linear.seed_recipe().name == "keras-sgd"
    assert linear.seed_recipe("gradient-tape").name == "gradient-tape"


def test_seed_recipe_unknown_name_refused() -> None:
    with pytest.raises(KeyError, match=r"no seed recipe 'adam' \(known: keras-sgd, gradient-tape"):
        find_spec("linear").seed_recipe("adam")


def test_seed_recipe_missing_refused() -> None:
    with pytest.raises(KeyError, match="'cereal_calories' has no seed recipe"):
        find_spec("cereal_calories").seed_recipe()


@pytest.mark.parametrize("spec", ZOO, ids=lambda s: s.name)
def test_spec_recipes_are_runnable(spec: ModelSpec) -> None:
    for recipe in (spec.default, *spec.seed_recipes):
        assert recipe.optimizer in ("sgd", "adam")
        assert recipe.learning_rate > 0 and recipe.max_steps > 0
        # a recipe without a stopping rule runs its budget; the default must be able to stop
        if recipe is spec.default:
            assert recipe.tolerance > 0 or recipe.plateau > 0
        if recipe.initial_kernel is not None:
            assert len(recipe.initial_kernel) == len(spec.inputs) * (
                2 if spec.features == "polynomial" else 1)
