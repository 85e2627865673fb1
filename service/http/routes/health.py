"""Health and metrics: GET /health/live, GET /health/ready, GET /metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.core.status import version_counts
from service.http.errors import trusted
from service.http.responses import JSONBytes
from service.serving import ServingCore


def router(core: ServingCore) -> APIRouter:
    routes = APIRouter(tags=["operations"])

    @routes.get("/health/live", summary="The process is up (with workers: which one answered)")
    async def live() -> JSONBytes:
        slot = core.slot
        if slot is None:
            return JSONBytes({"status": "live"})
        return JSONBytes({"status": "live", "worker": slot.index + 1, "pid": slot.pid})

    @routes.get("/health/ready", summary="Every model has a servable version (503 until then)",
                responses={503: {"description": "the models not ready, each with the reason"}})
    async def ready(request: Request) -> JSONBytes:
        waiting = core.not_ready()
        body: dict = {"status": "not ready" if waiting else "ready"}
        if trusted(request.state):
            body.update(not_ready=waiting, not_serving=core.not_serving(),
                        repository_error=core.poller.repository_error)
        else:  # probes need no key; what the repository holds does
            body["detail"] = "send the API key for the models' details"
        return JSONBytes(body, status_code=503 if waiting else 200)

    @routes.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        core.metrics.set_versions(version_counts(core.manager))
        return Response(core.metrics.render(), media_type="text/plain; version=0.0.4")

    return routes
