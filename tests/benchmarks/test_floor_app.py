"""The large-request floor app answers what the table says it does: the instances read by
simdjson, one float32 multiply-add, in the service's answer shape (served for real by
`make bench-smoke`)."""

from __future__ import annotations

import asyncio

import numpy as np
import orjson

from benchmarks import floor_app


def test_predictions_are_the_instances_through_one_float32_multiply_add() -> None:
    instances = [round(i * 0.001 - 50, 3) for i in range(5000)]
    found = floor_app.predictions(orjson.dumps({"instances": instances}))
    expected = np.asarray(instances, np.float32) * floor_app.SCALE + floor_app.SHIFT
    assert found.dtype == np.float32
    np.testing.assert_array_equal(found, expected)


def test_app_answers_in_the_service_shape_with_float32_forms() -> None:
    sent: list[dict] = []
    body = orjson.dumps({"instances": [1.5, -2.25, 10]})
    messages = iter([{"type": "http.request", "body": body[:9], "more_body": True},
                     {"type": "http.request", "body": body[9:], "more_body": False}])

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/predict/linear"}
    asyncio.run(floor_app.app(scope, receive, send))
    answer = orjson.loads(sent[1]["body"])
    assert sent[0]["status"] == 200
    assert answer["model"] == "linear" and answer["version"] == 1
    expected = np.asarray([1.5, -2.25, 10], np.float32) * floor_app.SCALE + floor_app.SHIFT
    assert answer["predictions"] == [float(str(v)) for v in expected]
