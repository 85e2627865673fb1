"""The inference routes' table, matched without FastAPI's router: the same compiled templates
and convertors Starlette uses, so a path matched here is one FastAPI would give the same route
(the table's routes are the app's first routes)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.convertors import Convertor
from starlette.routing import compile_path

from service.http.predict import InferenceRoute

Compiled = tuple[str, re.Pattern, dict[str, Convertor], InferenceRoute]


class RouteTable:
    def __init__(self, routes: Sequence[InferenceRoute]) -> None:
        # Templates starting with different literal segments never match the same path, so
        # each first segment keeps its own list (every template here starts with a literal).
        self._by_segment: dict[str, list[Compiled]] = {}
        for route in routes:
            regex, _, convertors = compile_path(route.path)
            prefix = route.path.split("{", 1)[0]
            self._by_segment.setdefault(_first_segment(prefix), []).append(
                (prefix, regex, convertors, route))

    def match(self, path: str) -> tuple[InferenceRoute, dict[str, Any]] | None:
        """The route for `path` and its converted path parameters, or None."""
        for prefix, regex, convertors, route in self._by_segment.get(_first_segment(path), ()):
            if not path.startswith(prefix):
                continue
            found = regex.match(path)
            if found is not None:
                return route, {k: convertors[k].convert(v) for k, v in found.groupdict().items()}
        return None


def _first_segment(path: str) -> str:
    """"predict" for "/predict/x"; "" when the first segment is not all there."""
    segment, slash, _ = path[1:].partition("/")
    return segment if slash else ""
