"""Pure-ASGI dispatch of the inference routes (service.http.routes.inference's table), in
front of FastAPI's router.

FastAPI's per-request machinery (route resolution, dependency solving, the exception and
exit-stack layers) costs about 80 microseconds a request, more than uvicorn's HTTP handling and
more than a micro-batched prediction's share of the model call. The POST paths of the inference
table are therefore matched here with the same compiled templates and convertors and answered by
the same handler (service.http.predict.answer) the FastAPI endpoints call; a domain error is
rendered by the same function as the app's exception handler. The table's routes are the app's
first routes, so a path matched here is one FastAPI would give the same route. Everything else
goes on to FastAPI unchanged; the routes stay declared there for OpenAPI and /docs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.convertors import Convertor
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from service.core.errors import ServiceError
from service.http.errors import error_response, trusted
from service.http.predict import InferenceRoute, answer
from service.http.responses import PIECE_BYTES, send_encoded
from service.serving import ServingCore

Compiled = tuple[str, re.Pattern, dict[str, Convertor], InferenceRoute]


def _compiled(route: InferenceRoute) -> Compiled:
    regex, _, convertors = compile_path(route.path)
    return route.path.split("{", 1)[0], regex, convertors, route


class FastPathMiddleware:
    def __init__(self, app: ASGIApp, core: ServingCore, routes: Sequence[InferenceRoute]) -> None:
        self.app = app
        self.core = core
        # Templates starting with different literal segments never match the same path, so
        # each first segment keeps its own list (every template here starts with a literal).
        self._by_segment: dict[str, list[Compiled]] = {}
        for route in routes:
            compiled = _compiled(route)
            self._by_segment.setdefault(_first_segment(compiled[0]), []).append(compiled)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        for prefix, regex, convertors, route in self._by_segment.get(_first_segment(path), ()):
            if not path.startswith(prefix):
                continue
            found = regex.match(path)
            if found is not None:
                params = {k: convertors[k].convert(v) for k, v in found.groupdict().items()}
                scope["route"] = route  # its path_format labels the request's metrics
                await self._answer(route, params, scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _answer(self, route: InferenceRoute, params: dict, scope: Scope, receive: Receive,
                      send: Send) -> None:
        try:
            body = await _read_body(receive)
            if body is None:
                return  # the client went away before sending its body: nobody to answer
            encoded = await answer(self.core, route, params, scope, body)
            # A large answer is held until the client has read it: in the memory budget.
            held = len(encoded.body) if len(encoded.body) > PIECE_BYTES else 0
            self.core.budget.reserve(held)
            self.core.budget.charge(scope.setdefault("state", {}), held)
        except ServiceError as exc:
            await error_response(exc, trusted(scope.get("state", {})))(scope, receive, send)
            return
        await send_encoded(send, encoded)


async def _read_body(receive: Receive) -> bytes | None:
    message = await receive()
    if message["type"] != "http.request":
        return None
    body = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while message.get("more_body", False):
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


def _first_segment(path: str) -> str:
    """"predict" for "/predict/x"; "" when the first segment is not all there."""
    segment, slash, _ = path[1:].partition("/")
    return segment if slash else ""
