"""Shared test helpers: a real server process on a free localhost port, and fast publishing of
linear versions with known weights (no training needed)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`python -m service` in a subprocess; `with LiveServer(repo) as server: server.url`."""

    def __init__(self, repository: Path, log_path: Path | None = None, wait_ready: bool = True,
                 args: tuple[str, ...] = (), **env: str | int | float) -> None:
        self.repository = repository
        self.args = args  # command-line flags after `python -m service`
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or repository.parent / f"server-{self.port}.log"
        self.wait_ready = wait_ready
        self.env = {"POLL_INTERVAL_SECONDS": "0.2", "VERSION_SETTLE_SECONDS": "0",
                    "GRPC_PORT": "0",
                    **{k.upper(): str(v) for k, v in env.items()}}
        self.process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        env = {**os.environ, **self.env, "MODEL_REPOSITORY": str(self.repository),
               "HOST": "127.0.0.1", "PORT": str(self.port)}
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, "-m", "service", *self.args], cwd=ROOT,
                                        env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.eventually("/health/live" if not self.wait_ready else "/health/ready")
        return self

    def eventually(self, path: str, timeout: float = 60.0) -> None:
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
    from training.modelfile import find_spec
    from training.modeling import build_model
    from training.publishing import publish_version
    from training.schema import InitialWeights

    spec = find_spec("linear")
    start = InitialWeights(kernel=[weight], bias=bias)
    recipe = spec.default_recipe().model_copy(update={"initial_weights": start,
                                                      "normalize": False})
    model = build_model(spec, recipe, train=None)

    def stamp(directory: Path, version: int) -> None:
        metadata = {"model": name, "version": version, "tag": f"{name}:v{version}",
                    "signature": {"inputs": ["x"], "outputs": ["y"]},
                    "formula": f"y = {weight:.4f}*x + {bias:.4f}"}
        (directory / "metadata.json").write_text(json.dumps(metadata))

    return publish_version(repository / name, lambda d: export_savedmodel(spec, model, d), stamp)


def eventually(probe: Callable[[], T], timeout: float = 30.0, interval: float = 0.05,
               what: str = "condition") -> T:
    """Calls `probe` until it returns a truthy value (returned) or `timeout` passes (fails
    naming `what` and the last value or error seen). An assertion or HTTP error counts as not
    yet true."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            value = probe()
            if value:
                return value
            last = value
        except (AssertionError, httpx.HTTPError) as exc:
            last = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s; last: {last!r}")
        time.sleep(interval)


@contextmanager
def serve_in_process(repository: Path, wait_ready: bool = True,
                     **settings: object) -> Iterator[TestClient]:
    """The app in this process (lifespan and poller running), ready unless told otherwise."""
    from service.http.app import create_app
    from service.settings import Settings

    config = Settings(**{"model_repository": repository, "poll_interval_seconds": 0.2,
                         "version_settle_seconds": 0, **settings})
    with TestClient(create_app(config)) as client:
        if wait_ready:
            eventually(lambda: client.get("/health/ready").status_code == 200, timeout=60)
        yield client


def raw_exchange(server: LiveServer, request: bytes, read_timeout: float = 10.0) -> bytes:
    """Sends `request` on a fresh connection (not closing the sending side) and returns what
    the server answers until it closes or a full JSON body arrived."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def all_routes(app: object) -> list:
    """Every route of a FastAPI app in matching order, included routers flattened (FastAPI
    nests them)."""
    found = []
    for route in getattr(app, "routes", ()):
        nested = getattr(route, "original_router", None)
        found += all_routes(nested) if nested is not None else [route]
    return found


def copy_models(source: Path, target: Path, *names: str) -> Path:
    """A repository holding copies of only the named models of `source`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copytree(source / name, target / name)
    return target
