"""Runs the HTTP app under uvicorn, draining on SIGTERM, and tells companion transports
(gRPC) to start draining at the same moment."""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
import socket
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from service.http.edge import edge_protocol
from service.http.edge_limits import EdgeLimits
from service.settings import Settings

# uvicorn settings shared with the benchmark's bare app ("auto" picks uvloop and httptools,
# both installed by uvicorn[standard]; no websocket routes, so no websocket protocol).
UVICORN_OPTIONS = {"loop": "auto", "http": "auto", "ws": "none", "log_config": None,
                   "access_log": False, "server_header": False}


class DrainingServer(uvicorn.Server):
    """uvicorn's server; on SIGTERM or SIGINT it also runs `on_exit` in the event loop, and
    before it stops listening it takes in the connections the kernel has already accepted
    (they are answered, not reset)."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None],
                 listener: socket.socket) -> None:
        super().__init__(config)
        self._on_exit = on_exit
        # A second descriptor of the listening socket: uvicorn closes its own when shutdown
        # begins, and this one keeps the kernel's queue of accepted connections to read.
        self._backlog = listener.dup()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # accept no more from the loop; the backlog is taken in below
        await self._take_backlog()
        await super().shutdown(sockets)

    async def _take_backlog(self) -> None:
        loop = asyncio.get_running_loop()
        protocol = functools.partial(self.config.http_protocol_class, config=self.config,
                                     server_state=self.server_state,
                                     app_state=self.lifespan.state)
        self._backlog.setblocking(False)
        try:
            while True:
                try:
                    connection, _ = self._backlog.accept()
                except OSError:  # BlockingIOError: the queue is empty
                    return
                await loop.connect_accepted_socket(protocol, connection)
        finally:
            self._backlog.close()

    def handle_exit(self, sig: int, frame: object) -> None:
        super().handle_exit(sig, frame)
        try:
            asyncio.get_running_loop().call_soon_threadsafe(self._on_exit)
        except RuntimeError:  # no loop running yet: nothing to drain
            pass


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything loads (OSError when the port is taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=2048)


def serve(app: FastAPI, settings: Settings, listener: socket.socket,
          on_exit: Callable[[], None]) -> None:
    """Serves until SIGTERM or SIGINT, then drains for up to SHUTDOWN_GRACE_SECONDS."""
    options = {**UVICORN_OPTIONS,
               "http": edge_protocol(EdgeLimits.of(settings), getattr(app, "one_pass", None))}
    config = uvicorn.Config(app, lifespan="on", backlog=2048,
                            timeout_keep_alive=settings.keep_alive_seconds,  # type: ignore[arg-type]
                            timeout_graceful_shutdown=settings.shutdown_grace_seconds, **options)
    # uvicorn drains on SIGTERM, restores the previous handler and re-raises the signal. With
    # this handler in place the re-raise is a no-op, so a drained server exits 0.
    signal.signal(signal.SIGTERM, _after_drain)
    DrainingServer(config, on_exit, listener).run(sockets=[listener])


def _after_drain(signum: int, frame: object) -> None:
    logging.getLogger("service").info("drained after SIGTERM")
