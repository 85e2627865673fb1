"""The gRPC load generator's pieces: the frame, h2load's summary, percentiles; and CPU time
per request carried through combined slices."""

from __future__ import annotations

from benchmarks.h2load import _finished_seconds, grpc_frame, percentile
from benchmarks.wrk import LoadResult, combine, with_cpu


def test_grpc_frame_is_a_length_prefixed_message() -> None:
    frame = grpc_frame(b"\x0a\x06linear")
    assert frame[:1] == b"\x00" and int.from_bytes(frame[1:5], "big") == 8
    assert frame[5:] == b"\x0a\x06linear"


def test_finished_seconds_reads_seconds_and_milliseconds() -> None:
    assert _finished_seconds("starting...\nfinished in 10.00s, 1495.50 req/s, 1MB/s\n") == 10.0
    assert _finished_seconds("finished in 850.25ms, 10 req/s") == 0.85025
    assert _finished_seconds("no summary") is None


def test_percentile_picks_the_value_at_the_share() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 100.0 and percentile(values, 0.5) == 51.0
    assert percentile([], 0.99) is None


def test_cpu_per_request_is_total_cpu_over_total_requests() -> None:
    runs = [with_cpu(LoadResult(32, 1000, 1.0, 1000.0, 1.0, 2.0, 0), 0.5),
            with_cpu(LoadResult(32, 3000, 1.0, 3000.0, 1.0, 2.0, 0), 1.5)]
    assert runs[0].cpu_us_per_request == 500.0
    combined = combine(runs)
    assert combined.cpu_seconds == 2.0 and combined.cpu_us_per_request == 500.0
    assert combined.to_json()["cpu_us_per_request"] == 500.0
    assert combine([runs[0], LoadResult(32, 10, 1.0, 10.0, 1.0, 2.0, 0)]).cpu_seconds is None
