"""Reads the model repository: which models, versions and labels exist, and which are complete.

Only directories named like a model (letters, digits, `_ . -`, starting alphanumeric) and
versions named by a positive integer without leading zeros are seen; anything that resolves
outside the repository root (a symlink out, a symlink loop) is refused and reported. Whether a
version is complete (fully written) is decided by modelrepo.completeness (which files) and
service.core.repository.quiet (whether the copy has finished).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from modelrepo.completeness import missing_files
from modelrepo.labels import LABELS_FILE, MAX_LABELS_BYTES, parse_labels
from modelrepo.layout import VERSION_RULE, is_model_name, is_version_name
from service.core.repository.quiet import Listing, QuietTracker, listing_of


class RepositoryUnavailable(Exception):
    """The repository root is missing, unreadable or not a directory."""


class ProblemKind(Enum):
    INCOMPLETE = "incomplete"  # required files missing: may still arrive
    WRITING = "writing"  # changed too recently: may still be being copied
    REFUSED = "refused"  # links outside the repository: refused until changed
    UNREADABLE = "unreadable"  # the directory cannot be listed


@dataclass(frozen=True)
class Problem:
    """Why a version on disk is not loadable."""

    kind: ProblemKind
    text: str

    @property
    def refused(self) -> bool:
        """Refused for safety: not loaded until its files change."""
        return self.kind is ProblemKind.REFUSED

    def __str__(self) -> str:
        return self.text


@dataclass
class VersionEntry:
    number: int
    path: Path
    complete: bool
    problem: Problem | None = None  # why it is not loadable, when it is not
    listing: Listing = ()


@dataclass
class ModelEntry:
    name: str
    path: Path
    versions: dict[int, VersionEntry] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class ModelRepository:
    """Scans the repository root; remembers listings so quietness spans scans."""

    def __init__(self, root: Path, settle_seconds: float = 2.0) -> None:
        self.root = Path(root)
        self.problems: list[str] = []  # entries of the root that were ignored, and why
        self._quiet = QuietTracker(settle_seconds)

    @property
    def settle_seconds(self) -> float:
        return self._quiet.settle_seconds

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            return False

    def scan(self) -> dict[str, ModelEntry]:
        """Raises RepositoryUnavailable when the root cannot be listed."""
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
                    models[child.name] = self._scan_model(child)
        except OSError as exc:
            self._quiet.abort_scan()
            raise RepositoryUnavailable(f"cannot list model repository {self.root}: {exc}") from exc
        except RepositoryUnavailable:
            self._quiet.abort_scan()
            raise
        self._quiet.end_scan()
        self.problems = problems
        return models

    def _scan_model(self, model_dir: Path) -> ModelEntry:
        entry = ModelEntry(model_dir.name, model_dir)
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
            return VersionEntry(number, version_dir, False,
                                Problem(ProblemKind.UNREADABLE, f"cannot read: {exc}"))
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
        path = model_dir / LABELS_FILE
        if not path.is_file():
            return {}
        try:
            if not self._inside(path):
                raise ValueError("it links outside the repository")
            if path.stat().st_size > MAX_LABELS_BYTES:
                raise ValueError(f"larger than {MAX_LABELS_BYTES // 1024} KiB")
            return parse_labels(path.read_bytes())
        except (OSError, ValueError) as exc:
            problems.append(f"labels.json ignored: {exc}")
            return {}
