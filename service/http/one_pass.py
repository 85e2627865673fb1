"""The common inference request, answered in one pass in front of the whole middleware stack.

Through the stack, a prediction passes seven layers (Starlette's error layer, observability,
concurrency, deadline, body limit, fast path, and FastAPI's own), each a coroutine frame with
its own receive or send wrapper. This entry applies the same rules, from the same definitions,
in one frame: the request id and trace, the deadline, the body read, admission once the body
is in, the answer, errors, the memory budget's settling, metrics and the access log.

It takes a request only when nothing else of the stack has a say in it: a POST to an inference
route, with no root_path, a Content-Length of at most SMALL_BODY_BYTES (and MAX_REQUEST_BYTES)
and no Transfer-Encoding, an identity Content-Encoding, no Origin header when CORS is on, and an
API key that is valid or not needed. Any other request (one that gets 401, 413 or 415, a CORS
request, a chunked or large body, every other route) goes through the full stack unchanged.
Most requests it takes never reach the app at all: the connection layer runs this entry itself
(service.http.direct), below ASGI.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from starlette.types import Message, Receive, Scope, Send

from service.access import ApiKey
from service.budget import SMALL_BODY_BYTES
from service.core.errors import Busy, ServiceError
from service.core.types import Trace
from service.http.deadlines import Deadlines
from service.http.errors import error_response, internal_error, trusted
from service.http.fastpath import read_body
from service.http.middleware.limits import IDENTITY
from service.http.middleware.observability import RequestRecord, request_id_of
from service.http.paths import is_guarded
from service.http.predict import InferenceRoute, respond
from service.http.route_table import RouteTable
from service.serving import ServingCore


class OnePass:
    def __init__(self, core: ServingCore, routes: Sequence[InferenceRoute],
                 record: RequestRecord, deadlines: Deadlines) -> None:
        settings = core.settings
        self.core = core
        self.table = RouteTable(routes)
        self.record = record
        self.deadlines = deadlines
        self.max_body = min(SMALL_BODY_BYTES, settings.max_request_bytes)
        self.key = ApiKey(settings.api_key.get_secret_value()) if settings.api_key else None
        self.guard_all = settings.api_key_scope == "all"
        self.cors = bool(settings.cors_origins)

    def take(self, scope: Scope) -> tuple[InferenceRoute, dict] | None:
        """The route and path parameters when this entry answers the request, else None."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            return None
        length = authorization = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"authorization":
                authorization = value
            elif name == b"transfer-encoding" or (name == b"origin" and self.cors) or \
                    (name == b"content-encoding" and value.strip().lower() not in IDENTITY):
                return None
        if length is None or not length.isdigit() or int(length) > self.max_body:
            return None
        if self.key is not None and not self._admitted(scope, authorization):
            return None
        found = self.table.match(scope["path"])
        if found is not None:
            scope["route"] = found[0]  # its path_format labels the request's metrics
        return found

    def _admitted(self, scope: Scope, authorization: bytes | None) -> bool:
        """Whether the API key lets the request through (the stack answers 401 otherwise);
        notes in its state whether it may see repository details."""
        problem = self.key.problem(authorization)  # type: ignore[union-attr]
        scope.setdefault("state", {})["trusted"] = problem is None
        return problem is None or not is_guarded("POST", scope["path"], self.guard_all)

    async def __call__(self, route: InferenceRoute, params: dict, scope: Scope,
                       receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        request_id = state["request_id"] = request_id_of(scope)
        trace = state["trace"] = Trace()
        id_header = (b"x-request-id", request_id.encode("latin-1"))
        status = 0
        receiving = True
        admission = self.core.admission
        entered = False

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"].append(id_header)  # every sender here builds a new list
            await send(message)

        deadline = self.deadlines.start()
        try:
            body = await read_body(receive)
            receiving = False
            if body is None:
                return  # the client went away before sending its body: nobody to answer
            if not admission.enter():
                raise Busy(admission.busy_message())
            entered = True
            await respond(self.core, route, params, scope, body, send_with_id)
        except ServiceError as exc:
            await error_response(exc, trusted(state))(scope, receive, send_with_id)
        except asyncio.CancelledError:
            if not await self.deadlines.cancelled(deadline, send_with_id, status != 0,
                                                  receiving):
                raise
        except Exception:
            if status != 0:
                raise  # the answer has started: the server closes the connection
            await internal_error(scope["method"], scope["path"], request_id)(
                scope, receive, send)
            status = 500
        finally:
            if entered:
                admission.leave()
            self.deadlines.end(deadline)
            self.core.budget.settle(state)
            self.record(scope, request_id, trace, status or state.get("answered", 500),
                        time.perf_counter() - started)
