"""Combining the slices of one benchmark row (the wrk runs themselves: make bench-smoke)."""

from __future__ import annotations

from benchmarks.wrk import LUA, LoadResult, combine


def result(requests: int, p50: float | None, p99: float | None, errors: int = 0) -> LoadResult:
    return LoadResult(concurrency=32, requests=requests, seconds=2.0,
                      requests_per_second=requests / 2, p50_ms=p50, p99_ms=p99, errors=errors)


def test_combine_totals_counts_and_takes_median_percentiles() -> None:
    row = combine([result(100, 1.0, 9.0), result(300, 3.0, 5.0, errors=1),
                   result(200, 2.0, 7.0)])
    assert (row.requests, row.seconds, row.requests_per_second) == (600, 6.0, 100.0)
    assert (row.p50_ms, row.p99_ms, row.errors) == (2.0, 7.0, 1)


def test_combine_ignores_slices_without_latencies() -> None:
    row = combine([result(10, None, None, errors=10), result(10, 4.0, 8.0)])
    assert (row.p50_ms, row.p99_ms, row.errors) == (4.0, 8.0, 10)
    assert combine([result(5, None, None, errors=5)]).p99_ms is None


def test_lua_script_posts_the_body_and_reports_json() -> None:
    script = LUA % {"body": '"{\\"instances\\": [10]}"'}
    assert 'wrk.method = "POST"' in script and "WRK_JSON" in script
    assert "latency:percentile(99)" in script
