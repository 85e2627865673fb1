"""JSON responses rendered by orjson (NumPy arrays serialised natively, no per-element loop)."""

from __future__ import annotations

import json
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


NON_FINITE_TOKENS = (b"NaN", b"Infinity", b"-Infinity")


def _at_non_finite(body: bytes, exc: orjson.JSONDecodeError) -> bool:
    """True when orjson stopped at NaN, Infinity or a number beyond the float64 range."""
    if "infinity" in exc.msg:
        return True
    around = body[max(exc.pos - 1, 0):exc.pos + 9]
    return any(token in around for token in NON_FINITE_TOKENS)


def parse_json(body: bytes, non_finite: bool = False) -> Any:
    """orjson.loads with an error that says what is accepted.

    `non_finite=True`: a body whose only fault is a NaN, Infinity or 1e999 token is read with
    the standard library instead (which maps them to floats), so that the caller's validation
    can reject the value naming the instance it is in."""
    from service.errors import BadRequest

    if not body:
        raise BadRequest("empty request body: send a JSON object")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if non_finite and _at_non_finite(body, exc):
            try:
                return json.loads(body)
            except (ValueError, RecursionError):
                pass
        raise BadRequest(f"malformed JSON: {exc}. The body must be one JSON object; NaN, "
                         "Infinity and numbers beyond the float64 range are not JSON") from None
