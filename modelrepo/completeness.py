"""Which files a complete version holds: `saved_model.pb`, `variables/variables.index` and every
variables data shard the shard names announce (`variables.data-K-of-N` for each K < N, at least
one). A reader loads nothing less; a writer can check its export against the same rule."""

from __future__ import annotations

import re

REQUIRED_FILES = ("saved_model.pb", "variables/variables.index")
SHARD = re.compile(r"variables/variables\.data-(\d{5})-of-(\d{5})")


def missing_files(names: set[str]) -> list[str]:
    """Required files absent from a version's file names (relative paths): the two fixed ones
    first, then (once they are there) the variables data shards."""
    missing = [name for name in REQUIRED_FILES if name not in names]
    if missing:
        return missing
    totals = {int(m.group(2)) for m in map(SHARD.fullmatch, names) if m}
    if not totals:
        missing.append("variables/variables.data-*")
    for total in sorted(totals):
        missing += [shard for k in range(total)
                    if (shard := f"variables/variables.data-{k:05d}-of-{total:05d}") not in names]
    return missing
