"""The optional API key, checked the same way by every transport: `Bearer <key>` in the HTTP
`Authorization` header (or the gRPC `authorization` metadata), compared as SHA-256 digests with
hmac.compare_digest (constant time, and no length leak)."""

from __future__ import annotations

import hashlib
import hmac
from enum import Enum


class KeyProblem(Enum):
    MISSING = "this route needs an API key: send the header Authorization: Bearer <key>"
    INVALID = "invalid API key"


def _digest(secret: bytes) -> bytes:
    return hashlib.sha256(secret).digest()  # equal lengths: compare_digest leaks nothing


class ApiKey:
    def __init__(self, key: str) -> None:
        self._digest = _digest(key.encode())

    def problem(self, authorization: bytes | None) -> KeyProblem | None:
        """None when `authorization` carries the key; else what is wrong with it."""
        scheme, _, token = (authorization or b"").partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip():
            return KeyProblem.MISSING
        if not hmac.compare_digest(_digest(token.strip()), self._digest):
            return KeyProblem.INVALID
        return None
