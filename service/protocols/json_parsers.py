"""simdjson parsers for the large-body readers (service.protocols.flat_json).

A simdjson parser is not thread-safe and keeps buffers sized to the largest document it has
read (about 6x its bytes). Allocating them afresh for a 15 MB body costs twice the parse itself
in page faults, and a parse holds the GIL throughout. So each thread keeps one parser for
bodies up to REUSE_BYTES, and larger bodies share one process-wide parser, one at a time: its
buffers stay (at most about 6x MAX_REQUEST_BYTES), and no two large parses take the GIL from
the event loop back to back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import simdjson

REUSE_BYTES = 2 * 1024 * 1024
_local = threading.local()
_large_lock = threading.Lock()
_large: list[simdjson.Parser] = []  # the one large-body parser, once made


@contextmanager
def parser_for(body: bytes) -> Iterator[simdjson.Parser]:
    """A parser for `body`, to use only inside the block (no parsed object may outlive it).
    A parser found still referenced (RuntimeError from an abandoned parse) is replaced."""
    if len(body) <= REUSE_BYTES:
        parser = getattr(_local, "parser", None) or simdjson.Parser()
        _local.parser = parser
        try:
            yield parser
        except RuntimeError:
            _local.parser = None
            raise
        return
    with _large_lock:
        if not _large:
            _large.append(simdjson.Parser())
        try:
            yield _large[0]
        except RuntimeError:
            _large.clear()
            raise
