"""The Open Inference Protocol over gRPC (inference.GRPCInferenceService, the messages of
tritonclient's generated protos) <-> the core. Inputs come as typed `contents` or as
`raw_input_contents` (little-endian, row-major, one entry per input); answers carry
`raw_output_contents`, as Triton's and KServe's servers send them. Decoded requests are the
REST codec's InferRequest, so both transports check inputs alike."""

from __future__ import annotations

import math

import numpy as np
from google.protobuf import json_format

from service.core.errors import InvalidArgument, TooLarge
from service.core.types import Address, Prediction
from service.protocols.address import parse_version
from service.protocols.kserve import tensors
from service.protocols.kserve.answer import AnswerForm
from service.protocols.kserve.request import InferRequest
from service.protocols.values import cast

CONTENTS = {"BOOL": "bool_contents", "INT8": "int_contents", "INT16": "int_contents",
            "INT32": "int_contents", "INT64": "int64_contents", "UINT8": "uint_contents",
            "UINT16": "uint_contents", "UINT32": "uint_contents", "UINT64": "uint64_contents",
            "FP32": "fp32_contents", "FP64": "fp64_contents"}  # FP16: raw contents only


def address_of(model: str, version: str) -> Address:
    return Address(model, parse_version(version or None))


def _array(tensor, raw: bytes | None, max_elements: int) -> np.ndarray:  # noqa: ANN001
    where = f"input {tensor.name!r}"
    dtype = tensors.checked_datatype(tensor.datatype, where)
    shape = tensors.checked_shape(list(tensor.shape), where)
    if math.prod(shape) > max_elements:
        raise TooLarge(f"{where}: shape {shape} holds {math.prod(shape)} values, more than the "
                       f"limit of {max_elements} (MAX_REQUEST_BYTES)")
    if raw is not None:
        return tensors.from_binary(raw, shape, dtype, where)
    field = CONTENTS.get(tensor.datatype)
    if field is None:
        raise InvalidArgument(f"{where}: {tensor.datatype} has no typed contents; send it in "
                              "raw_input_contents")
    values = getattr(tensor.contents, field)
    if len(values) != math.prod(shape):
        raise InvalidArgument(f"{where}: contents has {len(values)} values but shape {shape} "
                              f"holds {math.prod(shape)}")
    array = np.asarray(values, dtype=bool if dtype == "bool" else None).reshape(shape)
    return cast(array, dtype, lambda index: f"{where}, element {list(index)}")


def infer_request(request, max_elements: int) -> tuple[Address, InferRequest]:  # noqa: ANN001
    raw = list(request.raw_input_contents)
    if raw and len(raw) != len(request.inputs):
        raise InvalidArgument(f"raw_input_contents has {len(raw)} entries for "
                              f"{len(request.inputs)} inputs: give one per input, in order")
    arrays = {}
    for i, tensor in enumerate(request.inputs):
        if tensor.name in arrays:
            raise InvalidArgument(f"input {tensor.name!r} is given twice")
        arrays[tensor.name] = _array(tensor, raw[i] if raw else None, max_elements)
    if not arrays:
        raise InvalidArgument("inputs is empty: send at least one input tensor")
    signature = request.parameters["signature_name"].string_param \
        if "signature_name" in request.parameters else None
    outputs = [(o.name, True) for o in request.outputs] or None
    form = AnswerForm(request.id or None, outputs, True)
    return address_of(request.model_name, request.model_version), \
        InferRequest(arrays, form, frozenset(), signature or None)


def infer_response(prediction: Prediction, request: InferRequest,
                   request_id: str):  # noqa: ANN201 - a ModelInferResponse
    from tritonclient.grpc import service_pb2

    answer = service_pb2.ModelInferResponse(
        model_name=prediction.model, model_version=str(prediction.version),
        id=request.form.id if request.form.id is not None else request_id)
    wanted = [n for n, _ in request.form.outputs or ()] or prediction.signature.output_names
    for name in wanted:
        values = prediction.outputs[name]
        datatype = tensors.datatype_of(prediction.signature.output_dtypes[name])
        shape = list(values.shape) + ([1] if request.column_shape and values.ndim == 1 else [])
        answer.outputs.add(name=name, datatype=datatype, shape=shape)
        answer.raw_output_contents.append(tensors.to_binary(values, datatype))
    return answer


def message(view: dict, message_type):  # noqa: ANN001, ANN201 - a proto class and instance
    """A metadata view (the REST JSON) as its gRPC message."""
    return json_format.ParseDict(view, message_type(), ignore_unknown_fields=True)
