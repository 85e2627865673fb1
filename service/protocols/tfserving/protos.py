"""TensorFlow Serving's gRPC messages (tensorflow_serving.apis) <-> the core: PredictRequest
inputs as TensorProtos in every encoding (`tensor_content`, the typed `*_val` fields, one value
filling the whole shape), read by TensorFlow's own `make_ndarray`; answers as TensorProtos."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from service.core.errors import InvalidArgument, TooLarge
from service.core.types import Address, Prediction, Signature, Tensors
from service.protocols.columns import tensors_from_arrays


def address_of(spec) -> Address:  # noqa: ANN001 - a ModelSpec
    """The version a ModelSpec names: latest, `version` or `version_label`."""
    if not spec.name:
        raise InvalidArgument("model_spec.name is empty: name the model to use")
    if spec.HasField("version"):
        if spec.version.value < 1:
            raise InvalidArgument(f"model_spec.version {spec.version.value} is not a version: "
                                  "versions are positive integers")
        return Address(spec.name, spec.version.value, None, spec.signature_name or None)
    return Address(spec.name, None, spec.version_label or None, spec.signature_name or None)


def array_of(name: str, proto, max_elements: int) -> np.ndarray:  # noqa: ANN001 - TensorProto
    """One input's array; its element count is checked first (one value may fill a shape)."""
    import tensorflow as tf

    dims = [d.size for d in proto.tensor_shape.dim]
    if any(d < 0 for d in dims):
        raise InvalidArgument(f"input {name!r}: tensor_shape {dims} has a negative size")
    if math.prod(dims) > max_elements:
        raise TooLarge(f"input {name!r}: tensor_shape {dims} holds {math.prod(dims)} values, "
                       f"more than the limit of {max_elements} (MAX_REQUEST_BYTES)")
    try:
        return tf.make_ndarray(proto)
    except Exception as exc:  # TensorFlow raises several types for a malformed TensorProto
        raise InvalidArgument(f"input {name!r}: the TensorProto cannot be read ({exc}); give "
                              "tensor_content or typed values matching tensor_shape") from None


def tensor_proto(values: np.ndarray):  # noqa: ANN201 - a TensorProto
    import tensorflow as tf

    return tf.make_tensor_proto(values)


@dataclass(slots=True)
class GrpcPredict:
    """A decoded PredictRequest."""

    address: Address
    arrays: dict[str, np.ndarray]
    output_filter: tuple[str, ...]
    signature_name = None  # in the ModelSpec: the address carries it

    def tensors(self, signature: Signature, max_rows: int) -> Tensors:
        unknown = [n for n in self.output_filter if n not in signature.output_names]
        if unknown:
            raise InvalidArgument(f"output_filter: output tensor alias {unknown[0]!r} not found "
                                  f"in signature; outputs are {', '.join(signature.output_names)}")
        return tensors_from_arrays(self.arrays, signature, max_rows)

    def response(self, prediction: Prediction):  # noqa: ANN201 - a PredictResponse
        from tensorflow_serving.apis import predict_pb2

        answer = predict_pb2.PredictResponse()
        answer.model_spec.name = prediction.model
        answer.model_spec.version.value = prediction.version
        answer.model_spec.signature_name = prediction.signature.name
        for name in self.output_filter or prediction.signature.output_names:
            answer.outputs[name].CopyFrom(tensor_proto(prediction.outputs[name]))
        return answer


def predict_request(request, max_elements: int) -> GrpcPredict:  # noqa: ANN001
    address = address_of(request.model_spec)
    arrays = {name: array_of(name, proto, max_elements) for name, proto in request.inputs.items()}
    return GrpcPredict(address, arrays, tuple(request.output_filter))
