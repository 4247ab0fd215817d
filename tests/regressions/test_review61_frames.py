"""Review 61 (frames): containers through the four samplers' fit_resample.

pandas subclasses (GeoDataFrame, a user's ``_constructor`` subclass) are
pandas objects again: a fresh RangeIndex, the index pairing check, and the
duplicate-label flag, as for ``pd.DataFrame``; date and duration labels of
polars and pyarrow are refused naming their own dtype and a fix their
library has. The rest pins containers tried in this review (sparse, nullable,
tz-aware, Period, Interval and view columns, duplicate and MultiIndex rows,
tuple and MultiIndex columns, polars, chunked pyarrow), also through the
threaded gathers at small sizes.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import rebalance._gather as gather
from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    class_weights,
)
from rebalance._frames import is_pandas, take_rows

N = 12
Y = np.array([0] * 8 + [1] * 4)
W = np.arange(N) + 0.5


class Frame(pd.DataFrame):
    @property
    def _constructor(self):
        return Frame

    @property
    def _constructor_sliced(self):
        return Series


class Series(pd.Series):
    @property
    def _constructor(self):
        return Series

    @property
    def _constructor_expanddim(self):
        return Frame


def _samplers():
    return [
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0, shuffle=False),
        RandomOverSampler(random_state=0, shrinkage=0.0),
        ClassBalancedSampler(n_samples=20, random_state=0),
        LabelShuffleSampler(random_state=0),
    ]


# --- pandas subclasses are pandas objects -----------------------------------


def test_is_pandas_takes_subclasses():
    assert is_pandas(Frame({"a": [1]}), "DataFrame")
    assert is_pandas(Series([1]), "Series")
    assert not is_pandas(Frame({"a": [1]}), "Series")
    assert not is_pandas(np.zeros(2), "Series")


def test_take_rows_gives_a_subclass_a_fresh_range_index():
    # Before: gathered through narwhals, which kept the source labels
    # (['d', 'b', 'b']) where a pd.DataFrame gets 0, 1, 2.
    frame = Frame({"a": [1.0, 2.0, 3.0, 4.0]}, index=list("abcd"))
    frame.attrs = {"k": 1}
    taken = take_rows(frame, np.array([3, 1, 1]))
    assert type(taken) is Frame
    assert taken.index.equals(pd.RangeIndex(3))
    assert taken["a"].tolist() == [4.0, 2.0, 2.0] and taken.attrs == {"k": 1}
    column = take_rows(Series([1, 2, 3], index=list("abc"), name="s"), np.array([2]))
    assert type(column) is Series and column.index.equals(pd.RangeIndex(1))


@pytest.mark.parametrize("sampler", _samplers(), ids=repr)
def test_subclass_rows_labels_and_weights_like_pandas(sampler):
    index = list("abcdefghijkl")
    X = Frame({"a": np.arange(N, dtype=float), "b": np.arange(N)}, index=index)
    y = Series(Y, index=index, name="t")
    X_res, y_res, w_res = sampler.fit_resample(
        X, y, sample_weight=Series(W, index=index, name="w")
    )
    rows = sampler.sample_indices_
    assert (type(X_res), type(y_res), type(w_res)) == (Frame, Series, Series)
    for out in (X_res, y_res, w_res):
        assert out.index.equals(pd.RangeIndex(len(rows)))
    np.testing.assert_array_equal(X_res["b"], rows)
    np.testing.assert_array_equal(y_res, Y[rows])
    np.testing.assert_array_equal(w_res, W[rows])
    assert (y_res.name, w_res.name) == ("t", "w")


def test_subclass_y_in_another_order_is_refused():
    # Before: a subclass skipped the pairing check, and each label silently
    # went with another row (a pd.DataFrame's is refused).
    X = Frame({"a": np.arange(N, dtype=float)}, index=list("abcdefghijkl"))
    y = Series(Y, index=X.index[::-1])
    with pytest.raises(ValueError, match=r"y holds the index of X in another order"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_subclass_without_duplicate_labels_is_over_sampled():
    # Before: pandas' DuplicateLabelError (repeated rows repeat labels).
    X = Frame({"a": np.arange(N, dtype=float)}).set_flags(allows_duplicate_labels=False)
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, Y)
    assert type(X_res) is Frame and not X_res.flags.allows_duplicate_labels
    np.testing.assert_array_equal(X_res["a"], sampler.sample_indices_)


# --- polars and pyarrow date labels: their dtype, their library's fix --------


DATED = {
    "polars-Date": (
        lambda: pl.Series("y", [datetime.date(2020, 1, 1 + int(v)) for v in Y]),
        r"dtype Date \(.*y\.to_physical\(\)",
    ),
    "polars-Duration": (
        lambda: pl.Series("y", [datetime.timedelta(seconds=int(v)) for v in Y]),
        r"dtype Duration\(.*y\.to_physical\(\)",
    ),
    "pyarrow-date32": (
        lambda: pa.array(Y.tolist(), pa.date32()),
        r"dtype date32\[day\] \(.*y\.cast\(pyarrow\.string\(\)\)",
    ),
    "pyarrow-timestamp-tz": (
        lambda: pa.chunked_array([pa.array(Y.tolist(), pa.timestamp("s", "UTC"))]),
        r"dtype timestamp\[s, tz=UTC\] \(.*y\.cast\(pyarrow\.string\(\)\)",
    ),
}


@pytest.mark.parametrize("make_y, message", DATED.values(), ids=DATED)
def test_polars_and_pyarrow_date_labels_name_their_dtype_and_fix(make_y, message):
    # Before: "y has dtype datetime64[D] ... e.g. y.astype(str)": numpy's
    # dtype, and a method neither library has.
    with pytest.raises(ValueError, match=message):
        RandomUnderSampler().fit_resample(np.zeros((N, 1)), make_y())
    y = make_y()
    fixed = y.to_physical() if isinstance(y, pl.Series) else y.cast(pa.string())
    assert len(class_weights(fixed)) == 2  # the fix the message names works


# --- containers tried in this review (they worked) ---------------------------


def _frames():
    sparse = pd.arrays.SparseArray([0.0, 1.0] * 6)
    rows = pd.MultiIndex.from_product([list("abcd"), [1, 2, 3]], names=["l", "n"])
    yield (
        "sparse+dense, dup index",
        pd.DataFrame({"s": sparse, "d": np.arange(N, dtype=float)}, index=[0, 1] * 6),
    )
    yield (
        "MultiIndex rows and columns",
        pd.DataFrame(
            np.arange(N * 2.0).reshape(N, 2),
            index=rows,
            columns=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["x", "y"]),
        ),
    )
    yield (
        "tuple and int columns",
        pd.DataFrame(
            np.arange(N * 2.0).reshape(N, 2),
            columns=pd.Index([("a", 1), ("b", 2)], tupleize_cols=False),
        ),
    )
    yield (
        "nullable with NA",
        pd.DataFrame(
            {
                "i": pd.array([1, None] * 6, dtype="Int64"),
                "b": pd.array([True, None] * 6, dtype="boolean"),
                "f": pd.array([1.5, None] * 6, dtype="Float64"),
            }
        ),
    )
    yield (
        "dates, periods, intervals",
        pd.DataFrame(
            {
                "tz": pd.date_range("2020", periods=N, tz="Europe/Paris"),
                "td": pd.to_timedelta(np.arange(N), unit="s"),
                "per": pd.period_range("2020-01", periods=N, freq="M"),
                "iv": pd.interval_range(0, N),
            }
        ),
    )
    yield (
        "categories, objects, strings",
        pd.DataFrame(
            {
                "c": pd.Categorical(["a", "b"] * 6, categories=["z", "a", "b"]),
                "o": [1, "a", 2.5, None, (1, 2), b"x"] * 2,
                "py": pd.array(list("abcdefghijkl"), dtype="string[python]"),
                "pa": pd.array(list("abcdefghijk") + [None], dtype="string[pyarrow]"),
                "ls": pd.Series(
                    list("abcdefghijkl"), dtype=pd.ArrowDtype(pa.large_string())
                ),
            }
        ),
    )


@pytest.mark.parametrize("threaded", [False, True], ids=["small", "threaded"])
def test_pandas_containers_keep_rows_dtypes_and_attrs(monkeypatch, threaded):
    if threaded:
        monkeypatch.setattr(gather, "GATHER_ABOVE", 0)
        monkeypatch.setattr(gather, "STAGE_COLUMNS_ABOVE", 0)
    for name, X in _frames():
        X.attrs = {"source": name, "nested": {"k": [1]}}
        before = X.copy(deep=True)
        for sampler in (
            RandomUnderSampler(random_state=0),
            RandomOverSampler(random_state=0),
            ClassBalancedSampler(n_samples=20, random_state=0),
            LabelShuffleSampler(random_state=0),
        ):
            X_res, y_res, w_res = sampler.fit_resample(X, Y, sample_weight=W)
            rows = sampler.sample_indices_
            expected = X.iloc[rows].reset_index(drop=True)
            pd.testing.assert_frame_equal(X_res, expected, obj=name)
            assert X_res.attrs == X.attrs, name
            np.testing.assert_array_equal(y_res, Y[rows])
            np.testing.assert_array_equal(w_res, W[rows])
        pd.testing.assert_frame_equal(X, before, obj=name)


def test_polars_and_chunked_pyarrow_keep_their_schema():
    X = pl.DataFrame(
        {
            "f": np.arange(N, dtype=float),
            "cat": pl.Series(list("ab") * 6, dtype=pl.Categorical),
            "dur": [datetime.timedelta(seconds=i) for i in range(N)],
            "dec": pl.Series([1.25] * N).cast(pl.Decimal(10, 2)),
            "obj": pl.Series([object(), 1, "x"] * 4, dtype=pl.Object),
        }
    )
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, pl.Series("y", Y))
    assert X_res.schema == X.schema
    np.testing.assert_array_equal(X_res["f"], sampler.sample_indices_)
    objects = X["obj"].to_list()
    assert all(
        a is objects[i] for a, i in zip(X_res["obj"].to_list(), sampler.sample_indices_)
    )
    table = pa.table(
        {
            "a": pa.chunked_array([np.arange(5.0), np.arange(5.0, N)]),
            "d": pa.chunked_array(
                [pa.array(list("abcab")).dictionary_encode()] * 2
                + [pa.array(["c", "a"]).dictionary_encode()]
            ),
        },
        metadata={b"k": b"v"},
    )
    labels = pa.chunked_array([Y[:3], Y[3:]])
    X_res, y_res = sampler.fit_resample(table, labels)
    rows = sampler.sample_indices_
    assert X_res.schema.equals(table.schema, check_metadata=True)
    assert X_res.column("a").to_pylist() == rows.astype(float).tolist()
    assert isinstance(y_res, pa.ChunkedArray)
    assert y_res.to_pylist() == Y[rows].tolist()


def test_lazy_frame_is_refused_with_the_fix():
    lazy = pl.DataFrame({"a": np.arange(N, dtype=float)}).lazy()
    with pytest.raises(TypeError, match=r"lazy LazyFrame.*X\.collect\(\)"):
        RandomUnderSampler().fit_resample(lazy, Y)
