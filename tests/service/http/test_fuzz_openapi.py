"""Schemathesis against the service's own /openapi.json: every operation, valid and invalid
generated requests (and ones aimed at the real models), zero 5xx, every error body JSON."""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.support import LiveServer

# CI default; FUZZ_EXAMPLES=150 (or more) for a deeper run.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "20"))
MODELS = ["linear", "celsius_to_fahrenheit", "quadratic", "cereal_calories"]
NON_JSON_OK = {"/metrics"}  # Prometheus text


@pytest.fixture(scope="module")
def server(trained_repository: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("openapi")
    shutil.copytree(trained_repository, root / "models")
    with LiveServer(root / "models", log_path=root / "server.log", ACCESS_LOG="false") as live:
        yield live


def strategies(operation: schemathesis.APIOperation) -> st.SearchStrategy:
    """Schema-valid and schema-invalid requests; for operations naming a model, also ones aimed
    at each real model (random names alone would only ever meet 404)."""
    found = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        found.append(operation.as_strategy(generation_mode=mode))
        for parameter in ("model", "name"):
            if f"{{{parameter}}}" in operation.path:
                found += [operation.as_strategy(generation_mode=mode,
                                                path_parameters={parameter: model})
                          for model in MODELS]
    return st.one_of(found)


def check(operation: schemathesis.APIOperation, response, seen: Counter) -> None:
    seen[response.status_code // 100] += 1
    where = f"{operation.method.upper()} {operation.path} -> {response.status_code}"
    assert response.status_code < 500, f"{where}: {response.text[:500]}"
    content_type = "".join(response.headers.get("content-type", []))  # values are lists
    if response.status_code >= 400 or operation.path not in NON_JSON_OK:
        assert content_type.startswith("application/json"), f"{where}: {content_type}"
        body = response.json()
        if response.status_code >= 400:
            assert isinstance(body.get("error"), str) and body["error"], f"{where}: {body}"


def fuzz(operation: schemathesis.APIOperation, url: str, seen: Counter) -> None:
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategies(operation))
    def run(case: schemathesis.Case) -> None:
        check(operation, case.call(base_url=url, timeout=30), seen)

    run()


def test_generated_requests_get_no_5xx_and_json_errors(server: LiveServer) -> None:
    started = time.monotonic()
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    seen: Counter = Counter()
    operations = 0
    for result in schema.get_all_operations():
        fuzz(result.ok(), server.url, seen)
        operations += 1
    total = sum(seen.values())
    print(f"\nschemathesis: {operations} operations, {total} generated requests, "
          f"by status class {dict(sorted(seen.items()))}, 5xx: {seen[5]}, "
          f"{time.monotonic() - started:.1f} s")
    assert operations >= 6
    assert seen[5] == 0
    assert total >= 200
    assert seen[2] > 0 and seen[4] > 0  # both answers and refusals were exercised
