"""OpenAPI documentation of the TensorFlow Serving REST bodies.

Bodies are parsed by hand (orjson + NumPy); these models only describe them in /docs and
/openapi.json.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Number = float


class TfsPredictRequest(BaseModel):
    signature_name: str | None = Field(None, description='only "serving_default" exists')
    instances: list[Number | list[Number] | dict[str, Number]] | None = Field(
        None, description="row format: one number per instance (one input), or an object "
                          "keyed by input name; answers `predictions`",
        examples=[[1.0, 2.0, 5.0], [{"sugars": 6.0, "fibre": 2.0, "protein": 3.0}]])
    inputs: list[Number] | dict[str, list[Number]] | None = Field(
        None, description="columnar format: a list (one input) or an object of lists keyed by "
                          "input name; answers `outputs`",
        examples=[[1.0, 2.0], {"sugars": [6.0], "fibre": [2.0], "protein": [3.0]}])


class TfsPredictResponse(BaseModel):
    predictions: list[Number | dict[str, Number]] | None = Field(
        None, description="row requests: a value per instance (one output) or an object")
    outputs: list[Number] | dict[str, list[Number]] | None = Field(
        None, description="columnar requests: a list (one output) or an object of lists")


class TfsStatus(BaseModel):
    error_code: str = Field(..., examples=["OK"])
    error_message: str


class TfsVersionStatus(BaseModel):
    version: str = Field(..., examples=["1"])
    state: str = Field(..., description="START, LOADING, AVAILABLE, UNLOADING or END")
    status: TfsStatus


class TfsStatusResponse(BaseModel):
    model_version_status: list[TfsVersionStatus]


class TfsModelSpec(BaseModel):
    name: str
    signature_name: str
    version: str


class TfsMetadataResponse(BaseModel):
    model_spec: TfsModelSpec
    metadata: dict[str, Any] = Field(..., description='{"signature_def": {"signature_def": '
                                                      '{name: SignatureDef}}}')
