"""Server processes for the benchmark: pinned start, readiness, peak RSS, bare-import baseline."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU, CLIENT_CPU = 0, 1


def pinning() -> tuple[list[str], list[str]]:
    """taskset prefixes (server, client): one core each when there are two or more."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(SERVER_CPU)], ["taskset", "-c", str(CLIENT_CPU)]
    return [], []


def pin_this_process_to_client_core() -> None:
    if pinning()[1] and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {CLIENT_CPU})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


class Server:
    """A server subprocess pinned to the server core, logging into `log_path`; `cwd` is the
    checkout whose code it runs."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int,
                 log_path: Path, pinned: bool = True, cwd: Path = ROOT) -> None:
        self.name, self.port, self.log_path = name, port, log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.started = time.perf_counter()
        prefix = pinning()[0] if pinned else []
        self.process = subprocess.Popen([*prefix, *argv], cwd=cwd,
                                        env={**os.environ, **env}, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def wait_ready(self, path: str = "/health/ready", timeout: float = 300.0) -> float:
        """Seconds from process start until `path` answers 200."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.log_path}")
            if get_status(self.port, path, timeout=1.0) == 200:
                return time.perf_counter() - self.started
            time.sleep(0.02)
        raise TimeoutError(f"{self.name} not ready within {timeout:g} s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """User plus system CPU time so far of the process and every process under it (the
        workers of a WORKERS=N server), all threads."""
        return sum(_cpu_seconds(pid) for pid in _tree(self.process.pid))

    def wait_idle(self, timeout: float = 60.0, window: float = 0.25) -> float:
        """Waits until the process uses under 5 % of a core over `window` (a server still
        answering the backlog of a finished load run would steal the next row's core);
        returns the seconds waited."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            before = self.cpu_seconds()
            time.sleep(window)
            if self.cpu_seconds() - before < 0.05 * window:
                break
        return time.perf_counter() - started

    def peak_rss_mb(self) -> float:
        """VmHWM: the process's peak resident set so far."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # it has just exited
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc/<pid>/task/<tid>/children."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def bare_tensorflow_import() -> tuple[float, float]:
    """(seconds until `import tensorflow` has returned, peak RSS in MB) of a bare interpreter
    on the server core. The clock stops when the import is done, not at process exit."""
    code = "import tensorflow; print('imported', flush=True)"
    started = time.perf_counter()
    process = subprocess.Popen([*pinning()[0], sys.executable, "-c", code], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    if process.returncode != 0 or line.strip() != b"imported":
        raise RuntimeError("python -c 'import tensorflow' failed")
    return elapsed, usage.ru_maxrss / 1024
