"""Open Inference Protocol v2 metadata: the server's, and each model's tensors."""

from __future__ import annotations

from service import __version__
from service.core.registry.records import ModelRecord
from service.core.registry.servable import Servable
from service.core.types import Signature, TensorSpec
from service.protocols.kserve import tensors

PLATFORM = "tensorflow_savedmodel"
SERVER_NAME = "dense-model-server"
EXTENSIONS = ["binary_tensor_data"]


def server_metadata() -> dict:
    return {"name": SERVER_NAME, "version": __version__, "extensions": EXTENSIONS}


def tensor_metadata(signature: Signature) -> dict:
    """Each tensor's datatype and shape, -1 for a dimension of any size."""
    def view(tensor: TensorSpec) -> dict:
        return {"name": tensor.name, "datatype": tensors.datatype_of(tensor.dtype),
                "shape": tensors.metadata_shape(tensor)}
    return {"inputs": [view(t) for t in signature.inputs],
            "outputs": [view(t) for t in signature.outputs]}


def model_metadata(record: ModelRecord, servable: Servable) -> dict:
    assert servable.signature is not None
    return {"name": servable.model,
            "versions": [str(s.version) for s in reversed(record.available())],
            "platform": PLATFORM, **tensor_metadata(servable.signature)}
