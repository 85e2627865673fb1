"""Full-batch training with many steps inside one compiled TensorFlow call.

Keras' `fit` pays a Python round trip per epoch; on six points that is nearly all the cost.
Here a `tf.function` runs a chunk of steps in a graph loop; Python only looks between chunks
(to stop on convergence and to move a progress bar).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from tqdm import tqdm

from training.specs import Recipe

CHUNK_STEPS = 500


@dataclass
class FitResult:
    losses: list[float]  # training loss before each step
    steps: int
    converged: bool
    final_loss: float


def make_optimizer(recipe: Recipe) -> keras.optimizers.Optimizer:
    if recipe.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=recipe.learning_rate)
    if recipe.optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=recipe.learning_rate)
    raise ValueError(f"unknown optimizer {recipe.optimizer!r} (known: sgd, adam)")


def _step_runner(model: keras.Model, optimizer: keras.optimizers.Optimizer):
    variables = model.trainable_variables

    @tf.function(reduce_retracing=True)
    def run(features, target, steps):
        losses = tf.TensorArray(tf.float32, size=steps)
        for i in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(features, training=True) - target))
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
            losses = losses.write(i, loss)
        return losses.stack()

    return run


def _done(recipe: Recipe, losses: list[float], chunk_start: float) -> bool:
    last = losses[-1]
    if recipe.tolerance > 0 and last <= recipe.tolerance:
        return True
    if recipe.plateau > 0 and chunk_start > 0:
        return (chunk_start - last) / chunk_start < recipe.plateau
    return False


def fit(model: keras.Model, recipe: Recipe, features, target: np.ndarray,
        progress: bool = False) -> FitResult:
    """Full-batch steps until the recipe's tolerance or plateau is met, or max_steps."""
    optimizer = make_optimizer(recipe)
    optimizer.build(model.trainable_variables)
    run = _step_runner(model, optimizer)
    target = tf.constant(np.asarray(target, np.float32).reshape(-1, 1))
    features = tf.nest.map_structure(lambda a: tf.constant(a, tf.float32), features)
    losses: list[float] = []
    stoppable = recipe.tolerance > 0 or recipe.plateau > 0
    converged = False
    with tqdm(total=recipe.max_steps, disable=not progress, unit="step", leave=False) as bar:
        while len(losses) < recipe.max_steps:
            steps = min(CHUNK_STEPS, recipe.max_steps - len(losses))
            chunk = run(features, target, tf.constant(steps)).numpy().tolist()
            start = chunk[0]
            losses.extend(chunk)
            bar.update(steps)
            if stoppable and _done(recipe, losses, start):
                converged = True
                break
    final = float(tf.reduce_mean(tf.square(model(features) - target)))
    if recipe.tolerance > 0 and final <= recipe.tolerance:
        converged = True
    return FitResult(losses=losses, steps=len(losses), converged=converged, final_loss=final)
