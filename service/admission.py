"""MAX_CONCURRENCY across every transport: requests in flight beyond it are refused at once
(HTTP 503 with Retry-After, gRPC RESOURCE_EXHAUSTED) instead of queueing without bound. Health
probes and /metrics are not counted, so they answer under overload."""

from __future__ import annotations


class Admission:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0  # read by the serving_requests_in_flight gauge at scrape time

    def enter(self) -> bool:
        """Counts one more request in flight; False (and nothing counted) when at the limit."""
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight -= 1

    def busy_message(self) -> str:
        return (f"server busy: {self.limit} requests in flight (MAX_CONCURRENCY); retry "
                "shortly")
