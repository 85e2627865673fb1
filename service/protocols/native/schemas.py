"""Request and response shapes, for validation-free documentation in OpenAPI.

Bodies are parsed with orjson and checked with NumPy (service.protocols.rows) for speed; these
models describe them in /docs and /openapi.json.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PredictRequest(BaseModel):
    instances: list[Any] = Field(
        ..., min_length=1,
        description="rows: a number (one-input models), a list in input order, an object "
                    "keyed by input name, or a tensor's batch row (nested lists)",
        examples=[[10.0], [{"celsius": 100.0}], [[6.0, 2.0, 3.0]]])


class PredictResponse(BaseModel):
    model: str
    version: int
    predictions: list[Any] = Field(..., description="one output row per instance, or an "
                                                    "object of output rows")
