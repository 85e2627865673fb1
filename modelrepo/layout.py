"""Names in the repository: `<root>/<model>/<version>/`, with hidden staging directories.

- A model is a directory named by letters, digits, `_ . -`, starting with a letter or digit
  (at most 128 characters): always one plain path segment.
- A version is a directory named by a positive integer written in ASCII digits without leading
  zeros, at most 18 digits (so it fits int64, as TensorFlow Serving's versions do). `01`, `v2`,
  `²` and `1\\n` are not versions.
- Names starting with `.` are hidden: publishers stage versions there (`.staging-<id>`).
"""

from __future__ import annotations

import re
from pathlib import Path

MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
VERSION_NAME = re.compile(r"[1-9][0-9]{0,17}")
STAGING_PREFIX = ".staging-"
MODEL_NAME_RULE = ("letters, digits, '_', '.', '-', starting with a letter or digit, at most "
                   "128 characters")
VERSION_RULE = "a positive integer without leading zeros (at most 18 digits)"


def is_model_name(name: str) -> bool:
    return MODEL_NAME.fullmatch(name) is not None


def is_version_name(name: str) -> bool:
    return VERSION_NAME.fullmatch(name) is not None


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def version_numbers(model_dir: Path) -> list[int]:
    """The published versions of a model directory, in ascending order ([] when absent)."""
    if not model_dir.is_dir():
        return []
    return sorted(int(entry.name) for entry in model_dir.iterdir()
                  if is_version_name(entry.name) and entry.is_dir())
