"""Regression tests for bugs found by fuzzing the samplers (review).

Each test fails on the code as reviewed and passes once the bug is fixed.
Core invariant: output row i is input row ``sample_indices_[i]``, bit for bit,
in the input's container, dtypes and (for masked / categorical data) metadata.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

SAMPLERS = [
    lambda: RandomUnderSampler(random_state=0),
    lambda: RandomOverSampler(random_state=0),
    lambda: ClassBalancedSampler(random_state=0),
    lambda: LabelShuffleSampler(random_state=0),
]

_cell = st.one_of(
    st.integers(-(2**70), 2**70),
    st.text(max_size=3),
    st.booleans(),
    st.none(),
)


@FUZZ
@given(
    rows=st.lists(st.lists(_cell, min_size=2, max_size=2), min_size=4, max_size=12),
    which=st.integers(0, 3),
)
def test_list_X_rows_come_back_unchanged(rows, which):
    # A list X comes back a list whose row i is X[sample_indices_[i]] unchanged
    # (no cast of 1 to '1' or of 2**53 + 1 to a float via np.asarray).
    y = [0, 1] + [0] * (len(rows) - 2)
    sampler = SAMPLERS[which]()
    X_res, _ = sampler.fit_resample(rows, y)
    expected = [rows[i] for i in sampler.sample_indices_.tolist()]
    assert [[(type(v), v) for v in r] for r in X_res] == [
        [(type(v), v) for v in r] for r in expected
    ]


def test_list_X_mixed_types_minimal():
    # Minimal case of the above: ints stay ints next to a string column.
    X = [[1, "a"], [2, "b"], [3, "c"]]
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, [0, 0, 1])
    assert X_res == [X[i] for i in sampler.sample_indices_.tolist()]


@pytest.mark.parametrize("make", SAMPLERS[1:])  # the samplers that repeat rows
def test_frame_disallowing_duplicate_labels_is_resampled(make):
    # The output gets a fresh RangeIndex (no duplicate labels), so a frame with
    # allows_duplicate_labels=False resamples as it does above GATHER_ABOVE
    # (there, take_pandas succeeds); below it pandas raised DuplicateLabelError.
    X = pd.DataFrame({"a": np.arange(6.0)}).set_flags(allows_duplicate_labels=False)
    y = pd.Series([0, 0, 0, 0, 1, 1]).set_flags(allows_duplicate_labels=False)
    sampler = make()
    X_res, y_res = sampler.fit_resample(X, y)
    rows = sampler.sample_indices_
    assert X_res["a"].tolist() == X["a"].to_numpy()[rows].tolist()
    assert y_res.tolist() == y.to_numpy()[rows].tolist()


def test_dask_masked_array_keeps_its_mask():
    # A masked Dask array comes back masked, X_res == X[sample_indices_] mask
    # included, as in memory; output blocks fed by several input blocks lost it.
    da = pytest.importorskip("dask.array")
    mask = np.zeros((8, 2), dtype=bool)
    mask[::3, 0] = True
    mask[1::4, 1] = True
    X = np.ma.masked_array(np.arange(16.0).reshape(8, 2), mask=mask)
    y = np.array([0, 0, 0, 0, 0, 1, 0, 1])
    sampler = RandomOverSampler(random_state=0)  # shuffled output
    X_res, _ = sampler.fit_resample(da.from_array(X, chunks=(2, 2), asarray=False), y)
    out = X_res.compute()
    expected = X[sampler.sample_indices_]
    assert isinstance(out, np.ma.MaskedArray)
    np.testing.assert_array_equal(np.ma.getmaskarray(out), np.ma.getmaskarray(expected))
    np.testing.assert_array_equal(out.data, expected.data)


def test_dask_frame_categorical_with_per_partition_categories(tmp_path):
    # Parquet files with their own categories (unknown categories in Dask):
    # shuffled output partitions mix input partitions and must stay categorical,
    # as X.compute() is; pd.concat of the pieces made them plain strings.
    dd = pytest.importorskip("dask.dataframe")
    for k, cats in enumerate([["a", "b"], ["c", "d"], ["e"]]):
        part = pd.DataFrame(
            {
                "c": pd.Categorical(np.array(cats)[np.arange(6) % len(cats)]),
                "v": np.arange(6) + 10 * k,
                "y": (np.arange(6) % 3 == 0).astype(int),
            }
        )
        part.to_parquet(tmp_path / f"part.{k}.parquet")
    ddf = dd.read_parquet(str(tmp_path))
    sampler = LabelShuffleSampler(random_state=0)
    X_res, _ = sampler.fit_resample(ddf[["c", "v"]], ddf["y"])
    out = X_res.compute()
    full = ddf[["c", "v"]].compute()
    assert isinstance(out["c"].dtype, pd.CategoricalDtype)
    expected = full.iloc[sampler.sample_indices_].reset_index(drop=True)
    assert out["c"].astype(str).tolist() == expected["c"].astype(str).tolist()


@pytest.mark.parametrize("kind", ["decimal", "date"])
def test_shrinkage_refuses_polars_columns_it_cannot_keep(kind):
    # shrinkage promises every column keeps its dtype: a polars Decimal column
    # came back as an Object column mixing Decimal and float values. Date
    # columns are refused, naming the column (as pandas ones are); Decimal
    # columns get noise in their own type (review 54), as pandas
    # decimal128[pyarrow] columns do: the schema is kept.
    pl = pytest.importorskip("polars")
    X = pl.DataFrame(
        {
            "d": pl.Series([1, 2, 3, 4, 5] * 2).cast(
                pl.Decimal(10, 2) if kind == "decimal" else pl.Date
            ),
            "f": np.arange(10.0),
        }
    )
    y = np.array([0] * 7 + [1] * 3)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    if kind == "decimal":
        X_res, _ = sampler.fit_resample(X, y)
        assert X_res.schema == X.schema
        assert X_res.height == 14
    else:
        with pytest.raises(ValueError, match="column 'd' has dtype"):
            sampler.fit_resample(X, y)
    X_res, _ = sampler.set_params(shrinkage=None).fit_resample(X, y)
    assert X_res.schema == X.schema


def test_shrinkage_refuses_numpy_dates():
    # numpy datetime64 X was noised (and truncated) where pandas dates are
    # refused: one rule for every container.
    X = np.arange(10).astype("M8[D]").reshape(-1, 1)
    y = np.array([0] * 7 + [1] * 3)
    with pytest.raises(ValueError, match="datetime64"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)


def test_dask_compute_of_mixed_collections_comes_back_in_order():
    # dask 2026.8's dask.compute(series, array, frame) returns (Series,
    # DataFrame, ndarray): the labels, weights and partition lengths computed
    # together must each get their own result.
    dd = pytest.importorskip("dask.dataframe")
    da = pytest.importorskip("dask.array")
    from dask import delayed

    from rebalance import _dask

    frame = pd.DataFrame({"a": np.arange(10.0), "y": [0] * 7 + [1] * 3})
    ddf = dd.from_pandas(frame, npartitions=2)
    named = {
        "y": ddf["y"],
        "sample_weight": da.from_array(np.arange(10.0) * 100, chunks=5),
        "X": ddf[["a"]],
        "X-lengths": [delayed(len)([1, 2])],
    }
    computed = _dask._compute_in_order(named)
    assert computed["y"].tolist() == frame["y"].tolist()
    np.testing.assert_array_equal(computed["sample_weight"], np.arange(10.0) * 100)
    assert computed["X"]["a"].tolist() == frame["a"].tolist()
    assert list(computed["X-lengths"]) == [2]
