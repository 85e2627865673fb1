"""The request deadline (REQUEST_TIMEOUT_SECONDS) over the whole request, body upload included.

A client that has not sent its body in time gets 408; a request the server did not answer in
time gets 504. (A TensorFlow call already running cannot be interrupted: it finishes in its
thread and its answer is dropped.) A request still running when the shutdown grace period ends
gets 503 JSON, not a bare 500.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.middleware.limits import CLOSE
from service.http.responses import send_error


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
