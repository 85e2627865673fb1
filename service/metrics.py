"""Prometheus metrics, in a registry of the app's own (several apps can live in one process)."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

disable_created_metrics()  # no *_created series: they double the scrape for no use here

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 16384, 65536, 262144)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "serving_requests", "HTTP requests by model, version, route and status",
            ["model", "version", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "serving_request_duration_seconds", "HTTP request latency",
            ["model", "route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.batch_rows = Histogram(
            "serving_batch_rows", "rows per signature call (after micro-batching)",
            ["model", "version"], buckets=BATCH_BUCKETS, registry=self.registry)
        self.in_flight = Gauge(
            "serving_requests_in_flight",
            "HTTP requests being served (health and /metrics excluded)", registry=self.registry)
        self.versions = Gauge(
            "serving_model_versions", "model versions by state", ["model", "state"],
            registry=self.registry)

    def observe_request(self, model: str, version: str, route: str, status: int,
                        seconds: float) -> None:
        self.requests.labels(model, version, route, str(status)).inc()
        self.latency.labels(model, route).observe(seconds)

    def observe_batch(self, model: str, version: int, rows: int) -> None:
        self.batch_rows.labels(model, str(version)).observe(rows)

    def set_versions(self, counts: dict[tuple[str, str], int]) -> None:
        self.versions.clear()
        for (model, state), count in counts.items():
            self.versions.labels(model, state).set(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
