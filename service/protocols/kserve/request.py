"""Open Inference Protocol v2 inference requests: the JSON object (`id`, `parameters`,
`inputs`, `outputs`), optionally followed by binary tensor data (Inference-Header-Content-Length
gives the JSON object's length; each binary input says its `binary_data_size`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.core.errors import InvalidArgument
from service.core.types import Prediction, Signature, Tensors
from service.protocols.codec import Encoded
from service.protocols.columns import tensors_from_arrays
from service.protocols.json_body import parse_json, refuse_duplicate_keys
from service.protocols.kserve import tensors
from service.protocols.kserve.answer import AnswerForm, infer_answer
from service.protocols.kserve.metadata import EXTENSIONS
from service.protocols.rows import may_hold_booleans

REQUEST_FIELDS = ("id", "parameters", "inputs", "outputs")
KNOWN_FIELDS = frozenset(REQUEST_FIELDS)
UNSUPPORTED_PARAMETERS = ("shared_memory_region", "classification")
NO_PARAMETERS: dict = {}  # never modified


@dataclass(slots=True)
class InferRequest:
    arrays: dict[str, np.ndarray]  # as sent: the request's shapes and datatypes
    form: AnswerForm
    from_json: frozenset[str]  # inputs sent as JSON data: already checked as their datatype
    signature_name: str | None = None  # parameters.signature_name
    column_shape: bool = False  # [n, 1] was sent for a [-1] input: answer [n, 1] too

    def tensors(self, signature: Signature, max_rows: int) -> Tensors:
        outputs = self.form.outputs
        if outputs is not None:
            unknown = [n for n, _ in outputs if n not in signature.output_names]
            if unknown:
                raise InvalidArgument(f"unknown output {unknown[0]!r}; outputs are "
                                      f"{', '.join(signature.output_names)}")
        arrays = dict(self.arrays)
        for spec in signature.inputs:
            if spec.name in arrays:
                arrays[spec.name], lenient = tensors.for_signature(arrays[spec.name], spec)
                self.column_shape = self.column_shape or lenient
        return tensors_from_arrays(arrays, signature, max_rows, self.from_json)

    def encode(self, prediction: Prediction, request_id: str) -> Encoded:
        return infer_answer(prediction, self.form, self.column_shape, request_id)


def _split_body(body: bytes, header_length: str | None) -> tuple[bytes, bytes]:
    if header_length is None:
        return body, b""
    if not (header_length.isascii() and header_length.isdigit()) or \
            len(header_length) > 12 or int(header_length) > len(body):
        raise InvalidArgument(f"Inference-Header-Content-Length {header_length[:20]!r} is not a "
                              f"length within the {len(body)}-byte body")
    return body[:int(header_length)], body[int(header_length):]


def _parameters(holder: dict, where: str) -> dict:
    parameters = holder.get("parameters", NO_PARAMETERS)
    if parameters is NO_PARAMETERS:
        return parameters
    if not isinstance(parameters, dict):
        raise InvalidArgument(f"{where}: parameters must be an object")
    for name in UNSUPPORTED_PARAMETERS:
        if name in parameters:
            raise InvalidArgument(f"{where}: parameter {name!r} is not supported by this server "
                                  f"(extensions: {', '.join(EXTENSIONS)})")
    return parameters


def _inputs(payload: dict, tail: bytes,
            maybe_bool: bool) -> tuple[dict[str, np.ndarray], frozenset[str], int]:
    """The arrays by input name, the names of those sent as JSON data, and the object keys
    seen."""
    inputs = payload.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise InvalidArgument('"inputs" must be a non-empty array of {"name", "shape", "datatype", '
                              '"data"} objects')
    arrays: dict[str, np.ndarray] = {}
    offset, keys, binary = 0, 0, []
    for i, spec in enumerate(inputs):
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise InvalidArgument(f"inputs[{i}] must be an object with a string \"name\"")
        where = f"input {spec['name']!r}"
        if spec["name"] in arrays:
            raise InvalidArgument(f"{where} is given twice")
        shape = tensors.checked_shape(spec.get("shape"), where)
        dtype = tensors.checked_datatype(spec.get("datatype"), where)
        parameters = _parameters(spec, where)
        keys += len(spec) + len(parameters)
        size = parameters.get("binary_data_size")
        if size is None:
            arrays[spec["name"]] = tensors.from_json(spec.get("data"), shape, dtype,
                                                     spec["name"], maybe_bool)
        else:
            if isinstance(size, bool) or not isinstance(size, int) or size < 0 or \
                    offset + size > len(tail):
                raise InvalidArgument(f"{where}: binary_data_size {size!r} does not fit the "
                                      f"{len(tail)} bytes of binary data after the JSON header")
            arrays[spec["name"]] = tensors.from_binary(tail[offset:offset + size], shape,
                                                       dtype, where)
            offset += size
            binary.append(spec["name"])
    if offset != len(tail):
        raise InvalidArgument(f"{len(tail) - offset} bytes of binary data after the JSON header "
                              "belong to no input (binary_data_size)")
    return arrays, frozenset(arrays).difference(binary), keys


def _outputs(payload: dict) -> tuple[list[tuple[str, bool | None]] | None, int]:
    """The requested (name, binary) outputs, or None for all; and the object keys seen."""
    outputs = payload.get("outputs")
    if outputs is None:
        return None, 0
    if not isinstance(outputs, list):
        raise InvalidArgument('"outputs" must be an array of {"name"} objects')
    wanted, keys = [], 0
    for i, spec in enumerate(outputs):
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise InvalidArgument(f"outputs[{i}] must be an object with a string \"name\"")
        parameters = _parameters(spec, f"output {spec['name']!r}")
        keys += len(spec) + len(parameters)
        wanted.append((spec["name"], parameters.get("binary_data")))
    return wanted, keys


def infer_request(body: bytes, header_length: str | None) -> InferRequest:
    head, tail = _split_body(body, header_length)
    try:
        payload = parse_json(head, duplicates=False)
    except InvalidArgument:
        if header_length is None and b"binary_data_size" in body:
            raise InvalidArgument("binary tensor data needs the Inference-Header-Content-Length "
                                  "header: the length of the JSON object before it") from None
        raise
    try:
        request, keys = _validated(payload, head, tail)
    except InvalidArgument:
        refuse_duplicate_keys(head, payload)  # a duplicate key is reported before the rest
        raise
    # The keys counted while validating stand in for a walk over the parsed body.
    refuse_duplicate_keys(head, payload, keys)
    return request


def _validated(payload: object, head: bytes, tail: bytes) -> tuple[InferRequest, int]:
    """The request, and how many object keys validating it came across."""
    if not isinstance(payload, dict):
        raise InvalidArgument('the body must be a JSON object {"inputs": [...]} (optional: "id", '
                              '"parameters", "outputs")')
    if not payload.keys() <= KNOWN_FIELDS:
        unknown = next(k for k in payload if k not in KNOWN_FIELDS)
        raise InvalidArgument(f"unknown field {unknown!r}; fields are {', '.join(REQUEST_FIELDS)}")
    request_id = payload.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise InvalidArgument('"id" must be a string')
    parameters = _parameters(payload, "request")
    arrays, from_json, input_keys = _inputs(payload, tail, may_hold_booleans(head))
    outputs, output_keys = _outputs(payload)
    form = AnswerForm(request_id, outputs, bool(parameters.get("binary_data_output", False)))
    signature = parameters.get("signature_name")
    if signature is not None and not isinstance(signature, str):
        raise InvalidArgument('parameter "signature_name" must be a string')
    request = InferRequest(arrays, form, from_json, signature or None)
    return request, len(payload) + len(parameters) + input_keys + output_keys
