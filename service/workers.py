"""WORKERS=N (N > 1): a small supervisor and N worker processes.

The supervisor imports no TensorFlow (a process forked after TensorFlow starts its threads can
deadlock): it binds the HTTP socket, checks the gRPC port, and starts the workers with the
`spawn` method. Every worker inherits the one HTTP socket (the kernel hands each connection to
one of them), binds the gRPC port with SO_REUSEPORT, polls the repository and loads the models
itself, with TensorFlow's thread pools sized to cores / workers. Metrics add up across workers
(service/metrics.py); /health/ready answers 503 until every worker is ready. A worker that dies
is logged and restarted (after a pause that grows if it keeps dying); SIGTERM drains every
worker, and the supervisor exits 0 only when all of them did.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from multiprocessing.connection import wait

from service.process import bind_http, check_grpc_port
from service.settings import Settings, usable_cores
from service.worker_main import run_worker

logger = logging.getLogger("service.supervisor")
QUICK_DEATH = 10.0  # seconds: a worker dying sooner after its start is restarted more slowly
MAX_PAUSE = 30.0


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.count = settings.workers
        self._context = multiprocessing.get_context("spawn")
        self._flags = self._context.Array("b", self.count, lock=False)
        self._workers: list[multiprocessing.Process | None] = [None] * self.count
        self._started = [0.0] * self.count
        self._pauses = [0.5] * self.count
        self._stopping = False
        self._signal: int | None = None
        self._wake_read, self._wake_write = os.pipe()

    def run(self) -> int:
        listener = bind_http(self.settings)
        check_grpc_port(self.settings)
        metrics_dir = tempfile.mkdtemp(prefix="serving-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir  # before any worker starts
        self._listener = listener
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        threads = max(1, usable_cores() // self.count)
        logger.info("starting %d workers (%d TensorFlow threads each)", self.count, threads)
        try:
            for index in range(self.count):
                self._spawn(index, threads)
            self._watch(threads)
            return self._drain()
        finally:
            listener.close()
            shutil.rmtree(metrics_dir, ignore_errors=True)

    def _spawn(self, index: int, threads: int) -> None:
        worker = self._context.Process(target=run_worker, name=f"worker-{index + 1}",
                                       args=(self.settings, self._listener, index, self.count,
                                             self._flags, threads))
        worker.start()
        self._workers[index], self._started[index] = worker, time.monotonic()
        logger.info("worker %d started (pid %d)", index + 1, worker.pid)

    def _watch(self, threads: int) -> None:
        """Restarts workers that die, until a signal asks to stop."""
        while not self._stopping:
            alive = {w.sentinel: i for i, w in enumerate(self._workers) if w is not None}
            ready = wait([*alive, self._wake_read], timeout=5.0)
            for sentinel in ready:
                if sentinel in alive and not self._stopping:
                    self._restart(alive[sentinel], threads)

    def _restart(self, index: int, threads: int) -> None:
        from prometheus_client import multiprocess

        worker = self._workers[index]
        assert worker is not None
        worker.join()
        self._flags[index] = 0
        multiprocess.mark_process_dead(worker.pid)
        quick = time.monotonic() - self._started[index] < QUICK_DEATH
        pause = self._pauses[index] if quick else 0.5
        self._pauses[index] = min(MAX_PAUSE, pause * 2) if quick else 0.5
        logger.error("worker %d (pid %d) exited with code %s; restarting it in %.1f s",
                     index + 1, worker.pid, worker.exitcode, pause)
        time.sleep(pause)
        if not self._stopping:
            self._spawn(index, threads)

    def _on_signal(self, signum: int, frame: object) -> None:
        """Only flags the stop (logging here could wait for a lock the loop holds)."""
        self._signal, self._stopping = signum, True
        os.write(self._wake_write, b"x")

    def _drain(self) -> int:
        self._listener.close()  # the workers take in what the kernel has already accepted
        workers = [w for w in self._workers if w is not None]
        name = signal.Signals(self._signal).name if self._signal else "stop"
        logger.info("%s: draining %d workers", name, len(workers))
        for worker in workers:
            if worker.is_alive():
                os.kill(worker.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.settings.shutdown_grace_seconds + 10
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                logger.error("worker %s did not drain in time; killing it", worker.name)
                worker.kill()
                worker.join()
        codes = [w.exitcode for w in workers]
        if all(code == 0 for code in codes):
            logger.info("all %d workers drained", len(workers))
            return 0
        logger.error("workers exited with codes %s", codes)
        return 1
