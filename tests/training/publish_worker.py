"""A publisher process for the concurrency tests: imports only `training.publishing`.

Each worker copies a real trained SavedModel into its staging directory and picks the next
version number; before its first rename it waits at a barrier until every worker has picked one.
So all of them first try the same number, and all but one must find another.
"""

from __future__ import annotations

import json
import shutil
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from training.publishing import publish_version

SAVEDMODEL_PARTS = ("saved_model.pb", "variables", "assets", "fingerprint.pb")


def copy_savedmodel(source: Path, staging: Path) -> None:
    staging.mkdir()
    for part in SAVEDMODEL_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, staging / part)
        elif (source / part).exists():
            shutil.copy2(source / part, staging / part)


def publish_copy(source: str, model_dir: str, barrier: Barrier, results: Queue) -> None:
    """Publishes a copy of `source`; puts (version, numbers stamped) on `results`."""
    stamped: list[int] = []

    def export(staging: Path) -> None:
        copy_savedmodel(Path(source), staging)

    def stamp(staging: Path, version: int) -> None:
        if not stamped:
            barrier.wait(timeout=60)
        stamped.append(version)
        (staging / "metadata.json").write_text(json.dumps({"version": version}))

    version = publish_version(Path(model_dir), export, stamp)
    results.put((version, stamped))
