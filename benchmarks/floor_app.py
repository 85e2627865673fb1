"""A reference for the large-request row, not a target: the least one large request can cost
with the service's own JSON libraries.

It reads `{"instances": [...]}` with simdjson straight into a float64 buffer (as
service.protocols.flat_json does), stands in for the model with one float32 multiply-add in
NumPy (so its answer has as many digits, and about as many bytes, as the linear model's), and
writes the answer with orjson's float32 form (as the service does). No checks, no model, no
framework, no worker thread. `python -m benchmarks.floor_app PORT` serves it under the
service's uvicorn settings and its allocator setting (MEMORY_RETAIN_MIB's default: without it,
this app took some 860 page faults, 0.75 ms, per request).
"""

from __future__ import annotations

import sys

import numpy as np
import orjson
import simdjson

from benchmarks.asgi_app import bare_app

PARSER = simdjson.Parser()  # one request at a time: the event loop is its only user
SCALE, SHIFT = np.float32(1.9987), np.float32(0.9871)  # non-round: 7-9 digit answers


def predictions(body: bytes) -> np.ndarray:
    values = PARSER.parse(body).get("instances").as_buffer(of_type="d")
    return np.frombuffer(values, np.float64).astype(np.float32) * SCALE + SHIFT


def answer(model: str, body: bytes) -> bytes:
    return orjson.dumps({"model": model, "version": 1, "predictions": predictions(body)},
                        option=orjson.OPT_SERIALIZE_NUMPY)


app = bare_app(answer)

if __name__ == "__main__":
    from benchmarks.apps import serve
    from service.runtime.allocator import retain_freed_memory
    from service.settings import Settings

    retain_freed_memory(Settings.model_fields["memory_retain_mib"].default)
    serve(app, int(sys.argv[1]))
