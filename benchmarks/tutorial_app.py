"""The tutorial server: what the seed documents build, behind FastAPI.

The model is trained at start-up exactly as the first seed does (Dense(1), SGD, mean squared
error, 500 epochs on the six pairs of y = 2x - 1), and every request calls
`keras_model.predict`, with a pydantic body model, in FastAPI's thread pool.
`python -m benchmarks.tutorial_app PORT` serves it under the service's uvicorn settings.
"""

from __future__ import annotations

import sys

import keras
import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel

xs = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0], dtype=float)
ys = np.array([-3.0, -1.0, 1.0, 3.0, 5.0, 7.0], dtype=float)
keras_model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(units=1)])
keras_model.compile(optimizer="sgd", loss="mean_squared_error")
keras_model.fit(xs, ys, epochs=500, verbose=0)

app = FastAPI()


class Instances(BaseModel):
    instances: list[float]


@app.post("/predict/{model}")
def predict(model: str, body: Instances) -> dict:
    predictions = keras_model.predict(np.array(body.instances), verbose=0)
    return {"model": model, "version": 1, "predictions": predictions[:, 0].tolist()}


@app.get("/health/ready")
def ready() -> dict:
    return {"status": "ready"}


if __name__ == "__main__":
    from benchmarks.apps import serve

    serve(app, int(sys.argv[1]))
