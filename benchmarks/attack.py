"""`make bench-attack`: the connection and memory attacks (benchmarks/attacks.py) against one
server, each for a bounded time, while a client predicts as a normal user would.

    python -m benchmarks.attack [--seconds 10] [--inflight-mib 256] [--output PATH]
                                [--only NAME ...]

Trains `linear` into a temporary repository, starts `python -m service` with default settings
except MAX_INFLIGHT_BYTES (--inflight-mib, so the memory bound is visible), and first measures a
quiet row. During each attack the normal client sends `{"instances": [1.0]}` to /predict/linear
every 10 ms on one keep-alive connection (reconnecting when the server closes it) and asks
/health/live every 0.5 s on new connections; the server's RSS is sampled every 50 ms. Goals per
attack: no failed normal request, p99 under 100 ms, peak RSS growth within the budget plus a
fixed margin of 320 MiB (freed memory kept for reuse, parser and TensorFlow buffers). Prints
a table, writes JSON (default benchmarks/results/attack.json)
and exits 1 if any goal is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import attacks
from benchmarks.processes import ROOT, Server, free_port

DEFAULT_OUTPUT = Path(__file__).parent / "results" / "attack.json"
GOAL_P99_MS = 100.0
# Beyond the budget: MEMORY_RETAIN_MIB (128 by default) of freed memory glibc keeps for reuse,
# and the runtime's own buffers (parsers, TensorFlow's). Measured here: the growth under the
# unread-answers attack is the budget plus about 250 MiB, at budgets of 128, 256 and 512 MiB.
MARGIN_MIB = 320
BODY = b'{"instances": [1.0]}'


@dataclass
class Row:
    attack: str
    requests: int
    failed: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    health_failed: int
    rss_growth_mib: float
    why_failed: dict[str, int]

    def meets(self, budget_mib: int) -> bool:
        return (self.failed == 0 and self.health_failed == 0 and self.p99_ms < GOAL_P99_MS
                and self.rss_growth_mib <= budget_mib + MARGIN_MIB)


class NormalClient:
    """Predictions every 10 ms on one keep-alive connection, and health checks."""

    def __init__(self, port: int) -> None:
        self.port, self.latencies, self.health_failed = port, [], 0
        self.why_failed: Counter[str] = Counter()
        self.stop = threading.Event()
        self._threads = [threading.Thread(target=self._predict), threading.Thread(
            target=self._health)]

    def _predict(self) -> None:
        connection = None
        while not self.stop.wait(0.01):
            started = time.perf_counter()
            try:
                connection = connection or http.client.HTTPConnection("127.0.0.1", self.port,
                                                                      timeout=10)
                connection.request("POST", "/predict/linear", BODY,
                                   {"Content-Type": "application/json"})
                answer = connection.getresponse()
                answer.read()
                why = "" if answer.status == 200 else f"HTTP {answer.status}"
                if answer.getheader("connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as exc:
                why, connection = type(exc).__name__, None
            self.latencies.append(time.perf_counter() - started)
            if why:
                self.why_failed[why] += 1

    def _health(self) -> None:
        while not self.stop.wait(0.5):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", "/health/live")
                self.health_failed += connection.getresponse().status != 200
                connection.close()
            except (OSError, http.client.HTTPException):
                self.health_failed += 1

    def __enter__(self) -> NormalClient:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(30)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else 0


def measure(server: Server, name: str, seconds: float) -> Row:
    baseline = rss_mib(server.process.pid)
    attacker = None
    if name != "none":
        attacker = multiprocessing.get_context("spawn").Process(
            target=attacks.run, args=(name, server.port, seconds), daemon=True)
        attacker.start()
        time.sleep(0.5)  # the attack under way before the clock starts
    peak, until = baseline, time.monotonic() + seconds
    with NormalClient(server.port) as client:
        while time.monotonic() < until:
            peak = max(peak, rss_mib(server.process.pid))
            time.sleep(0.05)
    if attacker is not None:
        attacker.join(seconds + 30)
    server.wait_idle()
    times = client.latencies
    return Row(name, len(times), sum(client.why_failed.values()), round(percentile(times, 0.5), 2),
               round(percentile(times, 0.99), 2), round(max(times, default=0) * 1000, 2),
               client.health_failed, round(peak - baseline, 1), dict(client.why_failed))


def start(work: Path, inflight_mib: int) -> Server:
    subprocess.run([sys.executable, "-m", "training", "linear", "--quiet", "--repository",
                    str(work / "models")], cwd=ROOT, check=True, timeout=600)
    port = free_port()
    env = {"MODEL_REPOSITORY": str(work / "models"), "HOST": "127.0.0.1", "PORT": str(port),
           "GRPC_PORT": "0", "ACCESS_LOG": "false",
           "MAX_INFLIGHT_BYTES": str(inflight_mib << 20)}
    server = Server("service", [sys.executable, "-m", "service"], env, port,
                    work / "server.log", pinned=False)
    server.wait_ready()
    return server


def report(rows: list[Row], budget_mib: int) -> None:
    print(f"{'attack':<16}{'requests':>9}{'failed':>7}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
          f"{'health failed':>14}{'RSS +MiB':>9}  goals")
    for row in rows:
        print(f"{row.attack:<16}{row.requests:>9}{row.failed:>7}{row.p50_ms:>8.2f}"
              f"{row.p99_ms:>8.2f}{row.max_ms:>8.1f}{row.health_failed:>14}"
              f"{row.rss_growth_mib:>9.1f}  {'met' if row.meets(budget_mib) else 'MISSED'}"
              f"{'  ' + str(row.why_failed) if row.why_failed else ''}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.attack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="per attack")
    parser.add_argument("--inflight-mib", type=int, default=256, help="MAX_INFLIGHT_BYTES")
    parser.add_argument("--only", nargs="+", choices=attacks.ATTACKS, help="these attacks")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="attack-") as work:
        server = start(Path(work), args.inflight_mib)
        try:
            rows = [measure(server, name, args.seconds)
                    for name in ("none", *(args.only or attacks.ATTACKS))]
        finally:
            server.stop()
    report(rows, args.inflight_mib)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "seconds": args.seconds,
        "max_inflight_mib": args.inflight_mib, "margin_mib": MARGIN_MIB,
        "goal_p99_ms": GOAL_P99_MS, "rows": [asdict(row) for row in rows]}, indent=2) + "\n")
    return 0 if all(row.meets(args.inflight_mib) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
