"""HTTP bodies: JSON answers rendered by orjson, and errors sent straight from ASGI middleware."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse
from starlette.types import Send

from service.protocols.codec import Encoded
from service.protocols.json_body import dumps

PIECE_BYTES = 256 * 1024
CLOSE = ((b"connection", b"close"),)
RETRY = ((b"retry-after", b"1"),)
Headers = tuple[tuple[bytes, bytes], ...]


class JSONBytes(JSONResponse):
    """A JSONResponse (so OpenAPI documents response models) rendered by orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def error_body(message: str) -> bytes:
    return orjson.dumps({"error": message})


async def send_error(send: Send, status: int, message: str,
                     headers: Headers = ()) -> None:
    """An {"error": ...} response sent straight from ASGI middleware."""
    await send_body(send, status, error_body(message), b"application/json", headers)


async def send_encoded(send: Send, encoded: Encoded, headers: Headers = ()) -> None:
    """A codec's answer, 200, with `headers` too, without building a Response object."""
    if encoded.headers:
        headers = (*((k.encode("latin-1"), v.encode("latin-1")) for k, v in encoded.headers),
                   *headers)
    await send_body(send, 200, encoded.body, encoded.content_type.encode("latin-1"), headers)


async def send_body(send: Send, status: int, body: bytes, content_type: bytes,
                    headers: Headers = ()) -> None:
    """A whole answer; a large one in pieces, each sent once the client has read enough of
    the last (the server's write buffer stays small, and the request counts as in flight,
    and under its deadline, until the client has its answer)."""
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(body)).encode()), *headers]})
    if len(body) <= PIECE_BYTES:
        await send({"type": "http.response.body", "body": body})
        return
    view = memoryview(body)
    for start in range(0, len(body), PIECE_BYTES):
        piece = view[start:start + PIECE_BYTES]
        await send({"type": "http.response.body", "body": piece,
                    "more_body": start + PIECE_BYTES < len(body)})
