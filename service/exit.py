"""How the server's processes end: at once, without the interpreter's teardown."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import NoReturn


def exit_now(code: int, wait_seconds: float = 0.5) -> NoReturn:
    """Ends the process without the interpreter's teardown, which would wait for a TensorFlow
    call that outlived the grace period (it cannot be interrupted) and for TensorFlow's own
    clean-up (seconds): SIGTERM stays bounded by SHUTDOWN_GRACE_SECONDS."""
    deadline = time.monotonic() + wait_seconds
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    lingering = [t.name for t in threading.enumerate()
                 if t is not threading.current_thread() and not t.daemon and t.is_alive()]
    if lingering:
        logging.getLogger("service").warning("not waiting for %d running call(s): %s",
                                             len(lingering), ", ".join(lingering))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

