"""Requests answered below ASGI (service.http.direct) get exactly the answers of the stack; the
ones it leaves to uvicorn's cycle are still answered. Served in-process by uvicorn with the
connection layer, over real sockets, so the test sees which path took each request."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import uvicorn
from fastapi.testclient import TestClient

from service.http import direct, one_pass
from service.http.app import create_app
from service.http.edge import edge_protocol
from service.http.edge_limits import EdgeLimits
from service.http.server import UVICORN_OPTIONS
from service.settings import Settings
from tests.service.http.edge.test_connections import read_all, status_of
from tests.service.http.test_fastpath import REQUESTS, answer, serve
from tests.support import eventually, free_port

BODY = b'{"instances": [1.0, 2.0]}'
HEADER_TIMEOUT, KEEP_ALIVE = 1.0, 3.0  # seconds, for the deadline tests below


def request(path: str = "/predict/linear", body: bytes = BODY, extra: bytes = b"",
            version: bytes = b"1.1") -> bytes:
    return (b"POST " + path.encode() + b" HTTP/" + version + b"\r\nhost: x\r\n"
            b"content-type: application/json\r\ncontent-length: " + str(len(body)).encode() +
            b"\r\n" + extra + b"\r\n" + body)


class Taken:
    """Counts the requests the direct path answers."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        start = direct.DirectAnswer.start.__func__

        def counted(cls, protocol, one_pass):  # noqa: ANN001, ANN202
            answer = start(cls, protocol, one_pass)
            self.count += answer is not None
            return answer
        monkeypatch.setattr(direct.DirectAnswer, "start", classmethod(counted))


@pytest.fixture(scope="module")
def port(trained_repository: Path) -> Iterator[int]:
    settings = Settings(model_repository=trained_repository, poll_interval_seconds=0.2,
                        version_settle_seconds=0, access_log=False,
                        header_timeout_seconds=HEADER_TIMEOUT, keep_alive_seconds=KEEP_ALIVE)
    app = create_app(settings)
    number = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=number, lifespan="on",
                            **{**UVICORN_OPTIONS,
                               "http": edge_protocol(EdgeLimits.of(settings), app.one_pass)})
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    eventually(lambda: ready(number), timeout=60)
    yield number
    server.should_exit = True
    thread.join(timeout=30)


def ready(port: int) -> bool:
    try:
        return status_of(exchange(port, b"GET /health/ready HTTP/1.1\r\nhost: x\r\n"
                                  b"connection: close\r\n\r\n")) == 200
    except OSError:
        return False


def exchange(port: int, data: bytes, pause: float = 0.0, rest: bytes = b"") -> bytes:
    """Sends `data` (then `rest` after `pause`) on a new connection; all it is answered,
    until the server closes or stays silent for a second."""
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(data)
        if rest:
            time.sleep(pause)
            sock.sendall(rest)
        return read_all(sock)


def parts(raw: bytes) -> tuple:
    """(status, content-type, x-request-id, body) of one answer, as test_fastpath compares."""
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = dict(line.decode().split(": ", 1) for line in head.split(b"\r\n")[1:])
    return (status_of(raw), headers.get("content-type"), headers.get("x-request-id"), body)


@pytest.fixture(scope="module")
def fastapi(trained_repository: Path) -> Iterator[TestClient]:
    yield from serve(trained_repository, "FastAPI")


