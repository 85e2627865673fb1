"""Optional API key: `Authorization: Bearer <key>`, compared in constant time.

API_KEY unset: nothing is guarded. API_KEY set, API_KEY_SCOPE=admin (the default): the routes
that reveal or operate the repository need the key (/models, /models/{name}, /metrics, the
TensorFlow Serving status and metadata routes, the v2 model metadata route, anything unknown),
while prediction (POST /predict/*, POST /v1/models/*:predict, POST /v2/models/*/infer), the v2
server and model-ready routes and /docs stay open. API_KEY_SCOPE=all: every route needs it.
The key is checked by service.access, as for every transport.
Health routes are never guarded: orchestrators probe them without secrets. Guarded-or-not is
decided by path (fail-closed: a path not on the open list is guarded), after root_path.

CORS (CORS_ORIGINS, comma-separated; empty, the default: no CORS headers at all) lets browser
pages on those origins call the API, sending Authorization and Content-Type.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.access import ApiKey, KeyProblem
from service.http.headers import header
from service.http.paths import is_guarded, route_path
from service.http.responses import JSONBytes, send_error


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp, api_key: str, scope: str = "admin") -> None:
        self.app = app
        self.key = ApiKey(api_key)
        self.guard_all = scope == "all"

    def guarded(self, scope: Scope) -> bool:
        return is_guarded(scope["method"], route_path(scope), self.guard_all)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self.key.problem(header(scope, b"authorization"))
        # Open routes answer without the key, but show repository details (model lists, load
        # errors) only to a client that sent it.
        scope.setdefault("state", {})["trusted"] = problem is None
        if problem is None or not self.guarded(scope):
            await self.app(scope, receive, send)
            return
        error = b', error="invalid_token"' if problem is KeyProblem.INVALID else b""
        await send_error(send, 401, problem.value,
                         ((b"www-authenticate", b'Bearer realm="models"' + error),))


class JSONCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, with a refused preflight answered in JSON like every error."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-type", "content-length")}
        return JSONBytes({"error": f"CORS preflight refused: {response.body.decode()}; allowed "
                                   "origins are set by CORS_ORIGINS"},
                         status_code=response.status_code, headers=headers)
