"""The one-pass entry's requests answered straight from the connection, below ASGI.

Through uvicorn, a request the one-pass entry answers still passes uvicorn's request cycle (an
asyncio.Event, its receive and send with header checks, the 500 wrapper), the proxy-headers
middleware, the app's dispatch, and the single-write stand-in (service.http.head_with_body).
For the requests the entry takes (service.http.one_pass), the connection layer
(service.http.edge) puts a `DirectAnswer` where uvicorn's cycle would stand and runs the entry
with its receive and send: the entry, its rules and its answers are the same; what goes is the
layers around it. The head is built once and written with the first body piece in one
`writelines`. Measured side by side with `make bench-compare`: see the README's performance
section.

Left to uvicorn's cycle (so to the full stack when the entry does not take them either): a
request with X-Forwarded-For or X-Forwarded-Proto (uvicorn's proxy-headers rule applies), a
percent-encoded or non-ASCII path, HTTP/1.0, `Expect: 100-continue`, one pipelined behind an
answer still being written, and everything once uvicorn's own concurrency limit is set.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import httptools
from starlette.types import Message
from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE, STATUS_LINE

from service.http.errors import internal_error

if TYPE_CHECKING:
    from service.http.one_pass import OnePass

logger = logging.getLogger("service.http")
PROXY_HEADERS = (b"x-forwarded-for", b"x-forwarded-proto")
DISCONNECT: Message = {"type": "http.disconnect"}


class DirectAnswer:
    """One request's state where uvicorn's RequestResponseCycle would be: the protocol and
    the connection layer read and set the same attributes (body, more_body, message_event,
    disconnected, keep_alive, response_started, response_complete, scope)."""

    __slots__ = ("protocol", "transport", "scope", "body", "more_body", "message_event",
                 "disconnected", "keep_alive", "response_started", "response_complete",
                 "_head", "_remaining")

    def __init__(self, protocol, scope: dict, keep_alive: bool) -> None:  # noqa: ANN001
        self.protocol = protocol  # the connection's EdgeProtocol
        self.transport = protocol.transport
        self.scope = scope
        self.body = bytearray()
        self.more_body = True
        self.message_event = asyncio.Event()  # set by the protocol: body done, or gone
        self.disconnected = False
        self.keep_alive = keep_alive
        self.response_started = self.response_complete = False
        self._head: bytes | None = None
        self._remaining = 0

    @classmethod
    def start(cls, protocol, one_pass: OnePass) -> DirectAnswer | None:  # noqa: ANN001
        """The request's DirectAnswer, its task started, when it is answered here."""
        parser, scope = protocol.parser, protocol.scope
        if protocol.expect_100_continue or parser.get_http_version() != "1.1" or \
                parser.should_upgrade() or \
                protocol.limit_concurrency is not None or protocol.root_path or \
                (protocol.cycle is not None and not protocol.cycle.response_complete) or \
                any(name in PROXY_HEADERS for name, _ in protocol.headers):
            return None
        url = httptools.parse_url(protocol.url)
        raw_path = url.path
        if not raw_path.isascii() or b"%" in raw_path:
            return None
        scope.update(method=parser.get_method().decode("ascii"), path=raw_path.decode("ascii"),
                     raw_path=raw_path, query_string=url.query or b"")
        found = one_pass.take(scope)
        if found is None:
            return None
        answer = cls(protocol, scope, parser.should_keep_alive())
        task = protocol.loop.create_task(answer._run(one_pass, *found))
        task.add_done_callback(protocol.tasks.discard)
        protocol.tasks.add(task)
        return answer

    async def _run(self, one_pass: OnePass, route, params: dict) -> None:  # noqa: ANN001
        """The entry answers its own errors; what escapes it is answered as uvicorn's cycle
        does: 500 when nothing was sent yet, else the connection closes."""
        try:
            await one_pass(route, params, self.scope, self.receive, self.send)
        except asyncio.CancelledError:
            self.transport.close()  # cancelled once its answer began (the entry says why)
            return
        except Exception:
            if self.response_started or self.disconnected:
                logger.exception("inference request failed after its answer began")
                self.transport.close()
                return
            scope = self.scope
            await internal_error(scope["method"], scope["path"],
                                 scope.get("state", {}).get("request_id", ""))(
                scope, self.receive, self.send)
            return
        if not self.response_complete and not self.disconnected:
            self.transport.close()  # the entry always answers; nothing to keep open for

    async def receive(self) -> Message:
        """The whole body once it is in; after it, the client's leaving (as uvicorn's)."""
        while not (self.disconnected or self.response_complete) and \
                (self.more_body or self.body is None):
            self.protocol.flow.resume_reading()  # uvicorn pauses it past 64 KiB of body
            await self.message_event.wait()
            self.message_event.clear()
        if self.disconnected or self.response_complete:
            return DISCONNECT
        body, self.body = bytes(self.body), None  # the body is read once
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(self, message: Message) -> None:
        flow = self.protocol.flow
        if flow.write_paused and not self.disconnected:
            await flow.drain()
        if self.disconnected:
            return
        kind = message["type"]
        if not self.response_started:
            if kind != "http.response.start":
                raise RuntimeError(f"expected 'http.response.start', got {kind!r}")
            self.response_started = True
            self._head = self._head_of(message["status"], message.get("headers", ()))
            return
        if self.response_complete or kind != "http.response.body":
            raise RuntimeError(f"unexpected {kind!r} after the answer's start or end")
        body = message.get("body", b"")
        self._remaining -= len(body)
        if self._remaining < 0:
            raise RuntimeError("answer longer than its Content-Length")
        if self._head is not None:
            head, self._head = self._head, None
            self.transport.writelines((head, body))
        else:
            self.transport.write(body)
        if not message.get("more_body", False):
            if self._remaining:
                raise RuntimeError("answer shorter than its Content-Length")
            self.response_complete = True
            self.message_event.set()  # a receive waiting for the client's leaving: it is over
            if not self.keep_alive:
                self.transport.close()
            self.protocol.on_response_complete()

    def _head_of(self, status: int, headers) -> bytes:  # noqa: ANN001 - ASGI header pairs
        """The status line and headers (uvicorn's default ones first); every answer of the
        entry has a Content-Length."""
        content = [STATUS_LINE[status]]
        length = None
        closes = False
        for name, value in (*self.protocol.server_state.default_headers, *headers):
            if HEADER_RE.search(name) or HEADER_VALUE_RE.search(value):
                raise RuntimeError(f"invalid HTTP header {name!r}")
            name = name.lower()
            if name == b"content-length" and length is None:
                length = int(value)
            elif name == b"connection" and b"close" in (t.strip().lower()
                                                         for t in value.split(b",")):
                self.keep_alive = False
                closes = True
            content += (name, b": ", value, b"\r\n")
        if length is None:
            raise RuntimeError("an answer of the one-pass entry without a Content-Length")
        if not self.keep_alive and not closes:
            content.append(b"connection: close\r\n")
        content.append(b"\r\n")
        self._remaining = length
        return b"".join(content)
