"""OpenAPI documentation of the TensorFlow Serving and Open Inference Protocol v2 bodies.

As for the native routes, bodies are parsed by hand (orjson + NumPy); these models only
describe them in /docs and /openapi.json.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Number = float
Parameters = dict[str, str | float | bool]


def inline_body(model: type[BaseModel]) -> dict:
    """openapi_extra documenting a hand-read JSON body, nested models inlined."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return {"requestBody": {"required": True,
                            "content": {"application/json": {"schema": resolve(schema)}}}}


# -- TensorFlow Serving ----------------------------------------------------------------------
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


# -- Open Inference Protocol v2 --------------------------------------------------------------
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
    shape: list[int] = Field(..., description="[n] or [n, 1]", examples=[[2, 1]])
    datatype: str = Field(..., description="FP32, FP64, FP16, INT8-64 or UINT8-64",
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
    data: list[Number] | None = None


class V2InferResponse(BaseModel):
    model_name: str
    model_version: str
    id: str
    outputs: list[V2ResponseOutput]


class V2ModelReady(BaseModel):
    name: str
    ready: bool
