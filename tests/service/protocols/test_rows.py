"""JSON instances -> named float32 columns: every accepted form, and errors naming the instance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.errors import InvalidArgument, TooLarge
from service.core.types import Signature
from service.protocols.columns import tensors_from_inputs
from service.protocols.counts import check_count
from service.protocols.rows import tensors_from_instances
from tests.service.protocols.signatures import vectors

ONE = vectors("x")
THREE = vectors("sugars", "fibre", "protein")


def as_lists(columns: dict[str, np.ndarray]) -> dict[str, list[float]]:
    return {name: values.tolist() for name, values in columns.items()}


def test_numbers_become_one_float32_column() -> None:
    columns = tensors_from_instances([1, 2.5, -3], ONE, 10)
    assert list(columns) == ["x"] and columns["x"].dtype == np.float32
    assert columns["x"].tolist() == [1.0, 2.5, -3.0]


def test_lists_split_into_columns_in_input_order() -> None:
    columns = tensors_from_instances([[6, 2, 3], [1, 0, 4]], THREE, 10)
    assert as_lists(columns) == {"sugars": [6, 1], "fibre": [2, 0], "protein": [3, 4]}


def test_objects_are_read_by_name_whatever_their_key_order() -> None:
    rows = [{"protein": 3, "sugars": 6, "fibre": 2}, {"fibre": 0, "protein": 4, "sugars": 1}]
    columns = tensors_from_instances(rows, THREE, 10)
    assert as_lists(columns) == {"sugars": [6, 1], "fibre": [2, 0], "protein": [3, 4]}


def test_forms_can_be_mixed_in_one_request() -> None:
    columns = tensors_from_instances([1, [2], {"x": 3}], ONE, 10)
    assert columns["x"].tolist() == [1, 2, 3]


def test_columns_are_contiguous() -> None:
    columns = tensors_from_instances([[6, 2, 3], [1, 0, 4]], THREE, 10)
    assert all(values.flags["C_CONTIGUOUS"] for values in columns.values())


def test_bool_is_rejected_when_body_may_hold_booleans() -> None:
    with pytest.raises(InvalidArgument, match="instance 1: expected a number, got bool"):
        tensors_from_instances([1, True], ONE, 10, maybe_bool=True)
    with pytest.raises(InvalidArgument,
                       match="instance 0, input 'fibre': expected a number, got bo"):
        tensors_from_instances([[1, False, 3]], THREE, 10, maybe_bool=True)


@pytest.mark.parametrize(("instances", "inputs", "message"), [
    ("1", ONE, '"instances" must be a JSON array'),
    ({"x": 1}, ONE, '"instances" must be a JSON array'),
    ([1, [1, 2]], ONE, "instance 1 has 2 values but the model takes 1 (x)"),
    ([[6, 2, 3], 7], THREE, "instance 1 is a number but the model takes 3 inputs"),
    ([[6, 2, 3], "7"], THREE, "instance 1 is str but the model takes 3 inputs"),
    ([{"x": 1, "y": 2}], ONE, "instance 0: unknown input 'y'; inputs are x"),
    ([{}], ONE, "instance 0: missing input 'x'; inputs are x"),
    ([None], ONE, "instance 0: expected a number, got null"),
    ([[6, None, 3]], THREE, "instance 0, input 'fibre': expected a number, got null"),
    ([{"x": "1"}], ONE, "instance 0: expected a number, got str"),
    ([1, float("nan")], ONE, "instance 1, input 'x': nan is not a finite float32"),
    ([[1, 2, 3], [1, float("inf"), 3]], THREE, "instance 1, input 'fibre': inf is not a finite"),
    ([4e38], ONE, "instance 0, input 'x': 4e+38 is not a finite float32"),
    ([10 ** 400], ONE, "instance 0: 1000"),
])
def test_bad_instances_name_the_instance(instances: object, inputs: Signature,
                                         message: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        tensors_from_instances(instances, inputs, 10)
    assert message in caught.value.message


def test_messages_say_what_is_accepted() -> None:
    with pytest.raises(InvalidArgument) as one:
        tensors_from_instances(["a"], ONE, 10)
    with pytest.raises(InvalidArgument) as three:
        tensors_from_instances([[1]], THREE, 10)
    assert 'each instance is a number, a one-element list, or {"x": number}' in one.value.message
    assert ("each instance is a list of 3 numbers (sugars, fibre, protein) or an object with "
            "those keys") in three.value.message


def test_count_limits() -> None:
    with pytest.raises(InvalidArgument, match="no instances: send at least one"):
        check_count(0, 5)
    with pytest.raises(TooLarge, match="6 instances is more than the limit of 5"):
        tensors_from_instances([1] * 6, ONE, 5)
    check_count(5, 5)


def test_inputs_columnar_form_by_name_and_bare_list() -> None:
    by_name = tensors_from_inputs({"fibre": [2, 0], "protein": [3, 4], "sugars": [6, 1]},
                                  THREE, 10)
    assert as_lists(by_name) == {"sugars": [6, 1], "fibre": [2, 0], "protein": [3, 4]}
    assert tensors_from_inputs([1, 2], ONE, 10)["x"].tolist() == [1, 2]
    assert tensors_from_inputs({"x": 5}, ONE, 10)["x"].tolist() == [5]


@pytest.mark.parametrize(("payload", "message"), [
    ([1, 2], '"inputs" as a list only works for one-input models'),
    ({"sugars": [1], "fibre": [1]}, "missing: protein"),
    ({"sugars": [1], "fibre": [1], "protein": [1], "salt": [1]}, "unknown: salt"),
    ({"sugars": [1, 2], "fibre": [1], "protein": [1]}, "inputs have different lengths"),
    ({"sugars": [1], "fibre": [True], "protein": [1]}, "input 'fibre', row 0: expected a number"),
    ({"sugars": [1], "fibre": ["2"], "protein": [1]}, "got str"),
    ({"sugars": [], "fibre": [], "protein": []}, "no instances"),
])
def test_bad_inputs_say_what_is_wrong(payload: object, message: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        tensors_from_inputs(payload, THREE, 10)
    assert message in caught.value.message


FLOAT32 = st.floats(allow_nan=False, allow_infinity=False, width=32)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3).flatmap(
    lambda width: st.lists(st.lists(FLOAT32, min_size=width, max_size=width),
                           min_size=1, max_size=20)))
def test_every_form_gives_the_same_columns(rows: list[list[float]]) -> None:
    names = THREE.input_names[: len(rows[0])]
    expected = np.asarray(rows, dtype=np.float32)
    forms = [rows, [dict(zip(names, row, strict=True)) for row in rows]]
    if len(names) == 1:
        forms.append([row[0] for row in rows])
    for form in forms:
        for maybe_bool in (True, False):
            columns = tensors_from_instances(form, vectors(*names), 100, maybe_bool=maybe_bool)
            for index, name in enumerate(names):
                np.testing.assert_array_equal(columns[name], expected[:, index])


FLOAT32_MAX = float(np.finfo(np.float32).max)
HALF_ULP_ABOVE = 2.0**128 - 2.0**103  # the first float64 magnitude float32 rounds to infinity


@pytest.mark.parametrize("value", [FLOAT32_MAX, -FLOAT32_MAX, np.nextafter(HALF_ULP_ABOVE, 0)])
def test_values_that_round_into_float32_are_accepted(value: float) -> None:
    for maybe_bool in (True, False):
        columns = tensors_from_instances([value], ONE, 10, maybe_bool=maybe_bool)
        assert np.isfinite(columns["x"]).all()


@pytest.mark.parametrize("value", [HALF_ULP_ABOVE, -HALF_ULP_ABOVE, 1e300])
def test_values_that_overflow_float32_name_instance_and_input(value: float) -> None:
    for maybe_bool in (True, False):
        with pytest.raises(InvalidArgument,
                           match=r"instance 1, input 'fibre'.*not a finite float32"):
            tensors_from_instances([[1, 2, 3], [4, value, 6]], THREE, 10, maybe_bool=maybe_bool)


def test_large_integer_rows_take_the_numpy_path_exactly() -> None:
    rows = np.arange(100_000).reshape(-1, 1).tolist()
    columns = tensors_from_instances(rows, ONE, 100_000, maybe_bool=False)
    assert columns["x"].dtype == np.float32 and columns["x"][-1] == 99_999
