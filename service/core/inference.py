"""The one inference path every protocol and transport uses: resolve, borrow, decode the
tensors against the version's signature, batch, check."""

from __future__ import annotations

import asyncio
import math
from concurrent.futures import Executor
from typing import Protocol

import numpy as np

from service.core.errors import PredictionFailed
from service.core.registry.manager import ModelManager
from service.core.types import Address, Prediction, Signature, Tensors, Trace

# Bodies larger than this are decoded in a worker thread: turning a 16 MB body of row objects
# into tensors takes seconds of pure Python, during which the event loop (health probes, every
# other request) would otherwise stall.
OFFLOAD_BYTES = 256 * 1024
SMALL_OUTPUT = 64  # values checked for finiteness one by one, in Python


class TensorSource(Protocol):
    """A decoded request that becomes tensors once the version's signature is known."""

    signature_name: str | None  # named in the request body; None: the address's, or default

    def tensors(self, signature: Signature, max_rows: int) -> Tensors: ...


def _all_finite(values: np.ndarray) -> bool:
    # One request's few output values are checked as Python floats: 0.6 µs, where NumPy's
    # isfinite().all() costs 2.6 µs for any size (exact: float16/32/64 convert exactly).
    if values.size <= SMALL_OUTPUT:
        return all(map(math.isfinite, values.ravel().tolist()))
    return bool(np.isfinite(values).all())


def _check_finite(outputs: Tensors) -> None:
    for name, values in outputs.items():
        if values.dtype.kind != "f" or _all_finite(values):
            continue
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(values))[0])
        raise PredictionFailed(
            f"instance {index[0]}: output {name!r} is not finite ({float(values[index])!r}); "
            f"the input is outside the range this model can answer in {values.dtype.name}")


class InferenceCore:
    def __init__(self, manager: ModelManager, offload_executor: Executor,
                 max_rows: int) -> None:
        self.manager = manager
        self._offload_executor = offload_executor
        self.max_rows = max_rows

    async def offload(self, function, *args):  # noqa: ANN001, ANN201 - any blocking call
        """Runs a blocking decode or encode in the core's worker threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._offload_executor, function, *args)

    def trace(self, address: Address, trace: Trace) -> None:
        """Names the request's model in its trace, when the model is served (a name a client
        made up must not mint a metrics series)."""
        if address.model in self.manager.models:
            trace.model = address.model

    async def predict(self, address: Address, request: TensorSource, trace: Trace | None = None,
                      offload: bool = False) -> Prediction:
        """`offload` (for bodies over OFFLOAD_BYTES) decodes the tensors in a worker thread;
        `trace` learns the version that answered."""
        servable = self.manager.resolve(address)
        async with self.manager.borrow(servable):  # not unloaded until answered
            signature = servable.signature_for(request.signature_name or address.signature)
            if offload:
                tensors = await self.offload(request.tensors, signature, self.max_rows)
            else:
                tensors = request.tensors(signature, self.max_rows)
            rows = int(next(iter(tensors.values())).shape[0])
            # No timer of its own: the transport's request deadline bounds the whole request,
            # this wait included, and cancels it.
            outputs = await servable.predict(signature, tensors, rows)
            _check_finite(outputs)
            if trace is not None:
                trace.version = str(servable.version)
            return Prediction(servable.model, servable.version, signature, outputs)
