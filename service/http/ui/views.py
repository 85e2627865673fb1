"""What the pages show, built from the core's status records: plain values the templates only
lay out (so every decision about what to show is here, and testable without HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.core.registry.servable import Servable
from service.core.status import ModelStatus, VersionStatus
from service.core.types import TensorSpec
from service.http.ui.metadata import Facts

REPORT = "report.png"  # the one file of a version directory the pages serve


def report_path(servable: Servable | None) -> Path | None:
    """The version's training report image, when it has one inside its own directory."""
    if servable is None:
        return None
    directory = servable.path.resolve()
    path = (directory / REPORT).resolve()
    return path if path.parent == directory and path.is_file() else None


def expects(inner: tuple[int | None, ...], kind: str) -> str:
    """One instance's value of this inner shape, in words."""
    if not inner:
        return kind
    if len(inner) > 1:
        sizes = ", ".join("any" if d is None else str(d) for d in inner)
        return f"a nested list of shape [{sizes}], each value {kind}"
    if inner[0] is None:
        return f"a list of any length, each value {kind}"
    return f"a list of {inner[0]} values, each {kind}"


def example(inner: tuple[int | None, ...], scalar: str) -> str:
    """A JSON value of this inner shape (unknown sizes: 2)."""
    for size in reversed(inner):
        scalar = "[" + ", ".join([scalar] * (2 if size is None else size)) + "]"
    return scalar


@dataclass(frozen=True)
class TensorView:
    name: str
    dtype: str
    shape: str  # e.g. "[-1, 3]" (-1: any size)
    expects: str  # what one instance's value is, in words
    example: str  # a JSON value of that form

    @staticmethod
    def of(spec: TensorSpec) -> TensorView:
        inner = spec.shape[1:]
        shape = "[" + ", ".join("-1" if d is None else str(d) for d in spec.shape) + "]"
        kind = "true or false" if spec.dtype == "bool" else \
            "a whole number" if spec.dtype.startswith(("int", "uint")) else "a number"
        return TensorView(spec.name, spec.dtype, shape, expects(inner, kind),
                          example(inner, "true" if spec.dtype == "bool" else "0"))


@dataclass(frozen=True)
class VersionView:
    number: int
    state: str
    reason: str | None  # why it is FAILED or not loadable
    is_default: bool
    labels: tuple[str, ...]
    facts: Facts
    has_report: bool


@dataclass(frozen=True)
class ModelView:
    name: str
    ready: bool
    waiting: str | None  # why no version answers, when none does
    default_version: int | None
    labels: tuple[tuple[str, int], ...]
    inputs: tuple[TensorView, ...]  # the default version's default signature
    outputs: tuple[TensorView, ...]
    versions: tuple[VersionView, ...]  # newest first
    unserved: tuple[int, ...]  # on disk, but not to be served by the version policy
    problems: tuple[str, ...]
    description: str | None

    @property
    def default(self) -> VersionView | None:
        return next((v for v in self.versions if v.is_default), None)

    @property
    def form_key(self) -> str:
        """Changes exactly when the try-it form's fields would."""
        return ";".join(f"{t.name}:{t.dtype}{t.shape}" for t in self.inputs)


def version_view(status: VersionStatus, default: int | None,
                 labels: dict[str, int]) -> VersionView:
    servable = status.servable
    facts = Facts.of(servable.metadata if servable is not None else None)
    return VersionView(status.version, status.state.value, status.error,
                       status.version == default,
                       tuple(label for label, v in labels.items() if v == status.version),
                       facts, report_path(servable) is not None)


def model_view(status: ModelStatus, waiting: str | None) -> ModelView:
    default = status.default
    number = default.version if default is not None else None
    versions = tuple(version_view(v, number, status.labels) for v in reversed(status.versions))
    signature = default.signature if default is not None else None
    described = [v.facts.description for v in versions if v.is_default] + \
        [v.facts.description for v in versions]
    return ModelView(
        status.name, default is not None, None if default is not None else waiting, number,
        tuple(status.labels.items()),
        tuple(TensorView.of(t) for t in signature.inputs) if signature else (),
        tuple(TensorView.of(t) for t in signature.outputs) if signature else (),
        versions, tuple(sorted(set(status.versions_on_disk) - {v.number for v in versions},
                               reverse=True)),
        status.problems, next((d for d in described if d), None))
