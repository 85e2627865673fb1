"""MAX_INFLIGHT_BYTES: the memory that request bodies being read and parsed, and large HTTP answers
not yet read by their clients, may take, across every request and transport. A body's
reservation grows from its bytes (while it is read) to an estimate of what parsing it takes;
beyond the budget a request is refused at once (HTTP 503 with Retry-After, gRPC
RESOURCE_EXHAUSTED) instead of growing the process without bound. A body of at most
SMALL_BODY_BYTES with a declared length is not counted: requests in flight are bounded by
MAX_CONCURRENCY, so their memory is too, and an attacker holding the budget with large bodies
cannot turn ordinary small predictions away."""

from __future__ import annotations

import threading

from service.core.errors import Busy

SMALL_BODY_BYTES = 64 * 1024
HELD = "budget_held"  # the key of a request's charged bytes in its state


class MemoryBudget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self._lock = threading.Lock()  # reserved from the event loop and from worker threads

    def reserve(self, nbytes: int) -> None:
        """Holds `nbytes` more, or raises Busy (nothing held) when the budget would be
        exceeded."""
        if nbytes <= 0:
            return
        with self._lock:
            if self.held + nbytes > self.limit:
                raise Busy(f"server busy: {self.held} of {self.limit} bytes for request "
                           "bodies and unread answers in use (MAX_INFLIGHT_BYTES); retry "
                           "shortly")
            self.held += nbytes

    def release(self, nbytes: int) -> None:
        if nbytes > 0:
            with self._lock:
                self.held -= nbytes

    def charge(self, state: dict, nbytes: int) -> None:
        """Records `nbytes`, already reserved, against a request (its scope's state): they are
        released by `settle` when the request ends, once its answer has been sent."""
        if nbytes > 0:
            state[HELD] = state.get(HELD, 0) + nbytes

    def settle(self, state: dict) -> None:
        self.release(state.pop(HELD, 0))
