"""`make profile`: where the server's time goes under load, as a flame graph.

    python -m benchmarks.profile [--route predict|v1|v2] [--seconds 15] [--concurrency 32]

Trains `linear` into a temporary repository, starts `python -m service` with default settings
on one core (wrk on the other, where taskset exists), warms it up, then samples it with py-spy
twice under the same wrk load: once into a flame graph (benchmarks/results/profile-<route>.svg),
once as collapsed stacks for a summary of the costs per request: the process's CPU time per
request, shared out by the samples' own (self) time per function and per package. Prints the
summary and writes it to benchmarks/results/profile-<route>.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.processes import ROOT, Server, free_port, pinning
from benchmarks.wrk import run_wrk

RESULTS = Path(__file__).resolve().parent / "results"
ROUTES = {
    "predict": ("/predict/linear", b'{"instances": [1.0, 2.0]}'),
    "v1": ("/v1/models/linear:predict", b'{"instances": [1.0, 2.0]}'),
    "v2": ("/v2/models/linear/infer",
           b'{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": [1.0, 2.0]}]}'),
}


def py_spy(pid: int, seconds: float, output: Path, form: str) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-p",
                             str(pid), "-d", f"{seconds:g}", "-r", "200", "--nonblocking",
                             "-f", form, "-o", str(output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def sampled(server: Server, url: str, body: bytes, args: argparse.Namespace, output: Path,
            form: str) -> tuple[float, int]:
    """Runs wrk while py-spy samples; the server's CPU seconds and requests over the run."""
    spy = py_spy(server.process.pid, args.seconds, output, form)
    before = server.cpu_seconds()
    load = run_wrk(url, body, args.concurrency, args.seconds, 10.0, pinning()[1])
    cpu = server.cpu_seconds() - before
    _, errors = spy.communicate(timeout=60)
    if spy.returncode != 0:
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace')}")
    return cpu, load.requests


def package_of(frame: str) -> str:
    """`function (uvicorn/protocols/http/h11_impl.py:12)` -> `uvicorn`; this project's own
    frames keep two levels (`service/http`)."""
    path = frame.rpartition("(")[2].split(":")[0]
    parts = path.split("/")
    if parts[0] in ("service", "benchmarks", "modelrepo", "training") and len(parts) > 1:
        return "/".join(parts[:2]).removesuffix(".py")
    return parts[0].removesuffix(".py") or "(native)"


def summary(collapsed: Path, cpu_seconds: float, requests: int, top: int = 25) -> dict:
    own, packages, total = Counter(), Counter(), 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.split(";")[-1]
        own[leaf] += int(count)
        packages[package_of(leaf)] += int(count)
        total += int(count)
    per_request = cpu_seconds / requests * 1e6

    def share(counter: Counter) -> list[dict]:
        return [{"where": name, "share": round(n / total, 4),
                 "us_per_request": round(n / total * per_request, 1)}
                for name, n in counter.most_common(top)]

    return {"cpu_us_per_request": round(per_request, 1), "requests": requests,
            "samples": total, "packages": share(packages), "functions": share(own)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--route", choices=sorted(ROUTES), default="predict")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    path, body = ROUTES[args.route]
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="profile-") as work:
        models = Path(work) / "models"
        subprocess.run([sys.executable, "-m", "training", "linear", "--quiet", "--repository",
                        str(models)], cwd=ROOT, check=True, timeout=600)
        port = free_port()
        server = Server("service", [sys.executable, "-m", "service"],
                        {"MODEL_REPOSITORY": str(models), "PORT": str(port),
                         "HOST": "127.0.0.1", "GRPC_PORT": "0"}, port, Path(work) / "log")
        try:
            server.wait_ready()
            url = f"http://127.0.0.1:{port}{path}"
            run_wrk(url, body, args.concurrency, 3.0, 10.0, pinning()[1])  # warm-up
            svg = RESULTS / f"profile-{args.route}.svg"
            sampled(server, url, body, args, svg, "flamegraph")
            stacks = RESULTS / f"profile-{args.route}.stacks"  # not committed: large
            cpu, requests = sampled(server, url, body, args, stacks, "raw")
            found = summary(stacks, cpu, requests)
        finally:
            server.stop()
    found.update(route=path, concurrency=args.concurrency, seconds=args.seconds)
    (RESULTS / f"profile-{args.route}.json").write_text(json.dumps(found, indent=2) + "\n")
    print(f"{path} at c={args.concurrency}: {found['cpu_us_per_request']} us of server CPU per "
          f"request ({requests} requests); flame graph {svg.relative_to(ROOT)}")
    for kind in ("packages", "functions"):
        print(f"\n{kind}, by own time (us per request):")
        for row in found[kind][:15]:
            print(f"  {row['us_per_request']:7.1f}  {row['share']:6.1%}  {row['where']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
