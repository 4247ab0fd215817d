"""Review 111 columns2: a black-box and white-box review of how ``rebalance
compare`` reads a table it has never seen (``plan_columns``, ``prepare_frame``
and ``missing_as_na`` in ``rebalance/_columns.py``, and their caller
``rebalance.compare.compare``): every value of every used column must reach
the features as what it is (a number as a number, a category as a category)
or the plan must say why the column is dropped, with no value silently made
NaN, no row shifted and no plan that depends on row order. Inputs: pandas
(object, ``str``, nullable, Arrow, categorical), polars and pyarrow frames;
numbers written as text (currency, percent, thousands, scientific notation,
spaces, markers of a missing value), booleans, times of day and durations.
The passing tests pin what the review verified; the xfail ones are bugs.
"""

from __future__ import annotations

import datetime
import decimal

import numpy as np
import pytest

from rebalance._columns import (
    missing_as_na,
    pandas_frame,
    plan_columns,
    prepare_frame,
)
from rebalance.compare import compare

pd = pytest.importorskip("pandas")

N = 40
Y = np.array([0, 1] * (N // 2))


def _noise(n=N):
    return np.random.default_rng(0).normal(size=n)


def _read(frame):
    """The plan and prepared frame, as compare reads a DataFrame."""
    frame = missing_as_na(pandas_frame(frame))
    plan = plan_columns(frame)
    return plan, prepare_frame(frame, plan)


def _compare(X, **kw):
    return compare(X, Y[: len(X)], folds=2, method_names=["none"], **kw)


class _Recorder:
    """A classifier that records the width of each training matrix."""

    widths: list[int] = []

    def fit(self, X, y):
        _Recorder.widths.append(X.shape[1])
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((X.shape[0], len(self.classes_)), 1 / len(self.classes_))

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


def _fit_widths(X):
    _Recorder.widths = []
    compare(X, Y, methods={"rec": lambda setup, y: _Recorder()}, folds=2)
    return list(_Recorder.widths)


# --------------------------------------------------------------------------
# Bugs


@pytest.mark.parametrize("kind", ["numbers", "dates"])
def test_categorical_column_is_not_reparsed_per_fold(kind):
    # One value that is no number (no date) makes the plan categorical; in
    # the fold whose training rows lack it, skrub's TableVectorizer reads the
    # column as numbers (dates) and the test row's "abc" becomes NaN, imputed.
    if kind == "numbers":
        values = [f"{i % 8 + 0.5}" for i in range(N)]
    else:
        values = [f"2024-01-0{i % 8 + 1}" for i in range(N)]
    values[3] = "abc"
    X = pd.DataFrame({"x": values, "z": _noise()})
    assert _compare(X).columns.used["x"] == "categorical"
    # Categorical in every fold: one feature per category (8), never one.
    assert min(_fit_widths(X)) > 8


@pytest.mark.parametrize("text", ["inf", "-1e999"])
def test_infinite_number_as_text_names_the_column(text):
    # The same column as floats is refused naming 'x'; as text it is planned
    # categorical, skrub parses it into float32 infinities and scikit-learn's
    # imputer raises "Input X contains infinity" naming no column.
    X = pd.DataFrame({"x": ["1.5", text, "3", "2.5"] * 10, "z": _noise()})
    try:
        _compare(X)
    except ValueError as exc:
        assert "'x'" in str(exc)


@pytest.mark.parametrize("marker", [" NA", "NA ", "   "])
def test_spaced_missing_marker_keeps_numbers_numeric(marker):
    # " ?" is read as missing (markers are compared without spaces), and the
    # target's markers too (label_markers), but " NA" and a cell of spaces
    # are not: the numbers become categories.
    X = pd.DataFrame({"x": ["1.5", marker, "3", "2.5"] * 10, "z": _noise()})
    plan, out = _read(X)
    assert plan.used["x"] == "numeric"
    assert out["x"].tolist()[:4] == pytest.approx([1.5, np.nan, 3.0, 2.5], nan_ok=True)
    assert _compare(X).columns.used["x"] == "numeric"


def test_pandas_arrow_string_view_column_is_read():
    pa = pytest.importorskip("pyarrow")
    if not hasattr(pa, "string_view"):
        pytest.skip("pyarrow without view types")
    # What pa.table(polars_frame).to_pandas(types_mapper=pd.ArrowDtype) gives.
    view = pd.ArrowDtype(pa.string_view())
    X = pd.DataFrame(
        {
            "n": pd.array(["1.5", None, "?", "2"] * 10, dtype=view),
            "c": pd.array(["a", None, "b", "c"] * 10, dtype=view),
            "z": _noise(),
        }
    )
    assert _compare(X).columns.used == {
        "n": "numeric",
        "c": "categorical",
        "z": "numeric",
    }


# --------------------------------------------------------------------------
# Pins


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("$1,234.50", 1234.5),
        ("-$5", -5.0),
        ("3 €", 3.0),
        ("12.5%", 0.125),
        ("(1,200)", -1200.0),
        ("(12%)", -0.12),
        ("1e3", 1000.0),
        ("2E-2", 0.02),
        ("  7 ", 7.0),
        (".5", 0.5),
        ("1,234,567", 1234567.0),
    ],
)
def test_formatted_numbers_are_read_as_their_value(text, number):
    X = pd.DataFrame({"x": [text, "1", "2", None] * 3, "z": _noise(12)})
    plan, out = _read(X)
    assert plan.used["x"] == "numeric"
    assert out["x"].tolist()[:4] == pytest.approx([number, 1, 2, np.nan], nan_ok=True)


