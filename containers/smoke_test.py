"""Container smoke test: build the image, run the stack, check it from outside, clean up.

    python3 containers/smoke_test.py        (or: make container-test)

Steps: pick an engine (docker when its engine answers `docker info`, else podman); build the image
under a tag of its own; run the stack of docker-compose.yml (docker compose or podman-compose when
one is there, else the same containers with plain run commands) under a project name of its own,
with the server published on a free port of 127.0.0.1; check that the trainer exited 0; wait for
/health/ready; run the image's health check; check that the server process is not root; POST
/predict/linear [10] (19) and /predict/celsius_to_fahrenheit [100] (212); stop the server with
SIGTERM and the compose grace period and check that it exits 0 within it. Everything it created
(containers, pod, network, volume, image tag) is removed at the end, on failure and on Ctrl-C too.

Settings (environment):
  CONTAINER_ENGINE  docker | podman              (default: docker when `docker info` works)
  COMPOSE           auto | none | a command       (default auto: `docker compose`,
                                                  `docker-compose`, podman-compose; none: run
                                                  commands)
  PYTHON_IMAGE      base image build argument     (default python:3.11-slim, or with podman
                                                  localhost/python:3.11-bookworm when present)
  CA_BUNDLE         PEM bundle pip trusts in the build, passed as the ca_bundle secret
                                                 (default: the host's bundle when there is one;
                                                  empty: none)
  WHEELHOUSE        1: fill containers/wheelhouse/ on the host first and build with no index
  BUILD_NETWORK     --network for the build (e.g. host)
  SMOKE_PORT        host port for the server      (default: a free one)
  READY_TIMEOUT     seconds to wait for readiness (default 300)
  KEEP_IMAGE        1: keep the built image tag
  SMOKE_IMAGE       test this existing image instead of building one (it is not removed)
Standard library only; needs Python 3.8+ on the host.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
LOCAL_BASE_IMAGE = "localhost/python:3.11-bookworm"
DEFAULT_BASE_IMAGE = "python:3.11-slim"
SYSTEM_CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
STOP_GRACE_SECONDS = 15  # docker-compose.yml: stop_grace_period
DRAIN_SECONDS = 10  # docker-compose.yml: SHUTDOWN_GRACE_SECONDS
TRAIN_TIMEOUT = 1800
CHECKS = (
    ("linear", 10.0, 19.0, 0.01),
    ("celsius_to_fahrenheit", 100.0, 212.0, 0.05),
)


class SmokeTestFailure(Exception):
    pass


def say(message: str) -> None:
    print(f"container-test: {message}", flush=True)


def run(
    args: list[str], *, check: bool = True, capture: bool = True, timeout: float | None = 600,
    env: dict[str, str] | None = None, log: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command; with `log`, its output goes to that file instead of being captured."""
    if log is not None:
        with log.open("a") as out:
            out.write(f"$ {shlex.join(args)}\n")
            out.flush()
            result = subprocess.run(
                args, stdout=out, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                env=env, cwd=ROOT,
            )
    else:
        result = subprocess.run(
            args, capture_output=capture, text=True, timeout=timeout, env=env, cwd=ROOT
        )
    if check and result.returncode != 0:
        detail = f" (log: {log})" if log else f"\n{result.stdout or ''}{result.stderr or ''}"
        raise SmokeTestFailure(f"`{shlex.join(args)}` exited {result.returncode}{detail}")
    return result


def succeeds(args: list[str], timeout: float = 60) -> bool:
    try:
        return run(args, check=False, timeout=timeout).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def pick_engine() -> str:
    wanted = os.environ.get("CONTAINER_ENGINE", "").strip()
    if wanted:
        if not shutil.which(wanted):
            raise SmokeTestFailure(f"CONTAINER_ENGINE={wanted} is not installed")
        return wanted
    if shutil.which("docker") and succeeds(["docker", "info"], timeout=30):
        return "docker"
    if shutil.which("podman"):
        return "podman"
    raise SmokeTestFailure(
        "no container engine: `docker info` fails and podman is not installed "
        "(containers/prepare_podman.sh installs podman)"
    )


