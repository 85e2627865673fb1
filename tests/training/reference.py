"""Float64 NumPy references for the seed recipes: plain gradient descent and Adam on the MSE.

An independent oracle for `training.fitting`: the same start, rate and step count must land
on the same parameters (up to float32 round-off).
"""

from __future__ import annotations

import numpy as np


def mse_gradient(design: np.ndarray, target: np.ndarray, params: np.ndarray) -> np.ndarray:
    return 2 * design.T @ (design @ params - target) / len(target)


def gradient_descent(design: np.ndarray, target: np.ndarray, start: np.ndarray, rate: float,
                     steps: int) -> np.ndarray:
    params = np.asarray(start, np.float64)
    for _ in range(steps):
        params = params - rate * mse_gradient(design, target, params)
    return params


def adam(design: np.ndarray, target: np.ndarray, start: np.ndarray, rate: float, steps: int,
         beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7) -> np.ndarray:
    """Kingma and Ba's Adam with Keras' defaults (epsilon outside the bias correction)."""
    params = np.asarray(start, np.float64)
    first, second = np.zeros_like(params), np.zeros_like(params)
    for step in range(1, steps + 1):
        gradient = mse_gradient(design, target, params)
        first = beta_1 * first + (1 - beta_1) * gradient
        second = beta_2 * second + (1 - beta_2) * gradient**2
        alpha = rate * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
        params = params - alpha * first / (np.sqrt(second) + epsilon)
    return params


def with_bias(*columns: np.ndarray) -> np.ndarray:
    """Design matrix: the given feature columns plus a column of ones."""
    return np.stack([*(np.asarray(c, np.float64) for c in columns),
                     np.ones(len(columns[0]))], axis=1)
