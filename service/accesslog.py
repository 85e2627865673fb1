"""The access log: one line per request, cheap enough to leave on under load.

A `logging` record costs tens of microseconds (record object, time formatting, a locked write and
flush per line), as much as the rest of a small request. When `configure_logging` installed the
service's handler, lines are formatted here in that handler's format (text or JSON lines) and
written in one write per event-loop turn. Otherwise (the app embedded elsewhere, or tests that
capture `logging`) each line goes through the `service.access` logger as usual.
"""

from __future__ import annotations

import asyncio
import logging
import time

import orjson

from service.logs import ServiceHandler, escape_control, json_time

access_logger = logging.getLogger("service.access")
FLUSH_LINES = 1024  # write at once past this many buffered lines
PIPE_BUF = 4096  # bytes a pipe writes whole (POSIX guarantees at least 512; Linux 4096)


class AccessLog:
    def __init__(self, logger: logging.Logger = access_logger) -> None:
        self._logger = logger
        self._handler = _service_handler(logger)
        self._json = self._handler is not None and self._handler.fmt == "json"
        self._lines: list[str] = []
        self._second = -1
        self._stamp = ""

    def record(self, method: str, path: str, status: int | str, seconds: float,
               request_id: str, model: str, version: str) -> None:
        """One request; `status` is the HTTP status, or the gRPC status code's name."""
        if not self._logger.isEnabledFor(logging.INFO):
            return
        ms = seconds * 1000
        message = f"{method} {path} {status} {ms:.2f}ms id={request_id}"
        if self._handler is None:
            self._logger.info(message, extra={
                "request_id": request_id, "method": method, "path": path, "status": status,
                "duration_ms": round(ms, 3), "model": model, "version": version})
            return
        now = time.time()
        if self._json:
            line = orjson.dumps({
                "time": json_time(now), "level": "info", "logger": self._logger.name,
                "message": message, "request_id": request_id, "method": method, "path": path,
                "status": status, "duration_ms": round(ms, 3), "model": model,
                "version": version}).decode()
        else:
            line = f"{self._text_time(now)} INFO {self._logger.name}: {escape_control(message)}"
        self._lines.append(line)
        if len(self._lines) == 1:
            asyncio.get_running_loop().call_soon(self.flush)
        elif len(self._lines) >= FLUSH_LINES:
            self.flush()

    def _text_time(self, now: float) -> str:
        """logging's default asctime (local time, comma, milliseconds), cached per second."""
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._stamp},{int((now - second) * 1000):03d}"

    def flush(self) -> None:
        """Writes the buffered lines in pieces of whole lines of at most PIPE_BUF bytes: a
        pipe (a container's log) keeps such a write whole, so the lines of several worker
        processes sharing it never cut into each other."""
        if not self._lines or self._handler is None:
            return
        lines, self._lines = self._lines, []
        with self._handler.lock:
            stream = self._handler.stream
            piece, size = [], 0
            for line in lines:
                if piece and size + len(line) + 1 > PIPE_BUF:
                    stream.write("".join(piece))
                    stream.flush()
                    piece, size = [], 0
                piece.append(line + "\n")
                size += len(line) + 1
            stream.write("".join(piece))
            stream.flush()


def _service_handler(logger: logging.Logger) -> ServiceHandler | None:
    """The service's handler when it is the only place the access log goes."""
    current: logging.Logger | None = logger
    handlers: list[logging.Handler] = []
    while current is not None:
        handlers.extend(current.handlers)
        if not current.propagate:
            break
        current = current.parent
    if len(handlers) == 1 and isinstance(handlers[0], ServiceHandler):
        return handlers[0]
    return None
