"""The measurements: cold start and RSS, load per target and concurrency, one large request."""

from __future__ import annotations

import http.client
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import orjson

from benchmarks import vector_model
from benchmarks.grpc_targets import grpc_failures, grpc_rows
from benchmarks.h2load import run_h2load
from benchmarks.processes import Server, bare_tensorflow_import, free_port, pinning
from benchmarks.wrk import LoadResult, combine, run_wrk, with_cpu

ONE = b'{"instances": [10]}'
V2_ONE = b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [10]}]}'
LARGE_ROWS = 100_000
# Not counted: a fresh server's first large requests are slower while its memory grows (asked
# in turn, the ceiling's first four took 8.3, 7.2, 5.6 and 4.8 ms, then 4.2-4.4; ours' first two
# 7.6 and 4.6, then 4.0-4.3). With one round of warm-up, three samples made the ceiling 2x slower.
LARGE_WARM_UP_ROUNDS = 5
WRK_TIMEOUT_S = 5.0  # a request slower than this counts as an error (bounds the slow rows)


@dataclass(frozen=True)
class Target:
    name: str
    server: Server
    path: str
    body: bytes  # HTTP: the JSON body; gRPC: the length-prefixed message
    sliced: bool = True  # measured in interleaved slices (the tutorial: in one piece)
    grpc_port: int | None = None  # a gRPC target: loaded with h2load on this port

    @property
    def port(self) -> int:
        return self.server.port


def machine() -> dict:
    server, client = pinning()
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "pinned": bool(server),
            "server_cpu": server[-1] if server else None,
            "client_cpu": client[-1] if client else None}


def start_service(repository: Path, workdir: Path, index: int, workers: int = 1) -> Server:
    """The service on one core; with `workers` > 1, on every core (unpinned)."""
    port, grpc_port = free_port(), free_port()
    env = {"MODEL_REPOSITORY": str(repository), "PORT": str(port), "HOST": "127.0.0.1",
           "GRPC_PORT": str(grpc_port), "WORKERS": str(workers)}
    server = Server("service", [sys.executable, "-m", "service"], env, port,
                    workdir / f"service-{index}.log", pinned=workers == 1)
    server.grpc_port = grpc_port
    return server


def cold_start(repository: Path, workdir: Path, samples: int) -> tuple[dict, Server]:
    """Alternates bare imports and service starts; the last service keeps running."""
    bare_tensorflow_import()  # not counted: warms the page cache for both
    imports, starts, rss = [], [], []
    server: Server | None = None
    for index in range(samples):
        seconds, peak = bare_tensorflow_import()
        imports.append(seconds)
        rss.append(peak)
        if server is not None:
            server.stop()
        server = start_service(repository, workdir, index)
        starts.append(server.wait_ready())
    assert server is not None
    return {"bare_import_s": round(statistics.median(imports), 3),
            "ours_ready_s": round(statistics.median(starts), 3),
            "bare_import_peak_rss_mb": round(statistics.median(rss), 1),
            "samples": samples}, server


