"""`make bench-compare`: this checkout against earlier revisions, measured at the same moment.

    python -m benchmarks.side_by_side --rev REV [--rev REV ...] [--route predict|v1|v2]
        [--rounds 4] [--seconds 8] [--concurrency 32]

On a machine whose speed drifts (shared cores), rows measured one after another differ by more
than a change on the hot path does. Here every server runs at once, all pinned to the server
core, each loaded by its own wrk on the client core for the same seconds, so they share the
core and its slowdowns and their CPU time per request compares directly. Each revision is
checked out with `git worktree` into a temporary directory and served by this checkout's Python
environment; the FastAPI ceiling (`/predict` body) runs beside them. `linear` is trained into a
temporary repository that every server reads. A warm-up round comes first and is not counted.
Prints each round and the medians; writes benchmarks/results/side-by-side.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.processes import ROOT, Server, free_port, pinning
from benchmarks.profile import RESULTS, ROUTES
from benchmarks.wrk import LoadResult, run_wrk

CEILING = "ceiling"


def checkout(rev: str, into: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", "--force", str(into), rev], cwd=ROOT,
                   check=True, capture_output=True)
    return into


def start(name: str, code: Path, models: Path, work: Path) -> Server:
    port = free_port()
    if name == CEILING:
        argv = [sys.executable, "-m", "benchmarks.ceiling_app", str(port)]
        return Server(name, argv, {}, port, work / f"{name}.log")
    env = {"MODEL_REPOSITORY": str(models), "PORT": str(port), "HOST": "127.0.0.1",
           "GRPC_PORT": "0"}
    return Server(name, [sys.executable, "-m", "service"], env, port,
                  work / f"{name.replace('/', '_')}.log", cwd=code)


def one_round(servers: dict[str, Server], route: str, args: argparse.Namespace) -> dict:
    """Every server loaded at once for the same seconds: CPU µs per request and requests/s."""
    def load(name: str) -> LoadResult:
        path, body = ROUTES["predict" if name == CEILING else route]
        return run_wrk(f"http://127.0.0.1:{servers[name].port}{path}", body, args.concurrency,
                       args.seconds, 10.0, pinning()[1])

    before = {name: server.cpu_seconds() for name, server in servers.items()}
    with ThreadPoolExecutor(len(servers)) as pool:
        results = dict(zip(servers, pool.map(load, servers), strict=True))
    return {name: {"cpu_us_per_request": round((servers[name].cpu_seconds() - before[name])
                                               / max(result.requests, 1) * 1e6, 1),
                   "requests_per_second": result.requests_per_second, "errors": result.errors}
            for name, result in results.items()}


def medians(rounds: list[dict]) -> dict:
    """Per server: the median CPU µs per request and requests/s over the rounds, and the median
    of each round's requests/s against the first revision's (None without one)."""
    names = list(rounds[0])
    base = next((name for name in names if name not in (CEILING, "this checkout")), None)

    def median(name: str, key: str) -> float:
        return round(statistics.median(r[name][key] for r in rounds), 1)

    return {name: {"cpu_us_per_request": median(name, "cpu_us_per_request"),
                   "requests_per_second": median(name, "requests_per_second"),
                   "requests_vs_first_revision": None if base is None else round(
                       statistics.median(r[name]["requests_per_second"]
                                         / r[base]["requests_per_second"] for r in rounds), 3)}
            for name in names}


def run(args: argparse.Namespace, work: Path) -> dict:
    models = work / "models"
    subprocess.run([sys.executable, "-m", "training", "linear", "--quiet", "--repository",
                    str(models)], cwd=ROOT, check=True, timeout=600)
    codes = {CEILING: ROOT, **{f"rev {rev}": checkout(rev, work / f"rev-{i}")
                               for i, rev in enumerate(args.rev)}, "this checkout": ROOT}
    servers = {name: start(name, code, models, work) for name, code in codes.items()}
    try:
        for server in servers.values():
            server.wait_ready()
        rounds = []
        for index in range(args.rounds + 1):
            found = one_round(servers, args.route, args)
            print(("warm-up " if index == 0 else f"round {index} ") + "  ".join(
                f"{name}: {row['cpu_us_per_request']:.1f} us/req {row['requests_per_second']:,.0f}"
                f"/s" for name, row in found.items()), flush=True)
            if index:
                rounds.append(found)
    finally:
        for server in servers.values():
            server.stop()
        for index in range(len(args.rev)):
            subprocess.run(["git", "worktree", "remove", "--force", str(work / f"rev-{index}")],
                           cwd=ROOT, capture_output=True)
    return {"route": ROUTES[args.route][0], "concurrency": args.concurrency,
            "seconds": args.seconds, "revisions": args.rev, "rounds": rounds,
            "medians": medians(rounds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.side_by_side", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", action="append", required=True,
                        help="a git revision to compare with (repeat for several)")
    parser.add_argument("--route", choices=sorted(ROUTES), default="predict")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=8, help="seconds per round (whole)")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as work:
        found = run(args, Path(work))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "side-by-side.json").write_text(json.dumps(found, indent=2) + "\n")
    print("\nmedians:")
    for name, row in found["medians"].items():
        print(f"  {name}: {row['cpu_us_per_request']} us/req, {row['requests_per_second']:,} "
              f"req/s, requests vs the first revision {row['requests_vs_first_revision']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
