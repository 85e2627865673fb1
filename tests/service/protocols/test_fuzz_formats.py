"""Property tests of the request formats of all three route families (native rows, TensorFlow
Serving `instances`/`inputs`, Open Inference Protocol v2 `inputs`): any JSON value either becomes
well-formed float32 columns or a InvalidArgument/TooLarge (never another exception); the forms
of the same numbers agree; duplicate-key detection agrees with a reference parser."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.errors import InvalidArgument, TooLarge
from service.core.types import Signature, TensorSpec
from service.protocols.columns import tensors_from_inputs
from service.protocols.json_body import parse_json
from service.protocols.kserve.codec import KServeCodec
from service.protocols.rows import tensors_from_instances
from service.protocols.tfserving.codec import TfsCodec
from tests.service.protocols.signatures import vectors

INPUTS = {1: ("x",), 3: ("sugars", "fibre", "protein")}
MAX_ROWS = 50


def NO_HEADERS(name: str) -> None:  # noqa: N802 - a header lookup with no headers
    return None


REFUSED = (InvalidArgument, TooLarge)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5))
json_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                     st.dictionaries(st.sampled_from(["x", "sugars", "fibre",
                                                                      "protein", "y", ""]),
                                                     inner, max_size=4)),
    max_leaves=30)
finite = st.floats(allow_nan=False, allow_infinity=False, width=32)


def has_bool(value: object) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, list):
        return any(has_bool(v) for v in value)
    if isinstance(value, dict):
        return any(has_bool(v) for v in value.values())
    return False


def check_columns(columns: dict, inputs: tuple[str, ...]) -> int:
    assert list(columns) == list(inputs)
    lengths = {c.shape for c in columns.values()}
    assert len(lengths) == 1 and len(next(iter(lengths))) == 1
    for column in columns.values():
        assert column.dtype == np.float32 and np.isfinite(column).all()
    return next(iter(lengths))[0]


def number_rows(width: int) -> st.SearchStrategy[list[list[float]]]:
    """1 to MAX_ROWS rows of `width` finite numbers."""
    return st.lists(st.lists(finite, min_size=width, max_size=width), min_size=1,
                    max_size=MAX_ROWS)


def columns_or_refusal(read: Callable[[], dict]) -> dict | None:
    """`read()`'s columns, or None after checking that its refusal says why."""
    try:
        return read()
    except REFUSED as exc:
        assert exc.message
        return None


@settings(max_examples=400, deadline=None)
@given(instances=json_values, width=st.sampled_from([1, 3]))
def test_any_instances_value_gives_columns_or_a_clear_refusal(instances: object,
                                                              width: int) -> None:
    inputs = INPUTS[width]
    columns = columns_or_refusal(
        lambda: tensors_from_instances(instances, vectors(*inputs), MAX_ROWS, has_bool(instances)))
    if columns is not None:
        rows = check_columns(columns, inputs)
        assert isinstance(instances, list) and rows == len(instances)


@settings(max_examples=300, deadline=None)
@given(payload=json_values, width=st.sampled_from([1, 3]))
def test_any_inputs_value_gives_columns_or_a_clear_refusal(payload: object, width: int) -> None:
    columns = columns_or_refusal(
        lambda: tensors_from_inputs(payload, vectors(*INPUTS[width]), MAX_ROWS))
    if columns is not None:
        check_columns(columns, INPUTS[width])


@settings(max_examples=200, deadline=None)
@given(width=st.sampled_from([1, 3]), data=st.data())
def test_row_object_and_columnar_forms_agree(width: int, data: st.DataObject) -> None:
    inputs = INPUTS[width]
    rows = data.draw(number_rows(width))
    expected = np.asarray(rows, dtype=np.float32)
    forms = [rows, [dict(zip(inputs, row, strict=True)) for row in rows]]
    if width == 1:
        forms.append([row[0] for row in rows])
    for form in forms:
        columns = tensors_from_instances(form, vectors(*inputs), MAX_ROWS, maybe_bool=False)
        np.testing.assert_array_equal(np.column_stack(list(columns.values())), expected)
    columnar = {name: [row[i] for row in rows] for i, name in enumerate(inputs)}
    columns = tensors_from_inputs(columnar, vectors(*inputs), MAX_ROWS)
    np.testing.assert_array_equal(np.column_stack(list(columns.values())), expected)


def signature(width: int) -> Signature:
    return Signature(tuple(TensorSpec(n, "float32", (None,)) for n in INPUTS[width]),
                     (TensorSpec("y", "float32", (None,)),))


def parse_v1(body: bytes, width: int) -> dict:
    return TfsCodec().decode(body, NO_HEADERS, MAX_ROWS).tensors(signature(width), MAX_ROWS)


def parse_v2(body: bytes, width: int) -> dict:
    return KServeCodec().decode(body, NO_HEADERS, MAX_ROWS).tensors(signature(width), MAX_ROWS)


v1_bodies = st.fixed_dictionaries({}, optional={
    "instances": json_values, "inputs": json_values,
    "signature_name": st.sampled_from(["", "serving_default", "other", 3])})
v2_inputs = st.fixed_dictionaries(
    {"name": st.sampled_from(["x", "sugars", "fibre", "protein", "z", 1])},
    optional={"shape": st.lists(st.integers(-2, 60), max_size=3),
              "datatype": st.sampled_from(["FP32", "FP64", "INT64", "BOOL", "BYTES", "fp32", 7]),
              "data": json_values, "parameters": json_values})
