"""labels.json: what it may hold, and the errors that say why not."""

from __future__ import annotations

import pytest

from modelrepo.labels import MAX_LABELS_BYTES, is_label_name, parse_labels, render_labels


def test_labels_round_trip() -> None:
    labels = {"stable": 1, "canary": 2}
    assert parse_labels(render_labels(labels).encode()) == labels
    assert render_labels(labels).index("canary") < render_labels(labels).index("stable")


@pytest.mark.parametrize(("data", "problem"), [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"stable": 0}', "positive integers"),
    (b'{"stable": true}', "positive integers"),
    (b'{"stable": "1"}', "positive integers"),
    (b'{"1bad": 1}', "not a valid name"),
    (b"[" * 50_000, "not valid JSON"),
])
def test_malformed_labels_say_what_is_wrong(data: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_labels(data)


def test_oversized_labels_are_refused_unparsed() -> None:
    with pytest.raises(ValueError, match="larger than"):
        parse_labels(b" " * (MAX_LABELS_BYTES + 1))


@pytest.mark.parametrize(("name", "valid"), [("stable", True), ("v1.2-rc_3", True),
                                             ("1st", False), ("", False), ("a" * 65, False)])
def test_label_names(name: str, valid: bool) -> None:
    assert is_label_name(name) is valid
