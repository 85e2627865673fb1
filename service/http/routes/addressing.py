"""How the standard protocols address a model in the URL: latest, `/versions/{v}` or
`/labels/{l}`. A GET handler is registered once per form; the form's dependency reads and
validates the path parameters, so /docs shows exactly the parameters each path takes."""

# No `from __future__ import annotations`: FastAPI must see the per-form Depends() at runtime.

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from service.core.types import Address
from service.protocols.address import address_of


class SegmentConvertor(Convertor[str]):
    """A path segment without ':' (TensorFlow Serving's `[^/:]+`), so `{name}:predict` never
    reads `linear:predict` as a model name."""

    regex = "[^/:]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("segment", SegmentConvertor())
NAME = Path(..., description="model name", examples=["linear"])
VERSION = Path(..., description="a version number", examples=["1"])
LABEL = Path(..., description="a label such as stable", examples=["stable"])


def latest(name: str = NAME) -> Address:
    return Address(name)


def by_version(name: str = NAME, version: str = VERSION) -> Address:
    return address_of(name, version)


def by_label(name: str = NAME, label: str = LABEL) -> Address:
    return Address(name, label=label)


FORMS = {"": latest, "/versions/{version:segment}": by_version,
         "/labels/{label:segment}": by_label}
Handler = Callable[[Address], Awaitable[Response]]


def _bind(handler: Handler, form: Callable[..., Address]) -> Callable[..., Awaitable[Response]]:
    async def endpoint(address: Annotated[Address, Depends(form)]) -> Response:
        return await handler(address)

    endpoint.__name__ = f"{handler.__name__}_{form.__name__}"
    endpoint.__doc__ = handler.__doc__
    return endpoint


def add_routes(router: APIRouter, method: str, prefix: str, suffix: str, handler: Handler,
               forms: tuple[str, ...] = tuple(FORMS), **options: object) -> None:
    """`{prefix}{form}{suffix}` for each addressing form, e.g. /v1/models/{name} +
    /versions/{version} + /metadata."""
    for form in forms:
        router.add_api_route(f"{prefix}{form}{suffix}", _bind(handler, FORMS[form]),
                             methods=[method], **options)


def path_address(params: dict[str, str], query: bytes) -> Address:
    """The address in a standard protocol's predict path."""
    return address_of(params["name"], params.get("version"), params.get("label"))
