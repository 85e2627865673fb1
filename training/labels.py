"""Labels (`stable`, `canary`, ...) mapping to versions, in `models/<name>/labels.json`."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from training.publishing import version_numbers

LABEL_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def read_labels(model_dir: Path) -> dict[str, int]:
    path = model_dir / "labels.json"
    if not path.exists():
        return {}
    return {str(k): int(v) for k, v in json.loads(path.read_text()).items()}


def _write_labels(model_dir: Path, labels: dict[str, int]) -> None:
    """Atomic replace, so a poller reads either the old or the new file, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=".labels-", suffix=".json", dir=model_dir)
    with os.fdopen(fd, "w") as handle:
        json.dump(dict(sorted(labels.items())), handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, model_dir / "labels.json")


def set_label(model_dir: Path, label: str, version: int) -> dict[str, int]:
    if not LABEL_PATTERN.match(label):
        raise ValueError(f"invalid label {label!r}: letters, digits, '_', '.', '-'; "
                         "starting with a letter; at most 64 characters")
    if version not in version_numbers(model_dir):
        raise ValueError(f"{model_dir.name} has no version {version} "
                         f"(published: {version_numbers(model_dir) or 'none'})")
    labels = read_labels(model_dir)
    labels[label] = version
    _write_labels(model_dir, labels)
    return labels


def remove_label(model_dir: Path, label: str) -> dict[str, int]:
    labels = read_labels(model_dir)
    if label not in labels:
        raise ValueError(f"{model_dir.name} has no label {label!r} (labels: {labels or 'none'})")
    del labels[label]
    _write_labels(model_dir, labels)
    return labels
