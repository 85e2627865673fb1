"""Shared test helpers: a real server process on a free localhost port, and fast publishing of
linear versions with known weights (no training needed)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`python -m service` in a subprocess; `with LiveServer(repo) as server: server.url`."""

    def __init__(self, repository: Path, log_path: Path | None = None, wait_ready: bool = True,
                 **env: str | int | float) -> None:
        self.repository = repository
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or repository.parent / f"server-{self.port}.log"
        self.wait_ready = wait_ready
        self.env = {"POLL_INTERVAL_SECONDS": "0.2", "VERSION_SETTLE_SECONDS": "0",
                    **{k.upper(): str(v) for k, v in env.items()}}
        self.process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        env = {**os.environ, **self.env, "MODEL_REPOSITORY": str(self.repository),
               "HOST": "127.0.0.1", "PORT": str(self.port)}
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, "-m", "service"], cwd=ROOT, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self.wait_until("/health/live" if not self.wait_ready else "/health/ready")
        return self

    def wait_until(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{path} not 200 within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Sends `sig` and returns the exit code (killing the process if it hangs)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.stop()


def run_training(repository: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`python -m training ... --repository repository` in a subprocess."""
    return subprocess.run([sys.executable, "-m", "training", *args, "--repository",
                           str(repository)], cwd=ROOT, capture_output=True, text=True,
                          check=check, timeout=600)


def publish_affine(repository: Path, weight: float, bias: float, name: str = "linear") -> int:
    """Publishes a `linear`-shaped version y = weight*x + bias (no training) and returns it."""
    from training.exporting import export_savedmodel
    from training.modeling import build_model
    from training.publishing import publish_version
    from training.specs import Recipe, find_spec

    spec = find_spec("linear")
    recipe = Recipe("fixed", "sgd", 0.0, 0, initial_kernel=(weight,), initial_bias=bias)
    model = build_model(spec, recipe, train_matrix=None)  # type: ignore[arg-type]

    def stamp(directory: Path, version: int) -> None:
        metadata = {"model": name, "version": version, "tag": f"{name}:v{version}",
                    "signature": {"inputs": ["x"], "outputs": ["y"]},
                    "formula": f"y = {weight:.4f}*x + {bias:.4f}"}
        (directory / "metadata.json").write_text(json.dumps(metadata))

    return publish_version(repository / name, lambda d: export_savedmodel(spec, model, d), stamp)
