"""OpenAPI helpers: the JSON error body, the error statuses routes document, and request bodies
that routes read themselves (documented, not validated by FastAPI)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorResponse(BaseModel):
    error: str = Field(..., description="what was wrong and what is accepted")


ERRORS: dict[int | str, dict] = {
    400: {"model": ErrorResponse, "description": "malformed JSON or invalid instances"},
    404: {"model": ErrorResponse, "description": "unknown model, version or label"},
    413: {"model": ErrorResponse, "description": "body or instance count over the limit"},
    422: {"model": ErrorResponse, "description": "the model's output is not finite"},
    503: {"model": ErrorResponse, "description": "model not ready, or server overloaded"},
}


def errors(*statuses: int) -> dict[int | str, dict]:
    return {status: ERRORS[status] for status in statuses}


def documented_body(model: type[BaseModel]) -> dict:
    """openapi_extra documenting a hand-read JSON body, nested models inlined."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return {"requestBody": {"required": True,
                            "content": {"application/json": {"schema": resolve(schema)}}}}
