"""Domain errors carry their HTTP status; one handler renders them as {"error": "..."}."""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 500
    headers: dict[str, str] = {}  # sent with the error response

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ServiceError):
    status_code = 400


class Unauthorized(ServiceError):
    status_code = 401
    headers = {"WWW-Authenticate": 'Bearer realm="models"'}


class NotFound(ServiceError):
    status_code = 404


class PayloadTooLarge(ServiceError):
    status_code = 413
    headers = {"Connection": "close"}  # do not read the rest of an oversized body


class NotReady(ServiceError):
    status_code = 503


class Overloaded(ServiceError):
    status_code = 503
    headers = {"Retry-After": "1"}


class RequestTimeout(ServiceError):
    status_code = 504


class PredictionFailed(ServiceError):
    """The model ran but its answer cannot be returned (e.g. a non-finite output)."""

    status_code = 422