@pytest.mark.parametrize(("path", "body"), REQUESTS)
def test_answers_as_fastapi_would(port: int, fastapi: TestClient, path: str, body: object,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    taken = Taken(monkeypatch)
    raw = exchange(port, request(path, content, b"x-request-id: same-id-for-both\r\n"
                                                b"connection: close\r\n"))
    assert parts(raw) == answer(fastapi, path, body)
    if path.startswith(("/predict/linear?", "/v2/models/linear/infer")):
        assert taken.count == 1


def test_keep_alive_answers_each_request_in_turn(port: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    taken = Taken(monkeypatch)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for n in range(3):
            sock.sendall(request(extra=f"x-request-id: turn-{n}\r\n".encode()))
            raw = sock.recv(65536)
            assert status_of(raw) == 200 and f"x-request-id: turn-{n}".encode() in raw
        sock.sendall(request(extra=b"connection: close\r\n"))
        last = read_all(sock)  # the server closes after this answer
    assert status_of(last) == 200 and b"connection: close" in last
    assert taken.count == 4


def test_pipelined_requests_are_answered_in_order(port: int) -> None:
    raw = exchange(port, request(extra=b"x-request-id: first\r\n") +
                   request(extra=b"x-request-id: second\r\nconnection: close\r\n"))
    answers = raw.split(b"HTTP/1.1 200 OK")[1:]
    assert len(answers) == 2
    assert b"x-request-id: first" in answers[0] and b"x-request-id: second" in answers[1]


@pytest.mark.parametrize("extra", [b"x-forwarded-for: 10.0.0.9\r\n",
                                   b"x-forwarded-proto: https\r\n"])
def test_proxied_requests_go_through_uvicorns_cycle(port: int, extra: bytes,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    taken = Taken(monkeypatch)
    raw = exchange(port, request(extra=extra + b"connection: close\r\n"))
    assert status_of(raw) == 200 and b'"predictions":[' in raw
    assert taken.count == 0


def test_other_requests_it_leaves_are_answered(port: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    taken = Taken(monkeypatch)
    encoded = exchange(port, request("/predict/lin%65ar", extra=b"connection: close\r\n"))
    assert status_of(encoded) == 200 and b'"model":"linear"' in encoded
    old = exchange(port, request(version=b"1.0"))
    assert old.startswith(b"HTTP/1.1 200") and b'"predictions"' in old
    assert taken.count == 0


def test_a_body_in_two_parts_is_waited_for(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = Taken(monkeypatch)
    whole = request(extra=b"connection: close\r\n")
    raw = exchange(port, whole[:-10], pause=0.3, rest=whole[-10:])
    assert status_of(raw) == 200 and b'"predictions":[' in raw
    assert taken.count == 1


def test_a_client_leaving_mid_body_leaves_the_server_serving(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request()[:-5])
    time.sleep(0.2)
    raw = exchange(port, request(extra=b"connection: close\r\n"))
    assert status_of(raw) == 200 and b'"predictions":[' in raw


def test_headers_still_arriving_keep_their_deadline_after_an_answer(port: int) -> None:
    """A request pipelined behind an answer, its headers trickling in: when the answer ends,
    its header deadline stays (408 at HEADER_TIMEOUT), not the keep-alive's."""
    with socket.create_connection(("127.0.0.1", port), timeout=0.1) as sock:
        started = time.monotonic()
        sock.sendall(request() + b"POST /predict/linear HTTP/1.1\r\nhost: x\r\n")
        data = b""
        while time.monotonic() - started < KEEP_ALIVE + 2:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                sock.sendall(b"x-trickle: 1\r\n")
                time.sleep(0.15)
                continue
            if not chunk:
                break
            data += chunk
        closed_after = time.monotonic() - started
    assert status_of(data) == 200 and b"HTTP/1.1 408 " in data, data
    assert b"HEADER_TIMEOUT_SECONDS" in data
    assert closed_after < KEEP_ALIVE


def test_a_failure_before_the_answer_is_a_json_500(port: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing(*args: object) -> None:
        raise RuntimeError("the entry failed")
    monkeypatch.setattr(one_pass.OnePass, "__call__", failing)
    raw = exchange(port, request(extra=b"connection: close\r\n"))
    status, content_type, _, body = parts(raw)
    assert (status, content_type) == (500, "application/json")  # not uvicorn's plain text
    assert orjson.loads(body)["error"].startswith("internal error")
    monkeypatch.undo()
    assert status_of(exchange(port, request(extra=b"connection: close\r\n"))) == 200
