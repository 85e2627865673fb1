"""Open Inference Protocol v2 over REST: /v2, /v2/health/live, /v2/health/ready,
/v2/models/{name}[/versions/{v}], .../ready, POST .../infer (JSON or binary tensor data)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from service import __version__
from service.errors import NotReady
from service.fastpath import header_value
from service.inference import OFFLOAD_BYTES
from service.protocols import schemas, v2_format, v2_request
from service.responses import JSONBytes
from service.routes.addressing import Address, add_routes
from service.schemas import ERRORS

router = APIRouter(tags=["Open Inference Protocol v2"])
PREFIX = "/v2/models/{name:segment}"
FORMS = ("", "/versions/{version:segment}")
SERVER_NAME = "dense-model-server"


@router.get("/v2", summary="Server metadata", response_model=schemas.V2ServerMetadata)
async def server_metadata() -> JSONBytes:
    return JSONBytes({"name": SERVER_NAME, "version": __version__,
                      "extensions": v2_request.EXTENSIONS})


@router.get("/v2/health/live", summary="Server live")
async def server_live() -> JSONBytes:
    return JSONBytes({"live": True})


@router.get("/v2/health/ready", summary="Server ready: every model has an available version",
            responses={503: ERRORS[503]})
async def server_ready(request: Request) -> JSONBytes:
    waiting = request.app.state.core.registry.not_ready()
    if waiting:
        reasons = "; ".join(f"{name}: {why}" for name, why in waiting.items())
        return JSONBytes({"live": True, "ready": False, "error": f"not ready: {reasons}"},
                         status_code=503)
    return JSONBytes({"live": True, "ready": True})


async def model_metadata(request: Request, address: Address) -> JSONBytes:
    """Name, served versions, platform, and tensors (one value per row: [-1, 1])."""
    registry = request.app.state.core.registry
    servable = registry.resolve(address.name, address.version)
    return JSONBytes(v2_format.model_metadata(registry, servable))


async def model_ready(request: Request, address: Address) -> JSONBytes:
    """200 when the model (or the addressed version) can answer; 503 with the reason if not."""
    registry = request.app.state.core.registry
    try:
        registry.resolve(address.name, address.version)
    except NotReady as exc:
        return JSONBytes({"name": address.name, "ready": False, "error": exc.message},
                         status_code=503)
    return JSONBytes({"name": address.name, "ready": True})


async def infer(request: Request, address: Address) -> Response:
    """Inputs [{name, shape [n] or [n, 1], datatype, data}]; `id` echoed (the request id when
    absent); requested `outputs` honoured; binary tensor data in and out."""
    core = request.app.state.core
    request.state.model = address.name
    raw, declared = await request.body(), header_value(request, v2_request.HEADER_BYTES)
    large = len(raw) > OFFLOAD_BYTES
    infer_request = await run_in_threadpool(v2_request.infer_request, raw, declared) \
        if large else v2_request.infer_request(raw, declared)
    result = await core.inference.predict(address.name, address.version, None,
                                          infer_request.parser(core.settings.max_instances),
                                          offload=large)
    request.state.model, request.state.version = result.model, result.version
    body, header_length = v2_format.infer_answer(result, infer_request,
                                                 request.state.request_id)
    if header_length is None:
        return Response(body, media_type="application/json")
    return Response(body, media_type="application/octet-stream",
                    headers={"Inference-Header-Content-Length": str(header_length)})


_errors = {status: ERRORS[status] for status in (400, 404, 503)}
add_routes(router, "GET", PREFIX, "", model_metadata, FORMS, summary="Model metadata",
           response_model=schemas.V2ModelMetadata, responses=_errors)
add_routes(router, "GET", PREFIX, "/ready", model_ready, FORMS, summary="Model ready",
           response_model=schemas.V2ModelReady, responses=_errors)
add_routes(router, "POST", PREFIX, "/infer", infer, FORMS, summary="Inference",
           response_model=schemas.V2InferResponse, responses=ERRORS,
           openapi_extra=schemas.inline_body(schemas.V2InferRequest))
