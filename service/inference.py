"""The one inference path every route family uses: resolve, borrow, parse, batch, check."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from service.errors import PredictionFailed
from service.loader import SignatureInfo
from service.registry import ModelRegistry

Columns = dict[str, np.ndarray]
Parser = Callable[[SignatureInfo], Columns]
# Bodies larger than this are parsed in a worker thread: turning a 16 MB body of row objects
# into columns takes seconds of pure Python, during which the event loop (health probes, every
# other request) would otherwise stall.
OFFLOAD_BYTES = 256 * 1024


@dataclass(frozen=True)
class Prediction:
    model: str
    version: int
    info: SignatureInfo
    outputs: Columns  # output name -> float32 vector, one value per row


def _check_finite(outputs: Columns) -> None:
    for name, values in outputs.items():
        if np.isfinite(values).all():
            continue
        row = int(np.argmax(~np.isfinite(values)))
        raise PredictionFailed(
            f"instance {row}: output {name!r} is not finite ({float(values[row])!r}); the "
            "input is outside the range this model can answer in float32")


class InferenceCore:
    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry

    async def predict(self, model: str, version: int | None, label: str | None,
                      parse: Parser, offload: bool = False) -> Prediction:
        """`parse` turns the request body into columns once the version's signature is known;
        `offload` (for bodies over OFFLOAD_BYTES) runs it in a worker thread."""
        servable = self.registry.resolve(model, version, label)
        servable.acquire()  # held until answered, so the version is not unloaded under us
        try:
            assert servable.info is not None
            if offload:
                loop = asyncio.get_running_loop()
                columns = await loop.run_in_executor(None, parse, servable.info)
            else:
                columns = parse(servable.info)
            rows = int(next(iter(columns.values())).shape[0])
            # No timer of its own: the request deadline (service/limits.py) bounds the whole
            # request, this wait included, and cancels it.
            outputs = await servable.predict(columns, rows)
            _check_finite(outputs)
            return Prediction(servable.model, servable.version, servable.info, outputs)
        finally:
            servable.release()
