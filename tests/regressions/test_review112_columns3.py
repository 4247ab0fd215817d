"""Review 112, area ``columns3``: a property-based fuzz of how ``rebalance
compare`` reads a table -- ``missing_as_na`` then ``plan_columns`` then
``prepare_frame``, in the order ``compare`` applies them -- on small columns of
numbers written as text (plain, thousands separators, decimal commas, percent,
currency, scientific), dates written as text (ISO, d/m/Y, m/d/Y, d.m.Y, words,
UTC offsets), categories, booleans as text and missing-value markers, held in
object, Python and Arrow string, categorical and nullable pandas dtypes, and the
same table as a polars frame or a pyarrow Table. Properties: a used column is
missing only where its input was missing or a marker; rows keep their index and
their values; a column's plan does not depend on the order of its rows nor on
the library holding the table; nothing raises but ValueError/TypeError.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import missing_as_na, pandas_frame, plan_columns, prepare_frame

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies
given, settings = hypothesis.given, hypothesis.settings

MARKERS = ["", "NA", " NA", "?", "-", None, np.nan]


def _ints(lo, hi):
    return st.integers(lo, hi)


_GENS = {
    "plain": st.floats(-1000, 1000, allow_nan=False).map(lambda v: f"{v:.2f}"),
    "thousands": st.floats(1000, 99999).map(lambda v: f"{v:,.2f}"),
    "decimal_comma": st.tuples(_ints(0, 99), _ints(0, 99)).map(
        lambda t: f"{t[0]},{t[1]:02d}"
    ),
    "percent": st.floats(0, 100).map(lambda v: f"{v:.1f}%"),
    "currency": st.floats(0, 9999).map(lambda v: f"${v:,.2f}"),
    "scientific": st.floats(1, 9).map(lambda v: f"{v:.2e}"),
    "int": _ints(-50, 50).map(str),
    "iso": st.tuples(_ints(10, 29), _ints(1, 12), _ints(1, 28)).map(
        lambda t: f"20{t[0]}-{t[1]:02d}-{t[2]:02d}"
    ),
    "dmy": st.tuples(_ints(1, 28), _ints(1, 12), _ints(10, 29)).map(
        lambda t: f"{t[0]:02d}/{t[1]:02d}/20{t[2]}"
    ),
    "mdy": st.tuples(_ints(1, 12), _ints(1, 28), _ints(10, 29)).map(
        lambda t: f"{t[0]:02d}/{t[1]:02d}/20{t[2]}"
    ),
    "dotted": st.tuples(_ints(1, 28), _ints(1, 12), _ints(10, 29)).map(
        lambda t: f"{t[0]:02d}.{t[1]:02d}.20{t[2]}"
    ),
    "words": st.tuples(
        _ints(1, 28), st.sampled_from(["Jan", "Mar", "Dec"]), _ints(10, 29)
    ).map(lambda t: f"{t[0]:02d} {t[1]} 20{t[2]} 10:00"),
    "offset": st.tuples(
        _ints(1, 12), _ints(1, 28), st.sampled_from(["+01:00", "+02:00", "Z"])
    ).map(lambda t: f"2026-{t[0]:02d}-{t[1]:02d}T10:00:00{t[2]}"),
    "category": st.sampled_from(["red", "blue", "green", "x1", "2a"]),
    "bool": st.sampled_from(["True", "False", "yes", "no"]),
}
DTYPES = ["object", "string[python]", "string[pyarrow]", "category"]


@st.composite
def _column(draw, n):
    kinds = draw(st.lists(st.sampled_from(sorted(_GENS)), min_size=1, max_size=2))
    values, marked = [], []
    for _ in range(n):
        if draw(st.integers(0, 6)) == 0:
            values.append(draw(st.sampled_from(MARKERS)))
            marked.append(True)
        else:
            values.append(draw(_GENS[draw(st.sampled_from(kinds))]))
            marked.append(False)
    return values, np.array(marked)


@st.composite
def _table(draw):
    n = draw(st.integers(5, 60))
    columns = draw(st.lists(_column(n), min_size=1, max_size=3))
    data, marked = {}, {}
    for j, (values, where) in enumerate(columns):
        dtype = draw(st.sampled_from(DTYPES))
        series = pd.Series(values, dtype=object)
        data[f"c{j}"] = series if dtype == "object" else series.astype(dtype)
        marked[f"c{j}"] = where
    index = draw(st.permutations(range(100, 100 + n)))
    frame = pd.DataFrame(data)
    frame.index = pd.Index(index)
    return frame, marked


def _read(frame):
    # As compare() reads a DataFrame (rebalance/compare.py): markers first.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = missing_as_na(pandas_frame(frame))
        plan = plan_columns(read)
        return plan, prepare_frame(read, plan)


def _plan(frame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = plan_columns(missing_as_na(pandas_frame(frame)))
    return plan.used, plan.dropped


@settings(max_examples=25, deadline=None)
@given(_table(), st.randoms(use_true_random=False))
def test_read_keeps_rows_values_and_plan(table, rnd):
    frame, marked = table
    before = frame.copy()
    try:
        plan, out = _read(frame)
    except (ValueError, TypeError) as exc:  # (e): only these, naming a column
        assert any(name in str(exc) for name in frame.columns), exc
        return
    pd.testing.assert_frame_equal(frame, before)  # not modified in place
    assert out.index.equals(frame.index)  # (b)
    for name in plan.used:
        missing = out[name].isna().to_numpy()
        # (a): missing only where the input was missing or a marker.
        assert not (missing & ~marked[name]).any(), (name, plan.used[name])
    # (b): a row's value maps back to its input, whatever the row order; and
    # (c): the plan does not depend on the order of the rows.
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order]
    plan2, out2 = _read(shuffled)
    assert (plan2.used, plan2.dropped) == (plan.used, plan.dropped)
    pd.testing.assert_frame_equal(
        out2.loc[out.index], out, check_categorical=False, check_dtype=False
    )


# 30 examples (under the 60 allowed): each reads the table four times.
@settings(max_examples=15, deadline=None)
@given(_table())
def test_pandas_polars_and_pyarrow_get_one_plan(table):
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    frame, _ = table
    # Declared categoricals go through polars as Categorical, which a text
    # column is not: the pandas frame of text is the one compared.
    text = frame.astype(object).reset_index(drop=True)
    expected = _plan(text)
    arrow = pa.Table.from_pandas(text, preserve_index=False)
    assert _plan(arrow) == expected
    assert _plan(pl.from_arrow(arrow)) == expected
    views = pa.table(
        {
            name: arrow[name].cast(pa.string_view())
            if pa.types.is_string(arrow[name].type)
            else arrow[name]
            for name in arrow.column_names
        }
    )
    assert _plan(views) == expected


def test_markers_and_formats_read_alike_in_every_container():
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    data = {
        "n": ["1,000", None, " NA", "?", "2.5"],
        "c": ["x", None, " NA", "y", "x"],
        "d": ["2024-01-02", None, " NA", "2024-02-03", "NA"],
    }
    plan, out = _read(pd.DataFrame(data))
    assert plan.used == {"n": "numeric", "c": "categorical", "d": "datetime"}
    assert out["n"].tolist()[::4] == [1000.0, 2.5]
    assert out["n"].isna().tolist() == [False, True, True, True, False]
    assert out["c"].isna().tolist() == [False, True, True, False, False]
    assert out["d"].isna().tolist() == [False, True, True, False, True]
    views = pa.table({k: pa.array(v, type=pa.string_view()) for k, v in data.items()})
    for other in (pl.DataFrame(data), pa.table(data), views):
        plan2, out2 = _read(other)
        assert plan2.used == plan.used
        pd.testing.assert_frame_equal(out2, out, check_categorical=False)


@pytest.mark.parametrize(
    "values, first",
    [
        (["13/01/2024", "01/02/2024", "05/06/2024"], "2024-01-13"),
        (["01/13/2024", "01/02/2024", "05/06/2024"], "2024-01-13"),
        (["07 Dec 2026 10:00", "2026-12-08", "?"], None),
    ],
)
def test_day_order_is_one_per_column_whatever_the_row_order(values, first):
    frame = pd.DataFrame({"d": values})
    plan, out = _read(frame)
    plan2, out2 = _read(frame.iloc[::-1])
    assert plan2.used == plan.used
    if first is None:  # "?" is no date: categories, in both orders
        assert plan.used == {"d": "categorical"}
        return
    assert out["d"].iloc[0] == pd.Timestamp(first)
    pd.testing.assert_series_equal(out2["d"].loc[out.index], out["d"])


def test_version_strings_are_not_dates():
    frame = pd.DataFrame({"app_version": ["1.2.3", "1.2.4", "2.1.1", "1.2.3"] * 3})
    plan, _ = _read(frame)
    assert plan.used == {"app_version": "categorical"}


def test_one_digit_year_dates_get_one_day_order():
    frame = pd.DataFrame({"d": ["1.2.3", "13.5.6", "4.5.6"]})
    plan, out = _read(frame)
    if plan.used.get("d") == "datetime":
        # 13.5.6 is read day first (13 May), so 1.2.3 must be 1 February.
        assert out["d"].iloc[1].day == 13
        assert (out["d"].iloc[0].month, out["d"].iloc[0].day) == (2, 1)