def post(port: int, path: str, body: bytes, timeout: float = 60.0) -> tuple[int, bytes, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    conn.request("POST", path, body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, data, elapsed


WORKERS_ROW = "ours /predict, WORKERS=2 (2 cores, shared with wrk)"


def targets(servers: dict[str, Server]) -> list[Target | str]:
    """What is loaded, in order; an unavailable route is its name plus the reason."""
    ours = servers["ours"]
    workers = [Target(WORKERS_ROW, servers["workers"], "/predict/linear", ONE)] \
        if "workers" in servers else []
    candidates = [Target("ceiling", servers["ceiling"], "/predict/linear", ONE),
                  Target("bare ASGI (reference)", servers["asgi"], "/predict/linear", ONE),
                  Target("tutorial", servers["tutorial"], "/predict/linear", ONE, sliced=False),
                  Target("ours /predict", ours, "/predict/linear", ONE),
                  Target("ours v1", ours, "/v1/models/linear:predict", ONE),
                  Target("ours v2", ours, "/v2/models/linear/infer", V2_ONE),
                  Target("ours /predict [-1, 8]", ours, f"/predict/{vector_model.NAME}",
                         vector_model.BODY),
                  *(Target(name, ours, method, frame, grpc_port=ours.grpc_port)
                    for name, method, frame in grpc_rows(getattr(ours, "grpc_port", None))),
                  *workers]
    found: list[Target | str] = []
    for target in candidates:
        if target.grpc_port is not None:
            found.append(target)  # checked with a real client by grpc_targets
            continue
        status, body, _ = post(target.port, target.path, target.body)
        if status == 200:
            found.append(target)
        elif target.name.startswith("ours "):
            found.append(f"{target.name}: route not available ({status} {body[:80]!r})")
        else:
            raise RuntimeError(f"{target.name} answered {status}: {body[:200]!r}")
    return found


def load(found: list[Target | str], levels: list[int], seconds: float, slices: int) -> dict:
    """Concurrency levels outermost; within a level each row is run in `slices` pieces taken
    in turn with the other rows' (in a rotating order), so that a burst of other work on the
    machine, or a slowdown late in each round, falls on all of them alike, not on one."""
    results: dict[str, dict] = {}
    for item in found:
        if isinstance(item, str):
            name, reason = item.split(": ", 1)
            results[name] = {"available": False, "reason": reason, "rows": []}
        else:
            results[item.name] = {"available": True, "path": item.path, "rows": []}
    targets = [item for item in found if not isinstance(item, str)]
    for level in levels:
        runs: dict[str, list[LoadResult]] = {t.name: [] for t in targets}
        for piece in range(slices):
            turn = piece % len(targets)  # each slice starts one row later: no row always last
            for target in targets[turn:] + targets[:turn]:
                if target.sliced or piece == 0:
                    runs[target.name].append(_run(target, level, seconds / slices
                                                  if target.sliced else seconds))
        for target in targets:
            row = combine(runs[target.name])
            print(f"  {target.name:22s} c={level:<4d} {row.requests_per_second:9.1f} req/s  "
                  f"p99 {row.p99_ms} ms  errors {row.errors}", flush=True)
            results[target.name]["rows"].append(row.to_json())
    return results


def _run(target: Target, level: int, seconds: float) -> LoadResult:
    """One run, with the server's CPU time over it (its CPU microseconds per request)."""
    cpu = target.server.cpu_seconds()
    if target.grpc_port is None:
        result = run_wrk(f"http://127.0.0.1:{target.port}{target.path}", target.body, level,
                         seconds, WRK_TIMEOUT_S, pinning()[1])
    else:
        failed = grpc_failures(target.port)
        result = run_h2load(f"http://127.0.0.1:{target.grpc_port}{target.path}", target.body,
                            level, seconds, pinning()[1])
        result = replace(result, errors=result.errors + grpc_failures(target.port) - failed)
    target.server.wait_idle()  # its backlog must not share the next run's core
    return with_cpu(result, target.server.cpu_seconds() - cpu)


def large_request(servers: dict[str, Server], samples: int) -> dict:
    """Median latency of one request of LARGE_ROWS instances to each server ("ours" predicts,
    "ceiling" echoes, "floor" parses and writes only: benchmarks.floor_app). They are asked in
    turn, so a burst of other work on the machine falls on all alike."""
    values = [round(i * 0.001 - 50, 3) for i in range(LARGE_ROWS)]
    body = orjson.dumps({"instances": values})
    result: dict = {"rows": LARGE_ROWS, "request_bytes": len(body), "samples": samples}
    latencies: dict[str, list[float]] = {name: [] for name in servers}
    for attempt in range(LARGE_WARM_UP_ROUNDS + samples):
        for name, server in servers.items():
            status, answer, elapsed = post(server.port, "/predict/linear", body)
            if status != 200 or len(orjson.loads(answer)["predictions"]) != LARGE_ROWS:
                raise RuntimeError(f"{name}: large request answered {status}: {answer[:200]!r}")
            if attempt >= LARGE_WARM_UP_ROUNDS:
                latencies[name].append(elapsed)
            result[f"{name}_response_bytes"] = len(answer)
    for name, values_s in latencies.items():
        result[f"{name}_ms"] = round(statistics.median(values_s) * 1000, 2)
    return result
