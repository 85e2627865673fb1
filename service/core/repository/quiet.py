"""When has a version directory finished being written? The rule that keeps half-copied
versions out.

A tool copying files one by one (`cp -r`, `rsync`, an object-store sync) must never be caught
half-way. A version is *complete* when both hold:

1. Its files are all there (modelrepo.completeness: `saved_model.pb`, the variables index and
   every data shard the shard names announce).
2. It is quiet: nothing in it changed for `settle_seconds` (VERSION_SETTLE_SECONDS). Either
   every file's last change (the later of mtime and ctime, so a copier that preserves mtimes is
   still seen) is at least that old, or the scanner has seen the identical listing (names,
   sizes, mtimes) on consecutive scans spanning at least that long by its own clock (so a
   file clock running ahead cannot keep a version out forever).

A copier that stalls longer than `settle_seconds` between files can still be caught; the load
then fails, the version is FAILED, and it is retried as soon as its files change. Publishing
atomically (write elsewhere, then rename to the version number) never needs the wait.
"""

from __future__ import annotations

import time
from pathlib import Path

Listing = tuple[tuple[str, int, int], ...]  # (relative path, size, mtime_ns)


def listing_of(version_dir: Path) -> tuple[Listing, int]:
    """The version's files (symlinked directories are not followed) and the newest change time
    (ns) among them. Raises OSError."""
    rows, newest = [], 0
    for path in sorted(version_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            rows.append((str(path.relative_to(version_dir)), stat.st_size, stat.st_mtime_ns))
            newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
    return tuple(rows), newest


class QuietTracker:
    """Remembers each version's listing and since when it has looked that way."""

    def __init__(self, settle_seconds: float) -> None:
        self.settle_seconds = settle_seconds
        self._previous: dict[Path, tuple[Listing, float]] = {}
        self._current: dict[Path, tuple[Listing, float]] = {}

    def quiet(self, version_dir: Path, listing: Listing, newest_change_ns: int) -> bool:
        now = time.monotonic()
        previous = self._previous.get(version_dir)
        same = previous is not None and previous[0] == listing
        first_seen = previous[1] if same else now
        self._current[version_dir] = (listing, first_seen)
        settled = time.time() - newest_change_ns / 1e9 >= self.settle_seconds
        return settled or (same and now - first_seen >= self.settle_seconds)

    def end_scan(self) -> None:
        """Forgets versions not seen in the scan that just ended."""
        self._previous, self._current = self._current, {}

    def abort_scan(self) -> None:
        self._current = {}
