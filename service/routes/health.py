"""Health and metrics: GET /health/live, GET /health/ready, GET /metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.describe import version_counts
from service.responses import JSONBytes

router = APIRouter(tags=["operations"])


@router.get("/health/live", summary="The process is up")
async def live() -> JSONBytes:
    return JSONBytes({"status": "live"})


@router.get("/health/ready", summary="Every model has a servable version (503 until then)",
            responses={503: {"description": "the models not ready, each with the reason"}})
async def ready(request: Request) -> JSONBytes:
    registry = request.app.state.core.registry
    waiting = registry.not_ready()
    body = {"status": "not ready" if waiting else "ready", "not_ready": waiting,
            "repository_error": registry.repository_error}
    return JSONBytes(body, status_code=503 if waiting else 200)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    core = request.app.state.core
    core.metrics.set_versions(version_counts(core.registry))
    return Response(core.metrics.render(), media_type="text/plain; version=0.0.4")
