"""Rules across keys of one model entry, each naming the key to change."""

from __future__ import annotations

from training.schema import ModelSpec, Training

Key = tuple[str | int, ...]


def feature_count(spec: ModelSpec) -> int | None:
    """Features into the first Dense layer (None while inputs are "all but output")."""
    if isinstance(spec.inputs, str):
        return None
    return len(spec.inputs) * (2 if spec.features == "polynomial" else 1)


def _initial_weights(spec: ModelSpec, run: Training, key: Key) -> list[tuple[Key, str]]:
    weights = run.initial_weights
    if weights is None:
        return []
    if spec.hidden:
        return [(key, "fixed initial weights need hidden: [] (they start the single output "
                      "unit)")]
    if spec.task == "multiclass":
        return [(key, "fixed initial weights are for regression and binary models")]
    count = feature_count(spec)
    if count is not None and len(weights.kernel) != count:
        layout = "[x..., x^2...]" if spec.features == "polynomial" else "one per input"
        return [(key + ("kernel",), f"needs {count} weights ({layout}), got "
                                    f"{len(weights.kernel)}")]
    return []


def _classes(spec: ModelSpec) -> list[tuple[Key, str]]:
    if spec.classes is None:
        return []
    if spec.task == "regression":
        return [(("classes",), "classes are for task: binary or multiclass")]
    if len(set(spec.classes)) != len(spec.classes):
        return [(("classes",), f"classes repeat: {spec.classes}")]
    if spec.task == "binary" and len(spec.classes) != 2:
        return [(("classes",), f"task: binary needs exactly two classes, got {spec.classes} "
                               "(use task: multiclass for more)")]
    if len(spec.classes) < 2:
        return [(("classes",), "a classification needs at least two classes")]
    return []


def conflicts(spec: ModelSpec) -> list[tuple[Key, str]]:
    """(key within the entry, message) for every rule the entry breaks."""
    found: list[tuple[Key, str]] = []
    if isinstance(spec.inputs, list) and spec.output in spec.inputs:
        found.append((("output",), f"the output {spec.output!r} is also listed in inputs"))
    found += _classes(spec)
    found += _initial_weights(spec, spec, ("initial_weights",))
    for index, recipe in enumerate(spec.seed_recipes):
        found += _initial_weights(spec, recipe, ("seed_recipes", index, "initial_weights"))
    return found


def repeated_names(specs: list[ModelSpec]) -> list[tuple[Key, str]]:
    seen: set[str] = set()
    found: list[tuple[Key, str]] = []
    for index, spec in enumerate(specs):
        if spec.name in seen:
            found.append((("models", index, "name"), f"model name {spec.name!r} is used twice"))
        seen.add(spec.name)
    return found
