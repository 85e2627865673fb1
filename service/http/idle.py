"""Connections doing nothing, oldest first, so that a new connection over MAX_CONNECTIONS can
take the place of one of them instead of being refused (as nginx reuses idle keep-alive
connections when it runs out). Silent ones, open without a byte of a request, go first; then
keep-alive connections idle between requests. A flood of silent connections then cannot lock
clients out: each newcomer closes the longest-silent one."""

from __future__ import annotations

from typing import Protocol


class Closable(Protocol):
    def close_idle(self) -> None: ...


class IdleConnections:
    def __init__(self) -> None:
        # dicts as insertion-ordered sets: the first key is the one idle longest
        self._silent: dict[Closable, None] = {}
        self._between: dict[Closable, None] = {}

    @classmethod
    def of(cls, server_state: object) -> IdleConnections:
        """The one tracker of a server (kept on uvicorn's state shared by its connections)."""
        tracker = getattr(server_state, "idle_connections", None)
        if tracker is None:
            tracker = cls()
            server_state.idle_connections = tracker  # type: ignore[attr-defined]
        return tracker

    def opened(self, connection: Closable) -> None:
        self._silent[connection] = None

    def between_requests(self, connection: Closable) -> None:
        self._between[connection] = None

    def busy(self, connection: Closable) -> None:
        """A request has begun on it (or it closed): not idle."""
        self._silent.pop(connection, None)
        self._between.pop(connection, None)

    def make_room(self, newcomer: Closable) -> bool:
        """Closes the connection idle longest (never `newcomer`); False when none is idle."""
        for idle in (self._silent, self._between):
            for connection in idle:
                if connection is not newcomer:
                    self.busy(connection)
                    connection.close_idle()
                    return True
        return False
