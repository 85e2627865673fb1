"""An answer's head is written with its body (service.http.head_with_body): one write for
both, and answers without a body, "100 Continue" and pipelined requests still right."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from service.http.head_with_body import HeadWithBody
from tests.service.http.edge.test_connections import read_all, status_of
from tests.support import LiveServer, copy_models

pytestmark = pytest.mark.timeout(120)
PREDICT = (b"POST /predict/linear HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
           b"content-length: 17\r\n\r\n{\"instances\":[1]}")


class Recorded:
    """A transport that keeps what was written, call by call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[bytes, ...]]] = []

    def write(self, data: bytes) -> None:
        self.calls.append(("write", (data,)))

    def writelines(self, pieces: tuple[bytes, ...]) -> None:
        self.calls.append(("writelines", tuple(pieces)))

    def close(self) -> None:
        self.calls.append(("close", ()))

    def is_closing(self) -> bool:
        return False


def cycle_with(transport: Recorded) -> SimpleNamespace:
    cycle = SimpleNamespace(transport=transport, response_started=False, completed=0)
    cycle.on_response = lambda: setattr(cycle, "completed", cycle.completed + 1)
    HeadWithBody.install(cycle)  # type: ignore[arg-type]
    return cycle


def test_head_and_body_go_in_one_call() -> None:
    transport = Recorded()
    cycle = cycle_with(transport)
    cycle.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # before the answer: as is
    cycle.response_started = True
    cycle.transport.write(b"HEAD")
    assert transport.calls == [("write", (b"HTTP/1.1 100 Continue\r\n\r\n",))]
    cycle.transport.write(b"BODY")
    cycle.transport.write(b"MORE")
    cycle.on_response()
    assert transport.calls[1:] == [("writelines", (b"HEAD", b"BODY")), ("write", (b"MORE",))]
    assert cycle.completed == 1 and not cycle.transport.is_closing()


def test_a_head_without_body_is_written_when_the_answer_completes_or_closes() -> None:
    for finish in ("complete", "close"):
        transport = Recorded()
        cycle = cycle_with(transport)
        cycle.response_started = True
        cycle.transport.write(b"HEAD")
        assert transport.calls == []
        cycle.on_response() if finish == "complete" else cycle.transport.close()
        assert transport.calls[0] == ("write", (b"HEAD",))


def test_installing_twice_keeps_one_stand_in() -> None:
    transport = Recorded()
    cycle = cycle_with(transport)
    first = cycle.transport
    HeadWithBody.install(cycle)  # type: ignore[arg-type]
    assert cycle.transport is first
    HeadWithBody.install(None)  # no cycle (an upgrade request): nothing to do


@pytest.fixture(scope="module")
def server(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("writes")
    repository = copy_models(trained_repository, root / "models", "linear")
    with LiveServer(repository, log_path=root / "server.log") as live:
        yield live


def exchange(server: LiveServer, *requests: bytes, answers: int) -> list[bytes]:
    """Sends `requests` on one connection, then reads until `answers` answers came."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for request in requests:
            sock.sendall(request)
        data = b""
        while data.count(b"HTTP/1.1 ") < answers or not _complete(data):
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {data!r}"
            data += chunk
    return [b"HTTP/1.1 " + part for part in data.split(b"HTTP/1.1 ")[1:]]


def _complete(data: bytes) -> bool:
    """Whether the last answer has all of its body (it is never a HEAD's here)."""
    head, found, body = data.rsplit(b"HTTP/1.1 ", 1)[1].partition(b"\r\n\r\n")
    length = [line.split(b":", 1)[1] for line in head.split(b"\r\n")
              if line.lower().startswith(b"content-length:")]
    return bool(found) and len(body) >= int(length[0])


def test_head_request_then_another_on_the_same_connection(server: LiveServer) -> None:
    head, answer = exchange(server, b"HEAD /models/linear HTTP/1.1\r\nhost: x\r\n\r\n",
                            PREDICT, answers=2)
    assert status_of(head) == 200 and head.endswith(b"\r\n\r\n")  # headers only
    assert status_of(answer) == 200 and b'"predictions"' in answer


def test_pipelined_predictions_are_answered_in_order(server: LiveServer) -> None:
    answers = exchange(server, PREDICT.replace(b"host: x", b"host: x\r\nx-request-id: one")
                       + PREDICT.replace(b"host: x", b"host: x\r\nx-request-id: two"),
                       answers=2)
    assert [status_of(a) for a in answers] == [200, 200]
    assert b"x-request-id: one" in answers[0] and b"x-request-id: two" in answers[1]


def test_expect_100_continue_is_answered_before_the_body(server: LiveServer) -> None:
    head, _, body = PREDICT.partition(b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + b"\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        answer = read_all(sock)
    assert status_of(answer) == 200 and b'"predictions"' in answer