def test_markers_of_a_missing_number_are_missing_and_noted():
    markers = ["?", "-", "N/A", "#N/A", "\\N", "NA", ""]
    values = [str(i + 0.5) for i in range(N)]
    for i, m in enumerate(markers):
        values[5 * i] = m
    X = pd.DataFrame({"x": values, "z": _noise()})
    plan, out = _read(X)
    assert plan.used["x"] == "numeric"
    expected = [np.nan if i % 5 == 0 and i < 35 else i + 0.5 for i in range(N)]
    assert out["x"].tolist() == pytest.approx(expected, nan_ok=True)
    notes = []
    result = _compare(X, notify=notes.append)
    assert result.columns.used["x"] == "numeric"
    assert any("'?'" in n and "'-'" in n and "'x'" in n for n in notes)


@pytest.mark.parametrize(
    "index",
    [[5, 5, 3, 3, 1, 1, 0, 0, 2, 2, 4, 4], list(range(12))[::-1], ["b", "a"] * 6],
)
def test_values_stay_on_their_rows_whatever_the_index(index):
    X = pd.DataFrame(
        {
            "d": ["13/01/2024", "2024-03-05", "01/02/2024", None] * 3,
            "m": ["(1,200)", "?", "5%", "$3"] * 3,
            "b": [True, None, False, True] * 3,
            "td": ["0 days 01:00:00", None, "1 days 00:00:01", "0 days 00:00:02"] * 3,
        },
        index=index,
    )
    plan, out = _read(X)
    assert plan.used == {
        "d": "datetime",
        "m": "numeric",
        "b": "numeric",
        "td": "numeric",
    }
    assert list(out.index) == index
    assert out["d"].tolist()[:3] == [
        pd.Timestamp("2024-01-13"),
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-02-01"),
    ]
    assert out["m"].tolist()[:4] == pytest.approx([-1200, np.nan, 0.05, 3], nan_ok=True)
    assert out["b"].tolist()[:4] == pytest.approx([1, np.nan, 0, 1], nan_ok=True)
    assert out["td"].tolist()[:4] == pytest.approx(
        [3600, np.nan, 86401, 2], nan_ok=True
    )


def test_plan_does_not_depend_on_row_order():
    rng = np.random.default_rng(1)
    values = {
        "money": [f"${v:,.2f}" for v in rng.uniform(0, 5000, N)],
        "marked": [str(v) for v in rng.integers(0, 9, N)],
        "colour": list(rng.choice(["red", "blue", "green"], N)),
        "flag": list(rng.choice([True, False], N)),
        "z": _noise(),
    }
    values["marked"][N - 1] = "?"  # the marker on the last row only
    values["flag"][N - 1] = None
    X = pd.DataFrame(values)
    forward, out = _read(X)
    backward, out_back = _read(X.iloc[::-1])
    assert forward.used == backward.used
    assert forward.used["marked"] == forward.used["money"] == "numeric"
    pd.testing.assert_frame_equal(out, out_back.iloc[::-1])


def test_polars_types_are_read_as_numbers_dates_and_categories():
    pl = pytest.importorskip("polars")
    X = pl.DataFrame(
        {
            "t": [datetime.time(1, 2, 3), None, datetime.time(23, 59, 59, 500000)] * 4,
            "td": [datetime.timedelta(hours=5), None, datetime.timedelta(days=2)] * 4,
            "dec": [decimal.Decimal("1.50"), None, decimal.Decimal("1E+2")] * 4,
            "b": [True, None, False] * 4,
            "d": [datetime.date(2024, 1, 1), None, datetime.date(2024, 2, 3)] * 4,
            "cat": pl.Series(["a", None, "b"] * 4, dtype=pl.Categorical),
            "u": pl.Series([1, None, 300] * 4, dtype=pl.UInt64),
        }
    )
    plan, out = _read(X)
    assert plan.used == {
        "t": "numeric",
        "td": "numeric",
        "dec": "numeric",
        "b": "numeric",
        "d": "datetime",
        "cat": "categorical",
        "u": "numeric",
    }
    nan = np.nan
    assert out["t"].tolist()[:3] == pytest.approx([3723, nan, 86399.5], nan_ok=True)
    assert out["td"].tolist()[:3] == pytest.approx([18000, nan, 172800], nan_ok=True)
    assert out["dec"].tolist()[:3] == pytest.approx([1.5, nan, 100], nan_ok=True)
    assert out["b"].tolist()[:3] == pytest.approx([1, nan, 0], nan_ok=True)
    assert out["u"].tolist()[:3] == pytest.approx([1, nan, 300], nan_ok=True)
    assert out["d"].iloc[2] == pd.Timestamp("2024-02-03") and pd.isna(out["d"].iloc[1])
    assert out["cat"].astype(object).tolist()[:3] == ["a", nan, "b"]


