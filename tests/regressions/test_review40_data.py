"""Review 40 (data): a new user's files through `rebalance compare --data`.

* A folder of Parquet files (a partitioned data set written by Spark, Dask or
  ``DataFrame.to_parquet(folder, partition_cols=...)``) failed with
  "[Errno 21] Is a directory"; it is now read, partition columns included.
* A target column of lists or structs (Parquet) ended in a TypeError
  traceback (unhashable type) instead of an error naming --target.
* --json, --plot and --report were written in place: a write that failed
  half way (a full disk) or was interrupted left a truncated file over the
  earlier one. They are now written to a temporary file and renamed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rebalance import cli
from rebalance.cli import _load_table, main

pytest.importorskip("pyarrow")


def _frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    label = np.where(np.arange(n) % 4 == 0, "yes", "no")
    z = rng.normal(size=n)
    return pd.DataFrame({"x": x + (label == "yes"), "z": z, "label": label})


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            err.write(str(exc.code))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("partition_cols", [["part"], ["label"]])
def test_partitioned_parquet_folder_is_read(tmp_path, partition_cols):
    frame = _frame().assign(part=np.arange(60) % 3)
    folder = tmp_path / "data"
    frame.to_parquet(folder, partition_cols=partition_cols, index=False)
    (folder / "_SUCCESS").write_text("")  # as Spark writes it
    X, y = _load_table(str(folder), "label")
    # Every row, with its own label (partition folders are read in order).
    assert len(y) == 60
    pairs = sorted(zip(X["x"].round(12), y))
    assert pairs == sorted(zip(frame["x"].round(12), frame["label"]))
    assert sorted(X.columns) == sorted({"x", "z", "part"} - {"label"})
    code, out, err = _run(
        ["compare", "--data", str(folder), "--target", "label", "--folds", "2",
         "--methods", "none"]
    )  # fmt: skip
    assert code == 0, err
    assert "60 rows, 2 classes (no: 45, yes: 15)" in " ".join(out.split())


def test_folder_without_parquet_files_names_the_fix(tmp_path):
    folder = tmp_path / "csvs"
    folder.mkdir()
    _frame().to_csv(folder / "a.csv", index=False)
    code, _, err = _run(["compare", "--data", str(folder), "--target", "label"])
    assert code == 1
    assert "folder without Parquet files" in err
    assert "Is a directory" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    "values", [[[1], [0]], [{"u": 1}, {"u": 0}]], ids=["list", "struct"]
)
def test_nested_target_column_is_a_user_error(tmp_path, values):
    frame = _frame(40)
    frame["label"] = [values[i % 4 == 0] for i in range(40)]
    path = tmp_path / "t.parquet"
    frame.to_parquet(path, index=False)
    # Before: TypeError: unhashable type (a traceback).
    code, _, err = _run(["compare", "--data", str(path), "--target", "label"])
    assert code == 1
    assert "--target 'label' holds several values a row" in err


def test_failed_write_keeps_the_earlier_file(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text('{"earlier": true}')

    def half_then_full_disk(name):
        with open(name, "w") as handle:
            handle.write('{"scores": [0.5, ')
            handle.flush()
            raise OSError(28, "No space left on device")

    with pytest.raises(SystemExit, match="No space left on device"):
        cli._write(str(path), "--json", half_then_full_disk)
    # Before: the earlier file was truncated to half a JSON document.
    assert json.loads(path.read_text()) == {"earlier": True}
    assert os.listdir(tmp_path) == ["scores.json"]  # no temporary file left


def test_outputs_replace_files_and_keep_their_mode(tmp_path):
    data = tmp_path / "t.csv"
    _frame().to_csv(data, index=False)
    scores = tmp_path / "scores.json"
    scores.write_text("old")
    os.chmod(scores, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(scores)
    code, _, err = _run(
        ["compare", "--data", str(data), "--target", "label", "--folds", "2",
         "--methods", "none", "--json", str(link)]
    )  # fmt: skip
    assert code == 0, err
    assert link.is_symlink()  # written through the link, not replaced by a file
    assert json.loads(scores.read_text())["classes"] == ["no", "yes"]
    assert oct(os.stat(scores).st_mode & 0o777) == oct(0o600)
    assert sorted(os.listdir(tmp_path)) == ["link.json", "scores.json", "t.csv"]


def test_compare_refuses_labels_in_another_row_order():
    from rebalance.compare import compare

    frame = _frame(80)
    X, y = frame.drop(columns="label"), frame["label"]
    shuffled = y.sample(frac=1, random_state=0)
    # Before: paired by position, the labels of other rows, scored without
    # a word (average precision of shuffled labels).
    with pytest.raises(ValueError, match="y holds the index of X in another order"):
        compare(X, shuffled, folds=2, method_names="none")
    with pytest.raises(ValueError, match="y holds the index of X in another order"):
        compare(X.sample(frac=1, random_state=1), y, folds=2, method_names="none")
    # The labels of X's rows, or a fresh index: paired by position, as before.
    expected = compare(X, y, folds=2, method_names="none").scores
    assert compare(X, shuffled.loc[X.index], folds=2, method_names="none").scores == (
        expected
    )
    fresh = y.set_axis(y.index + 1000)
    assert compare(X, fresh, folds=2, method_names="none").scores == expected


def test_parquet_folder_with_a_partition_of_missing_values(tmp_path):
    frame = _frame(60).assign(region=["north", "south", None] * 20)
    frame.loc[::15, "label"] = None
    folder = tmp_path / "data"
    # pandas writes the missing values' partition label=__HIVE_DEFAULT_PARTITION__;
    # pd.read_parquet(folder) fails on it ("Cannot yet unify dictionaries with
    # nulls").
    frame.to_parquet(folder, partition_cols=["region", "label"], index=False)
    code, _, err = _run(["compare", "--data", str(folder), "--target", "label"])
    assert code == 1
    assert "--target column 'label' has 4 missing labels" in err
    frame = frame.dropna(subset=["label"])
    folder = tmp_path / "clean"
    frame.to_parquet(folder, partition_cols=["region"], index=False)
    X, y = _load_table(str(folder), "label")
    assert len(y) == 56 and X["region"].isna().sum() == frame["region"].isna().sum()
    assert sorted(zip(X["x"].round(12), y)) == sorted(
        zip(frame["x"].round(12), frame["label"])
    )


def test_thin_class_refuses_labels_in_another_row_order():
    from rebalance.datasets import thin_class

    X = pd.DataFrame({"a": np.arange(40)})
    y = pd.Series([0] * 30 + [1] * 10)
    # Before: the rows of class 1 by y's position were thinned, other rows of
    # X by its index (majority rows dropped, minority rows kept).
    with pytest.raises(ValueError, match="y holds the index of X in another order"):
        thin_class(X, y.sample(frac=1, random_state=0), 0.2, random_state=0)
    X_t, y_t = thin_class(X, y.set_axis(y.index + 100), 0.2, random_state=0)
    assert (y_t.to_numpy() == 1).sum() == 6 and len(X_t) == 36


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_files_joined_with_their_header_lines(tmp_path, encoding):
    part = _frame(30).to_csv(index=False)
    path = tmp_path / "all.csv"
    # cat jan.csv feb.csv mar.csv > all.csv (Excel's files: each with a BOM).
    path.write_bytes(b"".join(part.encode(encoding) for _ in range(3)))
    # Before: the header lines were data rows, "label" a class of 2 rows
    # and x, z text columns, compared without a word.
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", "--folds", "2",
         "--methods", "none"]
    )  # fmt: skip
    assert code == 1, out
    assert "data rows 31, 62 (counting from 1 after the header) repeat the header" in (
        " ".join(err.split())
    )


def test_write_in_place_where_no_temporary_file_may_be_created(tmp_path, monkeypatch):
    # A writable file in a folder that is not writable: written in place, as
    # before (the check before the run accepted it).
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli.tempfile, "mkstemp", refused)
    path = tmp_path / "scores.json"
    path.write_text("old")
    cli._write(str(path), "--json", lambda name: Path(name).write_text("new"))
    assert path.read_text() == "new"


@pytest.mark.parametrize("marker", ["?", "-", "#DIV/0!", " ? "])
def test_missing_number_markers_in_a_column_of_numbers(tmp_path, marker):
    frame = _frame(60)
    frame["x"] = frame["x"].round(6).astype(object)
    frame.loc[::7, "x"] = marker  # UCI's "?", Excel's "#DIV/0!"
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        X, _ = _load_table(str(path), "label")
    # Before: "x" was text, its numbers encoded as strings by skrub.
    assert X["x"].dtype == np.float64
    assert X["x"].isna().sum() == 9
    present = frame["x"][X["x"].notna()].astype(float)
    np.testing.assert_array_equal(X["x"].dropna().to_numpy(), present.to_numpy())
    assert f"column 'x' holds numbers and {marker.strip()!r} (9 rows)" in err.getvalue()


def test_missing_number_marker_in_a_target_of_numbers_is_no_class(tmp_path):
    frame = _frame(60)
    frame["label"] = np.where(frame["label"] == "yes", "1", "0").astype(object)
    frame.loc[[4, 9], "label"] = "?"
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    # Before: '?' was a class of 2 rows, and 3 classes were compared.
    code, _, err = _run(["compare", "--data", str(path), "--target", "label"])
    assert code == 1
    assert "--target column 'label' has 2 missing labels (data rows 5 and 10" in (
        " ".join(err.split())
    )
    # A text column (not numbers) keeps its '?' and '-' as values.
    frame = _frame(60).assign(kind=["a", "?", "-"] * 20)
    frame.to_csv(path, index=False)
    X, _ = _load_table(str(path), "label")
    assert X["kind"].tolist() == ["a", "?", "-"] * 20