v2_bodies = st.fixed_dictionaries({}, optional={
    "inputs": st.one_of(st.lists(v2_inputs, max_size=4), json_values),
    "id": st.one_of(st.text(max_size=3), st.integers()), "outputs": json_values})


@settings(max_examples=300, deadline=None)
@given(body=st.one_of(v1_bodies, json_values), width=st.sampled_from([1, 3]))
def test_any_tensorflow_serving_body_gives_columns_or_a_clear_refusal(body: object,
                                                                      width: int) -> None:
    columns = columns_or_refusal(lambda: parse_v1(json.dumps(body).encode(), width))
    if columns is not None:
        check_columns(columns, INPUTS[width])


@settings(max_examples=300, deadline=None)
@given(body=st.one_of(v2_bodies, json_values), width=st.sampled_from([1, 3]))
def test_any_v2_body_gives_columns_or_a_clear_refusal(body: object, width: int) -> None:
    columns = columns_or_refusal(lambda: parse_v2(json.dumps(body).encode(), width))
    if columns is not None:
        check_columns(columns, INPUTS[width])


@settings(max_examples=150, deadline=None)
@given(width=st.sampled_from([1, 3]), data=st.data())
def test_all_three_families_read_the_same_numbers_alike(width: int, data: st.DataObject) -> None:
    inputs = INPUTS[width]
    rows = data.draw(number_rows(width))
    expected = np.asarray(rows, dtype=np.float32)
    columnar = {name: [row[i] for row in rows] for i, name in enumerate(inputs)}
    shaped = data.draw(st.booleans())  # v2 shape [n] or [n, 1]
    v2 = {"inputs": [{"name": name, "datatype": "FP32",
                      "shape": [len(rows), 1] if shaped else [len(rows)], "data": values}
                     for name, values in columnar.items()]}
    answers = [tensors_from_instances(rows, vectors(*inputs), MAX_ROWS, maybe_bool=False),
               parse_v1(orjson.dumps({"instances": rows}), width),
               parse_v1(orjson.dumps({"inputs": columnar}), width),
               parse_v2(orjson.dumps(v2), width)]
    for columns in answers:
        np.testing.assert_array_equal(np.column_stack([columns[n] for n in inputs]), expected)


def test_too_many_rows_is_413() -> None:
    with pytest.raises(TooLarge):
        tensors_from_instances([1.0] * (MAX_ROWS + 1), vectors(*INPUTS[1]), MAX_ROWS,
                               maybe_bool=False)


# -- duplicate keys ------------------------------------------------------------------------------
keys = st.sampled_from(["a", "b", "a:", "b\\u003a", ":", "x"])
texts = st.recursive(
    st.one_of(st.integers(-5, 5).map(str), st.sampled_from(['"s"', '"t:u"', '"::"', "true"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(keys, inner), max_size=4).map(
            lambda pairs: "{" + ",".join(f'"{k}":{v}' for k, v in pairs) + "}")),
    max_leaves=20)


def reference_has_duplicate(text: str) -> bool:
    found = False

    def pairs(items: list) -> dict:
        nonlocal found
        names = [k for k, _ in items]
        found = found or len(set(names)) != len(names)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    return found


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_duplicate_keys_found_exactly(text: str) -> None:
    body = text.encode()
    if reference_has_duplicate(text):
        with pytest.raises(InvalidArgument, match="duplicate key"):
            parse_json(body)
    else:
        assert parse_json(body) == orjson.loads(body)


V2_SPEC = '{"name":"x","shape":[1],"datatype":"FP32","data":[1]'
V2_PLACES = [  # where a fuzzed JSON value goes in an otherwise valid v2 request
    lambda v: f'{{"inputs":[{V2_SPEC},"parameters":{v}}}]}}',
    lambda v: f'{{"inputs":[{V2_SPEC}}}],"parameters":{v}}}',
    lambda v: f'{{"inputs":[{V2_SPEC}}}],"outputs":[{{"name":"y","parameters":{v}}}]}}',
    lambda v: f'{{"id":"a:b","inputs":[{V2_SPEC},"a":{v},"a":1}}]}}',
    lambda v: f'{{"inputs":[{V2_SPEC}}}],"inputs":{v}}}',
    lambda v: f'{{"inputs":{v}}}',
]


@settings(max_examples=500, deadline=None)
@given(text=texts, place=st.sampled_from(V2_PLACES))
def test_v2_request_duplicate_keys_found_exactly(text: str, place) -> None:  # noqa: ANN001
    """The v2 reader counts keys while validating instead of walking the body: a duplicate
    anywhere is still the error reported, valid or not otherwise, and only a duplicate is."""
    body = place(text)
    try:
        KServeCodec().decode(body.encode(), NO_HEADERS, MAX_ROWS)
    except InvalidArgument as exc:
        assert ("duplicate key" in exc.message) == reference_has_duplicate(body), exc.message
    else:
        assert not reference_has_duplicate(body)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=64))
def test_any_bytes_parse_or_refuse(body: bytes) -> None:
    try:
        parse_json(body)
    except InvalidArgument as exc:
        assert exc.message
