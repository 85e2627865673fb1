"""The request deadline (REQUEST_TIMEOUT_SECONDS) over the whole request, body upload included.

A client that has not sent its body in time gets 408; a request the server did not answer in
time gets 504. (A TensorFlow call already running cannot be interrupted: it finishes in its
thread and its answer is dropped.) A request still running when the shutdown grace period ends
gets 503 JSON, not a bare 500. The deadline middleware and the one-pass inference entry
(service.http.one_pass) share one `Deadlines`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.types import Send

from service.http.responses import CLOSE, send_error


@dataclass(eq=False, slots=True)
class Deadline:
    at: float
    task: asyncio.Task
    expired: bool = False


class Deadlines:
    """One timer for all requests rather than one each (`asyncio.timeout` costs several
    microseconds a request): every request has the same timeout, so arrival order is deadline
    order, and the timer only ever waits for the oldest request still running."""

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout = timeout_seconds
        self._active: dict[Deadline, None] = {}  # insertion (= deadline) order
        self._timer: asyncio.TimerHandle | None = None

    def start(self) -> Deadline:
        """The current task's deadline; `end` it when the request is over."""
        loop = asyncio.get_running_loop()
        deadline = Deadline(loop.time() + self.timeout, asyncio.current_task())  # type: ignore[arg-type]
        self._active[deadline] = None
        if self._timer is None:
            self._arm(loop)
        return deadline

    def end(self, deadline: Deadline) -> None:
        del self._active[deadline]

    async def cancelled(self, deadline: Deadline, send: Send, started: bool,
                        receiving: bool) -> bool:
        """Answers a request whose task was cancelled, if it can: by its deadline (408 while
        the body was being received, 504 after; nothing once the answer has started), or by
        the end of the shutdown grace period (503). False: not ours to answer, raise again."""
        if deadline.expired and deadline.task.uncancel() == 0:  # ours, and only ours
            if started:
                return True  # too late for an error response; the server closes the connection
            if receiving:
                await send_error(send, 408, f"request body not received within "
                                 f"{self.timeout:g} s (REQUEST_TIMEOUT_SECONDS)", CLOSE)
            else:
                await send_error(send, 504, f"request took longer than {self.timeout:g} s "
                                 "(REQUEST_TIMEOUT_SECONDS)", CLOSE)
            return True
        if started:  # the server's grace period on shutdown ran out
            return False
        await send_error(send, 503, "server shutting down: the request did not finish "
                         "within the grace period (SHUTDOWN_GRACE_SECONDS)", CLOSE)
        return True

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
