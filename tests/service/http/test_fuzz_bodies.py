"""Hostile requests, one by one: deep JSON, huge and compressed bodies, non-numbers, duplicate
keys, path tricks in model names and odd versions. Each gets a 4xx JSON error, the server's
memory stays bounded, and nothing outside the repository is served."""

from __future__ import annotations

import gzip
import http.client
import select
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.core.errors import InvalidArgument
from service.protocols.json_body import parse_json
from tests.service.fault_tools import rss_kib
from tests.support import LiveServer

LIMIT = 16 * 1024 * 1024  # the default MAX_REQUEST_BYTES
HUGE = 200 * 1024 * 1024


@pytest.fixture(scope="module")
def server(trained_repository: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The zoo, with a valid model `secret` right beside the repository (outside it)."""
    root = tmp_path_factory.mktemp("bodies")
    shutil.copytree(trained_repository, root / "models")
    shutil.copytree(trained_repository / "linear", root / "secret")
    with LiveServer(root / "models", log_path=root / "server.log") as live:
        yield live


def raw(server: LiveServer, method: str, target: str, body: bytes = b"",
        headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """A request with the target sent exactly as given (no client normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in {"Content-Type": "application/json",
                            "Content-Length": str(len(body)), **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def assert_4xx_json(status: int, headers: dict, body: bytes, fragment: str = "") -> str:
    assert 400 <= status < 500, (status, body[:300])
    assert headers.get("content-type") == "application/json", headers
    message = httpx.Response(status, content=body).json()["error"]
    assert isinstance(message, str) and fragment in message, message
    return message


def post_body(server: LiveServer, body: bytes, model: str = "linear",
              headers: dict[str, str] | None = None) -> str:
    return assert_4xx_json(*raw(server, "POST", f"/predict/{model}", body, headers))


# -- structure ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", ["lists", "objects"])
def test_json_nested_100000_deep_is_400(server: LiveServer, shape: str) -> None:
    depth = 100_000
    inner = "[" * depth + "]" * depth if shape == "lists" else '{"a":' * depth + "1" + "}" * depth
    message = post_body(server, f'{{"instances": {inner}}}'.encode())
    assert "malformed JSON: depth limit exceeded" in message


@pytest.mark.parametrize(("body", "fragment"), [
    (b'{"instances": [NaN]}', "instance 0, input 'x': nan is not a finite float32"),
    (b'{"instances": [1, Infinity]}', "instance 1, input 'x': inf is not a finite float32"),
    (b'{"instances": [-Infinity]}', "-inf is not a finite float32"),
    (b'{"instances": [1e999]}', "inf is not a finite float32"),
    (b'{"instances": [NaN], "instances": [1]}', "duplicate key 'instances'"),
    (b'{"instances": [{"x": NaN, "x": 1}]}', "duplicate key 'x'"),
    (b'{"instances": [NaN}', "malformed JSON"),
    (b'{"instances": [1e39]}', "not a finite float32"),
    (b'{"instances": ["1.0"]}', "expected a number, got str"),
    (b'{"instances": [true]}', "expected a number, got bool"),
    (b'{"instances": [1, false]}', "expected a number, got bool"),
    (b'{"instances": [null]}', "expected a number, got null"),
    (b'{"instances": [[1, 2]]}', "has 2 values but the model takes 1"),
    (b'{"instances": [[]]}', "has 0 values"),
    (b'{"instances": [{"y": 1}]}', "unknown input 'y'"),
    (b'{"instances": [{"x": 1, "x": 2}]}', "duplicate key 'x'"),
    (b'{"instances": [1], "instances": [2]}', "duplicate key 'instances'"),
    (b'{"instances": [1], "extra": true}', "unknown field 'extra'"),
    (b'{"instances": []}', "no instances"),
    (b'{"instances": {"x": 1}}', "must be a JSON array"),
    (b'{"inputs": [1]}', "instances"),
    (b'[1, 2]', "instances"),
    (b'"instances"', "instances"),
    (b'', "empty request body"),
    (b'{"instances": [1]', "malformed JSON"),
    (b'\xff\xfe{"instances": [1]}', "malformed JSON"),
    (b'{"instances": [1]}\x00', "malformed JSON"),
])
def test_bad_body_is_a_clear_400(server: LiveServer, body: bytes, fragment: str) -> None:
    assert fragment in post_body(server, body)


DEEP = b"[" * 100_000 + b"]" * 100_000
PROTOCOL_CASES = [
    (b'{"instances": ' + DEEP + b"}", "depth limit exceeded"),
    (b'{"instances": [1], "instances": [2]}', "duplicate key 'instances'"),
    (b'{"inputs": {"x": [1], "x": [2]}}', "duplicate key 'x'"),
    (b'{"instances": [NaN]}', "malformed JSON"),
    (b'{"instances": [1e999]}', "malformed JSON"),
    (b'{"instances": ["1"]}', "expected a number, got str"),
    (b'{"instances": [1], "inputs": {"x": [1]}}', ""),
]
V2_CASES = [
    (b'{"inputs": ' + DEEP + b"}", "depth limit exceeded"),
    (b'{"inputs": [{"name": "x", "name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}',
     "duplicate key 'name'"),
    (b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [NaN]}]}',
     "malformed JSON"),
    (b'{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": [1]}]}', ""),
    (b'{"inputs": [{"name": "x", "shape": [1], "datatype": "BYTES", "data": ["a"]}]}', ""),
    (b'{"inputs": [], "extra": 1}', ""),
]


