"""Waits until a running server shows a model's labels as written (`label --wait URL`).

Polls `GET URL/models/{name}` (sending `Authorization: Bearer $API_KEY` when API_KEY is set)
until its `labels` hold the expected mapping, or the timeout passes.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

POLL_SECONDS = 0.2


def _labels(url: str, name: str) -> dict[str, int]:
    request = urllib.request.Request(f"{url.rstrip('/')}/models/{name}")
    if os.environ.get("API_KEY"):
        request.add_header("Authorization", f"Bearer {os.environ['API_KEY']}")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return dict(json.loads(answer.read()).get("labels") or {})


def shows(labels: dict[str, int], label: str, version: int | None) -> bool:
    """The label points at `version`, or (version None) the label is gone."""
    return labels.get(label) == version if version is not None else label not in labels


def wait_for_label(url: str, name: str, label: str, version: int | None,
                   timeout: float) -> float:
    """Seconds it took the server to show the mapping; TimeoutError naming what it last saw."""
    began = time.monotonic()
    last = "nothing yet"
    while True:
        try:
            labels = _labels(url, name)
            if shows(labels, label, version):
                return time.monotonic() - began
            last = f"labels {labels}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code} from {exc.url}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = f"no answer ({getattr(exc, 'reason', exc)})"
        if time.monotonic() - began > timeout:
            wanted = f"{label} -> {version}" if version is not None else f"no label {label!r}"
            raise TimeoutError(f"{url} did not show {wanted} for {name} within {timeout:g} s "
                               f"(last seen: {last}); the label is written, the server has not "
                               "picked it up")
        time.sleep(POLL_SECONDS)
