"""Loads one SavedModel version: a cheap constructor, a heavy `load()`, a warm-up prediction.

Only `tf.saved_model.load` and the `serving_default` signature are used, so any SavedModel with
float inputs of shape [-1] (one value per row) can be served, whoever exported it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from service.errors import ServiceError
from service.signature_call import Call, flat_call, keyword_call

SIGNATURE_KEY = "serving_default"
MAX_METADATA_BYTES = 1024 * 1024


class LoadError(ServiceError):
    """A version could not be loaded or warmed; the message is its reason."""


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: str  # numpy name, e.g. "float32"
    shape: tuple[int | None, ...]


@dataclass(frozen=True)
class SignatureInfo:
    inputs: tuple[TensorInfo, ...]  # in the order clients list values
    outputs: tuple[TensorInfo, ...]

    # Read on every request: computed once (cached_property writes the instance's __dict__
    # directly, which a frozen dataclass allows).
    @cached_property
    def input_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.inputs)

    @cached_property
    def output_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.outputs)

    @cached_property
    def output_dtypes(self) -> dict[str, str]:
        """Output name -> NumPy dtype name."""
        return {t.name: t.dtype for t in self.outputs}


def _tensor_info(name: str, spec) -> TensorInfo:
    shape = tuple(spec.shape.as_list()) if spec.shape.rank is not None else ()
    return TensorInfo(name, spec.dtype.name, shape)


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
        self.signature = None
        self.info: SignatureInfo | None = None
        self._loaded = None
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
        self.signature = signatures[SIGNATURE_KEY]
        self.info = self._describe()
        outputs = self.info.output_names
        self._call = flat_call(self.signature, outputs) or keyword_call(self.signature, outputs)
        self._warm_up()

    def _describe(self) -> SignatureInfo:
        specs = self.signature.structured_input_signature[1]
        outputs = self.signature.structured_outputs
        declared = self.metadata.get("signature", {}).get("inputs", [])
        order = list(declared) if sorted(declared) == sorted(specs) else sorted(specs)
        for name in order:
            spec = specs[name]
            if not spec.dtype.is_floating or spec.shape.rank != 1:
                raise LoadError(f"input {name!r} is {spec.dtype.name} of shape {spec.shape}; "
                                "served inputs must be float vectors of shape [-1]")
        return SignatureInfo(tuple(_tensor_info(n, specs[n]) for n in order),
                             tuple(_tensor_info(n, outputs[n]) for n in sorted(outputs)))

    def _warm_up(self) -> None:
        columns = {t.name: np.zeros(1, np.float32) for t in self.info.inputs}
        try:
            outputs = self.predict(columns)
        except Exception as exc:
            raise LoadError(f"warm-up prediction failed: {_first_line(exc)}") from exc
        for name, values in outputs.items():
            if values.shape[0] != 1:
                raise LoadError(f"warm-up prediction: output {name!r} has {values.shape[0]} rows "
                                "for 1 input row")

    def predict(self, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One signature call; columns are equal-length float vectors keyed by input name."""
        assert self._call is not None, "load() first"
        return self._call(columns)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]
