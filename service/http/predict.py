"""The one predict handler of the HTTP transport, for every protocol: decode the body with the
route's codec (in a worker thread when large), let the core resolve, borrow, batch and check,
then encode the answer with the same codec. FastAPI's endpoints, the fast path and the one-pass
entry all call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from starlette.routing import compile_path
from starlette.types import Scope, Send

from service.budget import MemoryBudget
from service.core.inference import OFFLOAD_BYTES
from service.core.types import Address, Trace
from service.http.headers import header_text
from service.http.responses import PIECE_BYTES, Headers, send_encoded
from service.protocols.codec import Codec, Decoded, Encoded
from service.protocols.json_body import ParseCost
from service.runtime.pacing import LARGE_BODIES
from service.serving import ServingCore

AddressOf = Callable[[dict[str, str], bytes], Address]  # (path parameters, query string)


@dataclass(frozen=True)
class InferenceRoute:
    """One POST route answered by a codec; documented in OpenAPI by the rest."""

    path: str  # a Starlette path template
    codec: Codec
    address_of: AddressOf
    summary: str
    openapi: dict = field(default_factory=dict)  # response_model, responses, openapi_extra

    @cached_property
    def path_format(self) -> str:
        """The template without convertors, e.g. /v1/models/{name}:predict (a metrics label,
        as on Starlette's routes)."""
        return compile_path(self.path)[1]


async def respond(core: ServingCore, route: InferenceRoute, params: dict[str, str],
                  scope: Scope, body: bytes, send: Send, headers: Headers = ()) -> None:
    """Answers a request whose body has arrived (ServiceError: the caller renders it)."""
    encoded = await answer(core, route, params, scope, body)
    # A large answer is held until the client has read it: in the memory budget.
    held = len(encoded.body) if len(encoded.body) > PIECE_BYTES else 0
    core.budget.reserve(held)
    core.budget.charge(scope.setdefault("state", {}), held)
    await send_encoded(send, encoded, headers)


async def answer(core: ServingCore, route: InferenceRoute, params: dict[str, str],
                 scope: Scope, body: bytes) -> Encoded:
    address = route.address_of(params, scope["query_string"])
    state = scope.setdefault("state", {})
    trace = state.get("trace")
    if trace is None:
        trace = state["trace"] = Trace()
    core.inference.trace(address, trace)
    codec = route.codec

    def header(name: str) -> str | None:
        return header_text(scope, name)

    max_rows = core.inference.max_rows
    if len(body) <= OFFLOAD_BYTES:  # read, predicted and written on the event loop
        decoded = _decode(codec, body, header, max_rows)
        prediction = await core.inference.predict(address, decoded, trace)
        return decoded.encode(prediction, state.get("request_id", ""))
    # A large body is read in a worker thread, paced (service.runtime.pacing). Reading takes
    # more memory than the body (already held by the body limit): an estimate of the rest is
    # held in the memory budget until the request ends.
    decoded, cost = await core.inference.offload(_decode_within, core.budget, codec, body,
                                                 header, max_rows)
    core.budget.charge(state, cost)  # until the answer is sent: its memory is not reused
    prediction = await core.inference.predict(address, decoded, trace, offload=True)
    return decoded.encode(prediction, state.get("request_id", ""))


def _decode_within(budget: MemoryBudget, codec: Codec, body: bytes,
                   header: Callable[[str], str | None], max_rows: int) -> tuple[Decoded, int]:
    """The request, and the bytes held for reading it in `budget` (Busy when the budget has
    no room): the estimate for NumPy while the quick path tries, for Python objects after."""
    cost = ParseCost(body)
    budget.reserve(cost.as_numbers)
    try:
        with LARGE_BODIES.piece():
            quick = codec.quick_decode(body, max_rows)
    finally:
        budget.release(cost.as_numbers)
    held = cost.as_numbers if quick is not None else cost.as_objects
    budget.reserve(held)
    if quick is not None:
        return quick, held
    try:
        with LARGE_BODIES.piece():
            return codec.decode(body, header, max_rows), held
    except BaseException:
        budget.release(held)
        raise


def _decode(codec: Codec, body: bytes, header: Callable[[str], str | None],
            max_rows: int) -> Decoded:
    quick = codec.quick_decode(body, max_rows)
    return codec.decode(body, header, max_rows) if quick is None else quick
