"""The body of one worker process (service/workers.py starts it with `spawn`)."""

from __future__ import annotations

import ctypes
import logging
import signal
import socket
from collections.abc import MutableSequence

from service.settings import Settings
from service.worker_slot import WorkerSlot

PR_SET_PDEATHSIG = 1  # from linux/prctl.h


def _die_with_the_supervisor() -> None:
    """SIGTERM (a drain) to this worker if the supervisor dies, so no worker outlives it."""
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's drain must do
        pass


def run_worker(settings: Settings, listener: socket.socket, index: int, count: int,
               flags: MutableSequence[int], threads: int) -> None:
    _die_with_the_supervisor()
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the supervisor logs it
    from service.exit import exit_now
    from service.logs import configure_logging, import_tensorflow_quietly
    from service.process import PortInUse, serve
    from service.runtime.allocator import retain_freed_memory

    configure_logging(settings.log_level, settings.log_format)
    retain_freed_memory(settings.memory_retain_mib)
    if settings.log_format == "json":
        import_tensorflow_quietly()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    try:
        serve(settings, listener=listener, slot=WorkerSlot(index, count, flags))
    except PortInUse as exc:
        logging.getLogger("service").error("worker %d: %s", index + 1, exc)
        exit_now(2)
    exit_now(0)
