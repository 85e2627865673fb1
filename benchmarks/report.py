"""The benchmark's table (Markdown, ready for the README), target checks, JSON and plot."""

from __future__ import annotations

import json
from pathlib import Path

HEADLINE = 32  # the concurrency the throughput targets are stated at


def _row(results: dict, name: str, concurrency: int) -> dict | None:
    for row in results["load"].get(name, {}).get("rows", []):
        if row["concurrency"] == concurrency:
            return row
    return None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def check_targets(results: dict) -> list[dict]:
    def get(name: str, key: str) -> float | None:
        row = _row(results, name, HEADLINE)
        return row[key] if row else None

    ours, families = "ours /predict", ("ours /predict", "ours v1", "ours v2")
    large, start = results["large_request"], results["startup"]

    def vs_ceiling(name: str, key: str, concurrency: int = HEADLINE) -> float | None:
        row, ceiling = _row(results, name, concurrency), _row(results, "ceiling", concurrency)
        return _ratio(row[key] if row else None, ceiling[key] if ceiling else None)

    checks = [
        *[check for name in families for check in (
            (f"{name} req/s vs ceiling (c={HEADLINE})", vs_ceiling(name, "requests_per_second"),
             ">=", 1.2),
            (f"{name} p99 vs ceiling (c={HEADLINE})", vs_ceiling(name, "p99_ms"), "<=", 1.0),
            (f"{name} errors (c={HEADLINE})", get(name, "errors"), "<=", 0))],
        (f"{ours} p50 latency vs ceiling (c=1)", vs_ceiling(ours, "p50_ms", 1), "<=", 1.5),
        (f"{ours} req/s vs tutorial (c={HEADLINE})", _ratio(get(ours, "requests_per_second"),
                                                      get("tutorial", "requests_per_second")),
         ">=", 200),
        ("100,000 instances latency vs ceiling echo",
         _ratio(large["ours_ms"], large["ceiling_ms"]), "<=", 0.7),
        ("cold start vs bare TensorFlow import",
         _ratio(start["ours_ready_s"], start["bare_import_s"]), "<=", 1.5),
        ("peak RSS vs bare TensorFlow import",
         _ratio(start["ours_peak_rss_mb"], start["bare_import_peak_rss_mb"]), "<=", 1.25),
    ]
    out = []
    for name, value, op, limit in checks:
        met = None if value is None else (value >= limit if op == ">=" else value <= limit)
        out.append({"target": name, "value": value, "limit": f"{op} {limit:g}", "met": met})
    return out


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def render(results: dict) -> str:
    lines = ["| server | concurrency | req/s | p50 ms | p99 ms | errors | req/s vs ceiling | "
             "CPU µs/request |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for concurrency in results["settings"]["concurrency"]:
        ceiling = _row(results, "ceiling", concurrency)
        for name, entry in results["load"].items():
            row = _row(results, name, concurrency)
            if not entry["available"]:
                lines.append(f"| {name} | {concurrency} | {entry['reason']} | | | | | |")
                continue
            if row is None:
                continue
            ratio = _ratio(row["requests_per_second"], ceiling and
                           ceiling["requests_per_second"])
            cpu = row.get("cpu_us_per_request")
            lines.append(f"| {name} | {concurrency} | {row['requests_per_second']:,.0f} | "
                         f"{_ms(row['p50_ms'])} | {_ms(row['p99_ms'])} | {row['errors']} | "
                         f"{ratio:.3f}x | {'n/a' if cpu is None else f'{cpu:,.0f}'} |")
    lines += _transport_ratios(results)
    large, start = results["large_request"], results["startup"]
    lines += ["", "| measurement | ours | baseline | ratio |", "|---|---:|---:|---:|",
              f"| one request of {large['rows']:,} instances (ms; baseline: ceiling echo) | "
              f"{large['ours_ms']:,.2f} | {large['ceiling_ms']:,.2f} | "
              f"{_ratio(large['ours_ms'], large['ceiling_ms'])}x |",
              *_floor_row(large),
              f"| cold start to /health/ready, 4 models (s; baseline: `import tensorflow`) | "
              f"{start['ours_ready_s']:.2f} | {start['bare_import_s']:.2f} | "
              f"{_ratio(start['ours_ready_s'], start['bare_import_s'])}x |",
              f"| peak RSS (MB; baseline: `import tensorflow`) | {start['ours_peak_rss_mb']:.0f} | "
              f"{start['bare_import_peak_rss_mb']:.0f} | "
              f"{_ratio(start['ours_peak_rss_mb'], start['bare_import_peak_rss_mb'])}x |",
              "", "| target | value | limit | met |", "|---|---:|---:|---|"]
    for check in results.get("targets", []):
        met = {True: "yes", False: "**no**", None: "n/a"}[check["met"]]
        lines.append(f"| {check['target']} | {check['value']} | {check['limit']} | {met} |")
    return "\n".join(lines)


def _floor_row(large: dict) -> list[str]:
    """The large request's floor (benchmarks.floor_app), when the run measured it."""
    if large.get("floor_ms") is None:
        return []
    return [f"| the same request to the floor app: parse and write only, no model (ms; "
            f"baseline: ceiling echo) | {large['floor_ms']:,.2f} | {large['ceiling_ms']:,.2f} | "
            f"{_ratio(large['floor_ms'], large['ceiling_ms'])}x |"]


def _transport_ratios(results: dict) -> list[str]:
    """gRPC rows against our HTTP /predict at each concurrency."""
    names = [n for n, e in results["load"].items() if "gRPC" in n and e["available"]]
    if not names:
        return []
    lines = ["", "| gRPC row | concurrency | req/s vs ours /predict | p99 vs ours /predict |",
             "|---|---:|---:|---:|"]
    for concurrency in results["settings"]["concurrency"]:
        http = _row(results, "ours /predict", concurrency)
        for name in names:
            row = _row(results, name, concurrency)
            if row is None or http is None:
                continue
            lines.append(f"| {name} | {concurrency} | "
                         f"{_ratio(row['requests_per_second'], http['requests_per_second'])}x | "
                         f"{_ratio(row['p99_ms'], http['p99_ms'])}x |")
    return lines


def write(results: dict, json_path: Path, png_path: Path) -> None:
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    plot(results, png_path)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, entry in results["load"].items():
        rows = entry["rows"]
        if not rows:
            continue
        levels = [r["concurrency"] for r in rows]
        left.plot(levels, [r["requests_per_second"] for r in rows], marker="o", label=name)
        timed = [r for r in rows if r["p99_ms"] is not None]
        right.plot([r["concurrency"] for r in timed], [r["p99_ms"] for r in timed], marker="o",
                   label=name)
    for axis, label in ((left, "requests/s"), (right, "p99 latency (ms)")):
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_xlabel("concurrent connections")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    left.set_title("Throughput")
    right.set_title("Tail latency")
    left.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
