"""TensorFlow Serving REST API: GET /v1/models/{name}[/versions/{v}|/labels/{l}][/metadata],
POST /v1/models/{name}[/versions/{v}|/labels/{l}]:predict (in the inference table), and
:classify/:regress refused."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.core.errors import InvalidArgument
from service.core.types import Address
from service.http.openapi import ERRORS, documented_body, errors
from service.http.predict import InferenceRoute
from service.http.responses import JSONBytes
from service.http.routes.addressing import FORMS, add_routes, path_address
from service.protocols.tfserving import schemas
from service.protocols.tfserving.codec import TfsCodec
from service.protocols.tfserving.status import model_metadata, model_status
from service.serving import ServingCore

PREFIX = "/v1/models/{name:segment}"
TAGS = ["TensorFlow Serving REST API"]
CODEC = TfsCodec()
INFERENCE = [InferenceRoute(
    f"{PREFIX}{form}:predict", CODEC, path_address, "Predict",
    {"tags": TAGS, "response_model": schemas.TfsPredictResponse, "responses": ERRORS,
     "openapi_extra": documented_body(schemas.TfsPredictRequest)}) for form in FORMS]


def router(core: ServingCore) -> APIRouter:
    routes = APIRouter(tags=TAGS)

    async def status(address: Address) -> JSONBytes:
        """Status of every version (newest first), or of the addressed one."""
        return JSONBytes(model_status(core.manager, address))

    async def metadata(address: Address) -> JSONBytes:
        """The version's model_spec and SignatureDef map (latest version unless addressed)."""
        return JSONBytes(model_metadata(core.manager.resolve(address)))

    def refusal(verb: str):  # noqa: ANN202 - a route handler
        async def refuse(address: Address) -> JSONBytes:
            """Not supported: these models have only a predict signature."""
            servable = core.manager.resolve(address)
            raise InvalidArgument(f"{verb} is not supported for model {servable.model!r}: its "
                                  "only signature, serving_default, uses method "
                                  "tensorflow/serving/predict; send the same instances to "
                                  ":predict")
        refuse.__name__ = verb
        return refuse

    async def malformed(request: Request) -> JSONBytes:
        raise InvalidArgument(f"Malformed request: {request.method} {request.url.path}; "
                              "TensorFlow Serving paths are GET /v1/models/{name}[/versions/{v}"
                              "|/labels/{l}][/metadata] and POST /v1/models/{name}"
                              "[/versions/{v}|/labels/{l}]:predict")

    common = errors(400, 404, 503)
    add_routes(routes, "GET", PREFIX, "", status, summary="Model version status",
               response_model=schemas.TfsStatusResponse, responses=common)
    add_routes(routes, "GET", PREFIX, "/metadata", metadata, summary="Model metadata",
               response_model=schemas.TfsMetadataResponse, responses=common)
    for verb in ("classify", "regress"):
        add_routes(routes, "POST", PREFIX, f":{verb}", refusal(verb), responses=common,
                   summary=f"{verb.capitalize()} (not supported: predict only)")
    for path in ("/v1/models", "/v1/models/{rest:path}"):
        routes.add_api_route(path, malformed, include_in_schema=False,
                             methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    return routes
