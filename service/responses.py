"""JSON responses rendered by orjson (NumPy arrays serialised natively, no per-element loop)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class JSONBytes(JSONResponse):
    """A JSONResponse (so OpenAPI documents response models) rendered by orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=OPTIONS)


def error_body(message: str) -> bytes:
    return orjson.dumps({"error": message})


def parse_json(body: bytes) -> Any:
    """orjson.loads with an error that says what is accepted."""
    from service.errors import BadRequest

    if not body:
        raise BadRequest("empty request body: send a JSON object")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON: {exc}. The body must be one JSON object; NaN, "
                         "Infinity and numbers beyond the float64 range are not JSON") from None
