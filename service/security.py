"""Optional API key: `Authorization: Bearer <key>`, compared in constant time.

API_KEY unset: nothing is guarded. API_KEY set, API_KEY_SCOPE=admin (the default): the routes
that reveal or operate the repository need the key (/models, /models/{name}, /metrics, the
TensorFlow Serving status and metadata routes, the v2 model metadata route, anything unknown),
while prediction (POST /predict/*, POST /v1/models/*:predict, POST /v2/models/*/infer), the v2
server and model-ready routes and /docs stay open. API_KEY_SCOPE=all: every route needs it.
The key is compared as SHA-256 digests with hmac.compare_digest (constant time, and no length
leak).
Health routes are never guarded: orchestrators probe them without secrets. Guarded-or-not is
decided by path (fail-closed: a path not on the open list is guarded), after root_path.

CORS (CORS_ORIGINS, comma-separated; empty, the default: no CORS headers at all) lets browser
pages on those origins call the API, sending Authorization and Content-Type.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.responses import JSONBytes, send_error

HEALTH_PATHS = frozenset({"/health/live", "/health/ready", "/v2/health/live",
                          "/v2/health/ready"})
OPEN_GETS = frozenset({"/v2", "/docs", "/openapi.json"})


def route_path(scope: Scope) -> str:
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def is_health(path: str) -> bool:
    return path in HEALTH_PATHS


def is_public_in_admin_scope(method: str, path: str) -> bool:
    """Prediction, v2 server/ready and docs: open when only admin routes are guarded."""
    if method == "POST":
        return path.startswith("/predict/") or (path.startswith("/v1/models/") and
                                                path.endswith(":predict")) or \
            (path.startswith("/v2/models/") and path.endswith("/infer"))
    if method in ("GET", "HEAD"):
        return path in OPEN_GETS or path.startswith("/docs/assets/") or \
            (path.startswith("/v2/models/") and path.endswith("/ready"))
    return False


def _digest(secret: bytes) -> bytes:
    return hashlib.sha256(secret).digest()  # equal lengths: compare_digest leaks nothing


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp, api_key: str, scope: str = "admin") -> None:
        self.app = app
        self.key_digest = _digest(api_key.encode())
        self.guard_all = scope == "all"

    def guarded(self, scope: Scope) -> bool:
        path = route_path(scope)
        if is_health(path):
            return False
        return self.guard_all or not is_public_in_admin_scope(scope["method"], path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.guarded(scope):
            await self.app(scope, receive, send)
            return
        problem = self.problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
            return
        error = b', error="invalid_token"' if problem.startswith("invalid") else b""
        await send_error(send, 401, problem,
                         ((b"www-authenticate", b'Bearer realm="models"' + error),))

    def problem(self, scope: Scope) -> str | None:
        header = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value
        scheme, _, token = header.partition(b" ")
        if not header or scheme.lower() != b"bearer" or not token.strip():
            return "this route needs an API key: send the header Authorization: Bearer <key>"
        if not hmac.compare_digest(_digest(token.strip()), self.key_digest):
            return "invalid API key"
        return None


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
