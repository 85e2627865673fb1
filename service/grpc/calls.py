"""One interceptor around every unary gRPC call, doing for gRPC what the HTTP middleware does:
a request id (`x-request-id` metadata, echoed in the trailers), the API key (`authorization`
metadata), MAX_CONCURRENCY shared with HTTP, the request deadline (the client's, capped by
REQUEST_TIMEOUT_SECONDS), domain errors mapped to status codes, one access-log line and the
request metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from contextvars import ContextVar

import grpc

from service.access import ApiKey
from service.accesslog import AccessLog
from service.core.errors import ServiceError
from service.core.types import Trace
from service.grpc.access import HEALTH, guarded
from service.grpc.errors import CODES
from service.request_ids import request_id
from service.serving import ServingCore

logger = logging.getLogger("service.grpc")
TRACE: ContextVar[Trace] = ContextVar("trace")  # the current call's, for the servicers
CALL_ID: ContextVar[str] = ContextVar("call_id", default="")
REQUEST_ID_KEY = "x-request-id"


def current_trace() -> Trace:
    return TRACE.get(Trace())


def current_request_id() -> str:
    return CALL_ID.get()


class CallInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, core: ServingCore, access_log: AccessLog | None) -> None:
        settings = core.settings
        self.core = core
        self.access_log = access_log
        self.timeout = settings.request_timeout_seconds
        self.key = ApiKey(settings.api_key.get_secret_value()) if settings.api_key else None
        self.scope = settings.api_key_scope

    async def intercept_service(self, continuation, details):  # noqa: ANN001, ANN201
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler  # streams: health's Watch and reflection, neither guarded nor counted
        behaviour, method = handler.unary_unary, details.method
        metadata = {k: v for k, v in (details.invocation_metadata or ()) if isinstance(v, str)}

        async def call(request, context):  # noqa: ANN001, ANN202
            return await self._call(behaviour, method, metadata, request, context)

        return grpc.unary_unary_rpc_method_handler(
            call, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)

    async def _call(self, behaviour, method: str, metadata: dict, request,  # noqa: ANN001
                    context):  # noqa: ANN001, ANN202
        started, trace = time.perf_counter(), Trace()
        token = TRACE.set(trace)
        request_id = _request_id(metadata)
        id_token = CALL_ID.set(request_id)
        context.set_trailing_metadata(((REQUEST_ID_KEY, request_id),))
        code = grpc.StatusCode.OK
        try:
            return await self._admitted(behaviour, method, metadata, request, context)
        except _Refused as refused:
            code = refused.code
            await context.abort(code, refused.message)
        except asyncio.CancelledError:
            code = grpc.StatusCode.CANCELLED
            raise
        except Exception:
            code = grpc.StatusCode.INTERNAL
            logger.exception("unhandled error on %s id=%s", method, request_id)
            await context.abort(code, f"internal error; the request id {request_id} finds it "
                                "in the log")
        finally:
            TRACE.reset(token)
            CALL_ID.reset(id_token)
            self._record(method, code, time.perf_counter() - started, request_id, trace)

    async def _admitted(self, behaviour, method: str, metadata: dict, request,  # noqa: ANN001
                        context):  # noqa: ANN001, ANN202
        problem = None if self.key is None else \
            self.key.problem(metadata.get("authorization", "").encode("latin-1"))
        if problem is not None and guarded(method, self.scope):
            raise _Refused(grpc.StatusCode.UNAUTHENTICATED, problem.value)
        counted = not method.startswith(HEALTH)
        if counted and not self.core.admission.enter():
            raise _Refused(grpc.StatusCode.RESOURCE_EXHAUSTED, self.core.admission.busy_message())
        budget = self._budget(context)
        try:
            async with asyncio.timeout(budget):
                return await behaviour(request, context)
        except ServiceError as exc:  # repository details only for a client with the key
            raise _Refused(CODES[exc.kind], exc.text(problem is None)) from None
        except TimeoutError:
            raise _Refused(grpc.StatusCode.DEADLINE_EXCEEDED, f"request took longer than "
                           f"{budget:g} s (the client's deadline or REQUEST_TIMEOUT_SECONDS)"
                           ) from None
        finally:
            if counted:
                self.core.admission.leave()

    def _budget(self, context) -> float:  # noqa: ANN001
        remaining = context.time_remaining()
        return self.timeout if remaining is None else max(0.0, min(self.timeout, remaining))

    def _record(self, method: str, code: grpc.StatusCode, seconds: float, request_id: str,
                trace: Trace) -> None:
        self.core.metrics.observe_request(trace.model, trace.version, method, code.name, seconds)
        if self.access_log is not None:
            self.access_log.record("gRPC", method, code.name, seconds, request_id, trace.model,
                                   trace.version)


class _Refused(Exception):
    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _request_id(metadata: dict) -> str:
    return request_id(metadata.get(REQUEST_ID_KEY))
