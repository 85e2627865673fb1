"""The core's vocabulary: tensors and signatures, addresses, predictions, version states."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property

import numpy as np

Tensors = dict[str, np.ndarray]  # tensor name -> array whose first dimension is the batch
SIGNATURE_KEY = "serving_default"
# NumPy names of the dtypes a served tensor may have: numbers and booleans.
SERVABLE_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                   "uint16", "uint32", "uint64", "bool")


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str  # NumPy name, e.g. "float32"
    shape: tuple[int | None, ...]  # None: any size (the batch dimension first)

    @property
    def known(self) -> bool:
        """Every dimension but the batch one is known, so all requests' rows have one shape."""
        return all(d is not None for d in self.shape[1:])


@dataclass(frozen=True)
class Signature:
    inputs: tuple[TensorSpec, ...]  # in the order clients list values
    outputs: tuple[TensorSpec, ...]
    name: str = SIGNATURE_KEY

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

    @cached_property
    def outputs_by_name(self) -> dict[str, TensorSpec]:
        return {t.name: t for t in self.outputs}


@dataclass(frozen=True, slots=True)
class Address:
    """Which version a request is for: the default (latest), a number, or a label."""

    model: str
    version: int | None = None
    label: str | None = None
    signature: str | None = None  # None: the request body may name one, else serving_default


@dataclass(frozen=True, slots=True)
class Prediction:
    model: str
    version: int
    signature: Signature
    outputs: Tensors  # output name -> one row per input row


@dataclass(slots=True)
class Trace:
    """What one request resolved to, for its access-log line and metrics; filled by the core."""

    model: str = ""
    version: str = ""


class VersionState(Enum):
    PENDING = "PENDING"  # on disk, not loadable yet (never a loaded version's state)
    LOADING = "LOADING"
    AVAILABLE = "AVAILABLE"
    FAILED = "FAILED"
    UNLOADING = "UNLOADING"
