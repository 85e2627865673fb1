"""Reads the model repository: which models, versions and labels exist, and which are complete.

Only directories named like a model (letters, digits, `_ . -`, starting alphanumeric) and
versions named by a positive integer without leading zeros are seen; anything that resolves
outside the repository root (a symlink out, a symlink loop) is refused and reported. Whether a
version is complete (fully written) is decided by modelrepo.completeness (which files) and
service.core.repository.quiet (whether the copy has finished).
"""

from __future__ import annotations

import logging
from pathlib import Path

from modelrepo.completeness import missing_files
from modelrepo.labels import LABELS_FILE, MAX_LABELS_BYTES, parse_labels
from modelrepo.layout import VERSION_RULE, is_model_name, is_version_name
from service.core.repository.entries import (
    ModelEntry,
    Problem,
    ProblemKind,
    RepositoryUnavailable,
    VersionEntry,
)
from service.core.repository.quiet import QuietTracker, listing_of

logger = logging.getLogger("service.repository")


class ModelRepository:
    """Scans the repository root (every model directory in it), or, when `models` names them,
    only those model directories (`--model-base-path`, a TensorFlow Serving model config);
    remembers listings so quietness spans scans."""

    def __init__(self, root: Path, settle_seconds: float = 2.0,
                 models: dict[str, Path] | None = None) -> None:
        self.root = Path(root)
        self.models = {name: Path(path) for name, path in (models or {}).items()}
        self.problems: list[str] = []  # entries of the root that were ignored, and why
        self._quiet = QuietTracker(settle_seconds)
        self._boundary = self.root  # what nothing may resolve outside of
        self._labels: dict[Path, dict[str, int]] = {}  # each model's last good labels
        self._label_problems: dict[Path, str] = {}

    @property
    def settle_seconds(self) -> float:
        return self._quiet.settle_seconds

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self._boundary.resolve())
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            return False

    def scan(self) -> dict[str, ModelEntry]:
        """Raises RepositoryUnavailable when the root (or every named model) cannot be
        listed."""
        if self.models:
            return self._scan_named()
        try:
            if not self.root.is_dir():
                raise RepositoryUnavailable(f"model repository {self.root} is not a readable "
                                            "directory")
            children = sorted(self.root.iterdir())
            models, problems = {}, []
            for child in children:
                if child.name.startswith(".") or not child.is_dir():
                    continue
                if not is_model_name(child.name):
                    problems.append(f"ignored directory {child.name[:80]!r}: not a valid model "
                                    "name")
                elif not self._inside(child):
                    problems.append(f"refused model {child.name!r}: it resolves outside the "
                                    "repository")
                else:
                    models[child.name] = self._scan_model(child, child.name)
        except OSError as exc:
            self._quiet.abort_scan()
            raise RepositoryUnavailable(f"cannot list model repository {self.root}: {exc}") from exc
        except RepositoryUnavailable:
            self._quiet.abort_scan()
            raise
        self._quiet.end_scan()
        self.problems = problems
        return models

    def _scan_named(self) -> dict[str, ModelEntry]:
        """The named models, each within its own base path."""
        models, problems = {}, []
        for name, base in self.models.items():
            if not base.is_dir():
                problems.append(f"model {name!r}: base path {base} is not a readable directory")
                continue
            self._boundary = base
            models[name] = self._scan_model(base, name)
        self._boundary = self.root
        if not models:
            self._quiet.abort_scan()
            raise RepositoryUnavailable("; ".join(problems))
        self._quiet.end_scan()
        self.problems = problems
        return models

    def _scan_model(self, model_dir: Path, name: str) -> ModelEntry:
        entry = ModelEntry(name, model_dir)
        try:
            children = sorted(model_dir.iterdir())
        except OSError as exc:
            entry.problems.append(f"cannot list {model_dir.name}: {exc}")
            return entry
        for child in children:
            if child.name.startswith(".") or not child.is_dir():
                continue
            if not is_version_name(child.name):
                entry.problems.append(f"ignored directory {child.name[:80]!r}: a version is "
                                      f"{VERSION_RULE}")
                continue
            entry.versions[int(child.name)] = self._scan_version(child)
        entry.labels = self._read_labels(model_dir, entry.problems)
        return entry

    def _scan_version(self, version_dir: Path) -> VersionEntry:
        number = int(version_dir.name)
        if version_dir.is_symlink() or not self._inside(version_dir):
            return VersionEntry(number, version_dir, False, Problem(
                ProblemKind.REFUSED, "refused: the version directory is a symbolic link or "
                "resolves outside the repository"))
        try:
            if any(p.is_symlink() and not self._inside(p) for p in version_dir.rglob("*")):
                return VersionEntry(number, version_dir, False, Problem(
                    ProblemKind.REFUSED, "refused: a file in it links outside the repository"))
            listing, newest_change_ns = listing_of(version_dir)
        except OSError as exc:
            why = exc.strerror.lower() if exc.strerror else type(exc).__name__
            return VersionEntry(number, version_dir, False, Problem(
                ProblemKind.UNREADABLE, f"cannot read the version directory: {why}"))
        missing = missing_files({row[0] for row in listing})
        if missing:
            return VersionEntry(number, version_dir, False, Problem(
                ProblemKind.INCOMPLETE, f"incomplete: missing {', '.join(missing)}"), listing)
        if not self._quiet.quiet(version_dir, listing, newest_change_ns):
            return VersionEntry(number, version_dir, False, Problem(
                ProblemKind.WRITING, "still being written (changed less than "
                f"{self.settle_seconds:g} s ago)"), listing)
        return VersionEntry(number, version_dir, True, None, listing)

    def _read_labels(self, model_dir: Path, problems: list[str]) -> dict[str, int]:
        """The model's labels; while labels.json is malformed (an editor half-way through
        writing it, say), the last good ones, with the problem reported and logged once."""
        path = model_dir / LABELS_FILE
        if not path.is_file():
            self._labels.pop(model_dir, None)
            return {}
        try:
            if not self._inside(path):
                raise ValueError("it links outside the repository")
            if path.stat().st_size > MAX_LABELS_BYTES:
                raise ValueError(f"larger than {MAX_LABELS_BYTES // 1024} KiB")
            labels = parse_labels(path.read_bytes())
        except (OSError, ValueError) as exc:
            kept = self._labels.get(model_dir, {})
            problem = f"labels.json ignored: {exc}" + (
                f"; keeping the last good labels ({', '.join(sorted(kept))})" if kept else "")
            if self._label_problems.get(model_dir) != problem:
                logger.warning("%s: %s", model_dir.name, problem)
            self._label_problems[model_dir] = problem
            problems.append(problem)
            return kept
        self._labels[model_dir] = labels
        self._label_problems.pop(model_dir, None)
        return labels
