"""A connection's one running deadline (headers, body or keep-alive), on one lazily moved timer.

A connection answering thousands of requests a second would otherwise create and cancel three
timers per request (header, body, keep-alive): uvloop's call_later and cancel cost about 2 µs
together, so 6 µs a request, measured in-process. Here setting or clearing the deadline only
records it; the one timer is moved earlier when a new deadline is sooner than it, and when it
fires before the deadline now due (which moved later meanwhile), it is set again for that.
The callback still runs at its deadline by the loop's clock, never before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Watch:
    __slots__ = ("_loop", "_timer", "_timer_at", "_due", "expire")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._due = 0.0
        self.expire: Callable[[], None] | None = None  # what runs at the deadline, if set

    def set(self, seconds: float, expire: Callable[[], None]) -> None:
        """`expire` runs in `seconds` unless cleared or set again first."""
        due = self._due = self._loop.time() + seconds
        self.expire = expire
        if self._timer is None or self._timer_at > due:
            self._start(due)

    def clear(self) -> None:
        self.expire = None  # the timer, if running, finds nothing due

    def close(self) -> None:
        self.expire = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _start(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = at
        self._timer = self._loop.call_at(at, self._fire)

    def _fire(self) -> None:
        self._timer = None
        expire = self.expire
        if expire is None:
            return
        if self._loop.time() < self._due:
            self._start(self._due)
            return
        self.expire = None
        expire()
