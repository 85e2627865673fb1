"""Trained repositories shared by the whole session: training costs seconds, so it runs once.

`repositories` pairs the suite's shared zoo (`trained_repository` in tests/conftest.py, trained
with the default recipes by the real CLI) with a second one trained by `--seed-recipe`, the two
trainings running in parallel. `served` loads every published version once in a fresh
plain-TensorFlow process and keeps its answers for the tests to check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from tests.training.processes import TIMEOUT_SECONDS, probe_savedmodels, start_training_cli
from tests.training.trained import SEED_RECIPE_MODELS, Repositories, Served, feeds_for, zoo_plan
from training.modelfile import zoo


@pytest.fixture(scope="session")
def repositories(tmp_path_factory: pytest.TempPathFactory,
                 request: pytest.FixtureRequest) -> Repositories:
    seed = tmp_path_factory.mktemp("seed-recipes") / "models"
    job = start_training_cli("--repository", str(seed), "--seed-recipe", "--quiet")
    try:  # the suite's shared default-recipe zoo (tests/conftest.py) trains meanwhile
        default = request.getfixturevalue("trained_repository")
    finally:
        _, stderr = job.communicate(timeout=TIMEOUT_SECONDS)
    if job.returncode != 0:
        pytest.fail(f"{' '.join(job.args)} exited {job.returncode}:\n{stderr[-3000:]}")
    return Repositories(default=default, seed=seed)


@pytest.fixture(scope="session")
def served(repositories: Repositories) -> Served:
    names = tuple(spec.name for spec in zoo().specs)
    requests = [{"dir": str(repositories.default / name / "1"), "feeds": feeds_for(name)}
                for name in names]
    requests += [{"dir": str(repositories.seed / name / "1"), "feeds": feeds_for(name)}
                 for name in SEED_RECIPE_MODELS]
    report = probe_savedmodels(requests)
    results = report["results"]
    return Served(default=dict(zip(names, results[: len(names)], strict=True)),
                  seed=dict(zip(SEED_RECIPE_MODELS, results[len(names):], strict=True)),
                  unimportable=report["unimportable"])


@pytest.fixture(scope="session")
def seed_run() -> Callable:
    """In-process training of (model, seed recipe name), each trained once per session."""
    from training.pipeline import train_model  # imports TensorFlow: only when asked for

    @functools.cache
    def run(model: str, recipe: str):
        plan = zoo_plan(model, recipe)
        return train_model(plan.spec, plan.recipe, plan.data)

    return run
