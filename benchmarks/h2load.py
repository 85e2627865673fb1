"""gRPC load with h2load (Debian's nghttp2-client): one prebuilt gRPC frame POSTed over HTTP/2
on `concurrency` connections, one stream each (as wrk's connections), for a duration.

h2load sees gRPC's HTTP status (200) only, not the grpc-status trailer, so the caller counts
failed calls from the server's own metrics; latency percentiles come from h2load's per-request
log."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from benchmarks.wrk import LoadResult

HEADERS = ("content-type: application/grpc", "te: trailers")


def grpc_frame(message: bytes) -> bytes:
    """A gRPC length-prefixed message: no compression, big-endian length, the bytes."""
    return b"\x00" + len(message).to_bytes(4, "big") + message


def h2load_path() -> str:
    path = shutil.which("h2load")
    if path is None:
        raise SystemExit("h2load is not installed: `apt-get install -y nghttp2-client` "
                         "(make bench does it)")
    return path


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_h2load(url: str, frame: bytes, concurrency: int, seconds: float,
               prefix: list[str]) -> LoadResult:
    with tempfile.TemporaryDirectory() as tmp:
        body, log = Path(tmp) / "frame.bin", Path(tmp) / "requests.tsv"
        body.write_bytes(frame)
        headers = [arg for header in HEADERS for arg in ("-H", header)]
        command = [*prefix, h2load_path(), "-t1", f"-c{concurrency}", "-m1",
                   f"-D{max(1, round(seconds))}", "-d", str(body), *headers,
                   f"--log-file={log}", url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        if done.returncode != 0:
            raise RuntimeError(f"h2load failed ({done.returncode}): {done.stdout}\n{done.stderr}")
        rows = [line.split("\t") for line in log.read_text().splitlines() if line.strip()]
    durations_ms = [int(row[2]) / 1000 for row in rows if row[1] == "200"]
    errors = sum(1 for row in rows if row[1] != "200")
    elapsed = _finished_seconds(done.stdout) or max(1, round(seconds))
    p50 = statistics.median(durations_ms) if durations_ms else None
    return LoadResult(
        concurrency=concurrency, requests=len(durations_ms), seconds=round(elapsed, 3),
        requests_per_second=round(len(durations_ms) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(p50, 3) if p50 is not None else None,
        p99_ms=_rounded(percentile(durations_ms, 0.99)), errors=errors)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _finished_seconds(output: str) -> float | None:
    """The wall time h2load reports: "finished in 10.00s, ..." (or in ms)."""
    for line in output.splitlines():
        if line.startswith("finished in "):
            text = line.removeprefix("finished in ").split(",", 1)[0].strip()
            if text.endswith("ms"):
                return float(text[:-2]) / 1000
            if text.endswith("s"):
                return float(text[:-1])
    return None
