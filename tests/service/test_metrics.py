"""GET /metrics: request counts by model, version, route and status; latency; batch sizes;
loaded versions; and no series minted from names a client made up."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.support import serve_in_process


def scrape(client: TestClient) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted label items): value} from one /metrics scrape."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module")
def client(trained_repository: Path):
    with serve_in_process(trained_repository) as client:
        yield client


def test_metrics_count_requests_by_model_version_route_status(client: TestClient) -> None:
    before = scrape(client)
    for _ in range(3):
        client.post("/predict/linear", json={"instances": [1, 2]})
    client.post("/predict/linear", json={"instances": ["a"]})
    client.post("/predict/linear?version=9", json={"instances": [1]})
    after = scrape(client)
    route = "/predict/{model}"
    for version, status, count in [("1", "200", 3), ("", "400", 1), ("", "404", 1)]:
        labels = {"model": "linear", "version": version, "route": route, "status": status}
        assert value(after, "serving_requests_total", **labels) \
            - value(before, "serving_requests_total", **labels) == count


def test_metrics_latency_histogram_counts_requests(client: TestClient) -> None:
    before = scrape(client)
    for _ in range(4):
        client.post("/predict/quadratic", json={"instances": [3]})
    after = scrape(client)
    labels = {"model": "quadratic", "route": "/predict/{model}"}
    assert value(after, "serving_request_duration_seconds_count", **labels) \
        - value(before, "serving_request_duration_seconds_count", **labels) == 4
    assert value(after, "serving_request_duration_seconds_bucket", le="+Inf", **labels) == \
        value(after, "serving_request_duration_seconds_count", **labels)
    assert value(after, "serving_request_duration_seconds_sum", **labels) > 0


def test_metrics_batch_rows_histogram_observes_rows(client: TestClient) -> None:
    before = scrape(client)
    client.post("/predict/cereal_calories", json={"instances": [[1, 2, 3]] * 5})
    after = scrape(client)
    labels = {"model": "cereal_calories", "version": "1"}
    assert value(after, "serving_batch_rows_sum", **labels) \
        - value(before, "serving_batch_rows_sum", **labels) == 5
    assert value(after, "serving_batch_rows_bucket", le="4.0", **labels) \
        == value(before, "serving_batch_rows_bucket", le="4.0", **labels)
    assert value(after, "serving_batch_rows_bucket", le="8.0", **labels) \
        - value(before, "serving_batch_rows_bucket", le="8.0", **labels) == 1


def test_metrics_gauge_counts_loaded_versions_by_state(client: TestClient) -> None:
    samples = scrape(client)
    for model in ["celsius_to_fahrenheit", "cereal_calories", "linear", "quadratic"]:
        assert value(samples, "serving_model_versions", model=model, state="AVAILABLE") == 1


def test_metrics_unknown_model_names_mint_no_series(client: TestClient) -> None:
    for index in range(5):
        client.post(f"/predict/made-up-{index}", json={"instances": [1]})
    samples = scrape(client)
    models = {dict(labels).get("model") for _, labels in samples}
    assert not any(m and m.startswith("made-up") for m in models)
    unknown = {"model": "", "version": "", "route": "/predict/{model}", "status": "404"}
    assert value(samples, "serving_requests_total", **unknown) == 5


def test_metrics_unmatched_routes_share_one_series(client: TestClient) -> None:
    for index in range(3):
        client.get(f"/no/such/path/{index}")
    samples = scrape(client)
    routes = {dict(labels).get("route") for _, labels in samples}
    assert not any(r and r.startswith("/no/such") for r in routes)
    assert value(samples, "serving_requests_total", model="", version="", route="unmatched",
                 status="404") == 3
