"""TensorFlow Serving's gRPC status and metadata messages: GetModelStatusResponse (the states
and error codes its REST status shows) and GetModelMetadataResponse (the SignatureDefMap)."""

from __future__ import annotations

from service.core.errors import InvalidArgument
from service.core.registry.manager import ModelManager
from service.core.registry.servable import Servable
from service.core.types import Address
from service.protocols.tfserving.status import addressed_statuses, version_view

SIGNATURE_DEF = "signature_def"


def model_status_response(manager: ModelManager, address: Address):  # noqa: ANN201
    from tensorflow_serving.apis import get_model_status_pb2, status_pb2

    answer = get_model_status_pb2.GetModelStatusResponse()
    states = get_model_status_pb2.ModelVersionStatus.State
    codes = status_pb2.StatusProto.DESCRIPTOR.fields_by_name["error_code"].enum_type
    for status in addressed_statuses(manager, address):
        view = version_view(status)
        entry = answer.model_version_status.add(version=status.version,
                                                state=states.Value(view["state"]))
        entry.status.error_code = codes.values_by_name[view["status"]["error_code"]].number
        entry.status.error_message = view["status"]["error_message"]
    return answer


def model_metadata_response(servable: Servable, fields: list[str]):  # noqa: ANN201
    from tensorflow_serving.apis import get_model_metadata_pb2

    if not fields:
        raise InvalidArgument("GetModelMetadataRequest must specify at least one "
                              f"metadata_field (supported: {SIGNATURE_DEF})")
    unsupported = [f for f in fields if f != SIGNATURE_DEF]
    if unsupported:
        raise InvalidArgument(f"Metadata field {unsupported[0]} is not supported (supported: "
                              f"{SIGNATURE_DEF})")
    answer = get_model_metadata_pb2.GetModelMetadataResponse()
    answer.model_spec.name = servable.model
    answer.model_spec.version.value = servable.version
    defs = get_model_metadata_pb2.SignatureDefMap()
    for name, proto in servable.signature_defs.items():
        defs.signature_def[name].CopyFrom(proto)
    answer.metadata[SIGNATURE_DEF].Pack(defs)
    return answer
