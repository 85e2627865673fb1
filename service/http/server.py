"""Runs the HTTP app under uvicorn, draining on SIGTERM, and tells companion transports
(gRPC) to start draining at the same moment."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from service.settings import Settings

# uvicorn settings shared with the benchmark's bare app ("auto" picks uvloop and httptools,
# both installed by uvicorn[standard]; no websocket routes, so no websocket protocol).
UVICORN_OPTIONS = {"loop": "auto", "http": "auto", "ws": "none", "log_config": None,
                   "access_log": False, "server_header": False}


class DrainingServer(uvicorn.Server):
    """uvicorn's server; on SIGTERM or SIGINT it also runs `on_exit` in the event loop."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_exit = on_exit

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
    config = uvicorn.Config(app, lifespan="on", backlog=2048,
                            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
                            **UVICORN_OPTIONS)
    # uvicorn drains on SIGTERM, restores the previous handler and re-raises the signal. With
    # this handler in place the re-raise is a no-op, so a drained server exits 0.
    signal.signal(signal.SIGTERM, _after_drain)
    DrainingServer(config, on_exit).run(sockets=[listener])


def _after_drain(signum: int, frame: object) -> None:
    logging.getLogger("service").info("drained after SIGTERM")
