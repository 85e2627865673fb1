"""flat_numbers: exactly `{"<key>": [numbers]}` is read into float64, equal to what the general
JSON path reads; every other body is left to the general path (None)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import orjson
import pytest

from service.protocols.flat_json import MIN_BYTES, flat_numbers


def general_path(body: bytes) -> np.ndarray:
    return np.asarray(orjson.loads(body)["instances"], dtype=np.float64)


def test_read_flat_array_equals_general_path() -> None:
    rng = np.random.default_rng(7)
    values = [*rng.normal(0, 1e3, 500).tolist(), 0, -0.0, 1, -17, 1e-300, 2.5e-7, 0.1,
              123456789012345, -9007199254740991, 8.5e15]
    body = orjson.dumps({"instances": values})
    read = flat_numbers(body, "instances", min_bytes=0)
    assert read is not None and read.dtype == np.float64
    np.testing.assert_array_equal(read, general_path(body))


@pytest.mark.parametrize("text", [b'{"instances":[1,2.5,-3e2]}', b'{ "instances" : [ 1 , 2.5 ,'
                                  b' -3E2 ] }', b'\n{"instances":\t[1,2.5,-3e+2]}\n'])
def test_read_whitespace_and_exponent_forms(text: bytes) -> None:
    read = flat_numbers(text, "instances", min_bytes=0)
    assert read is not None
    assert read.tolist() == [1.0, 2.5, -300.0]


def test_read_empty_array_is_empty_vector() -> None:
    read = flat_numbers(b'{"instances": []}', "instances", min_bytes=0)
    assert read is not None and read.shape == (0,)


@pytest.mark.parametrize("body", [
    b'{"instances": [1, [2]]}',                  # a nested row
    b'{"instances": [[1], [2]]}',                # rows of one
    b'{"instances": [1, 2], "extra": 3}',       # another key
    b'{"instances": [1, 2], "instances": [3]}',  # a duplicate key
    b'{"inputs": [1, 2]}',                       # a different key
    b'{"inst:ances": [1, 2]}',                   # the colon is inside the key
    b'{"instances": [1, "2"]}',                  # a string
    b'{"instances": [1, true]}',                 # a boolean
    b'{"instances": [1, null]}',                 # null
    b'{"instances": [1, {"x": 2}]}',             # an object
    b'{"instances": [NaN]}',                     # not JSON
    b'{"instances": [Infinity]}',
    b'{"instances": [1e999]}',                   # beyond float64
    b'{"instances": [9007199254740993]}',        # an integer float64 would round
    b'{"instances": [-1e16]}',
    b'{"instances": [1, 2,]}',                   # malformed
    b'{"instances": [1 2]}',
    b'{"instances": [01]}',
    b'{"instances": [1, 2]} trailing',
    b'[1, 2]',                                   # not an object
    b'{"instances": 5}',                         # not an array
    b'',
], ids=lambda body: body.decode(errors="replace")[:40])
def test_read_anything_else_is_left_to_general_path(body: bytes) -> None:
    assert flat_numbers(body, "instances", min_bytes=0) is None


def test_read_in_many_threads_gives_each_its_own_numbers() -> None:
    bodies = [json.dumps({"instances": [float(i)] * (1000 + i)}).encode() for i in range(8)]
    wrong: list[int] = []

    def read_many(index: int) -> None:
        for _ in range(50):
            read = flat_numbers(bodies[index], "instances")
            if read is None or read.shape != (1000 + index,) or not (read == index).all():
                wrong.append(index)

    threads = [threading.Thread(target=read_many, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_read_keeps_working_after_a_refused_body() -> None:
    assert flat_numbers(b'{"instances": [1, "x"]}', "instances", min_bytes=0) is None
    read = flat_numbers(b'{"instances": [4, 5]}', "instances", min_bytes=0)
    assert read is not None and read.tolist() == [4.0, 5.0]


def test_read_small_body_is_left_to_general_path() -> None:
    small = b'{"instances": [1, 2, 3]}'
    assert flat_numbers(small, "instances") is None
    assert flat_numbers(small + b" " * MIN_BYTES, "instances") is not None


# Reads a body just under the 16 MiB request limit, then five more times, and prints the body's
# size, the resident memory kept after the first read and the growth over the next five (MiB).
KEPT_AFTER_LARGE_BODY = """
import orjson
from service.protocols.flat_json import flat_numbers
def resident_mib():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
body = orjson.dumps({"instances": [round(i * 0.001 - 50, 3) for i in range(2_000_000)]})
before = resident_mib()
def read():
    values = flat_numbers(body, "instances")
    assert values is not None and len(values) == 2_000_000
read()
first = resident_mib()
for _ in range(5):
    read()
print(len(body) / 2**20, first - before, resident_mib() - first)
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
def test_the_large_body_parser_keeps_bounded_buffers() -> None:
    """The one large-body parser keeps buffers sized to the largest body (about 6x), and no
    more however many bodies it reads."""
    out = subprocess.run([sys.executable, "-c", KEPT_AFTER_LARGE_BODY], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    body_mib, kept, growth = map(float, out.split())
    assert kept < 8 * body_mib and growth < 5
