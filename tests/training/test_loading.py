"""Reading an entry's rows: inputs resolved, classes ordered, missing values, bad cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.training.builders import spec, write_csv
from training.loading import load_data
from training.schema import DataSource
from training.tables import TableProblem


def load(tmp_path: Path, header: list[str], rows: list[list], **keys: object):
    write_csv(tmp_path / "d.csv", header, rows)
    entry = spec(data="d.csv", **keys)
    return load_data(entry, entry.data, lambda source: tmp_path / source.csv)


def test_all_but_output_takes_every_other_column_in_order(tmp_path: Path) -> None:
    inputs, data = load(tmp_path, ["b", "y", "a"], [[1, 2, 3], [4, 5, 6]], inputs="all but output",
                        holdout=0)
    assert inputs == ["b", "a"]
    assert data.matrix(inputs).tolist() == [[1, 3], [4, 6]]
    assert data.target.tolist() == [2, 5] and data.name == "d"


def test_classes_sorted_as_numbers_or_text(tmp_path: Path) -> None:
    rows = [[i, c] for i, c in enumerate(["10", "9", "9.0", "10", "2"])]
    _, data = load(tmp_path, ["x", "y"], rows, task="multiclass", holdout=0)
    assert data.class_names == ("2", "9", "10") and data.target.tolist() == [2, 1, 1, 2, 0]
    rows = [[i, c] for i, c in enumerate(["pear", "apple", "fig", "apple"])]
    _, data = load(tmp_path, ["x", "y"], rows, task="multiclass", holdout=0)
    assert data.class_names == ("apple", "fig", "pear")


def test_classes_key_sets_the_order(tmp_path: Path) -> None:
    rows = [[i, c] for i, c in enumerate(["malignant", "benign", "benign", "malignant"])]
    _, data = load(tmp_path, ["x", "y"], rows, task="binary", classes=["malignant", "benign"],
                   holdout=0)
    assert data.class_names == ("malignant", "benign") and data.target.tolist() == [0, 1, 1, 0]
    with pytest.raises(TableProblem) as problem:
        load(tmp_path, ["x", "y"], [*rows, [9, "cyst"]], task="binary",
             classes=["malignant", "benign"], holdout=0)
    assert problem.value.key == ("classes",)
    assert problem.value.message == ("d.csv line 6: 'cyst' is not one of the classes "
                                     "['malignant', 'benign']")


def test_missing_drop_leaves_the_rows_out(tmp_path: Path) -> None:
    rows = [[1, 2], ["", 3], [4, "NA"], [5, 6], ["n/a", 1], [7, 8]]
    _, data = load(tmp_path, ["x", "y"], rows, missing="drop", holdout=0)
    assert data.features["x"].tolist() == [1, 5, 7] and data.dropped_rows == 3


def test_bad_cells_name_row_and_column(tmp_path: Path) -> None:
    for cell in ("abc", "inf", "1e39"):
        with pytest.raises(TableProblem) as problem:
            load(tmp_path, ["x", "y"], [[1, 2], [cell, 3], [4, 5]], holdout=0)
        assert problem.value.key == ("inputs", 0)
        assert problem.value.message.startswith(f"d.csv line 3, column 'x': {cell!r} is not a "
                                                "finite number")


def test_ragged_csv_and_uneven_table_refused(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("x,y\n1,2\n3\n")
    entry = spec(data="d.csv", holdout=0)
    with pytest.raises(TableProblem, match="d.csv line 3 has 1 cells, the header 2"):
        load_data(entry, entry.data, lambda source: tmp_path / source.csv)
    uneven = DataSource(table={"x": [1.0, 2.0], "y": [1.0]})
    with pytest.raises(TableProblem, match="columns differ in length"):
        load_data(spec(data=uneven.model_dump()), uneven, lambda source: tmp_path)


def test_inline_table_reads_like_a_csv() -> None:
    entry = spec(data={"table": {"x": [1, 2.5, None], "y": [3, 4, 5]}}, missing="drop", holdout=0)
    _, data = load_data(entry, entry.data, lambda source: Path("unused"))
    assert data.features["x"].tolist() == [1.0, 2.5] and data.dropped_rows == 1
    assert np.isclose(data.target, [3, 4]).all() and data.name == "table"
