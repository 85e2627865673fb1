"""The zoo as training/zoo.yaml declares it: the four models, today's rules and the seeds'
numbers, exactly as README "The model zoo" and "Training" print them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.training.trained import Repositories, Served
from training.modelfile import find_spec, zoo

CEREAL = "calories = 4.4697*sugars - 5.4240*fibre + 24.9694*protein + 32.0843"


def formula(repository: Path, name: str) -> str:
    return json.loads((repository / name / "1" / "metadata.json").read_text())["formula"]


def test_zoo_file_holds_the_four_models() -> None:
    assert [(s.name, s.inputs, s.output, s.task) for s in zoo().specs] == [
        ("linear", ["x"], "y", "regression"),
        ("celsius_to_fahrenheit", ["celsius"], "fahrenheit", "regression"),
        ("quadratic", ["x"], "y", "regression"),
        ("cereal_calories", ["sugars", "fibre", "protein"], "calories", "regression"),
    ]


def test_zoo_special_features_are_keys_of_the_file() -> None:
    assert find_spec("quadratic").features == "polynomial"
    start = find_spec("linear").seed_recipe("gradient-tape").initial_weights
    assert (start.kernel, start.bias) == ([10.0], 10.0)
    table = find_spec("celsius_to_fahrenheit").seed_recipe("keras-adam").data
    assert table.name == "celsius_seed_table" and table.table["fahrenheit"][3] == 46.0


def test_find_spec_unknown_lists_known_names() -> None:
    with pytest.raises(KeyError) as error:
        find_spec("cubic")
    assert error.value.args[0] == ("unknown model 'cubic' (known: linear, celsius_to_fahrenheit, "
                                   "quadratic, cereal_calories)")


def test_seed_recipe_first_is_default_and_inherits_the_model() -> None:
    linear = find_spec("linear")
    first = linear.seed_recipe()
    assert (first.name, first.learning_rate, first.epochs, first.tolerance) == (
        "keras-sgd", 0.01, 500, 0.0)
    assert (first.optimizer, first.batch_size, first.normalize) == ("sgd", "full", False)
    with pytest.raises(KeyError, match=r"no seed recipe 'adam' \(known: keras-sgd, gradient-tape"):
        linear.seed_recipe("adam")
    with pytest.raises(KeyError, match="'cereal_calories' has no seed recipe"):
        find_spec("cereal_calories").seed_recipe()


def test_default_runs_give_todays_rules(repositories: Repositories, served: Served) -> None:
    assert served.default["linear"]["answers"]["y"][0] == pytest.approx(19.0, abs=0.005)
    assert served.default["celsius_to_fahrenheit"]["answers"]["fahrenheit"][0] == pytest.approx(
        212.0, abs=0.005)
    assert formula(repositories.default, "quadratic") == "y = 10.0000*x^2 + 5.0000*x + 12.0000"
    assert formula(repositories.default, "cereal_calories") == CEREAL


def test_seed_recipes_give_the_seeds_numbers(repositories: Repositories, served: Served) -> None:
    # README "Training": 18.986, 211.34, and 10.0023, 5.0002, 11.9944
    assert round(served.seed["linear"]["answers"]["y"][0], 3) == 18.986
    assert round(served.seed["celsius_to_fahrenheit"]["answers"]["fahrenheit"][0], 2) == 211.34
    assert formula(repositories.seed, "quadratic") == "y = 10.0023*x^2 + 5.0002*x + 11.9944"
