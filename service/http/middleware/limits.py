"""Limits on what a request may make the server hold: how many run at once, and how large a
body may be.

- MAX_CONCURRENCY: requests in flight beyond it get 503 JSON with Retry-After at once, instead
  of queueing without bound. Health routes and /metrics are exempt (and not counted), so probes
  and monitoring still answer under overload.
- MAX_REQUEST_BYTES: a declared Content-Length over it is refused before a byte is read; a
  chunked body is counted as it streams and cut off at the limit. Compressed bodies are refused
  (415) unread: decompressing them would let a small upload become a huge body.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.admission import Admission
from service.budget import SMALL_BODY_BYTES, MemoryBudget
from service.core.errors import Busy, TooLarge
from service.http.headers import has_body
from service.http.paths import UNLIMITED, route_path
from service.http.responses import CLOSE, RETRY, send_error

IDENTITY = (b"identity", b"")  # Content-Encoding values of an uncompressed body


class ConcurrencyLimitMiddleware:
    """Counts a request in flight once its body has arrived (a slow upload holds a connection,
    bounded by BODY_TIMEOUT_SECONDS and MAX_CONNECTIONS, not a place among the requests being
    answered); beyond MAX_CONCURRENCY, 503 with Retry-After."""

    def __init__(self, app: ASGIApp, admission: Admission) -> None:
        self.app = app
        self.admission = admission

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope) in UNLIMITED:
            await self.app(scope, receive, send)
            return
        admission = self.admission
        entered = False

        def enter() -> None:
            nonlocal entered
            if not admission.enter():
                raise Busy(admission.busy_message())
            entered = True

        async def receive_then_enter() -> Message:
            message = await receive()
            if not entered and message["type"] == "http.request" \
                    and not message.get("more_body", False):
                enter()  # the whole body is here: the request starts using the server
            return message

        try:
            if not has_body(scope["headers"]):
                enter()
        except Busy as exc:
            await send_error(send, 503, exc.message, RETRY)
            return
        try:
            await self.app(scope, receive_then_enter, send)
        finally:
            if entered:
                admission.leave()


class BodyLimitMiddleware:
    """MAX_REQUEST_BYTES, the refusal of compressed bodies, and each body's bytes held in the
    memory budget (MAX_INFLIGHT_BYTES) from before it is read until the request ends, as is
    what reading it and answering charged to the request."""

    def __init__(self, app: ASGIApp, max_bytes: int, budget: MemoryBudget) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.budget = budget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self._limited(scope, receive, send)
        finally:  # what reading and answering charged to the request (service.budget)
            self.budget.settle(scope.get("state", {}))

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        encoding = headers.get(b"content-encoding", b"identity").strip().lower()
        if encoding not in IDENTITY:
            await send_error(send, 415, f"Content-Encoding {encoding.decode('latin-1')[:40]!r} is "
                             "not supported: send the request body uncompressed",
                             CLOSE)
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send, declared)
            return
        if declared is not None and b"transfer-encoding" not in headers:
            # the HTTP parser delivers exactly the declared length: nothing left to count
            await self._within_budget(int(declared), scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                size = len(message.get("body", b""))
                if received + size > self.max_bytes:
                    raise TooLarge(self._message())
                self.budget.reserve(size)
                received += size
            return message

        try:
            await self.app(scope, counted, send)
        finally:
            self.budget.release(received)

    async def _within_budget(self, size: int, scope: Scope, receive: Receive,
                             send: Send) -> None:
        size = 0 if size <= SMALL_BODY_BYTES else size
        try:
            self.budget.reserve(size)
        except Busy as exc:
            await send_error(send, 503, exc.message, RETRY + CLOSE)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.budget.release(size)

    def _message(self) -> str:
        return (f"request body is larger than the limit of {self.max_bytes} bytes "
                "(MAX_REQUEST_BYTES)")

    async def _reject(self, send: Send, declared: bytes) -> None:
        valid = declared.isdigit()
        message = self._message() if valid else "invalid Content-Length header"
        await send_error(send, 413 if valid else 400, message, CLOSE)
