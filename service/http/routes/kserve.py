"""Open Inference Protocol v2 over REST: /v2, /v2/health/live, /v2/health/ready,
/v2/models/{name}[/versions/{v}], .../ready, POST .../infer (in the inference table; JSON or
binary tensor data)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.core.errors import Unavailable
from service.core.types import Address
from service.http.errors import trusted
from service.http.openapi import ERRORS, documented_body, errors
from service.http.predict import InferenceRoute
from service.http.responses import JSONBytes
from service.http.routes.addressing import add_routes, path_address
from service.protocols.kserve import schemas
from service.protocols.kserve.codec import KServeCodec
from service.protocols.kserve.metadata import model_metadata, server_metadata
from service.serving import ServingCore

PREFIX = "/v2/models/{name:segment}"
FORMS = ("", "/versions/{version:segment}")
TAGS = ["Open Inference Protocol v2"]
CODEC = KServeCodec()
INFERENCE = [InferenceRoute(
    f"{PREFIX}{form}/infer", CODEC, path_address, "Inference",
    {"tags": TAGS, "response_model": schemas.V2InferResponse, "responses": ERRORS,
     "openapi_extra": documented_body(schemas.V2InferRequest)}) for form in FORMS]


def router(core: ServingCore) -> APIRouter:
    routes = APIRouter(tags=TAGS)

    @routes.get("/v2", summary="Server metadata", response_model=schemas.V2ServerMetadata)
    async def server() -> JSONBytes:
        return JSONBytes(server_metadata())

    @routes.get("/v2/health/live", summary="Server live")
    async def server_live() -> JSONBytes:
        return JSONBytes({"live": True})

    @routes.get("/v2/health/ready", summary="Server ready: every model has an available "
                                            "version", responses=errors(503))
    async def server_ready(request: Request) -> JSONBytes:
        waiting = core.not_ready()
        if waiting:
            reasons = "; ".join(f"{name}: {why}" for name, why in waiting.items()) \
                if trusted(request.state) else "send the API key for the models' details"
            return JSONBytes({"live": True, "ready": False, "error": f"not ready: {reasons}"},
                             status_code=503)
        return JSONBytes({"live": True, "ready": True})

    async def metadata(address: Address) -> JSONBytes:
        """Name, served versions, platform, and tensors with datatypes and shapes (-1: any)."""
        servable = core.manager.resolve(address)
        return JSONBytes(model_metadata(core.manager.record(address.model), servable))

    async def ready(address: Address) -> JSONBytes:
        """200 when the model (or the addressed version) can answer; 503 with the reason."""
        try:
            core.manager.resolve(address)
        except Unavailable as exc:
            return JSONBytes({"name": address.model, "ready": False,
                              "error": exc.public_message}, status_code=503)
        return JSONBytes({"name": address.model, "ready": True})

    common = errors(400, 404, 503)
    add_routes(routes, "GET", PREFIX, "", metadata, FORMS, summary="Model metadata",
               response_model=schemas.V2ModelMetadata, responses=common)
    add_routes(routes, "GET", PREFIX, "/ready", ready, FORMS, summary="Model ready",
               response_model=schemas.V2ModelReady, responses=common)
    return routes
