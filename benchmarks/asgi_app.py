"""A reference row, not a target: the ceiling app's answer as a bare ASGI callable, no framework.

It shows what uvicorn and orjson alone cost, so the table separates HTTP from FastAPI's own
per-request machinery (which the service's inference routes bypass; see service/fastpath.py).
`python -m benchmarks.asgi_app PORT` serves it under the service's uvicorn settings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import orjson
from starlette.types import ASGIApp

READY = b'{"status":"ready"}'
JSON = [(b"content-type", b"application/json")]


def bare_app(answer: Callable[[str, bytes], bytes]) -> ASGIApp:
    """An ASGI app answering GET with READY and a POST to /.../{model} with
    `answer(model, body)`."""

    async def app(scope: dict, receive, send) -> None:  # noqa: ANN001 - the ASGI callables
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = READY
        if scope["method"] == "POST":
            chunks, more = [], True
            while more:
                message = await receive()
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = answer(scope["path"].rsplit("/", 1)[-1], b"".join(chunks))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*JSON, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


def echo(model: str, body: bytes) -> bytes:
    return orjson.dumps({"model": model, "version": 1,
                         "predictions": orjson.loads(body)["instances"]})


app = bare_app(echo)

if __name__ == "__main__":
    from benchmarks.apps import serve

    serve(app, int(sys.argv[1]))
