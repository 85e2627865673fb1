"""The serving benchmark's targets and table, from a made-up result (speed is never asserted;
`make bench-smoke` runs the benchmark itself)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import report


def row(concurrency: int, rps: float, p99: float, errors: int = 0) -> dict:
    return {"concurrency": concurrency, "requests": int(rps * 10), "seconds": 10.0,
            "requests_per_second": rps, "p50_ms": p99 / 2, "p99_ms": p99, "errors": errors}


def results() -> dict:
    load = {
        "ceiling": {"available": True, "rows": [row(1, 3000, 1.0), row(32, 8000, 10.0)]},
        "tutorial": {"available": True, "rows": [row(1, 20, 60.0),
                                                 {**row(32, 20, 1800.0), "p50_ms": None,
                                                  "p99_ms": None, "errors": 200}]},
        "ours /predict": {"available": True, "rows": [row(1, 1500, 1.2), row(32, 7000, 12.0)]},
        "ours v1": {"available": True, "rows": [row(1, 1500, 1.2), row(32, 6000, 13.0)]},
        "ours v2": {"available": False, "reason": "route not available (404)", "rows": []},
    }
    return {"settings": {"seconds": 10.0, "concurrency": [1, 32], "samples": 3,
                         "smoke": False},
            "load": load,
            "large_request": {"rows": 100_000, "ours_ms": 40.0, "ceiling_ms": 50.0},
            "startup": {"bare_import_s": 2.0, "ours_ready_s": 2.5,
                        "bare_import_peak_rss_mb": 500.0, "ours_peak_rss_mb": 700.0}}


def test_check_targets_compares_ratios_with_limits() -> None:
    checks = {c["target"]: c for c in report.check_targets(results())}
    ours = "ours /predict"
    assert checks[f"{ours} req/s vs ceiling (c=32)"]["value"] == 0.875
    assert checks[f"{ours} req/s vs ceiling (c=32)"]["met"] is False  # < 1.2
    assert checks[f"{ours} p99 vs ceiling (c=32)"]["value"] == 1.2
    assert checks[f"{ours} p99 vs ceiling (c=32)"]["met"] is False  # > 1.0
    assert checks[f"{ours} errors (c=32)"]["met"] is True
    assert checks["ours v1 req/s vs ceiling (c=32)"]["value"] == 0.75
    assert checks["ours v2 req/s vs ceiling (c=32)"]["met"] is None  # not measured
    assert checks[f"{ours} p50 latency vs ceiling (c=1)"]["value"] == 1.2  # 0.6 / 0.5 ms
    assert checks[f"{ours} p50 latency vs ceiling (c=1)"]["met"] is True
    assert checks[f"{ours} req/s vs tutorial (c=32)"]["value"] == 350.0
    assert checks["100,000 instances latency vs ceiling echo"]["value"] == 0.8
    assert checks["100,000 instances latency vs ceiling echo"]["met"] is False  # > 0.7
    assert checks["cold start vs bare TensorFlow import"]["value"] == 1.25
    assert checks["peak RSS vs bare TensorFlow import"]["met"] is False  # 1.4 > 1.25

def test_render_lists_every_row_with_ratio_and_the_unavailable_route() -> None:
    data = results()
    data["targets"] = report.check_targets(data)
    table = report.render(data)
    assert "| ours /predict | 32 | 7,000 | 6.00 | 12.00 | 0 | 0.875x |" in table
    assert "| ours v2 | 32 | route not available (404) | | | | |" in table
    assert "| tutorial | 32 | 20 | n/a | n/a | 200 | 0.003x |" in table
    assert "| peak RSS vs bare TensorFlow import | 1.4 | <= 1.25 | **no** |" in table
    assert "| the same request to the floor app" not in table  # not measured in this run


def test_render_adds_the_floor_row_when_the_run_measured_it() -> None:
    data = results()
    data["large_request"]["floor_ms"] = 35.0
    table = report.render(data)
    floor = [line for line in table.splitlines() if "floor app" in line]
    assert len(floor) == 1 and floor[0].endswith("| 35.00 | 50.00 | 0.7x |")


def test_write_saves_json_and_plot(tmp_path: Path) -> None:
    data = results()
    report.write(data, tmp_path / "r.json", tmp_path / "r.png")
    assert json.loads((tmp_path / "r.json").read_text())["load"]["ceiling"]["rows"][1][
        "requests_per_second"] == 8000
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
