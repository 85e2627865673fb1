"""Request ids, the access log and metrics for every request."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.accesslog import AccessLog
from service.core.types import Trace
from service.http.headers import header
from service.metrics import Metrics
from service.request_ids import request_id


def request_id_of(scope: Scope) -> str:
    """The request's X-Request-ID when valid (service.request_ids), else a new one."""
    incoming = header(scope, b"x-request-id")
    return request_id(None if incoming is None else incoming.decode("latin-1"))


class RequestRecord:
    """What is kept of every answered request: its metrics and its access-log line."""

    def __init__(self, metrics: Metrics, access_log: AccessLog | None) -> None:
        self.metrics = metrics
        self.access_log = access_log

    def __call__(self, scope: Scope, request_id: str, trace: Trace, status: int,
                 seconds: float) -> None:
        route = getattr(scope.get("route"), "path_format", None) or "unmatched"
        self.metrics.observe_request(trace.model, trace.version, route, status, seconds)
        if self.access_log is not None:
            self.access_log.record(scope["method"], scope["path"], status, seconds, request_id,
                                   trace.model, trace.version)


class ObservabilityMiddleware:
    """Honours or creates X-Request-ID, echoes it, logs one line and counts every request."""

    def __init__(self, app: ASGIApp, record: RequestRecord) -> None:
        self.app = app
        self.record = record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        id_header = (b"x-request-id", request_id.encode("latin-1"))
        trace = Trace()
        state = scope.setdefault("state", {})
        state["request_id"], state["trace"] = request_id, trace
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # No answer sent: one the connection layer wrote (408), or a failure (500).
            status = status or state.get("answered", 500)
            self.record(scope, request_id, trace, status, time.perf_counter() - started)
