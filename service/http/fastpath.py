"""Pure-ASGI dispatch of the inference routes (service.http.routes.inference's table), in
front of FastAPI's router.

FastAPI's per-request machinery (route resolution, dependency solving, the exception and
exit-stack layers) costs about 80 microseconds a request, more than uvicorn's HTTP handling and
more than a micro-batched prediction's share of the model call. The POST paths of the inference
table are therefore matched here (service.http.route_table) and answered by the same handler
(service.http.predict.respond) the FastAPI endpoints call; a domain error is rendered by the
same function as the app's exception handler. Everything else goes on to FastAPI unchanged; the
routes stay declared there for OpenAPI and /docs. The common inference request does not even
reach this middleware: service.http.one_pass answers it in front of the whole stack.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from service.core.errors import ServiceError
from service.http.errors import error_response, trusted
from service.http.predict import InferenceRoute, respond
from service.http.route_table import RouteTable
from service.serving import ServingCore


class FastPathMiddleware:
    def __init__(self, app: ASGIApp, core: ServingCore, routes: Sequence[InferenceRoute]) -> None:
        self.app = app
        self.core = core
        self.table = RouteTable(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        found = self.table.match(scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        route, params = found
        scope["route"] = route  # its path_format labels the request's metrics
        try:
            body = await read_body(receive)
            if body is None:
                return  # the client went away before sending its body: nobody to answer
            await respond(self.core, route, params, scope, body, send)
        except ServiceError as exc:
            await error_response(exc, trusted(scope.get("state", {})))(scope, receive, send)


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client went away first."""
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
