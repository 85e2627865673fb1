"""The gRPC server (grpcio's asyncio API) in the same process and event loop as HTTP: the
services over the core, health (SERVING once the core is ready), reflection, and a drain on
shutdown like HTTP's."""

from __future__ import annotations

import asyncio
import logging

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from tensorflow_serving.apis import model_service_pb2_grpc, prediction_service_pb2_grpc
from tritonclient.grpc import service_pb2_grpc

from service.accesslog import AccessLog
from service.grpc.calls import CallInterceptor
from service.grpc.kserve import InferenceService
from service.grpc.tfserving import ModelService, PredictionService
from service.serving import ServingCore

logger = logging.getLogger("service.grpc")
SERVICES = ("tensorflow.serving.PredictionService", "tensorflow.serving.ModelService",
            "inference.GRPCInferenceService")
HEALTH_INTERVAL = 0.5  # seconds between readiness checks for the health service


class ReadinessHealth(health.aio.HealthServicer):
    """grpc.health.v1.Health: SERVING while the core is ready (every service name and "").
    A Check reads readiness there and then; Watch streams follow a periodic refresh."""

    def __init__(self, core: ServingCore) -> None:
        super().__init__()
        self.core = core

    async def refresh(self) -> None:
        ready = not self.core.not_ready()
        status = health_pb2.HealthCheckResponse.SERVING if ready else \
            health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", *SERVICES):
            await self.set(name, status)

    async def Check(self, request, context):  # noqa: ANN001, ANN201, N802
        await self.refresh()
        return await super().Check(request, context)


class GrpcServer:
    """Cheap to construct; `start()` binds HOST:GRPC_PORT and serves; `stop()` drains."""

    def __init__(self, core: ServingCore, access_log: AccessLog | None,
                 reuse_port: bool = False) -> None:
        self.core = core
        self.access_log = access_log
        self.reuse_port = reuse_port
        self.port = 0  # the bound port once started
        self._server: grpc.aio.Server | None = None
        self._health = ReadinessHealth(core)
        self._watch: asyncio.Task | None = None

    def _build(self) -> grpc.aio.Server:
        settings = self.core.settings
        options = [("grpc.max_receive_message_length", settings.max_request_bytes),
                   ("grpc.max_send_message_length", -1),
                   ("grpc.so_reuseport", 1 if self.reuse_port else 0)]
        server = grpc.aio.server(interceptors=[CallInterceptor(self.core, self.access_log)],
                                 options=options,
                                 maximum_concurrent_rpcs=settings.max_concurrency * 2)
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
            PredictionService(self.core), server)
        model_service_pb2_grpc.add_ModelServiceServicer_to_server(ModelService(self.core), server)
        service_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(InferenceService(self.core),
                                                                    server)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            (*SERVICES, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
             reflection.SERVICE_NAME), server)
        return server

    async def start(self) -> None:
        settings = self.core.settings
        self._server = self._build()
        self.port = self._server.add_insecure_port(f"{settings.host}:{settings.grpc_port}")
        await self._server.start()
        self._watch = asyncio.create_task(self._watch_readiness())
        logger.info("gRPC on %s:%d", settings.host, self.port)

    async def _watch_readiness(self) -> None:
        while True:
            await self._health.refresh()
            await asyncio.sleep(HEALTH_INTERVAL)

    async def stop(self, grace: float) -> None:
        """Refuses new calls and lets those in flight finish for up to `grace` seconds."""
        if self._server is None:
            return
        if self._watch is not None:
            self._watch.cancel()
        await self._health.enter_graceful_shutdown()
        await self._server.stop(grace)
        self._server = None
