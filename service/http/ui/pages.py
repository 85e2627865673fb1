"""The model browser's routes: `GET /` (every model), `GET /ui/models/{name}` (one model: its
versions with metrics, lineage and training reports, and a try-it form), each version's report
image and the pages' stylesheet and script.

None of these paths is on the API key's open list (service.http.paths): with API_KEY set they
need the key like /models in either scope, so the pages never show what the key protects."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from service.core.errors import NotFound
from service.core.status import model_status
from service.http.ui.render import HERE, render
from service.http.ui.views import REPORT, ModelView, model_view, report_path
from service.serving import ServingCore

# Only the app's own script, stylesheet and images, no inline script, no frame, no form post:
# a string from the repository that escaped the templates could still not run.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; connect-src 'self'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
ASSETS = {"ui.css": "text/css; charset=utf-8", "ui.js": "text/javascript; charset=utf-8",
          "icon.svg": "image/svg+xml"}


def page(request: Request, template: str, poll: str, status_code: int = 200,
         **values: object) -> HTMLResponse:
    base = request.scope.get("root_path", "")
    return HTMLResponse(render(template, base=base, poll=base + poll, **values),
                        status_code=status_code, headers=PAGE_HEADERS)


def models(core: ServingCore) -> list[ModelView]:
    return [describe(core, name) for name in sorted(core.manager.models)]


def describe(core: ServingCore, name: str) -> ModelView:
    record = core.manager.record(name)  # NotFound names the models there are
    return model_view(model_status(record), "; ".join(record.waiting_reasons()) or None)


def router(core: ServingCore) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    assets = {name: (HERE / "assets" / name).read_bytes() for name in ASSETS}

    @routes.get("/")
    async def index(request: Request) -> HTMLResponse:
        return page(request, "index.html", "/models", models=models(core),
                    repository=str(core.repository.root),
                    repository_error=core.poller.repository_error,
                    repository_problems=list(core.repository.problems))

    @routes.get("/ui/models/{name}")
    async def model(request: Request, name: str) -> HTMLResponse:
        try:
            found = describe(core, name)
        except NotFound as exc:
            return page(request, "missing.html", "/models", 404, message=exc.message)
        return page(request, "model.html", f"/models/{quote(name)}", model=found)

    @routes.get(f"/ui/models/{{name}}/versions/{{version:int}}/{REPORT}")
    async def report(name: str, version: int) -> FileResponse:
        servable = core.manager.record(name).versions.get(version)
        path = report_path(servable)
        if path is None:
            raise NotFound(f"model {name!r} has no version {version} with a training report "
                           f"({REPORT} in its directory)")
        return FileResponse(path, media_type="image/png",
                            headers={"X-Content-Type-Options": "nosniff"})

    @routes.get("/ui/assets/{asset}")
    async def asset(asset: str) -> Response:
        if asset not in assets:
            raise NotFound(f"no asset {asset!r}; the pages use {', '.join(ASSETS)}")
        return Response(assets[asset], media_type=ASSETS[asset],
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

    return routes
