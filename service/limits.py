"""Pure ASGI middleware that bounds the work a request can cause: how many run at once, and for
how long.

- MAX_CONCURRENCY: requests in flight beyond it get 503 JSON with Retry-After at once, instead
  of queueing without bound. Health routes and /metrics are exempt (and not counted), so probes
  and monitoring still answer under overload.
- REQUEST_TIMEOUT_SECONDS: a deadline over the whole request, body upload included. A client
  that has not sent its body in time gets 408; a request the server did not answer in time gets
  504. (A TensorFlow call already running cannot be interrupted: it finishes in its thread and
  its answer is dropped.)
- A request still running when the shutdown grace period ends gets 503 JSON, not a bare 500.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.metrics import Metrics
from service.responses import send_error
from service.security import HEALTH_PATHS, route_path

CLOSE = ((b"connection", b"close"),)
UNLIMITED = HEALTH_PATHS | {"/metrics"}  # probes and monitoring must work under overload


class ConcurrencyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_concurrency: int, metrics: Metrics | None = None) -> None:
        self.app = app
        self.limit = max_concurrency
        self.in_flight = 0
        if metrics is not None:
            metrics.in_flight.set_function(lambda: self.in_flight)  # read at scrape time

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope) in UNLIMITED:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await send_error(send, 503, f"server busy: {self.limit} requests in flight "
                             "(MAX_CONCURRENCY); retry shortly", ((b"retry-after", b"1"),))
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


class RequestDeadlineMiddleware:
    def __init__(self, app: ASGIApp, timeout_seconds: float) -> None:
        self.app = app
        self.timeout = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = receiving = False

        async def timed_receive() -> Message:
            nonlocal receiving
            receiving = True  # stays set if the deadline strikes while waiting here
            message = await receive()
            receiving = False
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.timeout):
                await self.app(scope, timed_receive, tracked_send)
        except asyncio.CancelledError:  # the server's grace period on shutdown ran out
            if started:
                raise
            await send_error(send, 503, "server shutting down: the request did not finish "
                             "within the grace period (SHUTDOWN_GRACE_SECONDS)", CLOSE)
        except TimeoutError:
            if started:
                return  # too late for an error response; the server closes the connection
            if receiving:
                await send_error(send, 408, f"request body not received within "
                                 f"{self.timeout:g} s (REQUEST_TIMEOUT_SECONDS)", CLOSE)
            else:
                await send_error(send, 504, f"request took longer than {self.timeout:g} s "
                                 "(REQUEST_TIMEOUT_SECONDS)", CLOSE)
