"""gRPC's mapping of the core's error kinds to status codes, in one place (as TensorFlow Serving
maps them: unknown model or version NOT_FOUND, a bad request INVALID_ARGUMENT, a version that
cannot answer now UNAVAILABLE)."""

from __future__ import annotations

import grpc

from service.core.errors import Kind

CODES = {Kind.INVALID_ARGUMENT: grpc.StatusCode.INVALID_ARGUMENT,
         Kind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
         Kind.TOO_LARGE: grpc.StatusCode.RESOURCE_EXHAUSTED,
         Kind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
         Kind.UNPROCESSABLE: grpc.StatusCode.OUT_OF_RANGE,
         Kind.BUSY: grpc.StatusCode.RESOURCE_EXHAUSTED}
