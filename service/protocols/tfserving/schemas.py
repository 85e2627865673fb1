"""OpenAPI documentation of the TensorFlow Serving REST bodies.

Bodies are parsed by hand (orjson + NumPy); these models only describe them in /docs and
/openapi.json.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TfsPredictRequest(BaseModel):
    signature_name: str | None = Field(None, description="a signature of the model "
                                                         "(default serving_default)")
    instances: list[Any] | None = Field(
        None, description="row format: one batch row per instance (a number for shape [-1], "
                          "a list of k for [-1, k], nested lists for higher rank), or an "
                          "object with a row per input name; answers `predictions`",
        examples=[[1.0, 2.0, 5.0], [{"sugars": 6.0, "fibre": 2.0, "protein": 3.0}]])
    inputs: Any = Field(
        None, description="columnar format: each input's whole tensor (batch first), as an "
                          "object keyed by input name or bare for one input; answers `outputs`",
        examples=[[1.0, 2.0], {"sugars": [6.0], "fibre": [2.0], "protein": [3.0]}])


class TfsPredictResponse(BaseModel):
    predictions: list[Any] | None = Field(
        None, description="row requests: one output row per instance (one output), or an "
                          "object of output rows")
    outputs: Any = Field(
        None, description="columnar requests: the output tensor (one output) or an object of "
                          "tensors")


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
