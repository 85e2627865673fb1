"""Values beyond a dtype's range are refused before any cast: no NumPy overflow warning, in
this process or in a real server's log, for 3e38, 1e999 and their kin on every route."""

from __future__ import annotations

import warnings
from pathlib import Path

import httpx
import numpy as np
import pytest

from service.core.errors import InvalidArgument
from service.protocols.values import cast
from tests.support import LiveServer, copy_models

OUT_OF_RANGE = [(np.array([6e38]), "float32"), (np.array([-3.5e38]), "float32"),
                (np.array([np.inf]), "float32"), (np.array([np.nan]), "float32"),
                (np.array([70000.0]), "float16"), (np.array([1e20]), "int32"),
                (np.array([2.0**63]), "int64"), (np.array([-1.0]), "uint8")]


@pytest.mark.parametrize(("values", "dtype"), OUT_OF_RANGE)
def test_out_of_range_is_refused_before_a_cast_warns(values: np.ndarray, dtype: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would fail the test here
        with pytest.raises(InvalidArgument, match="index 0"):
            cast(values, dtype, lambda index: f"index {index[0]}")


def test_the_largest_float32_casts_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cast(np.array([3.4028234e38, -3e38]), "float32", str).dtype == np.float32


@pytest.mark.parametrize("size", [2, 8, 9, 40])  # up to 8 checked as a list, then by NumPy
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 3.5e38])
@pytest.mark.parametrize("at", [0, -1])
def test_a_bad_value_anywhere_is_refused_at_every_size(size: int, bad: float, at: int) -> None:
    values = np.linspace(-3e38, 3e38, size)
    values[at] = bad
    with pytest.raises(InvalidArgument, match=f"index {at % size}: .* not a finite float32"):
        cast(values, "float32", lambda index: f"index {index[0]}")
    values[at] = 0.0
    assert cast(values, "float32", str).dtype == np.float32


NOT_FINITE = "is not finite"  # the output: the input is beyond what the model can answer
BODIES = [
    ("/predict/linear", b'{"instances": [3e38]}', 422, NOT_FINITE),
    ("/predict/linear", b'{"instances": [1e999]}', 400, "not a finite float32"),
    ("/predict/linear", b'{"instances": [{"x": -1e999}]}', 400, "not a finite float32"),
    ("/predict/linear", b'{"instances": [1, 3.5e38]}', 400, "not a finite float32"),
    ("/predict/quadratic", b'{"instances": [1e20]}', 422, NOT_FINITE),
    ("/v1/models/linear:predict", b'{"instances": [3e38]}', 422, NOT_FINITE),
    ("/v1/models/linear:predict", b'{"inputs": {"x": [1e999]}}', 400, "beyond the float64"),
    ("/v2/models/linear/infer",
     b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [3e38]}]}', 422,
     NOT_FINITE),
    ("/v2/models/linear/infer",
     b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1e300]}]}', 400,
     "not a finite float32"),
]


def test_server_log_has_no_runtime_warning_after_overflowing_requests(
        trained_repository: Path, tmp_path: Path) -> None:
    root = copy_models(trained_repository, tmp_path / "models", "linear", "quadratic")
    with LiveServer(root, log_path=tmp_path / "server.log") as server:
        for path, body, status, fragment in BODIES:
            response = httpx.post(server.url + path, content=body, timeout=10)
            assert response.status_code == status, (path, body, response.text)
            assert fragment in response.json()["error"], response.text
        assert server.stop() == 0
    log = server.log()
    assert log.count("POST /") == len(BODIES)  # the requests are in this log
    for sign in ("RuntimeWarning", "overflow encountered", "invalid value encountered"):
        assert sign not in log, log
