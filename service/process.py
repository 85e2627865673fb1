"""The serving process: one core, the HTTP app and (unless GRPC_PORT=0) the gRPC server over it,
both in one event loop, bound before any model loads and drained together on SIGTERM."""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING

from service.accesslog import AccessLog
from service.http import server as http_server
from service.http.app import create_app
from service.metrics import Metrics
from service.model_config import named_models
from service.serving import ServingCore
from service.settings import Settings
from service.worker_slot import WorkerSlot

if TYPE_CHECKING:
    from service.grpc.server import GrpcServer


class PortInUse(Exception):
    """A port to serve on cannot be bound; the message names it."""


def _check_free(host: str, port: int, what: str) -> None:
    try:
        http_server.bind(host, port).close()
    except OSError as exc:
        raise PortInUse(f"cannot serve {what} on {host}:{port}: {exc.strerror}") from None


class _GrpcDrain:
    """Starts the gRPC drain once (at the signal), and lets the app's shutdown await it."""

    def __init__(self, server: GrpcServer, grace: float) -> None:
        self.server, self.grace = server, grace
        self._task: asyncio.Task | None = None

    def begin(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.server.stop(self.grace))

    async def start(self) -> None:
        await self.server.start()

    async def stop(self, grace: float) -> None:
        self.begin()
        assert self._task is not None
        await self._task


def bind_http(settings: Settings) -> socket.socket:
    try:
        return http_server.bind(settings.host, settings.port)
    except OSError as exc:
        raise PortInUse(f"cannot serve HTTP on {settings.host}:{settings.port}: "
                        f"{exc.strerror}") from None


def check_grpc_port(settings: Settings) -> None:
    if settings.grpc_port:
        _check_free(settings.host, settings.grpc_port, "gRPC")


def serve(settings: Settings, listener: socket.socket | None = None,
          slot: WorkerSlot | None = None) -> None:
    """Binds the ports (PortInUse when one is taken; a worker gets its HTTP socket from the
    supervisor and shares the gRPC port), then serves until SIGTERM."""
    models = named_models(settings)
    if listener is None:
        listener = bind_http(settings)
        check_grpc_port(settings)
    core = ServingCore(settings, Metrics(), models, slot)
    access_log = AccessLog() if settings.access_log else None
    drain = None
    if settings.grpc_port:
        # Imported here: its protos import TensorFlow, whose start-up notices must come after
        # logging is configured (LOG_FORMAT=json).
        from service.grpc.server import GrpcServer

        server = GrpcServer(core, access_log, reuse_port=slot is not None)
        drain = _GrpcDrain(server, settings.shutdown_grace_seconds)
    app = create_app(settings, core, access_log, [drain] if drain else [])
    http_server.serve(app, settings, listener, drain.begin if drain else lambda: None)
