"""Everything a command asks to train, resolved and with its data read before any training,
so a bad name, recipe, column or cell fails at once instead of after some models published."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from training.datasets import Dataset
from training.loading import load_data
from training.modelfile import LoadedFile, ModelFileError, find_spec
from training.rules import conflicts
from training.schema import ModelSpec, Recipe
from training.tables import TableProblem

logger = logging.getLogger("training")
FIRST_SEED_RECIPE = ""  # `--seed-recipe` given without a name


@dataclass(frozen=True)
class Plan:
    """One training run to do: the entry (inputs resolved to columns), its recipe and rows."""

    spec: ModelSpec
    recipe: Recipe
    data: Dataset
    model_file: Path | None


def select(loaded: LoadedFile, names: list[str]) -> list[tuple[int, ModelSpec]]:
    indexed = list(enumerate(loaded.specs))
    if not names:
        return indexed
    index = {spec.name: position for position, spec in indexed}
    specs = [find_spec(name, loaded) for name in names]
    return [(index[spec.name], spec) for spec in specs]


def choose_recipe(spec: ModelSpec, seed_recipe: str | None, epochs: int | None) -> Recipe:
    if seed_recipe is None:
        recipe = spec.default_recipe()
    else:
        recipe = spec.seed_recipe(seed_recipe or None)
    return recipe if epochs is None else recipe.model_copy(update={"epochs": epochs})


def _own_data_key(spec: ModelSpec, recipe: Recipe) -> tuple[str | int, ...]:
    """Where the run's data is declared: the model's `data`, or its seed recipe's own."""
    for index, seed in enumerate(spec.seed_recipes):
        if seed.name == recipe.name and "data" in seed.model_fields_set:
            return ("seed_recipes", index)
    return ()


def _load(loaded: LoadedFile, index: int, spec: ModelSpec, recipe: Recipe) -> Plan:
    assert recipe.data is not None  # a resolved recipe always carries its rows' source
    try:
        inputs, data = load_data(spec, recipe.data, loaded.data_path)
    except TableProblem as exc:
        key = (*_own_data_key(spec, recipe), *exc.key) if exc.key[0] == "data" else exc.key
        raise ModelFileError(loaded.path, [loaded.problem(index, key, exc.message)]) from None
    resolved = spec.model_copy(update={"inputs": inputs})
    found = conflicts(resolved)
    if found:
        raise ModelFileError(loaded.path, [loaded.problem(index, k, t) for k, t in found])
    return Plan(resolved, recipe, data, loaded.path)


def plan_runs(loaded: LoadedFile, names: list[str], seed_recipe: str | None,
              epochs: int | None) -> list[Plan]:
    """Every run to do, with its data; raises KeyError (unknown model or recipe) or
    ModelFileError (every data problem of every selected model, with its line)."""
    chosen = []
    for index, spec in select(loaded, names):
        if seed_recipe is not None and not spec.seed_recipes:
            logger.warning("%s: the seed shows no training run to reproduce; skipped", spec.name)
            continue
        chosen.append((index, spec, choose_recipe(spec, seed_recipe, epochs)))
    plans, problems = [], []
    for index, spec, recipe in chosen:
        try:
            plans.append(_load(loaded, index, spec, recipe))
        except ModelFileError as exc:
            problems += exc.problems
    if problems:
        raise ModelFileError(loaded.path, problems)
    return plans
