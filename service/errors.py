"""Domain errors carry their HTTP status; one handler renders them as {"error": "..."}."""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ServiceError):
    status_code = 400


class Unauthorized(ServiceError):
    status_code = 401


class NotFound(ServiceError):
    status_code = 404


class PayloadTooLarge(ServiceError):
    status_code = 413


class NotReady(ServiceError):
    status_code = 503


class Overloaded(ServiceError):
    status_code = 503


class RequestTimeout(ServiceError):
    status_code = 504


class PredictionFailed(ServiceError):
    """The model ran but its answer cannot be returned (e.g. a non-finite output)."""

    status_code = 422
