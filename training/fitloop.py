"""The compiled loop: a chunk of epochs in one `tf.function`, early stopping included."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from training.tasks import Loss


@dataclass(frozen=True)
class LoopSettings:
    batch_rows: int | None  # None: one full-batch step per epoch
    shuffle: bool  # mini-batches: a new seeded order of the rows every epoch
    seed: int
    patience: int  # epochs without a better holdout loss before stopping; 0 = off


class EpochRunner:
    """`run(features, target, held_features, held_target, first_epoch, epochs)` trains up to
    `epochs` epochs and returns (training loss per epoch, holdout loss per epoch); it returns
    fewer when early stopping ends the run."""

    def __init__(self, model: keras.Model, optimizer: keras.optimizers.Optimizer, loss: Loss,
                 settings: LoopSettings, holdout: bool) -> None:
        self.model, self.optimizer, self.loss = model, optimizer, loss
        self.settings, self.holdout = settings, holdout
        self.variables = model.trainable_variables
        self.best = tf.Variable(np.inf, dtype=tf.float32, trainable=False)
        self.waited = tf.Variable(0, dtype=tf.int32, trainable=False)
        self.best_epoch = tf.Variable(0, dtype=tf.int32, trainable=False)
        self.kept = [tf.Variable(v, trainable=False) for v in self.variables] \
            if settings.patience else []
        self.run = tf.function(self._run, reduce_retracing=True)

    def _step(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = self.loss(y, self.model(x, training=True))
        gradients = tape.gradient(loss, self.variables)
        self.optimizer.apply_gradients(zip(gradients, self.variables, strict=True))
        return loss

    def _epoch(self, features: tf.Tensor, target: tf.Tensor, number: tf.Tensor) -> tf.Tensor:
        batch = self.settings.batch_rows
        if batch is None:
            return self._step(features, target)
        rows = tf.shape(target)[0]
        order = tf.range(rows)
        if self.settings.shuffle:
            seed = tf.stack([tf.constant(self.settings.seed, tf.int64), tf.cast(number, tf.int64)])
            order = tf.argsort(tf.random.stateless_uniform([rows], seed=seed))
        total = tf.constant(0.0)
        for start in tf.range(0, rows, batch):
            rows_now = order[start:start + batch]
            loss = self._step(tf.gather(features, rows_now), tf.gather(target, rows_now))
            total += loss * tf.cast(tf.size(rows_now), tf.float32)
        return total / tf.cast(rows, tf.float32)

    def _keep_if_best(self, held_loss: tf.Tensor, number: tf.Tensor) -> None:
        if held_loss < self.best:
            self.best.assign(held_loss)
            self.best_epoch.assign(number + 1)
            self.waited.assign(0)
            for kept, variable in zip(self.kept, self.variables, strict=True):
                kept.assign(variable)
        else:
            self.waited.assign_add(1)

    def _run(self, features, target, held_features, held_target, first, epochs):
        losses = tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=())
        held = tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=())
        for i in tf.range(epochs):
            losses = losses.write(i, self._epoch(features, target, first + i))
            if self.holdout:
                held_loss = self.loss(held_target, self.model(held_features, training=False))
                held = held.write(i, held_loss)
                if self.settings.patience:
                    self._keep_if_best(held_loss, first + i)
                    if self.waited >= self.settings.patience:
                        break
        return losses.stack(), held.stack()

    def restore_best(self) -> int | None:
        """Puts back the weights of the epoch with the lowest holdout loss; returns it."""
        if not self.kept or int(self.best_epoch.numpy()) == 0:
            return None
        for kept, variable in zip(self.kept, self.variables, strict=True):
            variable.assign(kept)
        return int(self.best_epoch.numpy())

