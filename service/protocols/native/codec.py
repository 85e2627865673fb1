"""POST /predict/{model}: `{"instances": [...]}` in, `{"model", "version", "predictions"}` out.

Each instance is a number (one-input models), a list in input order, or an object keyed by input
name (service.protocols.rows). A flat array of numbers is read at C speed (flat_json).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.core.errors import InvalidArgument
from service.core.types import Prediction, Signature, Tensors
from service.protocols.answers import row_predictions
from service.protocols.codec import Encoded, Header
from service.protocols.flat_json import ObjectRows, flat_numbers, object_rows
from service.protocols.json_body import dumps, parse_json
from service.protocols.rows import may_hold_booleans, tensors_from_instances


@dataclass(frozen=True, slots=True)
class NativeRequest:
    instances: list | np.ndarray | ObjectRows  # read by NumPy or simdjson when they can
    maybe_bool: bool  # the body may hold true/false (NumPy would read them as 1 and 0)
    signature_name = None  # named by ?signature= in the URL (the address), if at all

    def tensors(self, signature: Signature, max_rows: int) -> Tensors:
        return tensors_from_instances(self.instances, signature, max_rows, self.maybe_bool)

    def encode(self, prediction: Prediction, request_id: str) -> Encoded:
        return Encoded(dumps({"model": prediction.model, "version": prediction.version,
                              "predictions": row_predictions(prediction)}))


def instances_of(body: bytes) -> list:
    payload = parse_json(body, non_finite=True)
    if not isinstance(payload, dict) or "instances" not in payload:
        raise InvalidArgument('the body must be a JSON object {"instances": [...]}')
    extra = [k for k in payload if k != "instances"]
    if extra:
        raise InvalidArgument(f"unknown field {extra[0]!r}; the body is {{\"instances\": [...]}}")
    return payload["instances"]


class NativeCodec:
    name = "native"

    def quick_decode(self, body: bytes, max_rows: int) -> NativeRequest | None:
        found = flat_numbers(body, "instances")
        if found is None:
            found = object_rows(body, "instances", max_rows)  # large bodies of row objects
        return None if found is None else NativeRequest(found, maybe_bool=False)

    def decode(self, body: bytes, header: Header, max_rows: int) -> NativeRequest:
        return NativeRequest(instances_of(body), may_hold_booleans(body))
