"""Native routes: POST /predict/{model}, GET /models, GET /models/{name}."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from service.describe import model_view, models_view
from service.errors import BadRequest
from service.fastpath import mark_fast
from service.flat_json import flat_numbers
from service.inference import OFFLOAD_BYTES, Prediction
from service.instances import columns_from_instances, may_hold_booleans
from service.responses import JSONBytes, parse_json
from service.schemas import ERRORS, PredictRequest, PredictResponse, json_body
from service.validation import query_version_label, version_or_label

router = APIRouter(tags=["native"])


def predictions(prediction: Prediction) -> object:
    """One value per row for a single output; an object per row for several."""
    names = prediction.info.output_names
    if len(names) == 1:
        return prediction.outputs[names[0]]
    rows = zip(*(prediction.outputs[n].tolist() for n in names), strict=True)
    return [dict(zip(names, row, strict=True)) for row in rows]


def instances_of(body: bytes) -> list:
    payload = parse_json(body, non_finite=True)
    if not isinstance(payload, dict) or "instances" not in payload:
        raise BadRequest('the body must be a JSON object {"instances": [...]}')
    extra = [k for k in payload if k != "instances"]
    if extra:
        raise BadRequest(f"unknown field {extra[0]!r}; the body is {{\"instances\": [...]}}")
    return payload["instances"]


PREDICT_PARAMETERS = [
    {"name": "model", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "model name"},
    {"name": "version", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "a version number"},
    {"name": "label", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "a label such as stable"},
]


@router.post("/predict/{model}", response_model=PredictResponse, responses=ERRORS,
             openapi_extra={**json_body(PredictRequest), "parameters": PREDICT_PARAMETERS},
             summary="Predict with a model")
@mark_fast
async def predict(request: Request) -> JSONBytes:
    # Parameters are read by hand (and documented above): FastAPI's per-request parameter
    # solving costs more than the rest of this handler.
    core = request.app.state.core
    model = request.path_params["model"]
    request.state.model = model
    wanted_version, wanted_label = version_or_label(*query_version_label(request))
    body = await request.body()
    # A flat array of numbers is read at C speed here: a worker thread would hold the GIL for
    # the same time and add a hand-off. Other bodies of some size are parsed in a worker.
    instances: list | np.ndarray | None = flat_numbers(body, "instances")
    large = maybe_bool = False  # a flat array of numbers holds no booleans
    if instances is None:
        large = len(body) > OFFLOAD_BYTES
        instances = await run_in_threadpool(instances_of, body) if large else instances_of(body)
        maybe_bool = may_hold_booleans(body)
    result = await core.inference.predict(
        model, wanted_version, wanted_label,
        lambda info: columns_from_instances(instances, info.input_names,
                                            core.settings.max_instances, maybe_bool),
        offload=large)
    request.state.model, request.state.version = result.model, result.version
    return JSONBytes({"model": result.model, "version": result.version,
                      "predictions": predictions(result)})


@router.get("/models", summary="Every model, its versions, states, default version and labels")
async def list_models(request: Request) -> JSONBytes:
    return JSONBytes(models_view(request.app.state.core.registry))


@router.get("/models/{name}", responses={404: ERRORS[404]},
            summary="One model: signature, versions with state and error, metadata, labels")
async def describe_model(request: Request, name: str) -> JSONBytes:
    record = request.app.state.core.registry.record(name)
    return JSONBytes(model_view(record, detailed=True))
