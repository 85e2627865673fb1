"""Open Inference Protocol v2 over REST (kserve/open-inference-protocol inference_rest.md):
model metadata and the inference response (JSON, or JSON header + binary tensor data)."""

from __future__ import annotations

import orjson

from service.inference import Prediction
from service.loader import SignatureInfo
from service.protocols import v2_tensors as tensors
from service.protocols.v2_request import InferRequest
from service.registry import ModelRegistry
from service.servable import Servable

PLATFORM = "tensorflow_savedmodel"


def tensor_metadata(info: SignatureInfo) -> dict:
    """Every tensor is one value per row, advertised as `[-1, 1]` (`[n]` is accepted too)."""
    def view(tensor) -> dict:
        return {"name": tensor.name, "datatype": tensors.datatype_of(tensor.dtype),
                "shape": [-1, 1]}
    return {"inputs": [view(t) for t in info.inputs], "outputs": [view(t) for t in info.outputs]}


def model_metadata(registry: ModelRegistry, servable: Servable) -> dict:
    record = registry.record(servable.model)
    assert servable.info is not None
    return {"name": servable.model, "versions": [str(s.version) for s in
                                                 reversed(record.available())],
            "platform": PLATFORM, **tensor_metadata(servable.info)}


def infer_answer(prediction: Prediction, request: InferRequest,
                 request_id: str) -> tuple[bytes, int | None]:
    """The response body, and the JSON header's length when binary outputs follow it."""
    info = prediction.info
    wanted = request.outputs or [(n, None) for n in info.output_names]
    outputs, blobs = [], []
    for name, binary in wanted:
        values = prediction.outputs[name]
        rows = len(values)
        datatype = tensors.datatype_of(info.output_dtypes[name])
        entry = {"name": name, "shape": [rows, 1] if request.column_shape else [rows],
                 "datatype": datatype}
        if request.binary_default if binary is None else binary:
            blobs.append(tensors.to_binary(values, datatype))
            entry["parameters"] = {"binary_data_size": len(blobs[-1])}
        else:
            entry["data"] = values
        outputs.append(entry)
    head = orjson.dumps({"model_name": prediction.model, "model_version": str(prediction.version),
                         "id": request.id if request.id is not None else request_id,
                         "outputs": outputs}, option=orjson.OPT_SERIALIZE_NUMPY)
    return (head + b"".join(blobs), len(head)) if blobs else (head, None)
