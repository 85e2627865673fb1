"""Atomic, race-free publishing of versions into a TensorFlow-Serving-style repository.

A version is exported into a hidden staging directory beside the versions (same filesystem),
flushed to disk, then renamed to the next integer. rename(2) of a directory onto an existing,
non-empty one fails, so two publishers racing for one number cannot both win: the loser takes
the next number. Pollers ignore names that are not plain integers, so they never see a
half-written version; a killed export leaves only a `.staging-*` directory, swept later.
"""

from __future__ import annotations

import errno
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from modelrepo.layout import STAGING_PREFIX, version_numbers

STALE_STAGING_SECONDS = 3600


def next_version(model_dir: Path) -> int:
    versions = version_numbers(model_dir)
    return versions[-1] + 1 if versions else 1


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir():
            _fsync_dir(path)
        else:
            with open(path, "rb+") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(root)


def sweep_stale_staging(model_dir: Path, older_than: float = STALE_STAGING_SECONDS) -> None:
    """Removes staging directories left behind by killed exports."""
    now = time.time()
    for entry in model_dir.glob(STAGING_PREFIX + "*"):
        try:
            age = now - entry.stat().st_mtime
        except FileNotFoundError:  # a concurrent publisher renamed or removed it meanwhile
            continue
        if age > older_than:
            shutil.rmtree(entry, ignore_errors=True)


def publish_version(model_dir: Path, export: Callable[[Path], None],
                    stamp: Callable[[Path, int], None]) -> int:
    """Exports once into staging, then stamps and renames it to the next free version.

    `export(staging_dir)` writes the SavedModel; `stamp(staging_dir, version)` writes what
    names the version (metadata) and is called again if another publisher took the number.
    Returns the version that was published.
    """
    model_dir.mkdir(parents=True, exist_ok=True)
    sweep_stale_staging(model_dir)
    staging = model_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    try:
        export(staging)
        version = next_version(model_dir)
        while True:
            stamp(staging, version)
            _fsync_tree(staging)
            try:
                os.rename(staging, model_dir / str(version))
                break
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            version = max(version + 1, next_version(model_dir))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    _fsync_dir(model_dir)
    return version


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
