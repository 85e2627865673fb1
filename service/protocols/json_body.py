"""JSON request bodies read with orjson, with errors that say what is accepted, and the check
for duplicate keys (orjson silently keeps the last)."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import numpy as np
import orjson

from service.core.errors import InvalidArgument

NON_FINITE_TOKENS = (b"NaN", b"Infinity", b"-Infinity")
MAX_CHECKED_DEPTH = 900  # the standard library's parser's reach under the recursion limit
DUMPS_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class ParseCost:
    """Upper estimates of the memory reading a body takes beyond its bytes, from a count of its
    commas (and, for Python objects, of its brackets and braces). NumPy counts them, mostly
    without the GIL, about 0.05 ms a count per MB; the brackets and braces are counted only
    when the body is read into Python objects."""

    def __init__(self, body: bytes) -> None:
        self._octets = np.frombuffer(body, np.uint8)

    def _count(self, char: str) -> int:
        return int(np.count_nonzero(self._octets == ord(char)))

    @cached_property
    def values(self) -> int:
        return self._count(",") + 1

    @property
    def as_numbers(self) -> int:
        """Read straight into NumPy (service.protocols.flat_json): a float64 per value."""
        return 8 * self.values

    @cached_property
    def as_objects(self) -> int:
        """Read into Python objects: about 32 bytes per value (a float and its list slot), 64
        per list and 240 per object (a dictionary); row objects take some 25 times their
        text."""
        return 32 * self.values + 64 * self._count("[") + 240 * self._count("{")


def dumps(content: Any) -> bytes:
    """JSON bytes of an answer; NumPy arrays are written natively (no per-element loop)."""
    return orjson.dumps(content, option=DUMPS_OPTIONS)


def _at_non_finite(body: bytes, exc: orjson.JSONDecodeError) -> bool:
    """True when orjson stopped at NaN, Infinity or a number beyond the float64 range."""
    if "infinity" in exc.msg:
        return True
    around = body[max(exc.pos - 1, 0):exc.pos + 9]
    return any(token in around for token in NON_FINITE_TOKENS)


def parse_json(body: bytes, non_finite: bool = False, duplicates: bool = True) -> Any:
    """orjson.loads with an error that says what is accepted.

    `non_finite=True`: a body whose only fault is a NaN, Infinity or 1e999 token is read with
    the standard library instead (which maps them to floats), so that the caller's validation
    can reject the value naming the instance it is in. `duplicates=False`: the caller checks
    for duplicate keys itself (refuse_duplicate_keys)."""
    if not body:
        raise InvalidArgument("empty request body: send a JSON object")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if non_finite and _at_non_finite(body, exc):
            try:
                return json.loads(body, object_pairs_hook=_unique_pairs)
            except _Duplicate as duplicate:
                raise InvalidArgument(_duplicate_message(duplicate.args[0])) from None
            except (ValueError, RecursionError):
                pass
        raise InvalidArgument(f"malformed JSON: {exc}. The body must be one JSON object; NaN, "
                              "Infinity and numbers beyond the float64 range are not "
                              "JSON") from None
    if duplicates:
        refuse_duplicate_keys(body, payload)
    return payload


def refuse_duplicate_keys(body: bytes, payload: Any, known_keys: int | None = None) -> None:
    """InvalidArgument naming a key that appears twice in one object of `body` (parsed as
    `payload`). `known_keys`: how many object keys the caller counted in `payload` while
    validating it (at most the true count), which spares counting them again here."""
    duplicate = duplicate_key(body, payload, known_keys)
    if duplicate is not None:
        raise InvalidArgument(_duplicate_message(duplicate))


def _duplicate_message(key: str) -> str:
    return f"duplicate key {key[:80]!r} in a JSON object: each key may appear once"


def _keys_lower_bound(payload: Any, enough: int) -> int:
    """Object keys in the parsed value, skipping lists that start with a scalar or a list of
    scalars (rows of numbers), so the fast path stays fast. Never more than the true count;
    the count stops once it reaches `enough`. (orjson makes exact dicts and lists, so
    `type(x) is` tests suffice; they are cheaper.)"""
    count, stack = 0, [payload]
    push, pop = stack.append, stack.pop
    while stack and count < enough:
        item = pop()
        kind = type(item)
        if kind is dict:
            count += len(item)
            for value in item.values():
                if type(value) in _CONTAINERS:
                    push(value)
        elif kind is list and item:
            first = item[0]
            if type(first) is dict:
                if any(type(v) in _CONTAINERS for v in first.values()):
                    stack.extend(v for v in item if type(v) in _CONTAINERS)
                else:
                    count += sum(len(d) for d in item if type(d) is dict)  # rows of objects
            elif type(first) is list and first and type(first[0]) in _CONTAINERS:
                stack.extend(v for v in item if type(v) in _CONTAINERS)
    return count


_CONTAINERS = (dict, list)


def duplicate_key(body: bytes, payload: Any, known_keys: int | None = None) -> str | None:
    """A key that appears twice in one object (orjson silently keeps the last), or None.

    Every key in the text is followed by one colon, so when the parsed value holds (at least)
    as many keys as the body has colons, no key was dropped. Only otherwise (a colon inside a
    string, or a duplicate) is the body parsed again, slowly, to find out."""
    if not isinstance(payload, _CONTAINERS):
        return None
    colons = body.count(b":")
    if known_keys is None:
        known_keys = _keys_lower_bound(payload, colons)
    if known_keys >= colons:
        return None

    try:
        json.loads(body, object_pairs_hook=_unique_pairs)
    except _Duplicate as exc:
        return str(exc.args[0])
    except RecursionError:  # the check cannot see that deep: refuse rather than pass it
        raise InvalidArgument("JSON nested too deeply to be checked for duplicate keys: "
                              f"objects and arrays may nest at most about {MAX_CHECKED_DEPTH} "
                              "levels") from None
    except ValueError:
        return None  # orjson accepted it; nothing more to learn
    return None


class _Duplicate(Exception):
    pass


def _unique_pairs(items: list[tuple[str, Any]]) -> dict:
    """json.loads object_pairs_hook: an object, or _Duplicate naming a repeated key."""
    seen: dict[str, Any] = {}
    for key, value in items:
        if key in seen:
            raise _Duplicate(key)
        seen[key] = value
    return seen
