"""`<model>/labels.json`: label names (`stable`, `canary`, ...) mapped to version numbers."""

from __future__ import annotations

import json
import re

LABELS_FILE = "labels.json"
LABEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
LABEL_RULE = "letters, digits, '_', '.', '-', starting with a letter, at most 64 characters"
MAX_LABELS_BYTES = 64 * 1024


def is_label_name(name: str) -> bool:
    return LABEL_NAME.fullmatch(name) is not None


def parse_labels(data: bytes) -> dict[str, int]:
    """The labels of a labels.json file's bytes; ValueError saying what is wrong."""
    if len(data) > MAX_LABELS_BYTES:
        raise ValueError(f"larger than {MAX_LABELS_BYTES // 1024} KiB")
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not valid JSON ({str(exc)[:120]})") from None
    if not isinstance(raw, dict):
        raise ValueError('it must be a JSON object such as {"stable": 1}')
    for name, version in raw.items():
        if not is_label_name(name):
            raise ValueError(f"label {name[:80]!r} is not a valid name ({LABEL_RULE})")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ValueError(f"label {name!r}: versions must be positive integers")
    return dict(raw)


def render_labels(labels: dict[str, int]) -> str:
    return json.dumps(dict(sorted(labels.items())), indent=2) + "\n"
