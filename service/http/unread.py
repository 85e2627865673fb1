"""REQUEST_TIMEOUT_SECONDS for an answer the client does not read, for the connection layer
(service.http.edge): once the transport's write buffer is over its high-water mark, the client
has that long to read it down again, or the connection is dropped."""

from __future__ import annotations

import asyncio
import socket
import struct


class UnreadAnswerTimeout:
    """A mixin for uvicorn's protocol (it uses its loop, transport and the edge's limits)."""

    _write_timer: asyncio.TimerHandle | None = None

    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(  # type: ignore[attr-defined]
                self.limits.write_timeout, self._drop)  # type: ignore[attr-defined]

    def resume_writing(self) -> None:
        super().resume_writing()  # type: ignore[misc]
        self._stop_write_timer()

    def _stop_write_timer(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _drop(self) -> None:
        """Drops a connection whose client stopped reading: a reset, with the unsent bytes
        discarded (a plain close would keep sending them for as long as the client lets)."""
        transport = self.transport  # type: ignore[attr-defined]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        transport.abort()
