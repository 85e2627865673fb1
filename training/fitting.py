"""Training with many epochs inside one compiled TensorFlow call.

Keras' `fit` pays a Python round trip per batch; on small data that is nearly all the cost.
Here a `tf.function` runs a chunk of epochs (full-batch steps, or mini-batches in a seeded new
order every epoch) in a graph loop, with the holdout loss and early stopping in the graph too;
Python only looks between chunks (to stop on the tolerance or a plateau, and to move the bar).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf
from tqdm import tqdm

from training.fitloop import EpochRunner, LoopSettings
from training.schema import Recipe
from training.tasks import loss_function, target_tensor

CHUNK_STEPS = 500
EPOCH_BUDGET, TOLERANCE, PLATEAU, EARLY_STOP = ("epoch budget", "tolerance", "plateau",
                                                "early stopping")


@dataclass
class FitResult:
    losses: list[float]  # training loss per epoch (full batch: the loss before its one step)
    steps: int
    epochs: int
    stop_reason: str  # EPOCH_BUDGET, TOLERANCE, PLATEAU or EARLY_STOP
    final_loss: float  # training loss of the weights the run ends with
    holdout_losses: list[float] = field(default_factory=list)  # after each epoch
    best_epoch: int | None = None  # early stopping on: the epoch whose weights were kept

    @property
    def converged(self) -> bool:
        return self.stop_reason != EPOCH_BUDGET


def make_optimizer(recipe: Recipe) -> keras.optimizers.Optimizer:
    optimizers = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam,
                  "rmsprop": keras.optimizers.RMSprop}  # the schema admits only these
    return optimizers[recipe.optimizer](learning_rate=recipe.learning_rate)


def _stop_rule(recipe: Recipe, losses: list[float], chunk_start: float) -> str | None:
    last = losses[-1]
    if recipe.tolerance > 0 and last <= recipe.tolerance:
        return TOLERANCE
    if recipe.plateau > 0 and chunk_start > 0 and (chunk_start - last) / chunk_start < \
            recipe.plateau:
        return PLATEAU
    return None


def loop_settings(recipe: Recipe, rows: int, seed: int, holdout: bool) -> LoopSettings:
    batch = recipe.batch_rows
    return LoopSettings(batch_rows=batch if batch is not None and batch < rows else None,
                        shuffle=recipe.shuffle, seed=seed,
                        patience=recipe.patience if holdout else 0)


def fit(model: keras.Model, recipe: Recipe, task: str, train: tuple[np.ndarray, np.ndarray],
        holdout: tuple[np.ndarray, np.ndarray] | None = None, seed: int = 0,
        label: str = "training", progress: bool = False) -> FitResult:
    """Epochs until the recipe's tolerance, plateau or early stopping is met, or its budget."""
    optimizer = make_optimizer(recipe)
    optimizer.build(model.trainable_variables)
    loss = loss_function(task)
    features, target = tf.constant(train[0], tf.float32), target_tensor(task, train[1])
    held = (features, target) if holdout is None else (tf.constant(holdout[0], tf.float32),
                                                       target_tensor(task, holdout[1]))
    settings = loop_settings(recipe, int(train[0].shape[0]), seed, holdout is not None)
    runner = EpochRunner(model, optimizer, loss, settings, holdout is not None)
    steps_per_epoch = 1 if settings.batch_rows is None else math.ceil(
        train[0].shape[0] / settings.batch_rows)
    chunk = max(1, CHUNK_STEPS // steps_per_epoch)
    losses: list[float] = []
    holdout_losses: list[float] = []
    reason = EPOCH_BUDGET
    with tqdm(total=recipe.epochs, desc=label, unit="epoch", disable=not progress,
              dynamic_ncols=True) as bar:
        while len(losses) < recipe.epochs:
            epochs = min(chunk, recipe.epochs - len(losses))
            ran, ran_held = runner.run(features, target, *held, tf.constant(len(losses)),
                                       tf.constant(epochs))
            chunk_losses = ran.numpy().tolist()
            losses.extend(chunk_losses)
            holdout_losses.extend(ran_held.numpy().tolist())
            bar.update(len(chunk_losses))
            bar.set_postfix(loss=f"{losses[-1]:.4g}")
            if len(chunk_losses) < epochs:
                reason = EARLY_STOP
                break
            reason = _stop_rule(recipe, losses, chunk_losses[0]) or EPOCH_BUDGET
            if reason != EPOCH_BUDGET:
                break
    best_epoch = runner.restore_best() if settings.patience else None
    final = float(loss(target, model(features, training=False)))
    if reason == EPOCH_BUDGET and recipe.tolerance > 0 and final <= recipe.tolerance:
        reason = TOLERANCE
    return FitResult(losses=losses, steps=len(losses) * steps_per_epoch, epochs=len(losses),
                     stop_reason=reason, final_loss=final, holdout_losses=holdout_losses,
                     best_epoch=best_epoch)
