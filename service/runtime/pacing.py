"""Pacing for work that holds the GIL for long stretches: parsing a large JSON body in C
(simdjson, orjson) cannot be interrupted, and while it runs the event loop answers no one.
Such work runs one piece at a time, and after a piece the next waits as long again (with the
default share of one half), so the loop always gets at least half of each second and waits at
most one piece. A body is bounded by MAX_REQUEST_BYTES, so a piece is too (15 MB of row objects
take about 25 ms in simdjson)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Pacer:
    def __init__(self, share: float = 0.5) -> None:
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        self._rest_per_second = (1 - share) / share
        self._lock = threading.Lock()
        self._next_start = 0.0

    @contextmanager
    def piece(self) -> Iterator[None]:
        """One piece of GIL-holding work, in a worker thread (it may sleep first)."""
        with self._lock:
            wait = self._next_start - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            started = time.monotonic()
            try:
                yield
            finally:
                ended = time.monotonic()
                self._next_start = ended + (ended - started) * self._rest_per_second


LARGE_BODIES = Pacer()  # the process's one pacer for reading large request bodies
