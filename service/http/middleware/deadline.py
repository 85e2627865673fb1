"""REQUEST_TIMEOUT_SECONDS for every request the full middleware stack answers (the rules and
the timer: service.http.deadlines)."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.deadlines import Deadlines


class RequestDeadlineMiddleware:
    def __init__(self, app: ASGIApp, deadlines: Deadlines) -> None:
        self.app = app
        self.deadlines = deadlines

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = receiving = False

        async def timed_receive() -> Message:
            nonlocal receiving
            receiving = True  # stays set if the deadline strikes while waiting here
            message = await receive()
            receiving = False
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        deadline = self.deadlines.start()
        try:
            await self.app(scope, timed_receive, tracked_send)
        except asyncio.CancelledError:
            if not await self.deadlines.cancelled(deadline, send, started, receiving):
                raise
        finally:
            self.deadlines.end(deadline)
