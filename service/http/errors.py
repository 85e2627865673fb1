"""HTTP's mapping of the core's error kinds to status codes, in one place, and the app's
exception handlers: every error is JSON `{"error": "..."}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.core.errors import Kind, ServiceError
from service.http.responses import JSONBytes

logger = logging.getLogger("service")
STATUS = {Kind.INVALID_ARGUMENT: 400, Kind.NOT_FOUND: 404, Kind.TOO_LARGE: 413,
          Kind.UNAVAILABLE: 503, Kind.UNPROCESSABLE: 422, Kind.BUSY: 503}
HEADERS = {Kind.TOO_LARGE: {"Connection": "close"},  # do not read the rest of a huge body
           Kind.BUSY: {"Retry-After": "1"}}


def error_response(exc: ServiceError, trusted: bool = True) -> JSONBytes:
    """The error as JSON; `trusted`: the client may see repository details (see
    service.http.middleware.auth)."""
    return JSONBytes({"error": exc.text(trusted)}, status_code=STATUS[exc.kind],
                     headers=HEADERS.get(exc.kind))


def trusted(state: object) -> bool:
    """Whether a request may see repository details: its state says so when an API key is
    configured; with no key, every request may."""
    return getattr(state, "trusted", True) if not isinstance(state, dict) else \
        state.get("trusted", True)


def internal_error(method: str, path: str, request_id: str) -> JSONBytes:
    """500 for an unexpected exception, logged with its traceback (call it while handling the
    exception); the log line and the answer's X-Request-ID name the request."""
    logger.exception("unhandled error on %s %s id=%s", method, path, request_id,
                     extra={"request_id": request_id})
    return JSONBytes({"error": "internal error; the request id in X-Request-ID finds it "
                               "in the log"}, status_code=500,
                     headers={"x-request-id": request_id} if request_id else None)


def install_error_handlers(app: FastAPI) -> None:
    async def domain(request: Request, exc: ServiceError) -> JSONBytes:
        return error_response(exc, trusted(request.state))

    async def http(request: Request, exc: StarletteHTTPException) -> JSONBytes:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}; see /docs"
        elif exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            message = (f"method {request.method} is not allowed on {request.url.path}; "
                       f"allowed: {allowed or 'see /docs'}")
        return JSONBytes({"error": message}, status_code=exc.status_code,
                         headers=getattr(exc, "headers", None))

    async def validation(request: Request, exc: RequestValidationError) -> JSONBytes:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONBytes({"error": f"invalid request: {where}: {first.get('msg', 'invalid')}"},
                         status_code=400)

    async def unexpected(request: Request, exc: Exception) -> JSONBytes:
        # Rendered outside the request-id middleware (Starlette's outermost layer).
        return internal_error(request.method, request.url.path,
                              getattr(request.state, "request_id", ""))

    app.add_exception_handler(ServiceError, domain)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(Exception, unexpected)
