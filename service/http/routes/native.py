"""Native routes: POST /predict/{model} (in the inference table), GET /models and
GET /models/{name}."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter

from service.core.status import model_status
from service.core.types import Address
from service.http.openapi import ERRORS, documented_body, errors
from service.http.predict import InferenceRoute
from service.http.responses import JSONBytes
from service.protocols.address import address_of
from service.protocols.native.codec import NativeCodec
from service.protocols.native.schemas import PredictRequest, PredictResponse
from service.protocols.native.views import model_view, models_view
from service.serving import ServingCore

QUERY_PARAMETERS = [
    {"name": "version", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "a version number"},
    {"name": "label", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "a label such as stable"},
    {"name": "signature", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "a signature name (default serving_default)"},
]


def query_address(params: dict[str, str], query: bytes) -> Address:
    """`/predict/{model}?version=N` or `?label=L`, and `&signature=S` (the last value of each
    counts)."""
    if not query:
        return Address(params["model"])
    values = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    return address_of(params["model"], values.get("version"), values.get("label"),
                      values.get("signature"))


INFERENCE = [InferenceRoute(
    "/predict/{model}", NativeCodec(), query_address, "Predict with a model",
    {"tags": ["native"], "response_model": PredictResponse, "responses": ERRORS,
     "openapi_extra": {**documented_body(PredictRequest), "parameters": QUERY_PARAMETERS}})]


def router(core: ServingCore) -> APIRouter:
    routes = APIRouter(tags=["native"])

    @routes.get("/models", summary="Every model, its versions, states, default version and "
                                   "labels")
    async def list_models() -> JSONBytes:
        return JSONBytes(models_view(core.manager, core.repository.root,
                                     core.poller.repository_error, core.repository.problems))

    @routes.get("/models/{name}", responses=errors(404),
                summary="One model: signature, versions with state and error, metadata, labels")
    async def describe_model(name: str) -> JSONBytes:
        return JSONBytes(model_view(model_status(core.manager.record(name)), detailed=True))

    return routes
