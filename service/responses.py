"""JSON responses rendered by orjson (NumPy arrays serialised natively, no per-element loop)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class JSONBytes(Response):
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
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON: {exc}. The body must be one JSON object; NaN, "
                         "Infinity and numbers beyond the float64 range are not JSON") from None
    duplicate = duplicate_key(body, payload)
    if duplicate is not None:
        raise BadRequest(f"duplicate key {duplicate[:80]!r} in a JSON object: each key may "
                         "appear once")
    return payload


def _keys_lower_bound(payload: Any) -> int:
    """Object keys in the parsed value, skipping lists that start with a scalar or a list of
    scalars (rows of numbers), so the fast path stays fast. Never more than the true count."""
    count, stack = 0, [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list) and item:
            first = item[0]
            if isinstance(first, dict) and not any(isinstance(v, dict | list)
                                                   for v in first.values()):
                count += sum(len(d) for d in item if type(d) is dict)  # rows of objects
            elif isinstance(first, dict) or (isinstance(first, list) and first and
                                             isinstance(first[0], dict | list)):
                stack.extend(v for v in item if isinstance(v, dict | list))
    return count


def _more_colons_than(body: bytes, keys: int) -> bool:
    if keys > 64:
        return body.count(b":") > keys
    position = -1
    for _ in range(keys + 1):  # memchr-fast for the common one-key body
        position = body.find(b":", position + 1)
        if position < 0:
            return False
    return True


def duplicate_key(body: bytes, payload: Any) -> str | None:
    """A key that appears twice in one object (orjson silently keeps the last), or None.

    Every key in the text is followed by one colon, so when the parsed value holds (at least)
    as many keys as the body has colons, no key was dropped. Only otherwise (a colon inside a
    string, or a duplicate) is the body parsed again, slowly, to find out."""
    if not isinstance(payload, dict | list) or \
            not _more_colons_than(body, _keys_lower_bound(payload)):
        return None

    def pairs(items: list[tuple[str, Any]]) -> dict:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                raise _Duplicate(key)
            seen[key] = value
        return seen

    try:
        json.loads(body, object_pairs_hook=pairs)
    except _Duplicate as exc:
        return str(exc.args[0])
    except (ValueError, RecursionError):
        return None  # orjson accepted it; nothing more to learn
    return None


class _Duplicate(Exception):
    pass


async def send_error(send: Any, status: int, message: str,
                     headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """An {"error": ...} response sent straight from ASGI middleware."""
    body = error_body(message)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})
