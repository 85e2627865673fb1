"""The SavedModel's SignatureDefs (TensorFlow's own proto), kept with each loaded version for
TensorFlow Serving's metadata answers (REST prints their JSON, gRPC sends them).

They are read from `saved_model.pb` once per loaded version, at load time (in the loader's
thread). When the file cannot be read, they are rebuilt from the loaded signatures with
TensorFlow's naming conventions.
"""

from __future__ import annotations

import logging
from pathlib import Path

from service.core.types import Signature, TensorSpec

logger = logging.getLogger("service.loading")
PREDICT_METHOD = "tensorflow/serving/predict"
MAX_PROTO_BYTES = 64 * 1024 * 1024


def read_signature_defs(version_dir: Path) -> dict:
    """Signature name -> SignatureDef of the first MetaGraph in `saved_model.pb`."""
    from tensorflow.core.protobuf import saved_model_pb2

    path = version_dir / "saved_model.pb"
    if path.stat().st_size > MAX_PROTO_BYTES:
        raise ValueError(f"{path} is larger than {MAX_PROTO_BYTES} bytes")
    saved = saved_model_pb2.SavedModel()
    saved.ParseFromString(path.read_bytes())
    graph = saved.meta_graphs[0]
    return {name: graph.signature_def[name] for name in graph.signature_def}


def _tensor(tensor: TensorSpec, name: str):  # noqa: ANN202 - a TensorInfo proto
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2

    info = meta_graph_pb2.TensorInfo(name=name, dtype=tf.as_dtype(tensor.dtype).as_datatype_enum)
    for size in tensor.shape:
        info.tensor_shape.dim.add(size=-1 if size is None else size)
    return info


def rebuilt_signature_defs(signatures: dict[str, Signature]) -> dict:
    """The servable signatures as SignatureDefs, tensor names as TensorFlow 2 exports them."""
    from tensorflow.core.protobuf import meta_graph_pb2

    defs = {}
    for name, signature in signatures.items():
        proto = meta_graph_pb2.SignatureDef(method_name=PREDICT_METHOD)
        for t in signature.inputs:
            proto.inputs[t.name].CopyFrom(_tensor(t, f"{name}_{t.name}:0"))
        for i, t in enumerate(signature.outputs):
            proto.outputs[t.name].CopyFrom(_tensor(t, f"StatefulPartitionedCall:{i}"))
        defs[name] = proto
    return defs


def describe_signature_defs(version_dir: Path, signatures: dict[str, Signature]) -> dict:
    try:
        return read_signature_defs(version_dir)
    except Exception as exc:  # unreadable or vanished file: describe the loaded signatures
        logger.warning("%s: saved_model.pb unreadable (%s); describing the loaded signatures",
                       version_dir, exc)
        return rebuilt_signature_defs(signatures)
