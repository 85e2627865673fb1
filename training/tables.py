"""Rows of text cells from a CSV file (header row first) or from a table written in the model
file, and their conversion to numbers with errors that name the row and the column."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.schema import Scalar

FLOAT32_MAX = float(np.finfo(np.float32).max)
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})


class TableProblem(ValueError):
    """Bad data; `key` is the model-entry key the fix belongs to (data, inputs[1], output)."""

    def __init__(self, key: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message


@dataclass(frozen=True)
class Table:
    origin: str  # "iris.csv" or "the inline table"
    header: list[str]
    rows: list[list[str]]
    places: list[str]  # per row, where it is: "iris.csv line 7", "the inline table row 3"

    def cells(self, column: str) -> list[str]:
        index = self.header.index(column)
        return [row[index].strip() for row in self.rows]

    def take(self, keep: np.ndarray) -> Table:
        kept = [i for i, flag in enumerate(keep) if flag]
        return Table(self.origin, self.header, [self.rows[i] for i in kept],
                     [self.places[i] for i in kept])


def read_csv(path: Path) -> Table:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except FileNotFoundError:
        raise TableProblem(("data",), f"no such file {str(path)!r}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TableProblem(("data",), f"{path.name} is not a UTF-8 CSV file: {exc}") from None
    lines = [line for line in lines if line]  # blank lines are no rows
    if not lines:
        raise TableProblem(("data",), f"{path.name} is empty; it needs a header row")
    header = [name.strip() for name in lines[0]]
    for number, row in enumerate(lines[1:], start=2):
        if len(row) != len(header):
            raise TableProblem(("data",), f"{path.name} line {number} has {len(row)} cells, "
                                          f"the header {len(header)}")
    places = [f"{path.name} line {number}" for number in range(2, len(lines) + 1)]
    return Table(path.name, header, lines[1:], places)


def _text(value: Scalar) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def inline_table(columns: dict[str, list[Scalar]]) -> Table:
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise TableProblem(("data", "table"), f"columns differ in length: {lengths}")
    header = list(columns)
    rows = [list(cells) for cells in zip(*([_text(v) for v in columns[name]]
                                           for name in header), strict=True)]
    places = [f"the inline table row {number}" for number in range(1, len(rows) + 1)]
    return Table("the inline table", header, rows, places)


def missing_rows(table: Table, columns: list[str]) -> np.ndarray:
    """Boolean mask of rows with an empty or NA cell in any of the columns."""
    mask = np.zeros(len(table.rows), bool)
    for column in columns:
        mask |= np.array([cell.lower() in MISSING for cell in table.cells(column)], bool)
    return mask


def numbers(table: Table, column: str, key: tuple[str | int, ...]) -> np.ndarray:
    """The column as float32; a cell that is not a finite number is a TableProblem."""
    values = []
    for row, cell in enumerate(table.cells(column)):
        try:
            value = float(cell)
        except ValueError:
            value = float("nan")
        if not abs(value) <= FLOAT32_MAX:  # also NaN
            raise TableProblem(key, f"{table.places[row]}, column {column!r}: {cell!r} is not "
                                    "a finite number (inputs and a regression output must be "
                                    "numeric)")
        values.append(value)
    return np.asarray(values, np.float32)
