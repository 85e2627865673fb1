"""The SavedModel's SignatureDef map as TensorFlow Serving prints it in `GET .../metadata`.

TensorFlow Serving answers with the JSON form of the `SignatureDefMap` proto stored in
`saved_model.pb` (every signature, proto field names, int64 sizes as strings, default values
printed). The same proto is read here, once per loaded version, in a worker thread. When the file
cannot be read (for example a version removed from disk but still served), the map is rebuilt
from the loaded signature with TensorFlow's naming conventions.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from pathlib import Path

from service.loader import SIGNATURE_KEY, SignatureInfo, TensorInfo
from service.servable import Servable

logger = logging.getLogger("service.protocols")
PREDICT_METHOD = "tensorflow/serving/predict"
MAX_PROTO_BYTES = 64 * 1024 * 1024
_cache: weakref.WeakKeyDictionary[Servable, dict] = weakref.WeakKeyDictionary()


_DT = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE",
       "bfloat16": "DT_BFLOAT16", "int8": "DT_INT8", "int16": "DT_INT16", "int32": "DT_INT32",
       "int64": "DT_INT64", "uint8": "DT_UINT8", "uint16": "DT_UINT16", "uint32": "DT_UINT32",
       "uint64": "DT_UINT64", "bool": "DT_BOOL", "string": "DT_STRING"}


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


def _tensor(tensor: TensorInfo, name: str) -> dict:
    return {"dtype": _DT.get(tensor.dtype, "DT_INVALID"),
            "tensor_shape": {"dim": [{"size": str(-1 if d is None else d), "name": ""}
                                     for d in tensor.shape], "unknown_rank": False},
            "name": name}


def rebuilt_signature_defs(info: SignatureInfo) -> dict:
    """The serving signature alone, tensor names as TensorFlow 2 exports them."""
    return {SIGNATURE_KEY: {
        "inputs": {t.name: _tensor(t, f"{SIGNATURE_KEY}_{t.name}:0") for t in info.inputs},
        "outputs": {t.name: _tensor(t, f"StatefulPartitionedCall:{i}")
                    for i, t in enumerate(info.outputs)},
        "method_name": PREDICT_METHOD, "defaults": {}}}


async def signature_defs(servable: Servable) -> dict:
    cached = _cache.get(servable)
    if cached is not None:
        return cached
    try:
        defs = await asyncio.to_thread(read_signature_defs, servable.path)
    except Exception as exc:  # unreadable or vanished file: describe the loaded signature
        logger.warning("%s version %d: saved_model.pb unreadable (%s); describing the loaded "
                       "signature", servable.model, servable.version, exc)
        assert servable.info is not None
        defs = rebuilt_signature_defs(servable.info)
    _cache[servable] = defs
    return defs
