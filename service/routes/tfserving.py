"""TensorFlow Serving REST API: GET /v1/models/{name}[/versions/{v}|/labels/{l}][/metadata],
POST /v1/models/{name}[/versions/{v}|/labels/{l}]:predict (and :classify/:regress refused)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from service.errors import BadRequest
from service.inference import OFFLOAD_BYTES
from service.protocols import schemas, tfs_format
from service.responses import JSONBytes
from service.routes.addressing import Address, add_routes
from service.schemas import ERRORS

router = APIRouter(tags=["TensorFlow Serving REST API"])
PREFIX = "/v1/models/{name:segment}"


async def model_status(request: Request, address: Address) -> JSONBytes:
    """Status of every version (newest first), or of the addressed one."""
    registry = request.app.state.core.registry
    return JSONBytes(tfs_format.model_status(registry, address.name, address.version,
                                             address.label))


async def model_metadata(request: Request, address: Address) -> JSONBytes:
    """The version's model_spec and SignatureDef map (latest version unless addressed)."""
    registry = request.app.state.core.registry
    return JSONBytes(await tfs_format.model_metadata(registry, address.name, address.version,
                                                     address.label))


async def predict(request: Request, address: Address) -> JSONBytes:
    """`instances` (row format) answers `predictions`; `inputs` (columnar) answers `outputs`."""
    core = request.app.state.core
    request.state.model = address.name
    raw = await request.body()
    large = len(raw) > OFFLOAD_BYTES
    body = await run_in_threadpool(tfs_format.predict_body, raw) if large else \
        tfs_format.predict_body(raw)
    result = await core.inference.predict(address.name, address.version, address.label,
                                          body.parser(core.settings.max_instances),
                                          offload=large)
    request.state.model, request.state.version = result.model, result.version
    return JSONBytes(tfs_format.predict_answer(result, body.columnar))


async def classify_or_regress(request: Request, address: Address) -> JSONBytes:
    """Not supported: these models have only a predict signature."""
    servable = request.app.state.core.registry.resolve(address.name, address.version,
                                                       address.label)
    method = request.url.path.rsplit(":", 1)[-1]
    raise BadRequest(f"{method} is not supported for model {servable.model!r}: its only "
                     "signature, serving_default, uses method tensorflow/serving/predict; send "
                     "the same instances to :predict")


async def malformed(request: Request) -> JSONBytes:
    raise BadRequest(f"Malformed request: {request.method} {request.url.path}; TensorFlow "
                     "Serving paths are GET /v1/models/{name}[/versions/{v}|/labels/{l}]"
                     "[/metadata] and POST /v1/models/{name}[/versions/{v}|/labels/{l}]:predict")


_errors = {status: ERRORS[status] for status in (400, 404, 503)}
add_routes(router, "GET", PREFIX, "", model_status, summary="Model version status",
           response_model=schemas.TfsStatusResponse, responses=_errors)
add_routes(router, "GET", PREFIX, "/metadata", model_metadata, summary="Model metadata",
           response_model=schemas.TfsMetadataResponse, responses=_errors)
add_routes(router, "POST", PREFIX, ":predict", predict, summary="Predict",
           response_model=schemas.TfsPredictResponse, responses=ERRORS,
           openapi_extra=schemas.inline_body(schemas.TfsPredictRequest))
for _verb in ("classify", "regress"):
    add_routes(router, "POST", PREFIX, f":{_verb}", classify_or_regress, responses=_errors,
               summary=f"{_verb.capitalize()} (not supported: predict only)")
router.add_api_route("/v1/models", malformed, methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                     include_in_schema=False)
router.add_api_route("/v1/models/{rest:path}", malformed, include_in_schema=False,
                     methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
