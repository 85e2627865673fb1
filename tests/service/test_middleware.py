"""Over real HTTP: request ids (honoured, echoed, generated), one JSON access-log line per request,
and the body limit enforced before the body is read (declared or chunked)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import LiveServer, copy_models, eventually

LIMIT = 4096


@pytest.fixture(scope="module")
def server(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("middleware")
    repository = copy_models(trained_repository, root / "models", "linear")
    with LiveServer(repository, log_path=root / "server.log", LOG_FORMAT="json",
                    MAX_REQUEST_BYTES=LIMIT) as live:
        yield live


def log_records(server: LiveServer) -> list[dict]:
    """Every line the server wrote, each parsed as JSON (fails on a line that is not)."""
    return [json.loads(line) for line in server.log().splitlines() if line.strip()]


def access_records(server: LiveServer, request_id: str) -> list[dict]:
    return [r for r in log_records(server)
            if r["logger"] == "service.access" and r.get("request_id") == request_id]


def raw_exchange(server: LiveServer, request: bytes, read_timeout: float = 10.0) -> bytes:
    """Sends `request` on a fresh connection (not closing the sending side) and returns what
    the server answers until it closes or a full JSON body arrived."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def test_request_id_is_honoured_echoed_and_logged(server: LiveServer) -> None:
    response = httpx.post(f"{server.url}/predict/linear", json={"instances": [1]},
                          headers={"X-Request-ID": "client-42.a"})
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "client-42.a"
    (record,) = eventually(lambda: access_records(server, "client-42.a"))
    assert record["level"] == "info" and record["method"] == "POST"
    assert (record["path"], record["status"]) == ("/predict/linear", 200)
    assert (record["model"], record["version"]) == ("linear", "1")
    assert record["duration_ms"] > 0 and "client-42.a" in record["message"]


def test_request_id_is_generated_when_absent(server: LiveServer) -> None:
    first = httpx.get(f"{server.url}/health/live").headers["x-request-id"]
    second = httpx.get(f"{server.url}/health/live").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert eventually(lambda: access_records(server, first))


@pytest.mark.parametrize("given", ["has space", "x" * 129, "caf\u00e9"])
def test_unusable_request_id_is_replaced(server: LiveServer, given: str) -> None:
    response = httpx.get(f"{server.url}/health/live",
                         headers={"X-Request-ID": given.encode("utf-8")})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_one_access_line_per_request_including_errors(server: LiveServer) -> None:
    calls = [("GET", "/models", None, 200), ("POST", "/predict/linear", b"{", 400),
             ("POST", "/predict/ghost", b'{"instances": [1]}', 404),
             ("GET", "/nowhere", None, 404), ("DELETE", "/models", None, 405)]
    for index, (method, path, body, status) in enumerate(calls):
        response = httpx.request(method, server.url + path, content=body,
                                 headers={"X-Request-ID": f"line-{index}"})
        assert (response.status_code, response.headers["x-request-id"]) == \
            (status, f"line-{index}")
    for index, (method, path, _, status) in enumerate(calls):
        (record,) = eventually(lambda i=index: access_records(server, f"line-{i}"))
        assert (record["method"], record["path"], record["status"]) == (method, path, status)


def test_every_log_line_is_json(server: LiveServer) -> None:
    httpx.get(f"{server.url}/models")
    records = log_records(server)
    loggers = {r["logger"] for r in records}
    assert {"service", "service.registry", "service.access", "uvicorn.error"} <= loggers
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)


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
