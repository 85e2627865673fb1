"""Labels (`stable`, `canary`, ...) mapping to versions, in `models/<name>/labels.json`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from modelrepo.labels import LABEL_RULE, LABELS_FILE, is_label_name, parse_labels, render_labels
from modelrepo.layout import version_numbers


def read_labels(model_dir: Path) -> dict[str, int]:
    path = model_dir / LABELS_FILE
    if not path.exists():
        return {}
    try:
        return parse_labels(path.read_bytes())
    except ValueError as exc:
        raise ValueError(f"{path} is malformed: {exc}") from None


def _write_labels(model_dir: Path, labels: dict[str, int]) -> None:
    """Atomic replace, so a poller reads either the old or the new file, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=".labels-", suffix=".json", dir=model_dir)
    with os.fdopen(fd, "w") as handle:
        handle.write(render_labels(labels))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, model_dir / LABELS_FILE)


def set_label(model_dir: Path, label: str, version: int) -> dict[str, int]:
    if not is_label_name(label):
        raise ValueError(f"invalid label {label!r}: {LABEL_RULE}")
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
