"""Load generation with wrk: a Lua script POSTs one JSON body and reports a JSON summary."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

# wrk counts responses with a status of 400 or more as errors ("status"); the service never
# answers 1xx or 3xx here, so these are exactly the non-2xx answers.
LUA = """
wrk.method = "POST"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d, ' ..
    '"timeouts": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class LoadResult:
    concurrency: int
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float | None  # None: no request answered within the timeout
    p99_ms: float | None
    errors: int  # non-2xx answers, socket errors and timeouts (gRPC: non-OK statuses)
    cpu_seconds: float | None = None  # the server process's CPU time over the run

    @property
    def cpu_us_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.requests:
            return None
        return round(self.cpu_seconds * 1e6 / self.requests, 1)

    def to_json(self) -> dict:
        return {**asdict(self), "cpu_us_per_request": self.cpu_us_per_request}


def with_cpu(result: LoadResult, cpu_seconds: float) -> LoadResult:
    return replace(result, cpu_seconds=round(cpu_seconds, 4))


def combine(slices: list[LoadResult]) -> LoadResult:
    """One row from several runs of the same load: totals for requests, time and errors, and
    the median of the runs' percentiles (a burst of other work on the machine during one run
    moves the median little)."""
    def median(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return round(statistics.median(known), 3) if known else None

    requests = sum(r.requests for r in slices)
    seconds = sum(r.seconds for r in slices)
    cpu = [r.cpu_seconds for r in slices]
    return LoadResult(
        concurrency=slices[0].concurrency, requests=requests, seconds=round(seconds, 3),
        requests_per_second=round(requests / seconds, 1) if seconds else 0.0,
        p50_ms=median([r.p50_ms for r in slices]), p99_ms=median([r.p99_ms for r in slices]),
        errors=sum(r.errors for r in slices),
        cpu_seconds=None if None in cpu else round(sum(cpu), 4))  # type: ignore[arg-type]


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    return path


def run_wrk(url: str, body: bytes, concurrency: int, seconds: float, timeout_s: float,
            prefix: list[str]) -> LoadResult:
    """One wrk run with `concurrency` connections on one thread; `prefix` pins it (taskset)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(LUA % {"body": json.dumps(body.decode())})
        command = [*prefix, wrk_path(), "-t1", f"-c{concurrency}", f"-d{seconds:g}s",
                   f"--timeout={timeout_s:g}s", "-s", str(script), url]
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=seconds + timeout_s + 30)
    lines = [line for line in done.stdout.splitlines() if line.startswith("WRK_JSON ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    data = json.loads(lines[-1].removeprefix("WRK_JSON "))
    elapsed = data["duration_us"] / 1e6
    completed = data["requests"]
    timed = data["max_us"] > 0  # wrk records no latency for answers after the timeout
    return LoadResult(
        concurrency=concurrency, requests=completed, seconds=round(elapsed, 3),
        requests_per_second=round(completed / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(data["p50_us"] / 1000, 3) if timed else None,
        p99_ms=round(data["p99_us"] / 1000, 3) if timed else None,
        errors=data["non_2xx"] + data["socket_errors"] + data["timeouts"])
