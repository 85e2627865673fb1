"""Domain errors, each tagged by a kind; every transport maps kinds to its own status codes
(service/http/errors.py for HTTP) in one place."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar


class Kind(Enum):
    INVALID_ARGUMENT = "invalid argument"  # the request is wrong; resending it cannot help
    NOT_FOUND = "not found"  # no such model, version or label
    TOO_LARGE = "too large"  # over a size or count limit
    UNAVAILABLE = "unavailable"  # not servable now; retrying later may work
    UNPROCESSABLE = "unprocessable"  # the model ran, but its answer cannot be returned
    BUSY = "busy"  # the server is at a limit of its own; retrying shortly may work


class ServiceError(Exception):
    """`message` says what was wrong; `detail` (appended to it) reveals the repository: model,
    version and label lists, load errors. Transports show the detail only to clients the API
    key scope allows to see the repository (every client when there is no key)."""

    kind: ClassVar[Kind]

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message + detail)
        self.public_message = message
        self.message = message + detail

    def text(self, trusted: bool) -> str:
        return self.message if trusted else self.public_message


class InvalidArgument(ServiceError):
    kind = Kind.INVALID_ARGUMENT


class NotFound(ServiceError):
    kind = Kind.NOT_FOUND


class TooLarge(ServiceError):
    kind = Kind.TOO_LARGE


class Unavailable(ServiceError):
    kind = Kind.UNAVAILABLE


class PredictionFailed(ServiceError):
    """The model ran but its answer cannot be returned (e.g. a non-finite output)."""

    kind = Kind.UNPROCESSABLE


class Busy(ServiceError):
    """At MAX_CONCURRENCY or MAX_INFLIGHT_BYTES: refused at once rather than queued."""

    kind = Kind.BUSY
