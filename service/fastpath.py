"""Pure-ASGI dispatch for the inference routes, in front of FastAPI's router.

FastAPI's per-request machinery (route resolution, dependency solving, the exception and
exit-stack layers) costs about 80 microseconds a request, more than uvicorn's HTTP handling and
more than a micro-batched prediction's share of the model call. The POST routes whose endpoint
carries a `fast_path` handler are therefore answered here: the path is matched with the route's
own compiled pattern and convertors (in the router's order, so the same route wins), the handler
is called with a Starlette Request as the route would be, and a handled exception is rendered
by the app's own exception handler. Everything else, and any exception without a handler, goes
on exactly as before. The routes stay declared in FastAPI, so OpenAPI and /docs are unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

FastHandler = Callable[[Request], Awaitable[Response]]


def mark_fast(endpoint: Callable, handler: FastHandler | None = None) -> Callable:
    """Marks a POST endpoint as answerable by `handler(request)` with the path parameters
    already converted (the endpoint itself when it takes only the request)."""
    endpoint.fast_path = handler or endpoint  # type: ignore[attr-defined]
    return endpoint


@dataclass(frozen=True)
class _Candidate:
    route: BaseRoute
    handler: FastHandler | None  # None: FastAPI answers paths this route matches


def _post_candidates(routes: list[BaseRoute]) -> list[_Candidate]:
    """The routes a POST could match, in the router's order."""
    out = []
    for route in routes:
        if isinstance(route, WebSocketRoute):
            continue
        if isinstance(route, Route) and route.methods and "POST" not in route.methods:
            continue
        out.append(_Candidate(route, getattr(getattr(route, "endpoint", None), "fast_path", None)))
    return out


def _matches(route: BaseRoute, path: str) -> dict | None:
    if isinstance(route, Route):
        found = route.path_regex.match(path)
        if found is None:
            return None
        return {k: route.param_convertors[k].convert(v) for k, v in found.groupdict().items()}
    if isinstance(route, Mount):
        return {} if path == route.path or path.startswith(route.path + "/") else None
    return {}  # an unknown kind of route: assume it may match, and let FastAPI decide


class FastPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._candidates: list[_Candidate] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        if self._candidates is None:
            self._candidates = _post_candidates(scope["app"].routes)
        path = scope["path"]
        for candidate in self._candidates:
            params = _matches(candidate.route, path)
            if params is None:
                continue
            if candidate.handler is None:
                break
            scope["route"], scope["path_params"] = candidate.route, params
            await self._answer(candidate.handler, scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _answer(self, handler: FastHandler, scope: Scope, receive: Receive,
                      send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await handler(request)
        except Exception as exc:
            response = await _handled(request, exc)
            if response is None:
                raise  # no handler of its own: the app's outermost layer renders it
        await response(scope, receive, send)


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
