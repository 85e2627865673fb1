"""The HTTP ceiling: a bare FastAPI app with our request body shape and no model.

It parses `{"instances": [...]}` with orjson and answers the instances back in our response
shape, so a benchmark against it measures what HTTP, routing and JSON alone cost.
"""

from __future__ import annotations

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


@app.get("/health/live")
async def live() -> Response:
    return Response(b'{"status":"live"}', media_type="application/json")
