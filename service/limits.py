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
from dataclasses import dataclass

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


@dataclass(eq=False, slots=True)
class _Deadline:
    at: float
    task: asyncio.Task
    expired: bool = False


class RequestDeadlineMiddleware:
    """One timer for all requests rather than one each (`asyncio.timeout` costs several
    microseconds a request): every request has the same timeout, so arrival order is deadline
    order, and the timer only ever waits for the oldest request still running."""

    def __init__(self, app: ASGIApp, timeout_seconds: float) -> None:
        self.app = app
        self.timeout = timeout_seconds
        self._active: dict[_Deadline, None] = {}  # insertion (= deadline) order
        self._timer: asyncio.TimerHandle | None = None

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

        loop = asyncio.get_running_loop()
        deadline = _Deadline(loop.time() + self.timeout, asyncio.current_task())
        self._active[deadline] = None
        if self._timer is None:
            self._arm(loop)
        try:
            await self.app(scope, timed_receive, tracked_send)
        except asyncio.CancelledError:
            if deadline.expired and deadline.task.uncancel() == 0:  # ours, and only ours
                await self._timed_out(send, started, receiving)
                return
            if started:  # the server's grace period on shutdown ran out
                raise
            await send_error(send, 503, "server shutting down: the request did not finish "
                             "within the grace period (SHUTDOWN_GRACE_SECONDS)", CLOSE)
        finally:
            del self._active[deadline]

    async def _timed_out(self, send: Send, started: bool, receiving: bool) -> None:
        if started:
            return  # too late for an error response; the server closes the connection
        if receiving:
            await send_error(send, 408, f"request body not received within "
                             f"{self.timeout:g} s (REQUEST_TIMEOUT_SECONDS)", CLOSE)
        else:
            await send_error(send, 504, f"request took longer than {self.timeout:g} s "
                             "(REQUEST_TIMEOUT_SECONDS)", CLOSE)

    def _arm(self, loop: asyncio.AbstractEventLoop) -> None:
        """Sets the timer for the oldest request not yet cancelled, if any."""
        self._timer = None
        for deadline in self._active:
            if not deadline.expired:
                self._timer = loop.call_at(deadline.at, self._sweep, loop)
                return

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for deadline in self._active:
            if deadline.at > now:
                break
            if not deadline.expired:
                deadline.expired = True
                deadline.task.cancel()
        self._arm(loop)
