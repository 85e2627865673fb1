"""The HTTP/1.1 connection layer: uvicorn's httptools protocol with limits of the server's own.

uvicorn bounds neither header bytes nor header or body read time, nor connections, nor how long
a client may leave an answer unread. This subclass adds, per connection:
- MAX_HEADER_BYTES: a request line and headers larger than this get 431 before the parser takes
  more (the parser's buffer for a growing header costs time quadratic in its size);
- HEADER_TIMEOUT_SECONDS: from the connection's opening, or the first byte of a request, until
  its headers are complete (silent and trickling connections are closed with 408);
- BODY_TIMEOUT_SECONDS: from the headers until the body is complete (408);
- KEEP_ALIVE_SECONDS between requests (uvicorn's keep-alive timeout);
- MAX_CONNECTIONS: beyond it, a new connection takes the place of the connection idle longest
  (service.http.idle); with none idle, it is answered only if it asks for a health route
  (others get 503 at once), and far beyond it, it is closed unread;
- REQUEST_TIMEOUT_SECONDS for an answer the client does not read: the connection is dropped;
- on shutdown, an idle keep-alive connection is closed only after a moment, so a request already
  in its socket buffer is answered (with `Connection: close`), not reset.
Error answers are JSON, like every other error of the service.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.http.direct import DirectAnswer
from service.http.edge_limits import HEALTH_RESERVE, IDLE_CLOSE_DELAY, REASONS, EdgeLimits
from service.http.head_with_body import HeadWithBody
from service.http.headers import has_body
from service.http.idle import IdleConnections
from service.http.one_pass import OnePass
from service.http.paths import HEALTH_PATHS
from service.http.responses import error_body
from service.http.unread import UnreadAnswerTimeout
from service.http.watch import Watch


def edge_protocol(limits: EdgeLimits, one_pass: OnePass | None = None
                  ) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's `http` option, bound to these limits; the requests
    `one_pass` takes are answered below ASGI (service.http.direct)."""
    return type("EdgeProtocol", (EdgeProtocol,), {"limits": limits, "one_pass": one_pass})


class EdgeProtocol(UnreadAnswerTimeout, HttpToolsProtocol):
    limits: EdgeLimits
    one_pass: OnePass | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_bytes = 0
        self._reading_headers = True
        self._watch = Watch(self.loop)  # the header, body or keep-alive deadline
        self._draining = False
        self._idle = IdleConnections.of(self.server_state)
        count = len(self.connections)
        if count > self.limits.max_connections and self._idle.make_room(self):
            count -= 1  # an idle connection gives its place (it closes in a moment)
        self._idle.opened(self)
        if count > self.limits.max_connections + HEALTH_RESERVE:
            transport.abort()  # far over the limit: not even read
            return
        self._over_limit = count > self.limits.max_connections
        self._watch.set(self.limits.header_timeout, self._header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._idle.busy(self)
        self._watch.close()
        self._stop_write_timer()
        super().connection_lost(exc)

    # -- timers ------------------------------------------------------------------------------
    def _header_timeout(self) -> None:
        self._refuse(408, f"request headers not received within "
                          f"{self.limits.header_timeout:g} s (HEADER_TIMEOUT_SECONDS)")

    def _body_timeout(self) -> None:
        if self.cycle is not None and not self.cycle.response_started:
            self.cycle.scope.setdefault("state", {})["answered"] = 408  # for the access log
            self.cycle.disconnected = True  # the application reads no more of it
            self.cycle.message_event.set()
            self._refuse(408, f"request body not received within "
                              f"{self.limits.body_timeout:g} s (BODY_TIMEOUT_SECONDS)")

    def _refuse(self, status: int, message: str, extra: bytes = b"") -> None:
        """An error answer written straight to the connection, which then closes."""
        if self.transport.is_closing():
            return
        body = error_body(message)
        head = (f"HTTP/1.1 {status} {REASONS[status]}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n").encode()
        self.transport.write(head + extra + b"\r\n" + body)
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """The parser refused the request (uvicorn answers in plain text): JSON, and 431 when
        it is the headers' size that broke it."""
        if self._reading_headers and self._header_bytes > self.limits.max_header_bytes:
            self._refuse_headers()
        else:
            self._refuse(400, "malformed HTTP request: the request line, a header or the "
                              "chunked body framing could not be parsed")

    # -- reading -----------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        self._idle.busy(self)
        if self._reading_headers:
            if self._header_bytes > self.limits.max_header_bytes:
                return  # refused already; nothing more is parsed
            self._header_bytes += len(data)
        super().data_received(data)
        if self._reading_headers and self._header_bytes > self.limits.max_header_bytes:
            self._refuse_headers()

    def _refuse_headers(self) -> None:
        self._refuse(431, f"request line and headers are larger than "
                          f"{self.limits.max_header_bytes} bytes (MAX_HEADER_BYTES)")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        expire = self._watch.expire
        if expire is None or expire == self.timeout_keep_alive_handler:
            # a keep-alive or pipelined request: its clock starts now
            self._watch.set(self.limits.header_timeout, self._header_timeout)

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._watch.clear()
        if len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers) > \
                self.limits.max_header_bytes:  # they came all at once, in one read
            self._refuse_headers()
            return
        if self._over_limit and self._path() not in HEALTH_PATHS:
            self._refuse(503, f"server busy: {self.limits.max_connections} connections open "
                              "(MAX_CONNECTIONS); retry shortly", b"retry-after: 1\r\n")
            return
        direct = None if self.one_pass is None else DirectAnswer.start(self, self.one_pass)
        if direct is None:
            previous = self.cycle
            super().on_headers_complete()
            if self.cycle is not previous:  # not after an upgrade request (no new cycle)
                HeadWithBody.install(self.cycle)
        else:
            self.cycle = direct  # type: ignore[assignment] - stands where uvicorn's cycle would
        if self._draining or self._over_limit:
            self.cycle.keep_alive = False
        if has_body(self.headers):
            self._watch.set(self.limits.body_timeout, self._body_timeout)

    def on_body(self, body: bytes) -> None:
        if not self.transport.is_closing():  # not after a refusal (there may be no cycle)
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._watch.clear()
        if not self.transport.is_closing():
            super().on_message_complete()

    def on_response_complete(self) -> None:
        """uvicorn's, with the keep-alive deadline on the connection's watch. A next request
        whose headers or body are still arriving keeps its own deadline and header count."""
        arriving = self._watch.expire is not None
        if not arriving:
            self._reading_headers, self._header_bytes = True, 0  # waiting for the next one
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:  # a pipelined request waits for this answer: it starts now
            self._start_asgi_task(*self.pipeline.pop())
        elif not arriving:
            self._watch.set(self.timeout_keep_alive, self.timeout_keep_alive_handler)
            self._idle.between_requests(self)

    def close_idle(self) -> None:
        """Gives this idle connection's place to a new one."""
        self.transport.close()

    def _path(self) -> str:
        return self.url.split(b"?", 1)[0].decode("latin-1")

    # -- shutting down -------------------------------------------------------------------
    def shutdown(self) -> None:
        """Closes an idle connection after a moment (a request already in its socket buffer
        is read and answered, with `Connection: close`); a busy one after its answer."""
        self._draining = True
        if self.cycle is None or self.cycle.response_complete:
            self.loop.call_later(IDLE_CLOSE_DELAY, self._close_if_idle)
        else:
            self.cycle.keep_alive = False

    def _close_if_idle(self) -> None:
        if (self.cycle is None or self.cycle.response_complete) and not self._header_bytes:
            self.transport.close()
        elif self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False