def configure_podman() -> None:
    """Use the project's containers.conf unless the caller chose one (it needs runc)."""
    conf = ROOT / "containers" / "containers.conf"
    if not os.environ.get("CONTAINERS_CONF") and conf.exists() and shutil.which("runc"):
        os.environ["CONTAINERS_CONF"] = str(conf)


def pick_compose(engine: str) -> list[str] | None:
    wanted = os.environ.get("COMPOSE", "auto").strip()
    if wanted == "none":
        return None
    if wanted != "auto":
        return shlex.split(wanted)
    candidates: list[list[str]] = []
    if engine == "docker":
        candidates = [["docker", "compose"], ["docker-compose"]]
    else:
        tools = ROOT / "containers" / ".tools" / "bin" / "podman-compose"
        candidates = [["podman-compose"], [str(tools)]]
    for candidate in candidates:
        if (shutil.which(candidate[0]) or Path(candidate[0]).is_file()) and succeeds(
            [*candidate, "version"]
        ):
            return candidate
    return None


def base_image(engine: str) -> str:
    chosen = os.environ.get("PYTHON_IMAGE", "").strip()
    if chosen:
        return chosen
    if engine == "podman" and succeeds(["podman", "image", "exists", LOCAL_BASE_IMAGE]):
        return LOCAL_BASE_IMAGE
    return DEFAULT_BASE_IMAGE


def ca_bundle() -> str | None:
    if "CA_BUNDLE" in os.environ:
        value = os.environ["CA_BUNDLE"].strip()
        if value and not Path(value).is_file():
            raise SmokeTestFailure(f"CA_BUNDLE={value} is not a file")
        return value or None
    for candidate in (os.environ.get("SSL_CERT_FILE", ""), *SYSTEM_CA_BUNDLES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def free_port() -> int:
    if os.environ.get("SMOKE_PORT"):
        return int(os.environ["SMOKE_PORT"])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: object | None = None, timeout: float = 10) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def first_number(value: object) -> float:
    while isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict) and len(value) == 1:
        return first_number(next(iter(value.values())))
    if isinstance(value, (int, float)):
        return float(value)
    raise SmokeTestFailure(f"no number in prediction {value!r}")


def human_size(size: int) -> str:
    return f"{size / 1e9:.2f} GB ({size / 2**30:.2f} GiB)"


