"""OpenAPI helpers: the JSON error body, the error statuses routes document, and request bodies
that routes read themselves (documented, not validated by FastAPI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from service.core.types import Signature, TensorSpec


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



def _tensors(tensors: tuple[TensorSpec, ...]) -> str:
    return ", ".join(f"`{t.name}` {t.dtype}{list(-1 if d is None else d for d in t.shape)}"
                     for t in tensors)


def served_models_text(signatures: dict[str, Signature | None]) -> str:
    """A Markdown list of each model's default signature, for the /docs page."""
    lines = ["", "", "**Served models** (the default version's signature; -1: any size):", ""]
    for name, signature in sorted(signatures.items()):
        lines.append(f"- `{name}`: no available version" if signature is None else
                     f"- `{name}`: {_tensors(signature.inputs)} -> "
                     f"{_tensors(signature.outputs)}")
    return "\n".join(lines)


def describe_served_models(app: FastAPI, signatures: Callable[[], dict]) -> None:
    """Makes /openapi.json (and so /docs) end its description with the served models, as they
    are at each request (FastAPI caches the rest of the document)."""
    build = app.openapi

    def openapi() -> dict:
        schema = dict(build())
        schema["info"] = {**schema["info"], "description": app.description +
                          served_models_text(signatures())}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
