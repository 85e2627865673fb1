"""Side-by-side serving benchmark: `python -m benchmarks.serving` (`make bench`).

In one run on one machine, with servers pinned to one core and the load generator (wrk) to
another where taskset exists: the HTTP ceiling (a bare FastAPI app), the tutorial server
(keras_model.predict per request) and this service's three route families, at several
concurrencies; one request of 100,000 instances (also to the floor app: simdjson and orjson
alone, no model, the least such a request can cost with the service's libraries); cold start
and peak RSS against a bare `import tensorflow`. Prints a table with ratios and writes
results/latest.json and latest.png.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import measure, report, vector_model
from benchmarks.processes import ROOT, Server, free_port, pin_this_process_to_client_core

RESULTS = Path(__file__).resolve().parent / "results"
LARGE_REQUEST_SERVERS = ("ours", "ceiling", "floor")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.serving", description=__doc__)
    p.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 10)),
                   help="seconds per load row (env BENCH_SECONDS; default 10)")
    p.add_argument("--concurrency", default=os.environ.get("BENCH_CONCURRENCY", "1,8,32,128"),
                   help="comma-separated connection counts (env BENCH_CONCURRENCY)")
    p.add_argument("--samples", type=int, default=3, help="cold starts (median)")
    p.add_argument("--large-samples", type=int, default=21,
                   help="100,000-instance requests to each server, taken in turn (median)")
    p.add_argument("--slices", type=int, default=int(os.environ.get("BENCH_SLICES", 5)),
                   help="pieces each row is run in, interleaved with the other rows "
                        "(env BENCH_SLICES; default 5)")
    p.add_argument("--smoke", action="store_true",
                   help="prove the benchmark works: 2 s rows at concurrency 1 and 32, one "
                        "sample each, results/smoke.*")
    p.add_argument("--repository", type=Path, help="served models (default: train the zoo "
                                                   "into a temporary directory)")
    p.add_argument("--output", default=None, help="results name (default latest; smoke)")
    args = p.parse_args(argv)
    if args.smoke:
        args.seconds, args.concurrency, args.samples, args.slices = 2.0, "1,32", 1, 1
        args.large_samples = 3
    args.output = args.output or ("smoke" if args.smoke else "latest")
    args.levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    return args


def train_zoo(repository: Path) -> None:
    print(f"training the zoo into {repository} ...", flush=True)
    subprocess.run([sys.executable, "-m", "training", "--quiet", "--repository",
                    str(repository)], cwd=ROOT, check=True, timeout=900,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def publish_vector_model(repository: Path, ours: Server) -> None:
    """Adds the [-1, 8] model to the served repository (after the cold starts, which serve the
    zoo alone) and waits until the running server has loaded it."""
    subprocess.run([sys.executable, "-m", "benchmarks.vector_model", str(repository)], cwd=ROOT,
                   check=True, timeout=300, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours.wait_ready(f"/v2/models/{vector_model.NAME}/ready")


def start_app(module: str, workdir: Path) -> Server:
    port = free_port()
    return Server(module.rsplit(".", 1)[-1], [sys.executable, "-m", module, str(port)], {}, port,
                  workdir / f"{module}.log")


def run(args: argparse.Namespace, workdir: Path) -> dict:
    repository = args.repository or workdir / "models"
    # The comparison apps start (the tutorial trains its model) while the zoo trains; all are
    # idle before anything is measured.
    servers = {name: start_app(f"benchmarks.{name}_app", workdir)
               for name in ("ceiling", "asgi", "tutorial", "floor")}
    try:
        if args.repository is None:
            train_zoo(repository)
        for server in servers.values():
            server.wait_ready()
            server.wait_idle()
        cold, servers["ours"] = measure.cold_start(repository, workdir, args.samples)
        if args.repository is None:
            publish_vector_model(repository, servers["ours"])
        servers["workers"] = measure.start_service(repository, workdir, 99, workers=2)
        servers["workers"].wait_ready()
        load = measure.load(measure.targets(servers), args.levels, args.seconds, args.slices)
        large = measure.large_request({name: servers[name] for name in LARGE_REQUEST_SERVERS},
                                      args.large_samples)
        cold["ours_peak_rss_mb"] = round(servers["ours"].peak_rss_mb(), 1)
    finally:
        for server in servers.values():
            server.stop()
    return {"settings": {"seconds": args.seconds, "concurrency": args.levels,
                         "slices": args.slices, "samples": args.samples,
                         "large_samples": args.large_samples, "smoke": args.smoke},
            "machine": measure.machine(), "load": load, "large_request": large,
            "startup": cold}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pin_this_process_to_client_core()
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        results = run(args, Path(tmp))
    results["targets"] = report.check_targets(results)
    print(report.render(results))
    report.write(results, RESULTS / f"{args.output}.json", RESULTS / f"{args.output}.png")
    print(f"\nwrote {RESULTS / args.output}.json and .png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
