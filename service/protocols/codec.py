"""What every protocol's predict codec provides, so one handler per transport serves them all.

A codec reads a request body into a `Decoded` request without knowing the version it is for
(that needs the registry); the core then resolves the version and asks the decoded request for
its tensors against that version's signature, runs them, and the decoded request encodes the
answer in its protocol's form. TensorFlow Serving's REST handler works the same way: it parses
the body with a callback for the signature and calls the same Predict as gRPC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from service.core.types import Prediction, Signature, Tensors

Header = Callable[[str], str | None]  # request header by lower-case name


@dataclass(frozen=True, slots=True)
class Encoded:
    """An answer ready for any transport."""

    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


class Decoded(Protocol):
    signature_name: str | None  # the signature the body names; None: the address's or default

    def tensors(self, signature: Signature, max_rows: int) -> Tensors:
        """The request's input tensors for `signature`; InvalidArgument or TooLarge if they
        do not fit it."""
        ...

    def encode(self, prediction: Prediction, request_id: str) -> Encoded: ...


class Codec(Protocol):
    name: str  # the protocol family: "native", "tfserving" or "kserve"

    def quick_decode(self, body: bytes, max_rows: int) -> Decoded | None:
        """The request when it is of a shape read straight into NumPy (service.protocols.
        flat_json: no Python object per value), or None to read it with `decode` (TooLarge
        beyond `max_rows` instances)."""
        ...

    def decode(self, body: bytes, header: Header, max_rows: int) -> Decoded:
        """The request, or InvalidArgument saying what is wrong and what is accepted (TooLarge
        as soon as it holds more than `max_rows` instances)."""
        ...