@pytest.mark.parametrize(("target", "body", "fragment"),
                         [("/v1/models/linear:predict", *case) for case in PROTOCOL_CASES]
                         + [("/v2/models/linear/infer", *case) for case in V2_CASES])
def test_protocol_routes_refuse_bad_bodies_in_json(server: LiveServer, target: str, body: bytes,
                                                   fragment: str) -> None:
    assert fragment in assert_4xx_json(*raw(server, "POST", target, body))


@pytest.mark.parametrize(("body", "fragment"), [
    (b'{"instances": [[6, 2]]}', "has 2 values but the model takes 3"),
    (b'{"instances": [[6, 2, 3, 4]]}', "has 4 values but the model takes 3"),
    (b'{"instances": [7]}', "is a number but the model takes 3 inputs"),
    (b'{"instances": [{"sugars": 6, "fibre": 2}]}', "missing input 'protein'"),
    (b'{"instances": [{"sugars": 6, "fibre": 2, "protein": 3, "fat": 1}]}', "unknown input"),
])
def test_wrong_arity_for_three_inputs_is_400(server: LiveServer, body: bytes,
                                             fragment: str) -> None:
    assert fragment in post_body(server, body, model="cereal_calories")


def test_duplicate_key_check_is_exact() -> None:
    assert parse_json(b'{"instances": [{"x": "a:b"}]}') == {"instances": [{"x": "a:b"}]}
    assert parse_json(b'{"a\\u003a": 1, "b": 2}') == {"a:": 1, "b": 2}
    for body in (b'{"a\\u003a": 1, "b": 2, "b": 3}', b'[[1, [{"a": 1, "a": 2}]]]',
                 b'{"i": [{"a": 1}, {"a": 1, "a": 2}]}', b'{"s": "::", "k": 1, "k": 1}'):
        with pytest.raises(InvalidArgument, match="duplicate key"):
            parse_json(body)


# -- size and encoding ---------------------------------------------------------------------------
def stream_huge(server: LiveServer, chunked: bool) -> tuple[int, bytes]:
    """Sends up to 200 MB, 1 MiB at a time, stopping when the server answers or hangs up.
    Returns the body bytes sent and the response."""
    head = ("POST /predict/linear HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + ("Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {HUGE}\r\n")
            + "\r\n").encode()
    piece = b'{"instances": [' + b"1," * (512 * 1024 - 8)
    piece = piece + b" " * (1024 * 1024 - len(piece))
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head)
        try:
            while sent < HUGE:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered
                data = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
                sock.sendall(data)
                sent += len(piece)
        except OSError:
            pass  # the server closed the connection: the rest is refused
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    return sent, answer


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_200_mb_body_is_refused_early(server: LiveServer, chunked: bool) -> None:
    assert server.process is not None
    before = rss_kib(server.process.pid)
    sent, answer = stream_huge(server, chunked)
    growth_mib = (rss_kib(server.process.pid) - before) / 1024
    print(f"\n200 MB body ({'chunked' if chunked else 'Content-Length'}): "
          f"{sent / 2**20:.0f} MiB sent before refusal, RSS growth {growth_mib:.1f} MiB")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"MAX_REQUEST_BYTES" in body
    assert sent < (2 * LIMIT if chunked else LIMIT)  # not read to the end
    assert growth_mib < 64
    assert httpx.get(f"{server.url}/health/live").status_code == 200


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """100 MB of JSON in a small gzip upload."""
    compressed = gzip.compress(b'{"instances": [' + b"1," * (50 * 1024 * 1024) + b"1]}")
    assert len(compressed) < 1024 * 1024
    return compressed


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "x-gzip, identity"])
def test_compressed_body_is_415_not_decoded(server: LiveServer, bomb: bytes,
                                            encoding: str) -> None:
    message = post_body(server, bomb, headers={"Content-Encoding": encoding})
    assert "not supported: send the request body uncompressed" in message


