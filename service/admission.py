"""MAX_CONCURRENCY across every transport: requests in flight beyond it are refused at once
(HTTP 503 with Retry-After, gRPC RESOURCE_EXHAUSTED) instead of queueing without bound. Health
probes and /metrics are not counted, so they answer under overload."""

from __future__ import annotations

from prometheus_client import Gauge


class Admission:
    def __init__(self, limit: int, gauge: Gauge | None = None) -> None:
        """`gauge`: kept in step (worker processes, whose gauges add up across workers);
        without it, read `in_flight` at scrape time instead."""
        self.limit = limit
        self.in_flight = 0
        self._gauge = gauge

    def enter(self) -> bool:
        """Counts one more request in flight; False (and nothing counted) when at the limit."""
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        if self._gauge is not None:
            self._gauge.inc()
        return True

    def leave(self) -> None:
        self.in_flight -= 1
        if self._gauge is not None:
            self._gauge.dec()

    def busy_message(self) -> str:
        return (f"server busy: {self.limit} requests in flight (MAX_CONCURRENCY); retry "
                "shortly")
