"""Reads the learned rule off a trained model, in the raw units clients send.

Scaling and polynomial features live inside the graph, so the Dense weights alone are not the
formula. For a model without hidden layers the output is affine in its features, and probing it
at a few points recovers the coefficients exactly in raw units.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from training.schema import ModelSpec

Predict = Callable[[np.ndarray], np.ndarray]  # (rows x inputs) -> (rows,)


def coefficients(spec: ModelSpec, predict: Predict) -> dict[str, float] | None:
    """Term -> coefficient (e.g. {"x^2": 10.0, "x": 5.0, "1": 12.0}); None if not affine (hidden
    layers) or not a regression."""
    if spec.hidden or spec.task != "regression":
        return None
    n = len(spec.inputs)
    probes = np.vstack([np.zeros(n), np.eye(n), -np.eye(n)]).astype(np.float32)
    values = np.asarray(predict(probes), np.float64).ravel()
    base, plus, minus = values[0], values[1 : n + 1], values[n + 1 :]
    terms: dict[str, float] = {}
    for i, name in enumerate(spec.inputs):
        if spec.features == "polynomial":
            terms[f"{name}^2"] = (plus[i] + minus[i]) / 2 - base
        terms[name] = (plus[i] - minus[i]) / 2 if spec.features == "polynomial" else plus[i] - base
    terms["1"] = base
    return {k: float(v) for k, v in terms.items()}


def formula_text(spec: ModelSpec, terms: dict[str, float] | None) -> str:
    """`y = 2.0000*x - 1.0000`, or a plain sentence for other models."""
    if terms is None:
        return f"{spec.output} = {_network(spec)}"
    parts = []
    for term, value in terms.items():
        body = f"{abs(value):.4f}" + ("" if term == "1" else f"*{term}")
        sign = "-" if value < 0 else "+"
        parts.append((sign, body))
    first_sign, first = parts[0]
    text = ("-" if first_sign == "-" else "") + first
    for sign, body in parts[1:]:
        text += f" {sign} {body}"
    return f"{spec.output} = {text}"


def _network(spec: ModelSpec) -> str:
    if spec.hidden:
        units = ", ".join(str(units) for units in spec.hidden)
        body = f"a Dense network with hidden layers of {units} units"
    else:
        body = "a single Dense layer"
    if spec.task == "binary":
        return f"the probability of the second class: sigmoid of {body}"
    if spec.task == "multiclass":
        return f"one probability per class: softmax of {body}"
    return body
