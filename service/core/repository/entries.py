"""What a scan of the repository finds: models, their versions, and why a version on disk is
not loadable (typed, so views decide by kind, not by wording)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from service.core.repository.quiet import Listing


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
