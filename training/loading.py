"""A model entry's data read and checked before any training: columns, cells, classes, rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from training.datasets import Dataset, holdout_size
from training.schema import ALL_BUT_OUTPUT, DataSource, ModelSpec, column_name
from training.tables import Table, TableProblem, inline_table, missing_rows, numbers, read_csv


def read_table(source: DataSource, resolve: Callable[[DataSource], Path]) -> Table:
    if source.table is not None:
        return inline_table(source.table)
    return read_csv(resolve(source))


def resolve_inputs(spec: ModelSpec, table: Table) -> list[str]:
    """The input columns, checked against the header (ALL_BUT_OUTPUT: every other column)."""
    known = ", ".join(table.header)
    if spec.output not in table.header:
        raise TableProblem(("output",), f"column {spec.output!r} is not in {table.origin} "
                                        f"(columns: {known})")
    if spec.inputs == ALL_BUT_OUTPUT:
        names = [name for name in table.header if name != spec.output]
        for name in names:
            try:
                column_name(name)
            except ValueError as exc:
                raise TableProblem(("inputs",), str(exc)) from None
        return names
    for index, name in enumerate(spec.inputs):
        if name not in table.header:
            raise TableProblem(("inputs", index), f"column {name!r} is not in {table.origin} "
                                                  f"(columns: {known})")
    return list(spec.inputs)


def _canonical(cells: list[str]) -> list[str]:
    """Class values as text; numeric classes compare as numbers ("1.0" is "1")."""
    try:
        values = [float(cell) for cell in cells]
    except ValueError:
        return cells
    return [str(int(v)) if v.is_integer() else repr(v) for v in values]


def _class_order(names: set[str], numeric: bool) -> list[str]:
    return sorted(names, key=float) if numeric else sorted(names)


def class_indices(spec: ModelSpec, table: Table) -> tuple[np.ndarray, tuple[str, ...]]:
    cells = table.cells(spec.output)
    values = _canonical(cells)
    numeric = values is not cells
    found = set(values)
    if len(found) < 2:
        raise TableProblem(("output",), f"column {spec.output!r} has one class "
                                        f"({next(iter(found), '')!r}) in {len(values)} rows; a "
                                        "classification needs at least two")
    if spec.classes is None:
        order = _class_order(found, numeric)
    else:
        order = _canonical(spec.classes) if numeric else list(spec.classes)
        for place, value in zip(table.places, values, strict=True):
            if value not in order:
                raise TableProblem(("classes",), f"{place}: {value!r} is not one of the classes "
                                                 f"{order}")
    if spec.task == "binary" and len(order) != 2:
        raise TableProblem(("task",), f"task: binary needs two classes; {spec.output!r} has "
                                      f"{len(order)} ({', '.join(order[:8])}): use task: "
                                      "multiclass")
    index = {name: i for i, name in enumerate(order)}
    return np.asarray([index[v] for v in values], np.int32), tuple(order)


def _check_rows(spec: ModelSpec, rows: int) -> None:
    held = holdout_size(rows, spec.holdout)
    if rows < 2 or (spec.holdout > 0 and (held < 2 or rows - held < 2)):
        raise TableProblem(("holdout",), f"holdout {spec.holdout:g} of {rows} rows keeps {held} "
                                         f"out and {rows - held} for training; each needs at "
                                         "least 2: add rows, change holdout, or set holdout: 0")


def load_data(spec: ModelSpec, source: DataSource,
              resolve: Callable[[DataSource], Path]) -> tuple[list[str], Dataset]:
    """The resolved input names and the rows; raises TableProblem naming the key to fix."""
    table = read_table(source, resolve)
    inputs = resolve_inputs(spec, table)
    missing = missing_rows(table, [*inputs, spec.output])
    if missing.any() and spec.missing == "error":
        row = int(np.flatnonzero(missing)[0])
        column = next(c for c in [*inputs, spec.output]
                      if missing_rows(table, [c])[row])
        raise TableProblem(("data",), f"{table.places[row]}, column {column!r} is empty or NA "
                                      f"({int(missing.sum())} rows have a missing value): fill "
                                      "them in, or set missing: drop to leave those rows out")
    kept = table.take(~missing)
    features = {name: numbers(kept, name, _input_key(spec, name)) for name in inputs}
    if spec.task == "regression":
        target, classes = numbers(kept, spec.output, ("output",)), None
    else:
        target, classes = class_indices(spec, kept)
    _check_rows(spec, len(kept.rows))
    return inputs, Dataset(source.label, features, target, source.source, classes,
                           int(missing.sum()))


def _input_key(spec: ModelSpec, name: str) -> tuple[str | int, ...]:
    return ("inputs", spec.inputs.index(name)) if isinstance(spec.inputs, list) else ("inputs",)
