"""Review 51 (compare51): round 50's written-index and date reading in
`rebalance compare`, fuzzed with files as pandas, Dask and pyarrow write
them. Oracle: pandas reading the same file (``pd.read_csv``,
``pd.to_datetime``) and where pandas writes an index (the first columns)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import _parse_dates, plan_columns, prepare_frame
from rebalance.cli import main

FAST = ["--folds", "2", "--methods", "none"]


def _cli_json(capsys, *args):
    """``rebalance compare ARGS --json -`` run in this process: its report."""
    capsys.readouterr()
    assert main(["compare", *args, *FAST, "--json", "-"]) == 0
    return json.loads(capsys.readouterr().out)


def _table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"x": rng.normal(size=n), "label": np.where(np.arange(n) % 3, "a", "b")}
    ), rng


# ------------------------------------------- an empty header after data


@pytest.mark.parametrize("header", ["", "Unnamed: 3"])
def test_an_unnamed_column_of_counts_after_data_is_data(tmp_path, capsys, header):
    # Round 50 dropped any "Unnamed: N" column of whole numbers as a written
    # index, wherever it stood: an export whose third column lost its header
    # (read "Unnamed: 1") or a column named "Unnamed: 3", of counts with
    # repeats, silently left the features. pandas writes an index first.
    frame, rng = _table()
    frame.insert(1, header, rng.integers(0, 6, len(frame)))
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    name = pd.read_csv(path).columns[1]  # the oracle's name for it
    report = _cli_json(capsys, "--data", str(path), "--target", "label")
    assert report["columns"]["used"] == {"x": "numeric", name: "numeric"}
    X = pd.read_csv(path).drop(columns="label")
    plan = plan_columns(X)
    out = prepare_frame(X, plan)
    np.testing.assert_array_equal(out[name].to_numpy(), X[name].to_numpy(float))


def test_unique_whole_numbers_under_an_empty_header_after_data_are_data():
    # Unique (not consecutive) whole numbers with no header after a named
    # column: a measurement (prices in cents), not a pandas index.
    frame, rng = _table()
    frame.insert(1, "Unnamed: 1", rng.choice(np.arange(1000, 5000), 60, False))
    plan = plan_columns(frame.drop(columns="label"))
    assert plan.used == {"x": "numeric", "Unnamed: 1": "numeric"}
    assert plan.dropped == {}


def test_a_blank_first_column_with_empty_cells_is_data():
    # Review 47's rule (a first column with empty cells is data, not an
    # index): round 50 looked at the present values only and dropped it.
    frame, rng = _table()
    counts = rng.integers(0, 6, len(frame)).astype(float)
    counts[::7] = np.nan
    X = pd.DataFrame({"Unnamed: 0": counts, "x": frame["x"]})
    assert plan_columns(X).used == {"Unnamed: 0": "numeric", "x": "numeric"}


@pytest.mark.parametrize("levels", [1, 2])
def test_a_repeated_written_index_first_is_still_dropped(tmp_path, capsys, levels):
    # What round 50 fixed stays fixed: pd.concat([a, b]).to_csv(path) (one
    # level) and an unnamed MultiIndex (two), row labels that repeat.
    frame, _ = _table()
    halves = [frame.iloc[:30], frame.iloc[30:].reset_index(drop=True)]
    joined = pd.concat(halves)
    if levels == 2:
        joined.index = pd.MultiIndex.from_arrays(
            [np.repeat(np.arange(6), 10), np.tile(np.arange(10), 6)]
        )
    path = tmp_path / "t.csv"
    joined.to_csv(path)
    report = _cli_json(capsys, "--data", str(path), "--target", "label")
    assert report["columns"]["used"] == {"x": "numeric"}
    dropped = set(report["columns"]["dropped"])
    assert dropped == {f"Unnamed: {k}" for k in range(levels)}


# ---------------------------------------------------- "NaT" in a date column


def _pandas2_nanosecond_bounds(real):
    """pandas < 3's ``to_datetime`` of text: nanoseconds only (as review 50's
    emulation)."""

    def to_datetime(values, *args, **kwargs):
        out = real(values, *args, **kwargs)
        if isinstance(out, pd.Series) and out.dtype.kind == "M" and out.dt.tz is None:
            low = pd.Timestamp("1677-09-22").as_unit(out.dt.unit)
            high = pd.Timestamp("2262-04-11").as_unit(out.dt.unit)
            out = out.where((out > low) & (out < high))
        return out

    return to_datetime


@pytest.mark.parametrize("pandas2", [False, True])
@pytest.mark.parametrize("far", [None, "9999-12-31"])
def test_nat_text_in_a_date_column_is_a_missing_date(
    tmp_path, capsys, monkeypatch, pandas2, far
):
    # pandas < 3's `dates.astype(str)` writes a missing date as "NaT" (so
    # does str(pd.NaT)), which read_csv
    # keeps as text: the column was not seen as dates (a high-cardinality
    # categorical, every day a category), with or without an end-of-validity
    # date past pandas 2's range.
    import datetime

    frame, _ = _table()
    days = pd.Series(pd.date_range("2020-01-01", periods=60, freq="5D"))
    days[[3, 17]] = pd.NaT
    # pandas < 3's astype(str) (pandas 3 keeps NaN), str(pd.NaT)
    text = days.dt.strftime("%Y-%m-%d").fillna("NaT").astype(object)
    if far is not None:
        text[9] = far
    frame.insert(1, "when", text)
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    X = pd.read_csv(path).drop(columns="label")
    assert X["when"].tolist()[3] == "NaT"  # the oracle keeps it as text
    if pandas2:
        monkeypatch.setattr(
            pd, "to_datetime", _pandas2_nanosecond_bounds(pd.to_datetime)
        )
    plan = plan_columns(X)
    assert plan.used == {"x": "numeric", "when": "datetime"}, plan.dropped
    parsed = _parse_dates(X["when"])
    expected = [
        None if v == "NaT" else datetime.datetime.strptime(v, "%Y-%m-%d") for v in text
    ]
    got = [None if pd.isna(v) else v.to_pydatetime() for v in parsed]
    assert got == expected
    if not pandas2:
        report = _cli_json(capsys, "--data", str(path), "--target", "label")
        assert report["columns"]["used"] == {"x": "numeric", "when": "datetime"}


def test_polars_repeated_index_column_first_is_dropped(tmp_path, capsys):
    # pl.from_pandas(frame, include_index=True) names an unnamed index
    # "None"; unique it was dropped as id-like, repeated (pd.concat without
    # ignore_index) it was used as a feature.
    pl = pytest.importorskip("polars")
    frame, _ = _table()
    joined = pd.concat([frame.iloc[:30], frame.iloc[30:].reset_index(drop=True)])
    path = tmp_path / "t.csv"
    pl.from_pandas(joined, include_index=True).write_csv(path)
    assert list(pd.read_csv(path).columns) == ["None", "x", "label"]
    report = _cli_json(capsys, "--data", str(path), "--target", "label")
    assert report["columns"]["used"] == {"x": "numeric"}
    assert list(report["columns"]["dropped"]) == ["None"]


def test_a_written_index_behind_a_named_parquet_index_is_still_dropped(
    tmp_path, capsys
):
    # pd.read_csv of a file with a written index, then set_index("group")
    # and to_parquet: the CLI puts "group" first again, before "Unnamed: 0",
    # which is still the file's first (headerless) column.
    pytest.importorskip("pyarrow")
    frame, rng = _table()
    frame.insert(0, "group", rng.integers(0, 4, len(frame)))
    pd.concat([frame.iloc[:30], frame.iloc[30:].reset_index(drop=True)]).to_csv(
        tmp_path / "t.csv"
    )
    read = pd.read_csv(tmp_path / "t.csv")
    assert list(read.columns) == ["Unnamed: 0", "group", "x", "label"]
    read.set_index("group").to_parquet(tmp_path / "t.parquet")
    report = _cli_json(
        capsys, "--data", str(tmp_path / "t.parquet"), "--target", "label"
    )
    assert report["columns"]["used"] == {"group": "numeric", "x": "numeric"}
    assert list(report["columns"]["dropped"]) == ["Unnamed: 0"]
