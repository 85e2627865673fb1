"""The model zoo, declared as data: adding a model is adding one `ModelSpec`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Recipe:
    """How one training run is set up: optimizer, rate, step budget and starting point."""

    name: str
    optimizer: str  # "sgd" or "adam"
    learning_rate: float
    max_steps: int
    tolerance: float = 0.0  # stop once the training loss is at or below this
    plateau: float = 0.0  # stop once a chunk improves the loss by less than this fraction
    normalize: bool = False  # learn input scaling inside the exported graph
    initial_kernel: tuple[float, ...] | None = None  # fixed start (one value per feature)
    initial_bias: float | None = None
    dataset: str | None = None  # overrides the spec's dataset (e.g. a seed's own table)
    source: str = ""  # which seed document the recipe reproduces, and its published result


@dataclass(frozen=True)
class ModelSpec:
    """One servable model: its named inputs and output, its data and its layers."""

    name: str
    inputs: tuple[str, ...]
    output: str
    dataset: str
    description: str
    features: str = "identity"  # "identity" or "polynomial" (x -> [x, x^2] inside the graph)
    hidden_units: tuple[int, ...] = ()  # Dense layers before the final Dense(1)
    loss: str = "mean_squared_error"
    seed: int = 42
    holdout_fraction: float = 0.0  # rows kept out of training for evaluation
    default: Recipe = field(default_factory=lambda: Recipe("converge", "sgd", 0.05, 5000))
    seed_recipes: tuple[Recipe, ...] = ()

    def seed_recipe(self, name: str | None = None) -> Recipe:
        """The named seed recipe, or the first one when no name is given."""
        if not self.seed_recipes:
            raise KeyError(f"model {self.name!r} has no seed recipe")
        if name is None:
            return self.seed_recipes[0]
        for recipe in self.seed_recipes:
            if recipe.name == name:
                return recipe
        known = ", ".join(r.name for r in self.seed_recipes)
        raise KeyError(f"model {self.name!r} has no seed recipe {name!r} (known: {known})")


ZOO: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="linear",
        inputs=("x",),
        output="y",
        dataset="linear_pairs",
        description="The six pairs of y = 2x - 1 (seeds 000 and 001).",
        default=Recipe("converge", "sgd", 0.05, 5000, tolerance=1e-12),
        seed_recipes=(
            Recipe("keras-sgd", "sgd", 0.01, 500,
                   source="seed 000: Dense(1), SGD, MSE, fit(epochs=500); predict(10) ~ 18.98"),
            Recipe("gradient-tape", "sgd", 0.1, 50, initial_kernel=(10.0,), initial_bias=10.0,
                   source="seed 001: GradientTape on w*x+b from w=b=10, lr 0.1, 50 epochs; "
                          "y = 1.98x - 0.94"),
        ),
    ),
    ModelSpec(
        name="celsius_to_fahrenheit",
        inputs=("celsius",),
        output="fahrenheit",
        dataset="celsius_rule",
        description="f = 1.8c + 32 at the seed's seven temperatures (seed 004).",
        default=Recipe("converge", "sgd", 0.1, 5000, tolerance=1e-9, normalize=True),
        seed_recipes=(
            Recipe("keras-adam", "adam", 0.1, 500, dataset="celsius_seed_table",
                   source="seed 004: Dense(1), Adam(0.1), MSE, 500 epochs on the seed's "
                          "rounded table; 100 C -> 211.3 F"),
        ),
    ),
    ModelSpec(
        name="quadratic",
        inputs=("x",),
        output="y",
        dataset="quadratic_synthetic",
        description="1000 x ~ N(0, 1), y = 10x^2 + 5x + 12 (seed 003).",
        features="polynomial",
        default=Recipe("converge", "sgd", 0.1, 5000, tolerance=1e-9),
        seed_recipes=(
            Recipe("numpy-gd", "sgd", 0.1, 50, initial_kernel=(-2.0, 15.0), initial_bias=10.0,
                   source="seed 003: a, b, c from 15, -2, 10; lr 0.1; 50 epochs; "
                          "converges toward 10, 5, 12"),
        ),
    ),
    ModelSpec(
        name="cereal_calories",
        inputs=("sugars", "fibre", "protein"),
        output="calories",
        dataset="us_cereal",
        description="Calories per cup from sugars, fibre and protein of 65 US cereals (seed 002).",
        holdout_fraction=0.2,
        default=Recipe("converge", "sgd", 0.1, 20000, plateau=1e-7, normalize=True),
    ),
)


def find_spec(name: str) -> ModelSpec:
    for spec in ZOO:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in ZOO)
    raise KeyError(f"unknown model {name!r} (known: {known})")
