"""Loads one SavedModel version: a cheap constructor, a heavy `load()`, a warm-up prediction.

Only `tf.saved_model.load` and the `serving_default` signature are used, so any SavedModel with
float inputs of shape [-1] (one value per row) can be served, whoever exported it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from service.core.loading.signature_call import Call, flat_call, keyword_call
from service.core.loading.signature_defs import describe_signature_defs
from service.core.types import SIGNATURE_KEY, Signature, Tensors, TensorSpec

MAX_METADATA_BYTES = 1024 * 1024


class LoadError(Exception):
    """A version could not be loaded or warmed; the message is its reason."""


def _tensor_spec(name: str, spec) -> TensorSpec:  # noqa: ANN001 - a tf.TensorSpec
    shape = tuple(spec.shape.as_list()) if spec.shape.rank is not None else ()
    return TensorSpec(name, spec.dtype.name, shape)


def read_metadata(version_dir: Path) -> dict:
    """The version's metadata.json, or {} when absent or unreadable (it is optional)."""
    path = version_dir / "metadata.json"
    try:
        if path.stat().st_size > MAX_METADATA_BYTES:
            return {}
        data = json.loads(path.read_bytes())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


class SavedModelLoader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.metadata: dict = {}
        self.signature: Signature | None = None
        self.signature_defs: dict = {}  # TensorFlow Serving's JSON of the SignatureDefMap
        self._loaded = None
        self.function = None  # the serving signature's TensorFlow ConcreteFunction
        self._call: Call | None = None

    def load(self) -> None:
        """Loads, checks the signature, and runs one warm-up prediction; raises LoadError."""
        import tensorflow as tf

        self.metadata = read_metadata(self.path)
        try:
            self._loaded = tf.saved_model.load(str(self.path))
        except Exception as exc:  # TensorFlow raises many types for a broken SavedModel
            raise LoadError(f"SavedModel could not be loaded: {_first_line(exc)}") from exc
        signatures = getattr(self._loaded, "signatures", {})
        if SIGNATURE_KEY not in signatures:
            raise LoadError(f"SavedModel has no {SIGNATURE_KEY!r} signature "
                            f"(has: {', '.join(signatures) or 'none'})")
        self.function = signatures[SIGNATURE_KEY]
        self.signature = self._describe()
        outputs = self.signature.output_names
        self._call = flat_call(self.function, outputs) or keyword_call(self.function, outputs)
        self._warm_up()
        self.signature_defs = describe_signature_defs(self.path, self.signature)

    def _describe(self) -> Signature:
        specs = self.function.structured_input_signature[1]
        outputs = self.function.structured_outputs
        declared = self.metadata.get("signature", {}).get("inputs", [])
        order = list(declared) if sorted(declared) == sorted(specs) else sorted(specs)
        for name in order:
            spec = specs[name]
            if not spec.dtype.is_floating or spec.shape.rank != 1:
                raise LoadError(f"input {name!r} is {spec.dtype.name} of shape {spec.shape}; "
                                "served inputs must be float vectors of shape [-1]")
        return Signature(tuple(_tensor_spec(n, specs[n]) for n in order),
                         tuple(_tensor_spec(n, outputs[n]) for n in sorted(outputs)))

    def _warm_up(self) -> None:
        columns = {t.name: np.zeros(1, np.float32) for t in self.signature.inputs}
        try:
            outputs = self.predict(columns)
        except Exception as exc:
            raise LoadError(f"warm-up prediction failed: {_first_line(exc)}") from exc
        for name, values in outputs.items():
            if values.shape[0] != 1:
                raise LoadError(f"warm-up prediction: output {name!r} has {values.shape[0]} rows "
                                "for 1 input row")

    def predict(self, tensors: Tensors) -> Tensors:
        """One signature call; tensors are equal-length float vectors keyed by input name."""
        assert self._call is not None, "load() first"
        return self._call(tensors)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]
