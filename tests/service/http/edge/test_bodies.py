"""Bodies that used to reach a 500, a wrong answer or unbounded memory: each is refused with a
clear 4xx (or 503 when the memory budget is spent), and memory stays bounded."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.service.fault_tools import rss_kib
from tests.support import LiveServer, copy_models, eventually

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def server(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("bodies")
    repository = copy_models(trained_repository, root / "models", "linear", "cereal_calories")
    with LiveServer(repository, log_path=root / "server.log", MAX_REQUEST_BYTES=32 << 20,
                    MAX_INFLIGHT_BYTES=1 << 30) as live:
        yield live


def post(server: LiveServer, path: str, content: bytes, **headers: str | bytes
         ) -> httpx.Response:
    return httpx.post(server.url + path, content=content, timeout=60,
                      headers={"content-type": "application/json", **headers})


V2 = b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}'


@pytest.mark.parametrize(("path", "content", "headers", "says"), [
    ("/v2/models/linear/infer", V2, {"inference-header-content-length": "²".encode()},
     "Inference-Header-Content-Length"),
    ("/v2/models/linear/infer", V2, {"inference-header-content-length": "9" * 5000},
     "Inference-Header-Content-Length"),
    ("/v1/models/cereal_calories:predict",
     b'{"inputs": {"sugars": [[1]], "fibre": [1], "protein": [1]}}', {},
     "input 'sugars' has shape [1, 1] but input 'sugars' takes shape [-1]"),
    ("/v2/models/linear/infer",
     b'{"inputs": [{"name": "x", "shape": [1], "datatype": "BOOL", "data": '
     + b"[" * 1000 + b"true" + b"]" * 1000 + b"}]}", {}, "nested"),
    ("/v1/models/linear:predict", b'{"inputs": {"x": [[1, 2], [3, 4]]}}', {},
     "input 'x' has shape [2, 2] but input 'x' takes shape [-1]"),
    ("/v1/models/linear:predict",
     b'{"instances": ' + b"[" * 990 + b'{"a": 1, "a": 2}' + b"]" * 990 + b"}", {},
     "nested too deeply to be checked for duplicate keys"),
    ("/v2/models/linear/infer",
     b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP16", "data": [70000]}]}', {},
     "is not a finite float16"),
    ("/v2/models/linear/infer",
     b'{"inputs": [{"name": "x", "shape": [1], "datatype": null, "data": [1]}]}', {},
     "datatype is missing (null)"),
    ("/predict/linear?version=1%0A", b'{"instances": [1]}', {}, "invalid version"),
])
def test_each_finding_is_a_clear_400(server: LiveServer, path: str, content: bytes,
                                     headers: dict, says: str) -> None:
    answer = post(server, path, content, **headers)
    assert answer.status_code == 400, answer.text
    assert says in answer.json()["error"]


def row_objects(rows: int) -> bytes:
    return orjson.dumps({"instances": [{"x": 1.5 + i} for i in range(rows)]})


def test_large_row_objects_are_read_without_a_dictionary_per_row(server: LiveServer) -> None:
    assert server.process is not None
    before = rss_kib(server.process.pid)
    answer = post(server, "/predict/linear", row_objects(400_000))
    grown_mib = (rss_kib(server.process.pid) - before) / 1024
    assert answer.status_code == 200 and len(answer.json()["predictions"]) == 400_000
    assert grown_mib < 150  # orjson's dictionaries alone would take about 300 MiB


def test_too_many_row_objects_are_refused_before_they_are_read(server: LiveServer) -> None:
    answer = post(server, "/predict/linear", row_objects(1_100_000))
    assert answer.status_code == 413 and "more than the limit" in answer.json()["error"]


def test_concurrent_large_bodies_stay_within_the_memory_budget(trained_repository: Path,
                                                               tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    body = orjson.dumps({"instances": [[1.5 + i] for i in range(600_000)]})  # no fast path
    budget = 256 << 20
    with LiveServer(repository, MAX_INFLIGHT_BYTES=budget) as live:
        assert live.process is not None
        before = rss_kib(live.process.pid)
        statuses: list[int] = []

        def send() -> None:
            statuses.append(post(live, "/predict/linear", body).status_code)

        threads = [threading.Thread(target=send) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        grown = (rss_kib(live.process.pid) - before) * 1024
    assert set(statuses) <= {200, 503} and 503 in statuses and 200 in statuses
    assert grown < budget + (200 << 20)  # the budget, and a fixed margin


def test_answers_left_unread_are_held_within_the_memory_budget(trained_repository: Path,
                                                               tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    rows = 3_000_000
    body = orjson.dumps({"instances": [0] * rows})  # 6 MB, and a 15 MB answer
    request = (b"POST /predict/linear HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
               b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    budget = 96 << 20
    with LiveServer(repository, MAX_INFLIGHT_BYTES=budget, MAX_INSTANCES=rows,
                    REQUEST_TIMEOUT_SECONDS=60) as live:
        unread = []
        try:
            for _ in range(12):  # each left unread holds its body and its answer
                sock = socket.create_connection(("127.0.0.1", live.port), timeout=10)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(request)
                unread.append(sock)
                time.sleep(0.3)
            refused = post(live, "/predict/linear", body)
            small = post(live, "/predict/linear", b'{"instances": [1]}')
        finally:
            for sock in unread:
                sock.close()
        after = eventually(lambda: (answer := post(live, "/predict/linear", body)).status_code
                           == 200 and answer, timeout=30, what="the budget freed")
    assert refused.status_code == 503 and "MAX_INFLIGHT_BYTES" in refused.json()["error"]
    assert refused.headers["retry-after"] == "1"
    assert small.status_code == 200
    assert len(after.json()["predictions"]) == rows