class SmokeTest:
    def __init__(self) -> None:
        self.engine = pick_engine()
        if self.engine == "podman":
            configure_podman()
        self.compose = pick_compose(self.engine)
        run_id = uuid.uuid4().hex[:8]
        self.project = f"dstest{run_id}"
        self.prebuilt = os.environ.get("SMOKE_IMAGE", "").strip()
        self.tag = self.prebuilt or f"dense-serving:smoke-{run_id}"
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="container-test-"))
        self.log = self.workdir / "engine.log"
        self.base_image = base_image(self.engine)
        self.ca_bundle = ca_bundle()
        self.image_built = False
        self.compose_started = False
        self.created: list[tuple[str, str]] = []  # (kind, name) made by run commands
        self.checks = 0

    def ok(self, message: str) -> None:
        self.checks += 1
        say(message)

    # -- engine helpers -------------------------------------------------------------------

    def engine_cmd(self, *args: str) -> list[str]:
        return [self.engine, *args]

    def compose_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "IMAGE": self.tag,
            "PYTHON_IMAGE": self.base_image,
            "SERVER_PORT": str(self.port),
            "SERVER_BIND": "127.0.0.1",
            "SHUTDOWN_GRACE_SECONDS": str(DRAIN_SECONDS),
            "LOG_FORMAT": "json",
        }

    def compose_cmd(self, *args: str) -> list[str]:
        assert self.compose is not None
        return [*self.compose, "-p", self.project, "-f", str(COMPOSE_FILE), *args]

    def container(self, service: str) -> str:
        """The container of a compose service (by compose labels), or of a run command."""
        if self.compose is None:
            return f"{self.project}-{service}"
        result = run(self.engine_cmd(
            "ps", "-a", "--format", "{{.ID}}",
            "--filter", f"label=com.docker.compose.project={self.project}",
            "--filter", f"label=com.docker.compose.service={service}",
        ))
        ids = result.stdout.split()
        if len(ids) != 1:
            raise SmokeTestFailure(f"expected one {service} container, found {ids}")
        return ids[0]

    def inspect(self, name: str, template: str) -> str:
        return run(self.engine_cmd("inspect", "--format", template, name)).stdout.strip()

    # -- steps ----------------------------------------------------------------------------

    def describe(self) -> None:
        version = run(self.engine_cmd("--version"), check=False).stdout.strip()
        compose = "none (run commands)" if self.compose is None else shlex.join(self.compose)
        say(f"engine: {version}; compose: {compose}")
        say(f"base image {self.base_image}; CA bundle {self.ca_bundle or 'none'}; "
            f"project {self.project}; port 127.0.0.1:{self.port}")

    def build(self) -> None:
        if self.prebuilt:
            size = int(self.inspect(self.tag, "{{.Size}}"))
            say(f"image size {human_size(size)} [{self.tag}, not built here]")
            return
        args = [self.engine, "build", "-t", self.tag, "--build-arg",
                f"PYTHON_IMAGE={self.base_image}"]
        env = dict(os.environ)
        if self.engine == "podman":
            args += ["--format", "docker"]  # the OCI format has no HEALTHCHECK
        else:
            env["DOCKER_BUILDKIT"] = "1"  # RUN --mount and --secret
        if self.ca_bundle:
            args += ["--secret", f"id=ca_bundle,src={self.ca_bundle}"]
        if os.environ.get("BUILD_NETWORK"):
            args += ["--network", os.environ["BUILD_NETWORK"]]
        revision = run(["git", "rev-parse", "--short", "HEAD"], check=False)
        if revision.returncode == 0:
            args += ["--build-arg", f"REVISION={revision.stdout.strip()}"]
        if os.environ.get("WHEELHOUSE") == "1":
            start = time.monotonic()
            run(["bash", str(ROOT / "containers" / "wheelhouse.sh")], log=self.log, timeout=1200)
            say(f"wheelhouse filled in {time.monotonic() - start:.1f} s")
            args += ["--build-arg", "PIP_NO_INDEX=1"]
        start = time.monotonic()
        self.image_built = True
        run([*args, str(ROOT)], log=self.log, timeout=2400, env=env)
        size = int(self.inspect(self.tag, "{{.Size}}"))
        self.ok(f"build {time.monotonic() - start:.1f} s")
        say(f"image size {human_size(size)} [{self.tag}]")

    def start_stack(self) -> float:
        """Run trainer then server; return the monotonic time the server was started."""
        start = time.monotonic()
        if self.compose is not None and "podman-compose" in self.compose[-1]:
            # podman-compose gives the server `--requires=<trainer>`, and podman then starts the
            # exited trainer again together with the server (a known podman-compose bug). So:
            # the trainer to completion first, then the server without dependencies.
            self.compose_started = True
            env = self.compose_env()
            run(self.compose_cmd("up", "-d", "--no-build", "trainer"), env=env, log=self.log)
            run(self.engine_cmd("wait", self.container("trainer")), log=self.log,
                timeout=TRAIN_TIMEOUT)
            run(self.compose_cmd("up", "-d", "--no-build", "--no-deps", "server"), env=env,
                log=self.log)
        elif self.compose is not None:
            self.compose_started = True
            run(self.compose_cmd("up", "-d", "--no-build"), env=self.compose_env(),
                log=self.log, timeout=TRAIN_TIMEOUT)
        else:
            volume, network = f"{self.project}_models", f"{self.project}_default"
            for kind, name in (("volume", volume), ("network", network)):
                self.created.append((kind, name))
                run(self.engine_cmd(kind, "create", name), log=self.log)
            common = ["--network", network, "-e", "LOG_FORMAT=json", "-e",
                      "MODEL_REPOSITORY=/models"]
            self.created.append(("container", f"{self.project}-trainer"))
            run(self.engine_cmd(
                "run", "--name", f"{self.project}-trainer", *common, "--no-healthcheck",
                "-v", f"{volume}:/models", self.tag, "training", "--repository", "/models",
            ), log=self.log, timeout=TRAIN_TIMEOUT, check=False)
            code = self.inspect(f"{self.project}-trainer", "{{.State.ExitCode}}")
            if code != "0":
                raise SmokeTestFailure(f"trainer exited {code}")
            self.created.append(("container", f"{self.project}-server"))
            run(self.engine_cmd(
                "run", "-d", "--name", f"{self.project}-server", *common,
                "-e", f"SHUTDOWN_GRACE_SECONDS={DRAIN_SECONDS}", "--restart", "unless-stopped",
                "-v", f"{volume}:/models:ro", "-p", f"127.0.0.1:{self.port}:8000",
                self.tag, "service",
            ), log=self.log)
        server_started = time.monotonic()
        trainer = self.container("trainer")
        state = self.inspect(trainer, "{{.State.Status}} {{.State.ExitCode}}").split()
        if state[0].lower() not in ("exited", "stopped") or state[1:] != ["0"]:
            raise SmokeTestFailure(f"trainer did not complete successfully ({' '.join(state)})")
        self.ok(f"trainer exit code 0 (training and server start {server_started - start:.1f} s)")
        return server_started

    def wait_ready(self, server_started: float) -> None:
        deadline = server_started + float(os.environ.get("READY_TIMEOUT", "300"))
        url = f"http://127.0.0.1:{self.port}/health/ready"
        last = "no answer"
        server = self.container("server")
        while time.monotonic() < deadline:
            try:
                status, body = http("GET", url, timeout=5)
                if status == 200:
                    self.ok(f"time to ready {time.monotonic() - server_started:.1f} s")
                    return
                last = f"{status} {body[:200]}"
            except (urllib.error.URLError, OSError) as error:
                last = str(error)
            if self.inspect(server, "{{.State.Status}}") not in ("running", "created"):
                raise SmokeTestFailure(f"server stopped before ready: {last}")
            time.sleep(0.5)
        timeout = os.environ.get("READY_TIMEOUT", "300")
        raise SmokeTestFailure(f"not ready after {timeout} s: {last}")

    def check_healthcheck(self) -> None:
        server = self.container("server")
        if self.engine == "podman":
            # Podman runs health checks from systemd timers; run the image's check directly.
            result = run(self.engine_cmd("healthcheck", "run", server), check=False)
            status = "healthy" if result.returncode == 0 else f"unhealthy {result.stdout}"
        else:
            status = "starting"
            for _ in range(60):
                status = self.inspect(server, "{{.State.Health.Status}}")
                if status != "starting":
                    break
                time.sleep(1)
        if status != "healthy":
            raise SmokeTestFailure(f"image health check: {status}")
        self.ok("health check healthy")

    def check_user(self) -> None:
        server = self.container("server")
        status = run(self.engine_cmd("exec", server, "cat", "/proc/1/status")).stdout
        uids = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
        if "0" in uids:
            raise SmokeTestFailure(f"server process runs as root (Uid: {uids})")
        self.ok(f"server process uid {uids[0]} (not root)")

    def check_predictions(self) -> None:
        for model, value, expected, tolerance in CHECKS:
            status, body = http("POST", f"http://127.0.0.1:{self.port}/predict/{model}",
                                {"instances": [value]})
            if status != 200:
                raise SmokeTestFailure(f"POST /predict/{model}: {status} {body[:300]}")
            answer = json.loads(body)
            got = first_number(answer.get("predictions"))
            verdict = abs(got - expected) <= tolerance
            line = (f"POST /predict/{model} {{\"instances\": [{value:g}]}} -> {got:.4f} "
                    f"(version {answer.get('version')}; expected {expected:g} +- {tolerance:g})")
            if not verdict:
                raise SmokeTestFailure(line)
            self.ok(line)

    def check_grpc(self) -> None:
        """The gRPC health service (what a Kubernetes gRPC probe calls), from inside."""
        code = ("import grpc; from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g; "
                "c = grpc.insecure_channel('127.0.0.1:8500'); "
                "print(h.HealthCheckResponse.ServingStatus.Name(g.HealthStub(c).Check("
                "h.HealthCheckRequest(), timeout=10).status))")
        done = run(self.engine_cmd("exec", self.container("server"), "python", "-c", code),
                   check=False)
        status = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        if status != "SERVING":
            raise SmokeTestFailure(f"gRPC health on port 8500: {status or done.stderr[-300:]}")
        self.ok("gRPC health on port 8500: SERVING")

    def check_sigterm(self) -> None:
        server = self.container("server")
        start = time.monotonic()
        run(self.engine_cmd("stop", "-t", str(STOP_GRACE_SECONDS), server), log=self.log,
            timeout=STOP_GRACE_SECONDS + 60)
        elapsed = time.monotonic() - start
        code = self.inspect(server, "{{.State.ExitCode}}")
        line = (f"SIGTERM: exit code {code} after {elapsed:.1f} s "
                f"(drain {DRAIN_SECONDS} s, grace {STOP_GRACE_SECONDS} s)")
        if code != "0" or elapsed >= STOP_GRACE_SECONDS:
            raise SmokeTestFailure(line)
        self.ok(line)

    def show_logs(self) -> None:
        for service in ("trainer", "server"):
            try:
                name = self.container(service)
            except (SmokeTestFailure, subprocess.SubprocessError, OSError):
                continue
            logs = run(self.engine_cmd("logs", "--tail", "40", name), check=False)
            print(f"---- last log lines of {service}", file=sys.stderr)
            print((logs.stdout or "") + (logs.stderr or ""), file=sys.stderr)
        if self.log.exists():
            print(f"---- last lines of {self.log}", file=sys.stderr)
            print("\n".join(self.log.read_text(errors="replace").splitlines()[-40:]),
                  file=sys.stderr)

    def cleanup(self) -> None:
        """Remove what this run made; tolerant of anything already gone."""
        quiet = {"check": False, "log": self.log, "timeout": 120}
        if self.compose_started:
            run(self.compose_cmd("down", "--volumes", "--timeout", "5"),
                env=self.compose_env(), **quiet)
        label = f"label=com.docker.compose.project={self.project}"
        leftovers = run(self.engine_cmd("ps", "-aq", "--filter", label), check=False).stdout
        for name in leftovers.split():
            run(self.engine_cmd("rm", "-f", name), **quiet)
        for kind, name in reversed(self.created):
            run(self.engine_cmd(kind, "rm", "-f", name), **quiet)
        for kind in ("volume", "network"):
            listed = run(self.engine_cmd(kind, "ls", "-q"), check=False).stdout.split()
            for name in listed:
                if name.startswith(self.project):
                    run(self.engine_cmd(kind, "rm", "-f", name), **quiet)
        if self.engine == "podman":
            pods = run(self.engine_cmd("pod", "ls", "-q", "--filter", f"name={self.project}"),
                       check=False).stdout.split()
            for pod in pods:
                run(self.engine_cmd("pod", "rm", "-f", pod), **quiet)
        if self.image_built and os.environ.get("KEEP_IMAGE") != "1":
            run(self.engine_cmd("rmi", "-f", self.tag), **quiet)
        left = [
            name for kind in ("volume", "network")
            for name in run(self.engine_cmd(kind, "ls", "-q"), check=False).stdout.split()
            if name.startswith(self.project)
        ] + run(self.engine_cmd("ps", "-aq", "--filter", label), check=False).stdout.split()
        if left:
            say(f"cleanup left {left}")
        else:
            removed_image = self.image_built and os.environ.get("KEEP_IMAGE") != "1"
            image = ", image tag" if removed_image else ""
            say(f"cleanup done (containers, network, volume{image} of {self.project} removed)")
        shutil.rmtree(self.workdir, ignore_errors=True)

    def main(self) -> int:
        began = time.monotonic()
        failed = False
        try:
            self.describe()
            self.build()
            started = self.start_stack()
            self.wait_ready(started)
            self.check_healthcheck()
            self.check_user()
            self.check_predictions()
            self.check_grpc()
            self.check_sigterm()
        except (SmokeTestFailure, subprocess.TimeoutExpired) as error:
            failed = True
            say(f"FAILED: {error}")
            self.show_logs()
        except BaseException:
            failed = True
            self.show_logs()
            raise
        finally:
            self.cleanup()
        total = time.monotonic() - began
        if failed:
            say(f"failed after {self.checks} passing checks, {total:.0f} s")
            return 1
        say(f"all {self.checks} checks passed in {total:.0f} s")
        return 0


def main() -> int:
    # A SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so the cleanup runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return SmokeTest().main()
    except SmokeTestFailure as error:
        say(f"FAILED: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
