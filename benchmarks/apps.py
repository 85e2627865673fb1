"""Runs a comparison app under exactly the service's uvicorn settings."""

from __future__ import annotations

import uvicorn

from service.http.server import UVICORN_OPTIONS


def serve(app: object, port: int) -> None:
    uvicorn.run(app, host="127.0.0.1", port=port, lifespan="auto", **UVICORN_OPTIONS)
