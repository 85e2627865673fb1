"""Native routes: POST /predict/{model}, GET /models, GET /models/{name}."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from service.describe import model_view, models_view
from service.errors import BadRequest
from service.inference import OFFLOAD_BYTES, Prediction
from service.instances import columns_from_instances
from service.responses import JSONBytes, parse_json
from service.schemas import ERRORS, PredictRequest, PredictResponse, json_body
from service.validation import version_or_label

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


@router.post("/predict/{model}", response_model=PredictResponse, responses=ERRORS,
             openapi_extra=json_body(PredictRequest), summary="Predict with a model")
async def predict(request: Request, model: str,
                  version: str | None = Query(None, description="a version number"),
                  label: str | None = Query(None, description="a label such as stable")
                  ) -> JSONBytes:
    core = request.app.state.core
    request.state.model = model
    wanted_version, wanted_label = version_or_label(version, label)
    body = await request.body()
    large = len(body) > OFFLOAD_BYTES
    instances = await run_in_threadpool(instances_of, body) if large else instances_of(body)
    maybe_bool = b"true" in body or b"false" in body
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
