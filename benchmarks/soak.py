"""Soak: a long run of concurrent predictions with wrk; errors must be 0 and memory flat.

    python -m benchmarks.soak [--duration 60] [--connections 64] [--threads 2]
                              [--warmup 10] [--output PATH]

Trains the `linear` model into a temporary repository (the real training job), starts the
server (`python -m service`, default settings, access log on, output discarded), warms it up
with wrk for `--warmup` seconds, then runs wrk for `--duration` seconds at `--connections`
connections, cycling through the three route families (native, TensorFlow Serving, v2).
Reports requests, throughput, latency percentiles, errors (non-2xx answers and socket errors)
and the server's RSS after warm-up, every 5 s, and at the end. Exits 1 if there was any error
or RSS grew by 5% or more. Needs `wrk` on PATH (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
DEFAULT_OUTPUT = Path(__file__).parent / "results" / "soak.json"
MAX_GROWTH = 0.05
LUA = """
local requests = {
  {"/predict/linear", '{"instances": [1.0, 2.0, 3.0]}'},
  {"/v1/models/linear:predict", '{"instances": [4.0, 5.0]}'},
  {"/v2/models/linear/infer",
   '{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": [6.0, 7.0]}]}'},
}
local headers = {["Content-Type"] = "application/json"}
local n = 0
request = function()
  n = n + 1
  local r = requests[(n % #requests) + 1]
  return wrk.format("POST", r[1], headers, r[2])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_server(repository: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "MODEL_REPOSITORY": str(repository), "PORT": str(port),
           "HOST": "127.0.0.1"}
    server = subprocess.Popen([sys.executable, "-m", "service"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise TimeoutError("server not ready within 120 s")


def run_wrk(url: str, script: Path, seconds: int, connections: int, threads: int) -> dict:
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True, timeout=seconds + 60)
    return parse_wrk(result.stdout)


def parse_wrk(text: str) -> dict:
    def number(pattern: str, default: float = 0.0) -> float:
        match = re.search(pattern, text)
        return float(match.group(1)) if match else default

    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        text)
    socket_errors = sum(map(int, sockets.groups())) if sockets else 0
    latency = {p: m.group(2) for p in ("50%", "90%", "99%")
               if (m := re.search(rf"^\s+({re.escape(p)})\s+(\S+)", text, re.M))}
    return {"requests": int(number(r"(\d+) requests in")),
            "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
            "non_2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
            "socket_errors": socket_errors, "latency": latency, "raw": text}


def sample_rss(pid: int, stop: threading.Event, samples: list) -> None:
    started = time.monotonic()
    while not stop.wait(5.0):
        samples.append((round(time.monotonic() - started, 1), round(rss_mib(pid), 1)))


def soak(args: argparse.Namespace, work: Path) -> dict:
    subprocess.run([sys.executable, "-m", "training", "linear", "--quiet", "--repository",
                    str(work / "models")], cwd=ROOT, check=True, timeout=600)
    port = free_port()
    server = start_server(work / "models", port)
    try:
        script = work / "mixed.lua"
        script.write_text(LUA)
        url = f"http://127.0.0.1:{port}"
        warmup = run_wrk(url, script, args.warmup, args.connections, args.threads)
        rss_start = rss_mib(server.pid)
        samples: list = []
        stop = threading.Event()
        sampler = threading.Thread(target=sample_rss, args=(server.pid, stop, samples))
        sampler.start()
        main = run_wrk(url, script, args.duration, args.connections, args.threads)
        stop.set()
        sampler.join()
        rss_end = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    growth = (rss_end - rss_start) / rss_start
    return {"when": datetime.now(UTC).isoformat(timespec="seconds"),
            "duration_s": args.duration, "connections": args.connections,
            "threads": args.threads, "warmup_requests": warmup["requests"],
            "requests": main["requests"], "requests_per_second": main["requests_per_second"],
            "latency": main["latency"], "non_2xx": main["non_2xx"],
            "socket_errors": main["socket_errors"],
            "errors": main["non_2xx"] + main["socket_errors"] + warmup["non_2xx"]
            + warmup["socket_errors"],
            "rss_start_mib": round(rss_start, 1), "rss_end_mib": round(rss_end, 1),
            "rss_growth": round(growth, 4), "rss_samples_mib": samples,
            "server_exit_code": server.returncode, "cpus": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="soak-") as work:
        result = soak(args, Path(work))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"soak: {result['requests']} requests in {args.duration} s at {args.connections} "
          f"connections ({result['requests_per_second']:.0f}/s), latency {result['latency']}, "
          f"errors {result['errors']}, RSS {result['rss_start_mib']} -> "
          f"{result['rss_end_mib']} MiB ({result['rss_growth']:+.2%}), server exit "
          f"{result['server_exit_code']}")
    ok = result["errors"] == 0 and result["rss_growth"] < MAX_GROWTH
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
