"""Validates identifiers that arrive in URLs and query strings (they never touch the disk)."""

from __future__ import annotations

from starlette.requests import Request

from modelrepo.layout import VERSION_RULE, is_version_name
from service.errors import BadRequest


def parse_version(text: str | None) -> int | None:
    if text is None:
        return None
    if not is_version_name(text):
        raise BadRequest(f"invalid version {text[:40]!r}: a version is {VERSION_RULE}")
    return int(text)


def version_or_label(version: str | None, label: str | None) -> tuple[int | None, str | None]:
    if version is not None and label is not None:
        raise BadRequest("give either a version or a label, not both")
    return parse_version(version), label


def query_version_label(request: Request) -> tuple[str | None, str | None]:
    """`?version=` and `?label=` from the query string (no parsing when there is none)."""
    if not request.scope["query_string"]:
        return None, None
    query = request.query_params
    return query.get("version"), query.get("label")
