"""The FastAPI app factory: lifespan (executors, repository, registry, poller), handlers, routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import __version__
from service.accesslog import AccessLog
from service.docs import mount_docs
from service.errors import ServiceError
from service.fastpath import FastPathMiddleware, post_routes
from service.heap import keep_heap
from service.inference import InferenceCore
from service.limits import ConcurrencyLimitMiddleware, RequestDeadlineMiddleware
from service.metrics import Metrics
from service.middleware import BodyLimitMiddleware, ObservabilityMiddleware
from service.registry import ModelRegistry
from service.repository import ModelRepository, VersionEntry
from service.responses import JSONBytes
from service.routes import health, kserve, native, tfserving
from service.security import ApiKeyMiddleware, JSONCORSMiddleware
from service.servable import Servable
from service.settings import Settings

logger = logging.getLogger("service")


@dataclass
class Core:
    """What routes reach through `request.app.state.core`."""

    settings: Settings
    registry: ModelRegistry
    inference: InferenceCore
    metrics: Metrics


def _build_core(settings: Settings, metrics: Metrics, inference_pool: ThreadPoolExecutor,
                load_pool: ThreadPoolExecutor) -> Core:
    repository = ModelRepository(settings.model_repository, settings.version_settle_seconds)

    def make_servable(model: str, entry: VersionEntry) -> Servable:
        return Servable(model, entry.number, entry.path, entry.listing, inference_pool,
                        settings.max_batch_size, settings.max_batch_wait_ms / 1000,
                        on_batch=metrics.observe_batch)

    registry = ModelRegistry(repository, load_pool, make_servable)
    return Core(settings, registry, InferenceCore(registry),
                metrics)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    inference_pool = ThreadPoolExecutor(settings.inference_threads, "inference")
    load_pool = ThreadPoolExecutor(1, "loader")
    core = _build_core(settings, app.state.metrics, inference_pool, load_pool)
    app.state.core = core
    stop = asyncio.Event()
    poller = asyncio.create_task(core.registry.run_polling(settings.poll_interval_seconds, stop))
    heap_keeper = asyncio.create_task(keep_heap(core.registry, stop))
    logger.info("serving models from %s", settings.model_repository.resolve())
    try:
        yield
    finally:
        stop.set()
        await poller
        await heap_keeper
        await core.registry.close()
        # Every request has ended or been cancelled: a TensorFlow call still running (grace
        # period exceeded) is not waited for; the CLI exits without joining its thread.
        inference_pool.shutdown(wait=False, cancel_futures=True)
        load_pool.shutdown(wait=False, cancel_futures=True)
        if app.state.access_log is not None:
            app.state.access_log.flush()
        logger.info("stopped")


def _install_error_handlers(app: FastAPI) -> None:
    async def domain(request: Request, exc: ServiceError) -> JSONBytes:
        return JSONBytes({"error": exc.message}, status_code=exc.status_code,
                         headers=exc.headers or None)

    async def http(request: Request, exc: StarletteHTTPException) -> JSONBytes:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}; see /docs"
        elif exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            message = (f"method {request.method} is not allowed on {request.url.path}; "
                       f"allowed: {allowed or 'see /docs'}")
        return JSONBytes({"error": message}, status_code=exc.status_code,
                         headers=getattr(exc, "headers", None))

    async def validation(request: Request, exc: RequestValidationError) -> JSONBytes:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONBytes({"error": f"invalid request: {where}: {first.get('msg', 'invalid')}"},
                         status_code=400)

    async def unexpected(request: Request, exc: Exception) -> JSONBytes:
        # Rendered outside the request-id middleware (Starlette's outermost layer): name the id
        # in the log line and set the header here.
        request_id = getattr(request.state, "request_id", "")
        logger.exception("unhandled error on %s %s id=%s", request.method, request.url.path,
                         request_id, extra={"request_id": request_id})
        return JSONBytes({"error": "internal error; the request id in X-Request-ID finds it "
                                   "in the log"}, status_code=500,
                         headers={"x-request-id": request_id} if request_id else None)

    app.add_exception_handler(ServiceError, domain)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(Exception, unexpected)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # FastAPI's native OpenTelemetry hooks are off (the service's metrics are Prometheus, at
    # /metrics): left on, every request pays for checking whether a provider is configured.
    app = FastAPI(title="Dense model server", version=__version__, lifespan=lifespan,
                  telemetry={"tracing": False, "metrics": False, "logs": False},
                  docs_url=None, redoc_url=None, default_response_class=JSONBytes,
                  description="Serves Keras Dense models from a TensorFlow-Serving-style "
                              "repository: native routes, TensorFlow Serving REST and the "
                              "Open Inference Protocol v2.")
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.access_log = AccessLog() if settings.access_log else None
    _install_error_handlers(app)
    routers = (native.router, health.router, tfserving.router, kserve.router)
    for router in routers:
        app.include_router(router)
    mount_docs(app)
    _install_middleware(app, settings, routers)
    return app


def _install_middleware(app: FastAPI, settings: Settings, routers: tuple) -> None:
    """Outermost last: observability, CORS, API key, concurrency, deadline, body limit, and
    innermost the fast path, so every other middleware still applies to inference routes."""
    app.add_middleware(FastPathMiddleware, routes=post_routes(routers))
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(RequestDeadlineMiddleware, timeout_seconds=settings.request_timeout_seconds)
    app.add_middleware(ConcurrencyLimitMiddleware, max_concurrency=settings.max_concurrency,
                       metrics=app.state.metrics)
    if settings.api_key is not None:
        app.add_middleware(ApiKeyMiddleware, api_key=settings.api_key.get_secret_value(),
                           scope=settings.api_key_scope)
    if settings.cors_origins:
        app.add_middleware(JSONCORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], max_age=600,
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                           expose_headers=["X-Request-ID"])
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics,
                       access_log=app.state.access_log)
