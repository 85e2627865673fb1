"""Loads one SavedModel version: a cheap constructor, a heavy `load()`, a warm-up prediction.

Only `tf.saved_model.load` and the SavedModel's signatures are used, so any SavedModel whose
signatures take and give batched number or boolean tensors (signatures.py) can be served,
whoever exported it: Keras' `model.export`, `tf.saved_model.save`, or this project's trainer.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from service.core.loading.call_cost import inline_values
from service.core.loading.session_call import MAX_FROZEN_BYTES, session_call, writes_state
from service.core.loading.signature_call import Call, flat_call, keyword_call, single_threaded
from service.core.loading.signature_defs import describe_signature_defs
from service.core.loading.signatures import Unservable, describe
from service.core.types import SIGNATURE_KEY, Signature, Tensors

logger = logging.getLogger("service.loading")
MAX_METADATA_BYTES = 1024 * 1024
MAX_GRAPH_BYTES = 1024 * 1024 * 1024  # saved_model.pb holds the graph; weights are in variables/


class LoadError(Exception):
    """A version could not be loaded or warmed; the message is its reason."""


def read_metadata(version_dir: Path) -> tuple[dict, str | None]:
    """The version's metadata.json ({} when absent: it is optional), and why it was ignored
    when it is there but cannot be used."""
    path = version_dir / "metadata.json"
    try:
        if path.stat().st_size > MAX_METADATA_BYTES:
            return {}, f"metadata.json ignored: larger than {MAX_METADATA_BYTES // 1024} KiB"
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"metadata.json ignored: cannot be read ({exc.strerror})"
    except (ValueError, RecursionError):
        return {}, "metadata.json ignored: not valid JSON"
    if not isinstance(data, dict):
        return {}, f"metadata.json ignored: it holds a JSON {type(data).__name__}, not an object"
    return data, None


def _declared_inputs(metadata: dict) -> list[str]:
    signature = metadata.get("signature")
    inputs = signature.get("inputs") if isinstance(signature, dict) else None
    return [n for n in inputs if isinstance(n, str)] if isinstance(inputs, list) else []


class SavedModelLoader:
    def __init__(self, path: Path, inline_budget_us: float = 0.0) -> None:
        self.path = path
        self.inline_budget_us = inline_budget_us  # see call_cost.py; 0: never on the loop
        self.metadata: dict = {}
        self.metadata_problem: str | None = None
        self.signatures: dict[str, Signature] = {}  # the servable ones, by name
        self.unservable: dict[str, str] = {}  # signature name -> why it cannot be served
        self.signature_defs: dict = {}  # TensorFlow Serving's JSON of the SignatureDefMap
        self.functions: dict = {}  # signature name -> TensorFlow ConcreteFunction
        self.inline_values: dict[str, int] = {}  # signature name -> batches run on the loop
        self._loaded = None
        self._calls: dict[str, Call] = {}
        self._frozen_left = 0  # bytes of weights the version's session runs may still freeze

    @property
    def signature(self) -> Signature | None:
        """The default signature (serving_default), when there is one."""
        return self.signatures.get(SIGNATURE_KEY)

    def load(self) -> None:
        """Loads, describes and warms every signature; raises LoadError when the default one
        (or every one) cannot be served."""
        import tensorflow as tf

        self.metadata, self.metadata_problem = read_metadata(self.path)
        graph = self.path / "saved_model.pb"
        if graph.stat().st_size > MAX_GRAPH_BYTES:
            raise LoadError(f"saved_model.pb is {graph.stat().st_size} bytes, more than the "
                            f"{MAX_GRAPH_BYTES >> 20} MiB a graph may take here")
        try:
            self._loaded = tf.saved_model.load(str(self.path))
        except Exception as exc:  # TensorFlow raises many types for a broken SavedModel
            raise LoadError(f"SavedModel could not be loaded: {_first_line(exc)}") from exc
        self.functions = dict(getattr(self._loaded, "signatures", {}))
        if not self.functions:
            raise LoadError("SavedModel has no signatures: export it with a serving signature "
                            f"({SIGNATURE_KEY!r})")
        declared = _declared_inputs(self.metadata)
        self._frozen_left = self._freezable()
        for name in sorted(self.functions):
            try:
                self._prepare(name, declared)
            except Unservable as exc:
                self.unservable[name] = str(exc)
        if SIGNATURE_KEY in self.unservable:
            raise LoadError(f"signature {SIGNATURE_KEY!r}: {self.unservable[SIGNATURE_KEY]}")
        if not self.signatures:
            raise LoadError("no signature can be served: " + "; ".join(
                f"{name!r}: {why}" for name, why in self.unservable.items()))
        self.signature_defs = describe_signature_defs(self.path, self.signatures)

    def _freezable(self) -> int:
        """MAX_FROZEN_BYTES, or 0 when a signature writes state: a frozen reader of it would
        answer with the values of load time (session_call.py)."""
        writers = [name for name, function in self.functions.items() if writes_state(function)]
        if writers:
            logger.info("%s: signature %r writes state: every signature keeps the eager call",
                        self.path, writers[0])
            return 0
        return MAX_FROZEN_BYTES

    def _prepare(self, name: str, declared: list[str]) -> None:
        function = self.functions[name]
        signature = describe(name, function, declared)
        run = session_call(function, signature, self._frozen_left) if self._frozen_left else None
        if run is not None:
            self._frozen_left -= run.weight_bytes
            call = run.call
        else:
            call = single_threaded(flat_call(function, signature) or
                                   keyword_call(function, signature), signature)
        _warm_up(signature, call)
        self.signatures[name], self._calls[name] = signature, call
        steady = run is not None and run.steady  # see call_cost.py
        self.inline_values[name] = inline_values(call, signature,
                                                 self.inline_budget_us if steady else 0.0)

    def predict(self, signature: str, tensors: Tensors) -> Tensors:
        """One call of the named signature; tensors are keyed by input name, batch first."""
        return self._calls[signature](tensors)


def _warm_up(signature: Signature, call: Call) -> None:
    """One row of zeros (unknown dimensions 1): every output must answer one row."""
    zeros = {t.name: np.zeros((1, *(1 if d is None else d for d in t.shape[1:])), t.dtype)
             for t in signature.inputs}
    try:
        outputs = call(zeros)
    except Exception as exc:
        raise Unservable(f"warm-up prediction failed: {_first_line(exc)}") from exc
    for spec in signature.outputs:
        values = outputs[spec.name]
        if values.ndim == 0 or values.shape[0] != 1:
            raise Unservable(f"warm-up prediction: output {spec.name!r} has shape "
                             f"{list(values.shape)} for 1 input row; outputs need one row per "
                             "input row")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]
