"""The connection layer against hostile clients, over raw sockets: oversized and trickling
headers, silent connections, slow uploads, clients that never read their answer, more
connections than allowed; other clients keep being answered meanwhile."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.service.fault_tools import in_flight
from tests.support import LiveServer, copy_models, eventually

pytestmark = pytest.mark.timeout(120)
LIMITS = {"MAX_HEADER_BYTES": 8192, "HEADER_TIMEOUT_SECONDS": 1, "BODY_TIMEOUT_SECONDS": 1,
          "KEEP_ALIVE_SECONDS": 1, "MAX_CONNECTIONS": 40, "MAX_CONCURRENCY": 8,
          "REQUEST_TIMEOUT_SECONDS": 3}


@pytest.fixture(scope="module")
def server(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("edge")
    repository = copy_models(trained_repository, root / "models", "linear")
    with LiveServer(repository, log_path=root / "server.log", **LIMITS) as live:
        yield live


def connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def read_all(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def predict_ok(server: LiveServer) -> float:
    started = time.perf_counter()
    answer = httpx.post(f"{server.url}/predict/linear", json={"instances": [1]}, timeout=10)
    assert answer.status_code == 200, answer.text
    return time.perf_counter() - started


def test_headers_over_the_limit_get_431_in_json(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000)
        answer = read_all(sock)
    assert status_of(answer) == 431 and b"MAX_HEADER_BYTES" in answer
    assert b"content-type: application/json" in answer


def test_headers_over_the_limit_sent_at_once_get_431(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 +
                     b"\r\n\r\n")
        answer = read_all(sock)
    assert status_of(answer) == 431 and b"MAX_HEADER_BYTES" in answer


def test_a_trickling_header_is_cut_at_the_header_timeout(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        answer = b""
        while time.monotonic() - started < 5 and not answer:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break
            sock.settimeout(0.3)
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
        elapsed = time.monotonic() - started
    assert status_of(answer) == 408 and b"HEADER_TIMEOUT_SECONDS" in answer
    assert elapsed < 3


def test_silent_connections_are_closed(server: LiveServer) -> None:
    sockets = [connect(server) for _ in range(20)]
    time.sleep(1.5)
    for sock in sockets:
        sock.settimeout(2)
        assert status_of(read_all(sock)) in (408, 0)  # answered 408, or closed
        sock.close()
    predict_ok(server)


def test_a_slow_upload_gets_408_and_holds_no_place_among_predictions(server: LiveServer) -> None:
    uploads = [connect(server) for _ in range(12)]  # more than MAX_CONCURRENCY (8)
    for sock in uploads:
        sock.sendall(b"POST /predict/linear HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    time.sleep(0.3)
    assert predict_ok(server) < 1.0  # answered while every slow upload is waiting
    answers = [read_all(sock) for sock in uploads]
    for sock in uploads:
        sock.close()
    assert all(status_of(a) == 408 and b"BODY_TIMEOUT_SECONDS" in a for a in answers)


def test_over_max_connections_only_health_is_answered(server: LiveServer) -> None:
    held = [connect(server) for _ in range(45)]
    for sock in held:  # each inside its request's headers: busy, so none gives its place
        sock.sendall(b"GET /models HTTP/1.1\r\nHost: x\r\n")
    try:
        time.sleep(0.2)
        with connect(server) as sock:
            sock.sendall(b"POST /predict/linear HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n"
                         b'{"instances":[1]}')
            refused = read_all(sock)
        with connect(server) as sock:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(5)
            health = sock.recv(65536)
    finally:
        for sock in held:
            sock.close()
    assert status_of(refused) == 503 and b"MAX_CONNECTIONS" in refused
    assert b"retry-after: 1" in refused.lower()
    assert status_of(health) == 200


def test_silent_connections_over_the_limit_give_their_place_to_new_ones(
        server: LiveServer) -> None:
    silent = [connect(server) for _ in range(100)]  # well over MAX_CONNECTIONS (40)
    try:
        time.sleep(0.2)
        latency = predict_ok(server)
        for sock in silent:
            sock.settimeout(5)
        closed = sum(read_all(sock) == b"" for sock in silent[:50])
        still_open = silent[-5:]
        for sock in still_open:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        answers = [sock.recv(65536) for sock in still_open]
    finally:
        for sock in silent:
            sock.close()
    assert latency < 1.0
    assert closed == 50  # the longest silent went first
    assert all(status_of(answer) == 200 for answer in answers)


def test_a_client_that_never_reads_its_answer_is_dropped_at_the_request_timeout(
        server: LiveServer) -> None:
    # An answer (about 10 MB) larger than the kernel's socket buffers can take on its own.
    body = orjson.dumps({"instances": [float(i) for i in range(900_000)]})
    sock = connect(server)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(b"POST /predict/linear HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                 b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    eventually(lambda: in_flight(server.url) == 1, timeout=10, interval=0.05,
               what="the unread answer counted in flight")
    eventually(lambda: in_flight(server.url) == 0, timeout=10, interval=0.2,
               what="the request dropped at REQUEST_TIMEOUT_SECONDS")
    sock.settimeout(10)
    received = read_all(sock)
    sock.close()
    assert len(received) < len(body)  # cut off, not delivered
    predict_ok(server)


def test_other_clients_are_answered_while_a_header_streams(server: LiveServer) -> None:
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            with connect(server) as sock:
                try:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ")
                    for _ in range(64):
                        sock.sendall(b"b" * 65536)
                except OSError:
                    continue

    thread = threading.Thread(target=stream, daemon=True)
    thread.start()
    try:
        worst = max(predict_ok(server) for _ in range(50))
    finally:
        stop.set()
        thread.join(10)
    assert worst < 0.5