def test_identity_encoding_is_accepted(server: LiveServer) -> None:
    status, _, body = raw(server, "POST", "/predict/linear", b'{"instances": [1]}',
                          {"Content-Encoding": "identity"})
    assert status == 200, body


# -- names and versions from the URL --------------------------------------------------------------
NAMES = ["..", "%2e%2e", ".", "..%2Fsecret", "%2e%2e%2fsecret", "a%2Fb", "%2Fetc%2Fpasswd",
         "secret", "linear%00", "lin%20ear", "x" * 8000, "%E6%A8%A1%E5%9E%8B", "%F0%9F%A4%96",
         "%FF%FE", "linear%2F..%2F..%2Fsecret", "LINEAR", "linear.", "~root", "%25"]


@pytest.mark.parametrize("name", NAMES, ids=lambda n: n[:24])
def test_hostile_model_name_is_404_and_reads_nothing(server: LiveServer, name: str) -> None:
    one = b'{"instances": [1]}'
    v2 = b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}'
    for method, target, body in (("POST", f"/predict/{name}", one),
                                 ("GET", f"/models/{name}", b""),
                                 ("GET", f"/v1/models/{name}", b""),
                                 ("POST", f"/v1/models/{name}:predict", one),
                                 ("GET", f"/v2/models/{name}", b""),
                                 ("POST", f"/v2/models/{name}/infer", v2)):
        assert_4xx_json(*raw(server, method, target, body))


@pytest.mark.parametrize("target", ["/predict/../secret", "/predict/a/b", "/etc/passwd",
                                    "/models/../../etc/passwd", "/docs/assets/../../../etc/passwd",
                                    "/docs/assets/..%2f..%2f..%2fetc%2fpasswd"])
def test_path_traversal_targets_are_404(server: LiveServer, target: str) -> None:
    status, headers, body = raw(server, "GET" if "predict" not in target else "POST", target,
                                b'{"instances": [1]}' if "predict" in target else b"")
    assert status == 404, (target, body[:200])
    assert b"root:" not in body
    assert_4xx_json(status, headers, body)


def test_outside_model_is_never_listed(server: LiveServer) -> None:
    names = [m["name"] for m in httpx.get(f"{server.url}/models").json()["models"]]
    assert sorted(names) == ["celsius_to_fahrenheit", "cereal_calories", "linear", "quadratic"]


@pytest.mark.parametrize("query", ["version=-1", "version=01", "version=1e3", "version=1.0",
                                   "version=99999999999999999999", "version=%201", "version=",
                                   "version=abc", "version=0", "version=1&label=stable",
                                   "version=999", "label=..", "label=%00", "label=" + "l" * 5000])
def test_hostile_version_or_label_is_4xx(server: LiveServer, query: str) -> None:
    assert_4xx_json(*raw(server, "POST", f"/predict/linear?{query}", b'{"instances": [1]}'))


@pytest.mark.parametrize("version", ["-1", "01", "1e3", "1.0", "99999999999999999999", "0",
                                     "%201", "abc", "999", "..", "%2e%2e"])
def test_hostile_version_in_protocol_paths_is_4xx(server: LiveServer, version: str) -> None:
    for method, target in (("GET", f"/v1/models/linear/versions/{version}"),
                           ("POST", f"/v1/models/linear/versions/{version}:predict"),
                           ("GET", f"/v2/models/linear/versions/{version}")):
        assert_4xx_json(*raw(server, method, target, b'{"instances": [1]}'))


def test_memory_stays_bounded_after_the_battery(server: LiveServer) -> None:
    assert server.process is not None
    before = rss_kib(server.process.pid)
    for _ in range(3):
        post_body(server, b'{"instances": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
        stream_huge(server, chunked=True)
        post_body(server, b'{"instances": [1], "instances": [2]}')
    time.sleep(0.2)
    growth_mib = (rss_kib(server.process.pid) - before) / 1024
    print(f"\nbattery x3: RSS growth {growth_mib:.1f} MiB")
    assert growth_mib < 32
