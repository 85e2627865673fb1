"""Request and response shapes, for validation-free documentation in OpenAPI.

Bodies are parsed with orjson and checked with NumPy (service.instances) for speed; these
models describe them in /docs and /openapi.json.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

Instance = float | list[float] | dict[str, float]


class PredictRequest(BaseModel):
    instances: list[Instance] = Field(
        ..., min_length=1,
        description="rows: a number (one-input models), a list in input order, or an object "
                    "keyed by input name",
        examples=[[10.0], [{"celsius": 100.0}], [[6.0, 2.0, 3.0]]])


class PredictResponse(BaseModel):
    model: str
    version: int
    predictions: list[float | dict[str, float]]


class ErrorResponse(BaseModel):
    error: str = Field(..., description="what was wrong and what is accepted")


def json_body(model: type[BaseModel]) -> dict:
    """openapi_extra documenting a JSON request body the route reads itself."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


ERRORS: dict[int | str, dict] = {
    400: {"model": ErrorResponse, "description": "malformed JSON or invalid instances"},
    404: {"model": ErrorResponse, "description": "unknown model, version or label"},
    413: {"model": ErrorResponse, "description": "body or instance count over the limit"},
    422: {"model": ErrorResponse, "description": "the model's output is not finite"},
    503: {"model": ErrorResponse, "description": "model not ready, or server overloaded"},
}
