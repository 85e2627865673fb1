"""What the manager knows of one model: its loaded versions, what is on disk, its labels."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.core.registry.servable import Servable
from service.core.repository.entries import ProblemKind, VersionEntry
from service.core.repository.quiet import Listing
from service.core.types import VersionState


@dataclass
class ModelRecord:
    name: str
    versions: dict[int, Servable] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    on_disk: dict[int, VersionEntry] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # version -> (the rewritten files' listing, why they failed): not retried until they change
    rewrite_failures: dict[int, tuple[Listing, str | None]] = field(default_factory=dict)
    synced: bool = False  # False until a poll has looked at its versions
    served: bool = False  # True once any version has been AVAILABLE

    def available(self) -> list[Servable]:
        """Available versions, newest first."""
        return sorted((s for s in self.versions.values() if s.available),
                      key=lambda s: s.version, reverse=True)

    def default(self) -> Servable | None:
        """The highest available version still on disk; a removed one only when no other can
        answer (the model's last serving version)."""
        available = self.available()
        on_disk = [s for s in available if s.version in self.on_disk]
        return (on_disk or available)[0] if available else None

    def waiting_reasons(self) -> list[str]:
        """Why the model has no available version: failed, unloadable, loading, or not yet
        looked at."""
        failed = [f"version {s.version} FAILED: {s.error}" for s in self.versions.values()
                  if s.state is VersionState.FAILED]
        pending = [f"version {v} {e.problem}" for v, e in self.on_disk.items() if e.problem]
        loading = [f"version {s.version} LOADING" for s in self.versions.values()
                   if s.state is VersionState.LOADING]
        return failed + pending + loading or ([] if self.synced else ["waiting to load"])

    def waiting_detail(self) -> str:
        """The waiting reasons in parentheses, or "" when there are none."""
        reasons = self.waiting_reasons()
        return f" ({'; '.join(reasons)})" if reasons else ""

    def holds_up_readiness(self) -> bool:
        """Whether the server is not ready because of this model: it served and now cannot,
        or it has not been looked at yet, or a complete version of it is still loading or has
        not had its first load attempt (or its files are still settling). A model that only
        ever failed, or has no loadable version on disk, is reported instead (see
        service.core.status)."""
        if self.default() is not None:
            return False
        if self.served or not self.synced:
            return True
        loading = any(s.state is VersionState.LOADING for s in self.versions.values())
        untried = any((e.complete or _settling(e)) and v not in self.versions
                      for v, e in self.on_disk.items())
        return loading or untried


def _settling(entry: VersionEntry) -> bool:
    """A version whose files changed too recently: it loads once they have settled."""
    return entry.problem is not None and entry.problem.kind is ProblemKind.WRITING