def test_pyarrow_table_types_are_read_as_numbers_dates_and_categories():
    pa = pytest.importorskip("pyarrow")
    table = pa.table(
        {
            "t": pa.array([datetime.time(1, 2, 3), None] * 6, pa.time64("us")),
            "td": pa.array(
                [datetime.timedelta(seconds=90), None] * 6, pa.duration("ms")
            ),
            "dec": pa.array([decimal.Decimal("2.25"), None] * 6, pa.decimal128(10, 2)),
            "s": pa.array(["1,234", None, "5%", "?"] * 3, pa.large_string()),
            "dict": pa.array(["x", None, "y"] * 4).dictionary_encode(),
            "z": pa.array(_noise(12)),
        }
    )
    plan, out = _read(table)
    assert plan.used == {
        "t": "numeric",
        "td": "numeric",
        "dec": "numeric",
        "s": "numeric",
        "dict": "categorical",
        "z": "numeric",
    }
    nan = np.nan
    assert out["t"].tolist()[:2] == pytest.approx([3723, nan], nan_ok=True)
    assert out["td"].tolist()[:2] == pytest.approx([90, nan], nan_ok=True)
    assert out["dec"].tolist()[:2] == pytest.approx([2.25, nan], nan_ok=True)
    assert out["s"].tolist()[:4] == pytest.approx([1234, nan, 0.05, nan], nan_ok=True)


def test_pandas_nullable_and_arrow_columns_are_floats_with_nan():
    pytest.importorskip("pyarrow")
    X = pd.DataFrame(
        {
            "I": pd.array([1, None, 3] * 4, dtype="Int64"),
            "F": pd.array([1.5, None, 2.0] * 4, dtype="Float64"),
            "B": pd.array([True, None, False] * 4, dtype="boolean"),
            "S": pd.array(["1", None, "2,000"] * 4, dtype="string[python]"),
            "SP": pd.array(["1", "NA", "?"] * 4, dtype="string[pyarrow]"),
            "O": [decimal.Decimal("1.5"), decimal.Decimal("NaN"), 2] * 4,
        }
    )
    plan, out = _read(X)
    assert set(plan.used.values()) == {"numeric"}
    assert all(out[c].dtype == np.float64 for c in out.columns)
    nan = np.nan
    assert out.iloc[:3].to_numpy().T.tolist() == [
        pytest.approx(v, nan_ok=True)
        for v in (
            [1, nan, 3],
            [1.5, nan, 2],
            [1, nan, 0],
            [1, nan, 2000],
            [1, nan, nan],
            [1.5, nan, 2],
        )
    ]


def test_categorical_number_categories_lose_only_their_markers():
    X = pd.DataFrame(
        {"c": pd.Categorical(["1", "?", "2", "NA", "3"] * 4), "z": _noise(20)}
    )
    plan, out = _read(X)
    assert plan.used["c"] == "categorical"
    assert list(out["c"].cat.categories) == ["1", "2", "3"]
    assert out["c"].astype(object).tolist()[:5] == ["1", np.nan, "2", np.nan, "3"]


@pytest.mark.parametrize(
    "values",
    [["yes", "no", "yes", None], ["True", "False", "NA", "True"], [1, "a", 3.5, "4"]],
)
def test_text_booleans_and_mixed_values_stay_categories(values):
    # Categories, with every present value kept (never NaN), as text.
    X = pd.DataFrame({"x": values * 10, "z": _noise()})
    plan, out = _read(X)
    assert plan.used["x"] == "categorical"
    kept = [str(v) for v in values if v not in (None, "NA")]
    assert [v for v in out["x"].tolist()[:4] if not pd.isna(v)] == kept


def test_object_bools_and_mixed_numbers_are_numeric():
    X = pd.DataFrame(
        {
            "b": [True, False, None, True] * 10,
            "m": [1, "2", 3.5, "4%"] * 10,
            "z": _noise(),
        }
    )
    plan, out = _read(X)
    assert plan.used == {"b": "numeric", "m": "numeric", "z": "numeric"}
    assert out["b"].tolist()[:4] == pytest.approx([1, 0, np.nan, 1], nan_ok=True)
    assert out["m"].tolist()[:4] == pytest.approx([1, 2, 3.5, 0.04])
    assert _compare(X).columns.used == plan.used


def test_polars_and_pandas_of_one_table_get_one_plan():
    pl = pytest.importorskip("polars")
    data = {
        "money": ["$1,200", None, "(30)", "4%"] * 10,
        "marked": ["1.5", "?", "3", "-"] * 10,
        "colour": ["red", "blue", None, "red"] * 10,
        "z": _noise(),
    }
    from_pandas = _compare(pd.DataFrame(data)).columns
    from_polars = _compare(pl.DataFrame(data)).columns
    assert (
        from_pandas.used
        == from_polars.used
        == {
            "money": "numeric",
            "marked": "numeric",
            "colour": "categorical",
            "z": "numeric",
        }
    )
