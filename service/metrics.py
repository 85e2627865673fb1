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
        # labels() validates and locks on every call; the children are cached per label set.
        # Label values come from matched routes, served models and real statuses, so these
        # dictionaries stay as small as the series themselves.
        self._request_children: dict[tuple, tuple] = {}
        self._batch_children: dict[tuple, object] = {}

    def observe_request(self, model: str, version: str, route: str, status: int,
                        seconds: float) -> None:
        key = (model, version, route, status)
        children = self._request_children.get(key)
        if children is None:
            children = (self.requests.labels(model, version, route, str(status)),
                        self.latency.labels(model, route))
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def observe_batch(self, model: str, version: int, rows: int) -> None:
        key = (model, version)
        child = self._batch_children.get(key)
        if child is None:
            child = self._batch_children[key] = self.batch_rows.labels(model, str(version))
        child.observe(rows)

    def set_versions(self, counts: dict[tuple[str, str], int]) -> None:
        self.versions.clear()
        for (model, state), count in counts.items():
            self.versions.labels(model, state).set(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
