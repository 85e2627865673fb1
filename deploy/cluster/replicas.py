"""Replicas of `python -m service` on localhost ports, all reading one model repository."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Replica:
    """One server process; it can be killed, stopped and started again on the same port."""

    def __init__(self, name: str, repository: Path, port: int, log_dir: Path,
                 env: dict[str, str]) -> None:
        self.name, self.repository, self.port = name, repository, port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_dir / f"{name}.log"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, **self.env}
        command = [sys.executable, "-m", "service", "--repository", str(self.repository),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL: the process dies at once, with whatever requests it had in flight."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def terminate(self, timeout: float = 30.0) -> tuple[int, float]:
        """SIGTERM, then the exit code and how long the drain took (seconds)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, time.monotonic() - started

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def get_json(self, path: str) -> dict | None:
        """GET straight from this replica (not through nginx); None when it does not answer."""
        try:
            answer = httpx.get(self.url + path, timeout=2.0)
        except httpx.HTTPError:
            return None
        return answer.json() if answer.status_code == 200 else None

    def default_version(self, model: str) -> int | None:
        description = self.get_json(f"/models/{model}")
        return description.get("default_version") if description else None

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def wait_for(replicas: list[Replica], done: Callable[[Replica], bool], what: str,
             timeout: float) -> dict[str, float]:
    """Polls every replica until `done(replica)` holds for each; returns when each first did
    (seconds from the call). Fails naming the replicas that did not, with their log tails."""
    started = time.monotonic()
    reached: dict[str, float] = {}
    while len(reached) < len(replicas):
        for replica in replicas:
            if replica.name not in reached and done(replica):
                reached[replica.name] = time.monotonic() - started
        if time.monotonic() - started > timeout:
            late = [r for r in replicas if r.name not in reached]
            logs = "\n".join(f"--- {r.name} (running: {r.running()})\n{r.log_tail()}"
                             for r in late)
            raise TimeoutError(f"{what}: not reached within {timeout:g} s by "
                               f"{', '.join(r.name for r in late)}\n{logs}")
        time.sleep(0.1)
    return reached
