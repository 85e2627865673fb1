"""The model file's entries as pydantic models: every key, its type and its default.

A model entry holds the model's own keys (data, inputs, output, task, layers) and the training
keys of its default run; each seed recipe is a named run that overrides some training keys.
Cross-key rules that name a key of their own are in `training.rules`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from modelrepo.layout import MODEL_NAME_RULE, is_model_name

ALL_BUT_OUTPUT = "all but output"
COLUMN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
COLUMN_NAME_RULE = "letters, digits, '_', '.', '-', starting with a letter, at most 64 characters"
DEFAULT_RECIPE = "default"
Scalar = float | str | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def column_name(value: str) -> str:
    if not COLUMN_NAME.fullmatch(value):
        raise ValueError(f"{value!r} cannot name a model input or output ({COLUMN_NAME_RULE}); "
                         "rename the column in the data")
    return value


class DataSource(Strict):
    """Where the rows come from: a CSV file with a header row, or a table written inline."""

    csv: str | None = None  # path relative to the model file
    table: dict[str, list[Scalar]] | None = None  # column -> values, all of one length
    name: str | None = None  # shown in metadata (default: the CSV file's stem, or "table")
    source: str = ""  # where the data comes from, for metadata

    @model_validator(mode="before")
    @classmethod
    def _from_path(cls, value: Any) -> Any:
        return {"csv": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_kind(self) -> DataSource:
        if (self.csv is None) == (self.table is None):
            raise ValueError("give either a CSV path (data: FILE or csv: FILE) or "
                             "table: {column: [values, ...]}")
        return self

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return self.csv.rsplit("/", 1)[-1].removesuffix(".csv") if self.csv else "table"


class InitialWeights(Strict):
    """A fixed start for the output Dense unit (models without hidden layers)."""

    kernel: list[float] = Field(min_length=1)  # one weight per feature into the unit
    bias: float = 0.0


class Training(Strict):
    """Keys of one training run; a model entry's are its default run."""

    optimizer: Literal["adam", "sgd", "rmsprop"] = "adam"
    learning_rate: float = Field(0.01, gt=0)
    epochs: int = Field(300, ge=1)  # full passes over the training rows
    batch_size: int | Literal["full"] = 32
    shuffle: bool = True  # a seeded new order of the rows every epoch (mini-batches only)
    normalize: bool = True  # input scaling learned from the training rows, inside the graph
    normalize_target: bool = True  # regression: fit a standardised target, rescaled in-graph
    patience: int = Field(20, ge=0)  # early stopping on the holdout loss; 0 = off
    tolerance: float = Field(0.0, ge=0)  # stop once the training loss is at or below this
    plateau: float = Field(0.0, ge=0)  # stop once a chunk improves the loss by less than this
    initial_weights: InitialWeights | None = None
    data: DataSource | None = None  # a run's own data (the model's when absent)

    @field_validator("batch_size", mode="before")
    @classmethod
    def _batch_size(cls, value: Any) -> Any:
        if value == "full" or (isinstance(value, int) and not isinstance(value, bool)
                               and value >= 1):
            return value
        raise ValueError(f"must be a whole number of at least 1, or full; got {value!r}")


class Recipe(Training):
    """A named training run: the default one, or a seed recipe reproducing a tutorial's run."""

    name: str = Field(DEFAULT_RECIPE, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    source: str = ""  # what the run reproduces, and its published result

    @property
    def batch_rows(self) -> int | None:
        return None if self.batch_size == "full" else int(self.batch_size)


class ModelSpec(Training):
    """One model entry of the file."""

    name: str
    description: str = ""
    data: DataSource
    inputs: list[str] | Literal["all but output"]
    output: str
    task: Literal["regression", "binary", "multiclass"] = "regression"
    classes: list[str] | None = None  # class order (default: sorted values of the output)
    hidden: list[int] = []  # Dense units before the output layer; [] = a linear unit
    activation: Literal["relu", "tanh", "sigmoid", "elu", "gelu", "selu", "swish"] = "relu"
    features: Literal["identity", "polynomial"] = "identity"  # polynomial: x -> [x, x^2]
    holdout: float = Field(0.2, ge=0, lt=1)  # fraction of rows kept out of training
    missing: Literal["error", "drop"] = "error"  # a row with an empty or NA cell
    seed: int = 42  # initial weights, holdout split and batch order
    seed_recipes: list[Recipe] = []

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not is_model_name(value):
            raise ValueError(f"{value!r} is not a model name ({MODEL_NAME_RULE})")
        return value

    @field_validator("inputs", mode="before")
    @classmethod
    def _inputs(cls, value: Any) -> Any:
        if value == ALL_BUT_OUTPUT or (isinstance(value, list) and value):
            return value
        raise ValueError(f"give a list of column names, or {ALL_BUT_OUTPUT!r}; got {value!r}")

    @field_validator("inputs")
    @classmethod
    def _input_names(cls, value: list[str] | str) -> list[str] | str:
        if isinstance(value, list):
            for name in value:
                column_name(name)
            if len(set(value)) != len(value):
                raise ValueError(f"inputs repeat a column: {value}")
        return value

    @field_validator("output")
    @classmethod
    def _output_name(cls, value: str) -> str:
        return column_name(value)

    @field_validator("hidden")
    @classmethod
    def _hidden(cls, value: list[int]) -> list[int]:
        if any(units < 1 for units in value):
            raise ValueError(f"every hidden layer needs at least 1 unit; got {value}")
        return value

    @field_validator("classes", mode="before")
    @classmethod
    def _classes_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) for v in value]
        return value

    @field_validator("seed_recipes")
    @classmethod
    def _recipe_names(cls, value: list[Recipe]) -> list[Recipe]:
        names = [r.name for r in value]
        if any("name" not in r.model_fields_set for r in value) or DEFAULT_RECIPE in names:
            raise ValueError(f"every seed recipe needs a name of its own (not {DEFAULT_RECIPE!r})")
        if len(set(names)) != len(names):
            raise ValueError(f"seed recipe names repeat: {names}")
        return value

    @property
    def loss(self) -> str:
        return {"regression": "mean_squared_error", "binary": "binary_crossentropy",
                "multiclass": "categorical_crossentropy"}[self.task]

    def default_recipe(self) -> Recipe:
        keys = {name: getattr(self, name) for name in Training.model_fields}
        return Recipe(**keys, name=DEFAULT_RECIPE, source="")

    def seed_recipe(self, name: str | None = None) -> Recipe:
        """The named seed recipe (the first when no name is given), over the default run."""
        if not self.seed_recipes:
            raise KeyError(f"model {self.name!r} has no seed recipe")
        chosen = self.seed_recipes[0] if name is None else next(
            (r for r in self.seed_recipes if r.name == name), None)
        if chosen is None:
            known = ", ".join(r.name for r in self.seed_recipes)
            raise KeyError(f"model {self.name!r} has no seed recipe {name!r} (known: {known})")
        return Recipe(**{**self.default_recipe().model_dump(),
                         **chosen.model_dump(exclude_unset=True)})


class ModelFile(Strict):
    models: list[ModelSpec] = Field(min_length=1)
