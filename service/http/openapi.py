"""OpenAPI helpers: the JSON error body, the error statuses routes document, request bodies that
routes read themselves (documented, not validated by FastAPI), and the finishing of the document:
the statuses every route can answer, the API key's Bearer scheme, the served models."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from service.core.types import Signature, TensorSpec
from service.http.paths import UNLIMITED, is_guarded


class ErrorResponse(BaseModel):
    error: str = Field(..., description="what was wrong and what is accepted")


ERRORS: dict[int | str, dict] = {
    400: {"model": ErrorResponse, "description": "invalid request: malformed JSON, invalid "
                                                 "instances or parameters"},
    404: {"model": ErrorResponse, "description": "unknown model, version or label"},
    413: {"model": ErrorResponse, "description": "body or instance count over the limit"},
    422: {"model": ErrorResponse, "description": "the model's output is not finite"},
    503: {"model": ErrorResponse, "description": "model not ready, or server overloaded"},
}
ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
# What the middleware answers, on any route it applies to (service.http.middleware).
TIMEOUT = {"504": "not answered within REQUEST_TIMEOUT_SECONDS"}
BODY = {"408": "headers or body not received within HEADER_TIMEOUT_SECONDS or "
               "BODY_TIMEOUT_SECONDS",
        "413": "body over MAX_REQUEST_BYTES", "415": "a Content-Encoding other than identity"}
# What the connection layer answers on every route (service.http.edge).
CONNECTION = {"400": "malformed HTTP request (request line, header or chunked framing)",
              "431": "request line and headers over MAX_HEADER_BYTES"}
BUSY = {"503": "server overloaded (MAX_CONCURRENCY requests in flight, MAX_CONNECTIONS "
               "connections open or MAX_INFLIGHT_BYTES of bodies being read; Retry-After: 1) "
               "or shutting down"}
UNAUTHORIZED = "no API key, or a wrong one: send Authorization: Bearer <key>"
BEARER = "bearerAuth"


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


def transport_errors(method: str, path: str) -> dict[str, str]:
    """The error statuses the middleware may answer on this operation, with why."""
    statuses = {**CONNECTION, **TIMEOUT, **({} if path in UNLIMITED else BUSY)}
    return {**statuses, **BODY} if method == "post" else statuses


def true_errors(document: dict) -> None:
    """FastAPI documents `422 HTTPValidationError` on every operation with parameters, but the
    app answers invalid parameters with 400 `{"error"}` (service.http.errors): drop it, and add
    the middleware's statuses, every error with the one error body."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if "HTTPValidationError" in str(responses.get("422")):
                del responses["422"]
            for status, why in transport_errors(method, path).items():
                responses.setdefault(status, {"description": why, "content": ERROR_BODY})
            operation["responses"] = dict(sorted(responses.items()))
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def require_key(document: dict, guard_all: bool) -> None:
    """The Bearer scheme (Swagger UI's Authorize button) on the operations the key guards."""
    document.setdefault("components", {})["securitySchemes"] = {BEARER: {
        "type": "http", "scheme": "bearer",
        "description": "the server's API_KEY, sent as Authorization: Bearer <key>"}}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if is_guarded(method.upper(), path, guard_all):
                operation["security"] = [{BEARER: []}]
                operation["responses"] = dict(sorted({**operation["responses"], "401": {
                    "description": UNAUTHORIZED, "content": ERROR_BODY}}.items()))


def document_api(app: FastAPI, signatures: Callable[[], dict], key_scope: str | None) -> None:
    """Makes /openapi.json (and so /docs) state the real error statuses, the Bearer scheme when
    an API key is set (`key_scope` is its scope, None without a key), and end its description
    with the served models as they are at each request, unless the document is open while
    /models needs the key (FastAPI caches the rest)."""
    build = app.openapi
    finished: dict = {}

    def openapi() -> dict:
        if not finished:
            document = copy.deepcopy(build())
            true_errors(document)
            if key_scope is not None:
                require_key(document, key_scope == "all")
            finished.update(document)
        hidden = key_scope is not None and not is_guarded("GET", "/openapi.json",
                                                          key_scope == "all")
        listing = ("\n\nThe served models are listed at /models, which needs the API key."
                   if hidden else served_models_text(signatures()))
        return {**finished, "info": {**finished["info"],
                                     "description": app.description + listing}}

    app.openapi = openapi  # type: ignore[method-assign]
