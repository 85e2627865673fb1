"""The package logger's set-up: plain text for people, JSON lines for containers."""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime

import orjson

FIELDS = ("request_id", "method", "path", "status", "duration_ms", "model", "version")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Control characters (a client's "%0A" in a path, say) written as \xNN: one event, one line.
CONTROL = {code: f"\\x{code:02x}" for code in (*range(32), 127)}


def escape_control(text: str) -> str:
    # A printable line (nearly every one) is returned as it is: the check costs 0.5 µs for an
    # access-log line, translating it 3.6 µs. Text that is not printable (controls, but also
    # some non-ASCII spaces) is translated, which changes only the controls.
    return text if text.isprintable() else text.translate(CONTROL)


class TextFormatter(logging.Formatter):
    """logging's text format with control characters in the message escaped (a traceback
    below it stays as it is)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = escape_control(record.message)
        return super().formatMessage(record)


def json_time(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


class JSONLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": json_time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


class ServiceHandler(logging.StreamHandler):
    """The handler `configure_logging` installs; `fmt` lets the access log write lines in the
    same format straight to its stream (see service/accesslog.py)."""

    def __init__(self, fmt: str) -> None:
        super().__init__(sys.stderr)
        self.fmt = fmt
        self.setFormatter(JSONLineFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT))


def configure_logging(level: str, fmt: str) -> None:
    handler = ServiceHandler(fmt)
    root = logging.getLogger("service")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = [handler]
        logging.getLogger(name).setLevel(level.upper())
        logging.getLogger(name).propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # our access log replaces it


def import_tensorflow_quietly() -> None:
    """Imports TensorFlow with file descriptor 2 pointed at /dev/null.

    TensorFlow's native start-up notices (oneDNN, absl) are written straight to fd 2, bypassing
    `logging`, and would break the one-JSON-object-per-line promise of LOG_FORMAT=json. They are
    only printed on import, so importing once, before serving, with fd 2 silenced removes them.
    """
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
