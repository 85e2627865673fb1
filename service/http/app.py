"""The FastAPI app factory: the served core, its lifespan, error handlers, routes, middleware."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from service import __version__
from service.accesslog import AccessLog
from service.core.status import default_signatures
from service.http.deadlines import Deadlines
from service.http.docs import mount_docs
from service.http.errors import install_error_handlers
from service.http.fastpath import FastPathMiddleware
from service.http.middleware.auth import ApiKeyMiddleware, JSONCORSMiddleware
from service.http.middleware.deadline import RequestDeadlineMiddleware
from service.http.middleware.head import HeadAsGetMiddleware
from service.http.middleware.limits import BodyLimitMiddleware, ConcurrencyLimitMiddleware
from service.http.middleware.observability import ObservabilityMiddleware, RequestRecord
from service.http.one_pass import OnePass
from service.http.openapi import document_api
from service.http.responses import JSONBytes
from service.http.routes import health, kserve, native, tfserving
from service.http.routes.inference import inference_router
from service.http.ui import pages
from service.metrics import Metrics
from service.model_config import named_models
from service.serving import ServingCore
from service.settings import Settings

logger = logging.getLogger("service")
INFERENCE_ROUTES = [*native.INFERENCE, *tfserving.INFERENCE, *kserve.INFERENCE]


class ServiceApp(FastAPI):
    """The FastAPI app, whose common inference requests are answered in one pass
    (service.http.one_pass) before its middleware stack; `one_pass` None: all go through it."""

    one_pass: OnePass | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.one_pass is not None:
            found = self.one_pass.take(scope)
            if found is not None:
                await self.one_pass(*found, scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class Companion(Protocol):
    """Another transport over the same core (gRPC), started and stopped with the app."""

    async def start(self) -> None: ...

    async def stop(self, grace: float) -> None: ...


def lifespan(core: ServingCore, access_log: AccessLog | None, companions: Sequence[Companion]
             ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        await core.start()
        for companion in companions:
            await companion.start()
        try:
            yield
        finally:
            for companion in companions:
                await companion.stop(core.settings.shutdown_grace_seconds)
            await core.stop()
            if access_log is not None:
                access_log.flush()
            logger.info("stopped")
    return run


def create_app(settings: Settings | None = None, core: ServingCore | None = None,
               access_log: AccessLog | None = None,
               companions: Sequence[Companion] = ()) -> ServiceApp:
    """The HTTP app over `core` (made here from `settings` when not given)."""
    settings = settings or (core.settings if core else Settings())
    core = core or ServingCore(settings, Metrics(), named_models(settings))
    if access_log is None and settings.access_log:
        access_log = AccessLog()
    # FastAPI's native OpenTelemetry hooks are off (the service's metrics are Prometheus, at
    # /metrics): left on, every request pays for checking whether a provider is configured.
    app = ServiceApp(title="Dense model server", version=__version__,
                     lifespan=lifespan(core, access_log, companions),
                     telemetry={"tracing": False, "metrics": False, "logs": False},
                     docs_url=None, redoc_url=None, default_response_class=JSONBytes,
                     description="Serves Keras Dense models from a TensorFlow-Serving-style "
                                 "repository: native routes, TensorFlow Serving REST and the "
                                 "Open Inference Protocol v2.")
    app.state.core = core  # for introspection; routes hold the core themselves
    app.router.redirect_slashes = False  # no redirect built from the client's Host header
    install_error_handlers(app)
    # The inference routes come first, so a path the fast path matches is one FastAPI would
    # give the same route.
    app.include_router(inference_router(core, INFERENCE_ROUTES))
    for family in (native, health, tfserving, kserve, pages):
        app.include_router(family.router(core))
    mount_docs(app)
    document_api(app, lambda: default_signatures(core.manager),
                 settings.api_key_scope if settings.api_key else None)
    record, deadlines = RequestRecord(core.metrics, access_log), \
        Deadlines(settings.request_timeout_seconds)
    _install_middleware(app, core, record, deadlines)
    app.one_pass = OnePass(core, INFERENCE_ROUTES, record, deadlines)
    return app


def _install_middleware(app: FastAPI, core: ServingCore, record: RequestRecord,
                        deadlines: Deadlines) -> None:
    """Outermost last: observability, CORS, API key, concurrency, deadline, body limit, and
    innermost the fast path, so every other middleware still applies to inference routes."""
    settings = core.settings
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(FastPathMiddleware, core=core, routes=INFERENCE_ROUTES)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes,
                       budget=core.budget)
    app.add_middleware(RequestDeadlineMiddleware, deadlines=deadlines)
    app.add_middleware(ConcurrencyLimitMiddleware, admission=core.admission)
    if settings.api_key is not None:
        app.add_middleware(ApiKeyMiddleware, api_key=settings.api_key.get_secret_value(),
                           scope=settings.api_key_scope)
    if settings.cors_origins:
        app.add_middleware(JSONCORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], max_age=600,
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                           expose_headers=["X-Request-ID"])
    app.add_middleware(ObservabilityMiddleware, record=record)
