"""Pure-ASGI dispatch for the inference routes, in front of FastAPI's router.

FastAPI's per-request machinery (route resolution, dependency solving, the exception and
exit-stack layers) costs about 80 microseconds a request, more than uvicorn's HTTP handling and
more than a micro-batched prediction's share of the model call. The POST routes whose endpoint
carries a `fast_path` handler are therefore answered here: the path is matched with the route's
own compiled pattern and convertors (POST routes in the routers' order, so the same route wins;
a path whose first match is an unmarked route is left to FastAPI), the handler
is called with a Starlette Request as the route would be, and a handled exception is rendered
by the app's own exception handler. Everything else, and any exception without a handler, goes
on exactly as before. The routes stay declared in FastAPI, so OpenAPI and /docs are unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

FastHandler = Callable[[Request], Awaitable[Response]]


def header_value(request: Request, name: bytes) -> str | None:
    """One request header (`name` in lower case, as ASGI servers give them) without building
    Starlette's Headers mapping."""
    for key, value in request.scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def mark_fast(endpoint: Callable, handler: FastHandler | None = None) -> Callable:
    """Marks a POST endpoint as answerable by `handler(request)` with the path parameters
    already converted (the endpoint itself when it takes only the request)."""
    endpoint.fast_path = handler or endpoint  # type: ignore[attr-defined]
    return endpoint


@dataclass(frozen=True)
class _Candidate:
    route: Route
    handler: FastHandler | None  # None: FastAPI answers the paths this route matches

    @property
    def prefix(self) -> str:
        """The template's literal start: a path without it cannot match."""
        return self.route.path.split("{", 1)[0]


def post_routes(routers: Iterable[APIRouter]) -> list[_Candidate]:
    """Every POST route of the app's routers (included without a prefix), in their order:
    a path whose first match is not marked goes to FastAPI as before."""
    return [_Candidate(route, getattr(route.endpoint, "fast_path", None))
            for router in routers for route in router.routes
            if isinstance(route, Route) and route.methods and "POST" in route.methods]


class FastPathMiddleware:
    def __init__(self, app: ASGIApp, routes: list[_Candidate]) -> None:
        self.app = app
        # Routes whose templates start with different literal segments never match the same
        # path, so each first segment keeps its own list (in order); a template starting with
        # a parameter could match anything, and then every path scans every route.
        self._any = [(c.prefix, c) for c in routes]
        self._by_segment: dict[str, list] | None = {}
        for prefix, candidate in self._any:
            segment = _first_segment(prefix)
            if segment is None:
                self._by_segment = None
                break
            self._by_segment.setdefault(segment, []).append((prefix, candidate))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        routes = self._any if self._by_segment is None else \
            self._by_segment.get(_first_segment(path) or "", ())
        for prefix, candidate in routes:
            if not path.startswith(prefix):
                continue
            found = candidate.route.path_regex.match(path)
            if found is None:
                continue
            if candidate.handler is None:
                break
            convert = candidate.route.param_convertors
            params = {k: convert[k].convert(v) for k, v in found.groupdict().items()}
            scope["route"], scope["path_params"] = candidate.route, params
            await self._answer(candidate.handler, scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _answer(self, handler: FastHandler, scope: Scope, receive: Receive,
                      send: Send) -> None:
        request = _ReadRequest(scope, receive, send)
        try:
            request.read = await _read_body(receive)
            if request.read is None:
                return  # the client went away before sending its body: nobody to answer
            response = await handler(request)
        except Exception as exc:
            response = await _handled(request, exc)
            if response is None:
                raise  # no handler of its own: the app's outermost layer renders it
        await response(scope, receive, send)


class _ReadRequest(Request):
    """A Request whose body the fast path has already read (without Starlette's stream
    generator); an exception while reading is handled like one from the handler."""

    read: bytes | None = None

    async def body(self) -> bytes:
        assert self.read is not None
        return self.read


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


def _first_segment(path: str) -> str | None:
    """"predict" for "/predict/x"; None when the first segment is not all there."""
    segment, slash, _ = path[1:].partition("/")
    return segment if slash and segment else None


async def _handled(request: Request, exc: Exception) -> Response | None:
    """The response of the app's exception handler for `exc`'s class, as FastAPI's exception
    layer would give; None for exceptions only the catch-all `Exception` handler covers."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            response = handlers[cls](request, exc)
            return await response if inspect.isawaitable(response) else response
    return None
