"""TensorFlow Serving REST predict (its api_rest.md): `instances` (row format) answers
`predictions`; `inputs` (columnar) answers `outputs`. One output: its bare list; several: a list
of objects (row) or an object of lists (columnar)."""

from __future__ import annotations

from dataclasses import dataclass

from service.core.errors import InvalidArgument
from service.core.types import Prediction, Signature, Tensors
from service.protocols.answers import row_predictions
from service.protocols.codec import Encoded, Header
from service.protocols.columns import tensors_from_inputs
from service.protocols.flat_json import object_rows
from service.protocols.json_body import dumps, parse_json
from service.protocols.rows import may_hold_booleans, tensors_from_instances


@dataclass(frozen=True, slots=True)
class PredictRequest:
    signature_name: str | None
    columnar: bool
    values: object  # the value of "instances" or of "inputs"
    maybe_bool: bool

    def tensors(self, signature: Signature, max_rows: int) -> Tensors:
        if self.columnar:
            return tensors_from_inputs(self.values, signature, max_rows, self.maybe_bool)
        return tensors_from_instances(self.values, signature, max_rows, self.maybe_bool)

    def encode(self, prediction: Prediction, request_id: str) -> Encoded:
        if not self.columnar:
            return Encoded(dumps({"predictions": row_predictions(prediction)}))
        names = prediction.signature.output_names
        if len(names) == 1:
            return Encoded(dumps({"outputs": prediction.outputs[names[0]]}))
        return Encoded(dumps({"outputs": {name: prediction.outputs[name] for name in names}}))


class TfsCodec:
    name = "tfserving"

    def quick_decode(self, body: bytes, max_rows: int) -> PredictRequest | None:
        rows = object_rows(body, "instances", max_rows)  # large bodies of row objects
        return None if rows is None else PredictRequest(None, False, rows, False)

    def decode(self, body: bytes, header: Header, max_rows: int) -> PredictRequest:
        payload = parse_json(body)
        if not isinstance(payload, dict):
            raise InvalidArgument('the body must be a JSON object with "instances" (row format) '
                                  'or "inputs" (columnar format), and optionally '
                                  '"signature_name"')
        signature = payload.get("signature_name", "")
        if not isinstance(signature, str):
            raise InvalidArgument("'signature_name' key must be a string value")
        if ("instances" in payload) == ("inputs" in payload):
            raise InvalidArgument("send exactly one of 'instances' (row format) or 'inputs' "
                                  "(columnar format)" + ("; got both" if "inputs" in payload
                                                         else ""))
        columnar = "inputs" in payload
        if not columnar and isinstance(payload["instances"], list) and not payload["instances"]:
            raise InvalidArgument("No values in 'instances' array: send at least one instance")
        return PredictRequest(signature or None, columnar,
                              payload["inputs" if columnar else "instances"],
                              may_hold_booleans(body))
