"""Prometheus metrics, in a registry of the app's own (several apps can live in one process).

With worker processes (WORKERS > 1) the supervisor sets PROMETHEUS_MULTIPROC_DIR before any
worker starts: prometheus-client's multiprocess mode then keeps every worker's values in files
there, and /metrics, whichever worker answers it, adds them up (gauges: the sum of the live
workers' in-flight requests, the largest count of versions per state)."""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

disable_created_metrics()  # no *_created series: they double the scrape for no use here

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 16384, 65536, 262144)


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess = multiprocess_mode()
        self.requests = Counter(
            "serving_requests", "requests (HTTP and gRPC) by model, version, route and status",
            ["model", "version", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "serving_request_duration_seconds", "request latency (HTTP and gRPC)",
            ["model", "route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.batch_rows = Histogram(
            "serving_batch_rows", "rows per signature call (after micro-batching)",
            ["model", "version"], buckets=BATCH_BUCKETS, registry=self.registry)
        self.in_flight = Gauge(
            "serving_requests_in_flight",
            "requests being served, HTTP and gRPC (health and /metrics excluded)",
            registry=self.registry, multiprocess_mode="livesum")
        self.versions = Gauge(
            "serving_model_versions", "model versions by state", ["model", "state"],
            registry=self.registry, multiprocess_mode="livemax")
        self._version_keys: set[tuple[str, str]] = set()
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
        """Every (model, state) ever seen gets its count now, 0 when none (a removed series
        would live on in another worker's files)."""
        self._version_keys |= counts.keys()
        for model, state in self._version_keys:
            self.versions.labels(model, state).set(counts.get((model, state), 0))

    def render(self) -> bytes:
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
