"""MAX_INFLIGHT_BYTES: the memory that request bodies being read and parsed, and large HTTP answers
not yet read by their clients, may take, across every request and transport. A body's
reservation grows from its bytes (while it is read) to an estimate of what parsing it takes;
beyond the budget a request is refused at once (HTTP 503 with Retry-After, gRPC
RESOURCE_EXHAUSTED) instead of growing the process without bound. A body of at most
SMALL_BODY_BYTES with a declared length is not counted: requests in flight are bounded by
MAX_CONCURRENCY, so their memory is too, and an attacker holding the budget with large bodies
cannot turn ordinary small predictions away."""

from __future__ import annotations

from service.core.errors import Busy

SMALL_BODY_BYTES = 64 * 1024


class MemoryBudget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0

    def reserve(self, nbytes: int) -> None:
        """Holds `nbytes` more, or raises Busy (nothing held) when the budget would be
        exceeded. Single-threaded use: the event loop's."""
        if nbytes <= 0:
            return
        if self.held + nbytes > self.limit:
            raise Busy(f"server busy: {self.held} of {self.limit} bytes for request bodies "
                       "and unread answers in use (MAX_INFLIGHT_BYTES); retry shortly")
        self.held += nbytes

    def release(self, nbytes: int) -> None:
        self.held -= max(0, nbytes)
