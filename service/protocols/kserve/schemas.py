"""OpenAPI documentation of the Open Inference Protocol v2 bodies.

Bodies are parsed by hand (orjson + NumPy); these models only describe them in /docs and
/openapi.json.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Parameters = dict[str, str | float | bool]


class V2ServerMetadata(BaseModel):
    name: str
    version: str
    extensions: list[str]


class V2Tensor(BaseModel):
    name: str
    datatype: str = Field(..., examples=["FP32"])
    shape: list[int] = Field(..., examples=[[-1, 1]])


class V2ModelMetadata(BaseModel):
    name: str
    versions: list[str]
    platform: str = Field(..., examples=["tensorflow_savedmodel"])
    inputs: list[V2Tensor]
    outputs: list[V2Tensor]


class V2RequestInput(BaseModel):
    name: str = Field(..., examples=["x"])
    shape: list[int] = Field(..., description="[n, ...]: the batch size, then the input's "
                                              "dimensions", examples=[[2, 1]])
    datatype: str = Field(..., description="BOOL, FP16, FP32, FP64, INT8-64 or UINT8-64 (cast "
                                           "to the input's dtype, range-checked)",
                          examples=["FP32"])
    parameters: Parameters | None = Field(None, description="binary_data_size for binary data")
    data: list[Any] | None = Field(None, description="flat or nested as the shape",
                                   examples=[[1.0, 2.0]])


class V2RequestOutput(BaseModel):
    name: str = Field(..., examples=["y"])
    parameters: Parameters | None = Field(None, description='{"binary_data": true} for binary')


class V2InferRequest(BaseModel):
    id: str | None = Field(None, examples=["42"])
    parameters: Parameters | None = None
    inputs: list[V2RequestInput]
    outputs: list[V2RequestOutput] | None = None


class V2ResponseOutput(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    parameters: Parameters | None = None
    data: list[Any] | None = Field(None, description="flat, row-major")


class V2InferResponse(BaseModel):
    model_name: str
    model_version: str
    id: str
    outputs: list[V2ResponseOutput]


class V2ModelReady(BaseModel):
    name: str
    ready: bool
