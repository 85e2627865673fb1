"""Runs the HTTP app under uvicorn, draining on SIGTERM."""

from __future__ import annotations

import logging
import signal

import uvicorn

from service.http.app import create_app
from service.settings import Settings

# uvicorn settings shared with the benchmark's bare app ("auto" picks uvloop and httptools,
# both installed by uvicorn[standard]; no websocket routes, so no websocket protocol).
UVICORN_OPTIONS = {"loop": "auto", "http": "auto", "ws": "none", "log_config": None,
                   "access_log": False, "server_header": False}


def serve(settings: Settings) -> None:
    """Serves until SIGTERM or SIGINT, then drains for up to SHUTDOWN_GRACE_SECONDS."""
    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port, lifespan="on",
        timeout_graceful_shutdown=settings.shutdown_grace_seconds, **UVICORN_OPTIONS)
    # uvicorn drains on SIGTERM, restores the previous handler and re-raises the signal. With
    # this handler in place the re-raise is a no-op, so a drained server exits 0.
    signal.signal(signal.SIGTERM, _after_drain)
    uvicorn.Server(config).run()


def _after_drain(signum: int, frame: object) -> None:
    logging.getLogger("service").info("drained after SIGTERM")
