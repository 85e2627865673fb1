"""Loads SavedModels with `tf.saved_model.load` alone and reports what a server would see.

Run as a script in a fresh interpreter (never imported by the tests): it reads a JSON list of
`{"dir": PATH, "feeds": {INPUT: [numbers]}}` on stdin and writes one JSON object on stdout with,
per request, the signature keys, each input's and output's dtype and shape, and the answers of
`serving_default` to the feeds. Keras and the project's packages are made unimportable before
TensorFlow loads, so a SavedModel that needed either would fail here.
"""

import importlib
import json
import sys

BLOCKED = ("keras", "training", "service", "benchmarks")
for _name in BLOCKED:
    sys.modules[_name] = None  # `import keras` now raises ImportError, also inside TensorFlow

import tensorflow as tf  # noqa: E402


def _describe(specs: dict) -> dict:
    return {key: {"dtype": spec.dtype.name, "shape": spec.shape.as_list()}
            for key, spec in specs.items()}


def probe(request: dict) -> dict:
    loaded = tf.saved_model.load(request["dir"])
    serve = loaded.signatures["serving_default"]
    _, input_specs = serve.structured_input_signature
    feeds = {key: tf.constant(values, tf.float32) for key, values in request["feeds"].items()}
    answers = serve(**feeds)
    return {
        "signatures": sorted(loaded.signatures),
        "inputs": _describe(input_specs),
        "outputs": _describe(serve.structured_outputs),
        "answers": {key: value.numpy().tolist() for key, value in answers.items()},
    }


def unimportable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return True
    return False


def main() -> None:
    results = [probe(request) for request in json.load(sys.stdin)]
    json.dump({"results": results,
               "unimportable": [name for name in BLOCKED if unimportable(name)]}, sys.stdout)


if __name__ == "__main__":
    main()
