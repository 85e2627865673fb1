"""Open Inference Protocol v2 inference answers (kserve/open-inference-protocol
inference_rest.md): JSON, or a JSON header followed by binary tensor data."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from service.core.types import Prediction
from service.protocols.codec import Encoded
from service.protocols.kserve import tensors

HEADER_LENGTH = "inference-header-content-length"


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs 0.7 us, this 0.25
class AnswerForm:
    """How the request asked to be answered (never changed once made)."""

    id: str | None
    outputs: list[tuple[str, bool | None]] | None  # requested (name, binary or default)
    binary_default: bool


def infer_answer(prediction: Prediction, request: AnswerForm, column_shape: bool,
                 request_id: str) -> Encoded:
    """The answer: JSON, or a JSON header of the stated length and the binary outputs.
    `column_shape`: the request sent `[n, 1]` for a `[-1]` input, so rank-1 outputs are
    answered as `[n, 1]` too."""
    info = prediction.signature
    wanted = request.outputs or [(n, None) for n in info.output_names]
    outputs, blobs = [], []
    for name, binary in wanted:
        values = prediction.outputs[name]
        datatype = tensors.datatype_of(info.output_dtypes[name])
        shape = list(values.shape)
        if column_shape and values.ndim == 1:
            shape.append(1)
        entry = {"name": name, "shape": shape, "datatype": datatype}
        if request.binary_default if binary is None else binary:
            blobs.append(tensors.to_binary(values, datatype))
            entry["parameters"] = {"binary_data_size": len(blobs[-1])}
        else:
            # JSON data is flat, row-major (reshape costs 0.25 us: not for what is flat already)
            entry["data"] = values if values.ndim == 1 else values.reshape(-1)
        outputs.append(entry)
    head = orjson.dumps({"model_name": prediction.model, "model_version": str(prediction.version),
                         "id": request.id if request.id is not None else request_id,
                         "outputs": outputs}, option=orjson.OPT_SERIALIZE_NUMPY)
    if not blobs:
        return Encoded(head)
    return Encoded(head + b"".join(blobs), "application/octet-stream",
                   ((HEADER_LENGTH, str(len(head))),))
