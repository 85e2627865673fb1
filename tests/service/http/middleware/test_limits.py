"""The limits over real HTTP: the body limit enforced before the body is read (declared or
chunked), the request deadline (504 and 408) and the concurrency limit (503)."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.fault_tools import in_flight, save_slow_model
from tests.support import LiveServer, copy_models, eventually, raw_exchange

LIMIT = 4096
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def server(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("limits")
    repository = copy_models(trained_repository, root / "models", "linear")
    (repository / "slow").mkdir()
    save_slow_model(repository / "slow" / "1")
    shutil.copytree(repository / "slow", repository / "slow2")  # runs in parallel
    with LiveServer(repository, log_path=root / "server.log", MAX_REQUEST_BYTES=LIMIT,
                    MAX_CONCURRENCY=2, REQUEST_TIMEOUT_SECONDS=TIMEOUT) as live:
        yield live


def assert_json_error(response: httpx.Response, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert fragment in response.json()["error"]


def test_declared_body_over_limit_is_413_before_it_is_sent(server: LiveServer) -> None:
    head = (b"POST /predict/linear HTTP/1.1\r\nHost: test\r\nContent-Type: application/json"
            b"\r\nContent-Length: 10000000000\r\n\r\n")
    answer = raw_exchange(server, head)  # not one byte of the body is ever sent
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 413")
    assert json.loads(body) == {"error": f"request body is larger than the limit of {LIMIT} "
                                         "bytes (MAX_REQUEST_BYTES)"}


def test_chunked_body_over_limit_is_413_before_it_ends(server: LiveServer) -> None:
    chunk = b'{"instances": [' + b"1, " * 1500
    head = (b"POST /predict/linear HTTP/1.1\r\nHost: test\r\nContent-Type: application/json"
            b"\r\nTransfer-Encoding: chunked\r\n\r\n")
    sent = head + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"  # no final 0-size chunk
    answer = raw_exchange(server, sent)
    status, _, body = answer.partition(b"\r\n\r\n")
    assert len(chunk) > LIMIT and status.startswith(b"HTTP/1.1 413")
    assert b"larger than the limit of 4096 bytes" in body


def test_chunked_body_under_limit_is_served(server: LiveServer) -> None:
    def stream() -> Iterator[bytes]:
        yield b'{"instances": '
        yield b"[1, 2, 3]}"

    response = httpx.post(f"{server.url}/predict/linear", content=stream(),
                          headers={"content-type": "application/json"})
    assert response.status_code == 200 and len(response.json()["predictions"]) == 3
    assert "content-length" not in response.request.headers


def test_httpx_chunked_upload_over_limit_is_413(server: LiveServer) -> None:
    def stream() -> Iterator[bytes]:
        yield b'{"instances": ['
        for _ in range(100):
            yield b"1, " * 20
        yield b"1]}"

    response = httpx.post(f"{server.url}/predict/linear", content=stream())
    assert response.status_code == 413 and "MAX_REQUEST_BYTES" in response.json()["error"]


def test_slow_prediction_gets_504(server: LiveServer) -> None:
    started = time.monotonic()
    response = httpx.post(f"{server.url}/predict/slow", json={"instances": [3000]}, timeout=30)
    elapsed = time.monotonic() - started
    assert_json_error(response, 504, "longer than 2 s")
    assert elapsed < 3000 / 1000
    assert httpx.get(f"{server.url}/health/live").status_code == 200


def test_slow_body_upload_gets_408(server: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /predict/linear HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"application/json\r\nContent-Length: 100\r\n\r\n{\"instances\": [")
        started = time.monotonic()
        answer = sock.recv(65536)
        elapsed = time.monotonic() - started
        while chunk := sock.recv(65536):  # the server closes the connection after it
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert b"not received within" in body
    assert TIMEOUT - 0.5 < elapsed < TIMEOUT + 5


def test_over_concurrency_limit_gets_503_and_health_still_answers(server: LiveServer) -> None:
    results: list[int] = []

    def slow(model: str) -> None:
        response = httpx.post(f"{server.url}/predict/{model}", json={"instances": [1200]},
                              timeout=30)
        results.append(response.status_code)

    threads = [threading.Thread(target=slow, args=(model,)) for model in ("slow", "slow2")]
    for thread in threads:
        thread.start()
    eventually(lambda: in_flight(server.url) == 2, timeout=10, interval=0.02,
               what="both slots taken")
    busy = httpx.post(f"{server.url}/predict/linear", json={"instances": [1]})
    live = httpx.get(f"{server.url}/health/live").status_code
    ready = httpx.get(f"{server.url}/health/ready").status_code
    scrape = httpx.get(f"{server.url}/metrics").status_code
    for thread in threads:
        thread.join(30)
    assert_json_error(busy, 503, "MAX_CONCURRENCY")
    assert busy.headers["retry-after"] == "1"
    assert (live, ready, scrape) == (200, 200, 200)
    assert results == [200, 200]  # the two in flight were not harmed
    after = httpx.post(f"{server.url}/predict/linear", json={"instances": [1]})
    assert after.status_code == 200, after.text
