"""One write for an answer's status line, headers and first piece of body.

uvicorn writes a response's head and its body with one `transport.write` each: two send()
system calls, the second of which is the larger part of a small answer's cost of writing
(measured with py-spy at c=32: 9 of the 31 microseconds uvicorn spends sending an answer). The
connection layer (service.http.edge) gives each uvicorn request cycle this stand-in for the
transport (the requests it answers below ASGI, service.http.direct, do the same themselves):
it holds the head and writes it with the first body piece (`writelines`, so no copy is made).
The head goes out alone when the answer has no body (HEAD, 204) or the cycle closes the
connection first; everything else passes through to the transport unchanged.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import RequestResponseCycle


class HeadWithBody:
    __slots__ = ("_transport", "_cycle", "_head", "_head_seen", "_on_response")

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle) -> None:
        self._transport = transport
        self._cycle = cycle
        self._head: bytes | None = None
        self._head_seen = False
        self._on_response = cycle.on_response

    @classmethod
    def install(cls, cycle: RequestResponseCycle | None) -> None:
        """Puts the stand-in between `cycle` and its transport; a head still held when the
        answer completes is written then."""
        if cycle is None or isinstance(cycle.transport, HeadWithBody):
            return  # no cycle, or one already served by a stand-in
        writer = cls(cycle.transport, cycle)
        cycle.transport = writer  # type: ignore[assignment]
        cycle.on_response = writer._completed

    def _completed(self) -> None:
        self.flush()
        self._on_response()

    def write(self, data: bytes) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.writelines((head, data))
        elif self._cycle.response_started and not self._head_seen:
            # uvicorn writes the head first thing after marking the response started (an
            # earlier write, "100 Continue", is before it and passes through).
            self._head_seen = True
            self._head = data
        else:
            self._transport.write(data)

    def flush(self) -> None:
        """Writes a head still held (an answer without a body)."""
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, ...
        return getattr(self._transport, name)
