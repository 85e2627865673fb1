"""The HTTP ceiling: a bare FastAPI app with the service's request body shape and no model.

It parses `{"instances": [...]}` with orjson and answers the instances back in the service's
response shape, under the service's uvicorn settings, so a benchmark against it measures what
HTTP, routing and JSON alone cost. `python -m benchmarks.ceiling_app PORT` serves it.
"""

from __future__ import annotations

import sys

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response

app = FastAPI()


@app.post("/predict/{model}")
async def predict(request: Request, model: str) -> Response:
    payload = orjson.loads(await request.body())
    body = {"model": model, "version": 1, "predictions": payload["instances"]}
    return Response(orjson.dumps(body), media_type="application/json")


@app.get("/health/ready")
async def ready() -> Response:
    return Response(b'{"status":"ready"}', media_type="application/json")


if __name__ == "__main__":
    from benchmarks.apps import serve

    serve(app, int(sys.argv[1]))
