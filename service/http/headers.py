"""Reading request headers from the ASGI scope without building Starlette's Headers mapping."""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of header `name` (lower case, as ASGI servers give names), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def header_text(scope: Scope, name: str) -> str | None:
    value = header(scope, name.encode("latin-1"))
    return None if value is None else value.decode("latin-1")


def has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request's headers announce a body (a non-zero length, or chunks)."""
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False
