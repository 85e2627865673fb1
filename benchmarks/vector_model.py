"""`python -m benchmarks.vector_model REPOSITORY`: publishes `vector8`, a Keras model of one
[-1, 8] float32 input (Dense(16, relu), Dense(1)), exported with plain `model.export` as users
export theirs, for the benchmark's tensor-input row."""

from __future__ import annotations

import os
import sys
from pathlib import Path

NAME = "vector8"
WIDTH = 8
BODY = ('{"instances": [[' + ", ".join(f"0.{i}" for i in range(1, WIDTH + 1)) + "]]}").encode()


def export(repository: Path) -> Path:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(8)
    inputs = keras.Input(shape=(WIDTH,), name="features")
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, name="score")(hidden))
    staging, target = repository / NAME / ".staging-1", repository / NAME / "1"
    model.export(str(staging), verbose=False)
    staging.rename(target)  # published atomically, as the server expects
    return target


if __name__ == "__main__":
    print(export(Path(sys.argv[1])))
