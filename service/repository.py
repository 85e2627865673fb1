"""Reads the model repository: which models, versions and labels exist, and which are complete.

Only directories named like a model (letters, digits, `_ . -`, starting alphanumeric) and
versions named by a positive integer without leading zeros are seen; anything that resolves
outside the repository root (a symlink out) is refused. A version is *complete* when it has
`saved_model.pb` and `variables/variables.index` and either every file is older than the settle
time or its file listing (names, sizes, mtimes) is the same as on the previous scan. So a tool
copying files one by one is never caught half-way.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
VERSION_NAME = re.compile(r"^[1-9][0-9]{0,17}$")
REQUIRED_FILES = ("saved_model.pb", "variables/variables.index")
MAX_LABELS_BYTES = 64 * 1024

Listing = tuple[tuple[str, int, int], ...]  # (relative path, size, mtime_ns)


class RepositoryUnavailable(Exception):
    """The repository root is missing, unreadable or not a directory."""


@dataclass
class VersionEntry:
    number: int
    path: Path
    complete: bool
    problem: str | None = None  # why it is not loadable, when it is not
    listing: Listing = ()


@dataclass
class ModelEntry:
    name: str
    path: Path
    versions: dict[int, VersionEntry] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _listing(version_dir: Path) -> Listing:
    rows = []
    for path in sorted(version_dir.rglob("*")):
        stat = path.lstat()
        if path.is_file():
            rows.append((str(path.relative_to(version_dir)), stat.st_size, stat.st_mtime_ns))
    return tuple(rows)


def _read_labels(model_dir: Path, problems: list[str]) -> dict[str, int]:
    path = model_dir / "labels.json"
    if not path.is_file():
        return {}
    try:
        if path.stat().st_size > MAX_LABELS_BYTES:
            raise ValueError("larger than 64 KiB")
        raw = json.loads(path.read_bytes())
        labels = {str(k): int(v) for k, v in raw.items()}
        if any(isinstance(v, bool) or int(v) < 1 for v in raw.values()):
            raise ValueError("versions must be positive integers")
        return labels
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        problems.append(f"labels.json ignored: {exc}")
        return {}


class ModelRepository:
    """Scans the repository root; remembers listings so completeness spans two scans."""

    def __init__(self, root: Path, settle_seconds: float = 2.0) -> None:
        self.root = Path(root)
        self.settle_seconds = settle_seconds
        self._previous: dict[Path, Listing] = {}

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.root.resolve())
        except OSError:
            return False

    def scan(self) -> dict[str, ModelEntry]:
        if not self.root.is_dir():
            raise RepositoryUnavailable(f"model repository {self.root} is not a readable directory")
        try:
            children = sorted(self.root.iterdir())
        except OSError as exc:
            raise RepositoryUnavailable(f"cannot list model repository {self.root}: {exc}") from exc
        models = {}
        seen: dict[Path, Listing] = {}
        for child in children:
            if MODEL_NAME.match(child.name) and child.is_dir() and self._inside(child):
                models[child.name] = self._scan_model(child, seen)
        self._previous = seen
        return models

    def _scan_model(self, model_dir: Path, seen: dict[Path, Listing]) -> ModelEntry:
        entry = ModelEntry(model_dir.name, model_dir)
        try:
            children = sorted(model_dir.iterdir())
        except OSError as exc:
            entry.problems.append(f"cannot list {model_dir.name}: {exc}")
            return entry
        for child in children:
            if not child.is_dir() or child.name.startswith("."):
                continue
            if not VERSION_NAME.match(child.name):
                entry.problems.append(f"ignored directory {child.name!r}: a version is a positive "
                                      "integer without leading zeros")
                continue
            entry.versions[int(child.name)] = self._scan_version(child, seen)
        entry.labels = _read_labels(model_dir, entry.problems)
        return entry

    def _scan_version(self, version_dir: Path, seen: dict[Path, Listing]) -> VersionEntry:
        number = int(version_dir.name)
        if version_dir.is_symlink() or not self._inside(version_dir):
            return VersionEntry(number, version_dir, False,
                                "refused: the version directory resolves outside the repository")
        try:
            if any(p.is_symlink() and not self._inside(p) for p in version_dir.rglob("*")):
                return VersionEntry(number, version_dir, False,
                                    "refused: a file in it links outside the repository")
            listing = _listing(version_dir)
        except OSError as exc:
            return VersionEntry(number, version_dir, False, f"cannot read: {exc}")
        seen[version_dir] = listing
        names = {row[0] for row in listing}
        missing = [name for name in REQUIRED_FILES if name not in names]
        if missing:
            return VersionEntry(number, version_dir, False,
                                f"incomplete: missing {', '.join(missing)}", listing)
        newest = max(row[2] for row in listing) / 1e9
        settled = time.time() - newest >= self.settle_seconds
        unchanged = self._previous.get(version_dir) == listing
        if not (settled or unchanged):
            return VersionEntry(number, version_dir, False, "still being written", listing)
        return VersionEntry(number, version_dir, True, None, listing)
