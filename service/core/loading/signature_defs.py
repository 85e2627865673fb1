"""The SavedModel's SignatureDef map in the JSON form TensorFlow Serving prints in metadata.

TensorFlow Serving answers `GET .../metadata` with the JSON of the `SignatureDefMap` proto stored
in `saved_model.pb` (every signature, proto field names, int64 sizes as strings, default values
printed). The same proto is read once per loaded version, at load time (in the loader's thread).
When the file cannot be read, the map is rebuilt from the loaded signature with TensorFlow's
naming conventions.
"""

from __future__ import annotations

import logging
from pathlib import Path

from service.core.types import Signature, TensorSpec

logger = logging.getLogger("service.loading")
PREDICT_METHOD = "tensorflow/serving/predict"
MAX_PROTO_BYTES = 64 * 1024 * 1024
DATA_TYPES = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE",
              "bfloat16": "DT_BFLOAT16", "int8": "DT_INT8", "int16": "DT_INT16",
              "int32": "DT_INT32", "int64": "DT_INT64", "uint8": "DT_UINT8",
              "uint16": "DT_UINT16", "uint32": "DT_UINT32", "uint64": "DT_UINT64",
              "bool": "DT_BOOL", "string": "DT_STRING"}


def read_signature_defs(version_dir: Path) -> dict:
    """SignatureDefMap of the first MetaGraph in `saved_model.pb`, as TF Serving's JSON."""
    from google.protobuf import json_format
    from tensorflow.core.protobuf import saved_model_pb2

    path = version_dir / "saved_model.pb"
    if path.stat().st_size > MAX_PROTO_BYTES:
        raise ValueError(f"{path} is larger than {MAX_PROTO_BYTES} bytes")
    saved = saved_model_pb2.SavedModel()
    saved.ParseFromString(path.read_bytes())
    graph = saved.meta_graphs[0]
    return {name: json_format.MessageToDict(graph.signature_def[name],
                                            preserving_proto_field_name=True,
                                            always_print_fields_with_no_presence=True)
            for name in graph.signature_def}


def _tensor(tensor: TensorSpec, name: str) -> dict:
    return {"dtype": DATA_TYPES.get(tensor.dtype, "DT_INVALID"),
            "tensor_shape": {"dim": [{"size": str(-1 if d is None else d), "name": ""}
                                     for d in tensor.shape], "unknown_rank": False},
            "name": name}


def rebuilt_signature_defs(signatures: dict[str, Signature]) -> dict:
    """The servable signatures, tensor names as TensorFlow 2 exports them."""
    return {name: {
        "inputs": {t.name: _tensor(t, f"{name}_{t.name}:0") for t in signature.inputs},
        "outputs": {t.name: _tensor(t, f"StatefulPartitionedCall:{i}")
                    for i, t in enumerate(signature.outputs)},
        "method_name": PREDICT_METHOD, "defaults": {}} for name, signature in signatures.items()}


def describe_signature_defs(version_dir: Path, signatures: dict[str, Signature]) -> dict:
    try:
        return read_signature_defs(version_dir)
    except Exception as exc:  # unreadable or vanished file: describe the loaded signature
        logger.warning("%s: saved_model.pb unreadable (%s); describing the loaded signature",
                       version_dir, exc)
        return rebuilt_signature_defs(signatures)
