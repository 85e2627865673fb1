"""The memory budget: reservations up to the limit, Busy beyond it with nothing held; a body
read under BodyLimitMiddleware holds its bytes until the request ends, except a small one."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from service.budget import SMALL_BODY_BYTES, MemoryBudget
from service.core.errors import Busy
from service.http.middleware.limits import BodyLimitMiddleware


def test_reservations_add_up_to_the_limit_and_no_further() -> None:
    budget = MemoryBudget(100)
    budget.reserve(60)
    with pytest.raises(Busy, match=r"60 of 100 bytes .*\(MAX_INFLIGHT_BYTES\)"):
        budget.reserve(41)
    assert budget.held == 60  # the refused reservation holds nothing
    budget.reserve(40)
    budget.release(100)
    assert budget.held == 0


def client_over(budget: MemoryBudget, seen: list[int]) -> TestClient:
    async def echo(request: Request) -> JSONResponse:
        seen.append(budget.held)
        return JSONResponse({"bytes": len(await request.body())})

    app = Starlette(routes=[Route("/echo", echo, methods=["POST"])])
    return TestClient(BodyLimitMiddleware(app, 1 << 30, budget))


def test_a_large_body_is_held_while_its_request_lasts() -> None:
    budget, seen = MemoryBudget(1 << 20), []
    answer = client_over(budget, seen).post("/echo", content=b"x" * 200_000)
    assert answer.json() == {"bytes": 200_000}
    assert seen == [200_000] and budget.held == 0


def test_a_spent_budget_refuses_large_bodies_but_not_small_ones() -> None:
    budget, seen = MemoryBudget(1 << 20), []
    budget.reserve(1 << 20)  # an attacker's bodies hold it all
    client = client_over(budget, seen)
    large = client.post("/echo", content=b"x" * (SMALL_BODY_BYTES + 1))
    small = client.post("/echo", content=b"x" * SMALL_BODY_BYTES)
    assert large.status_code == 503 and large.headers["retry-after"] == "1"
    assert "MAX_INFLIGHT_BYTES" in large.json()["error"]
    assert small.json() == {"bytes": SMALL_BODY_BYTES}
