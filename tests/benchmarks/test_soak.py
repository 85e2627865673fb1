"""The soak benchmark's reading of wrk's report (the soak itself runs by hand: make bench-soak)."""

from __future__ import annotations

from benchmarks.soak import parse_wrk

REPORT = """Running 1m test @ http://127.0.0.1:8000
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    80.12ms   70.01ms 500.00ms   80.00%
  Latency Distribution
     50%   55.62ms
     75%  100.00ms
     90%  218.31ms
     99%  322.11ms
  54054 requests in 1.00m, 9.51MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:    899.53
Transfer/sec:    162.30KB
"""


def test_parse_wrk_reads_counts_latency_and_errors() -> None:
    result = parse_wrk(REPORT)
    assert result["requests"] == 54054
    assert result["requests_per_second"] == 899.53
    assert result["latency"] == {"50%": "55.62ms", "90%": "218.31ms", "99%": "322.11ms"}
    assert (result["non_2xx"], result["socket_errors"]) == (7, 5)


def test_parse_wrk_without_error_lines_counts_zero() -> None:
    clean = "\n".join(line for line in REPORT.splitlines()
                      if "errors" not in line and "Non-2xx" not in line)
    result = parse_wrk(clean)
    assert (result["non_2xx"], result["socket_errors"]) == (0, 0)
