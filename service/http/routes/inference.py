"""The inference routes of every protocol as one table: FastAPI declares them (OpenAPI, /docs,
routing of anything the fast path leaves alone) and the fast path answers them; both call the
same handler, service.http.predict.answer."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.http.predict import InferenceRoute, answer
from service.serving import ServingCore

PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
DESCRIPTIONS = {"model": "model name", "name": "model name", "version": "a version number",
                "label": "a label such as stable"}


def path_parameters(route: InferenceRoute) -> list[dict]:
    """OpenAPI parameters of a route's path template (the endpoint reads them itself)."""
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"},
             "description": DESCRIPTIONS[name]} for name in PARAMETER.findall(route.path)]


def endpoint(core: ServingCore, route: InferenceRoute) -> Callable[[Request],
                                                                   Awaitable[Response]]:
    async def predict(request: Request) -> Response:
        encoded = await answer(core, route, request.path_params, request.scope,
                               await request.body())
        return Response(encoded.body, media_type=encoded.content_type,
                        headers=dict(encoded.headers))
    predict.__name__ = f"{route.codec.name}_predict"
    return predict


def inference_router(core: ServingCore, routes: Sequence[InferenceRoute]) -> APIRouter:
    router = APIRouter()
    for route in routes:
        options = dict(route.openapi)
        extra = dict(options.pop("openapi_extra", {}))
        extra["parameters"] = path_parameters(route) + extra.get("parameters", [])
        router.add_api_route(route.path, endpoint(core, route), methods=["POST"],
                             summary=route.summary, openapi_extra=extra, **options)
    return router
