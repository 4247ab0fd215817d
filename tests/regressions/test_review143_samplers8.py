"""Review 143, area samplers8: the data-level samplers through ``fit_resample``.

Reviewed ``RandomUnderSampler``, ``RandomOverSampler``, ``ClassBalancedSampler``
and ``LabelShuffleSampler`` against imbalanced-learn 0.14's random samplers:
every ``sampling_strategy`` form (float, the five strings, dict, callable) on
int / negative int / string / bool / categorical labels (class counts equal,
rows paired with their own label through a row-id column, ``sample_indices_``
right, with and without ``replacement``); ``shrinkage`` as 0, a number, a dict
(partial, naming a non-over-sampled class, invalid values); pandas frames with
categorical / Int64 / boolean / string[pyarrow] / datetime64[ns, tz] / object
columns and a non-default index; polars (Categorical, Enum), pyarrow tables and
chunked y; numpy object arrays with None; scipy csr/csc/coo with int64
indices; y as a pandas Categorical with unused categories, ordered
categoricals, Int64 / boolean / string y, one class, NaN / None / NA, a (n, 1)
column; inside ``imblearn.pipeline`` (also with ``set_output(transform=
"pandas")``) and ``BalancedBaggingClassifier``; inputs left unmodified.

Found no bug. Differences from imbalanced-learn (fresh ``RangeIndex``, (n, 1) y
kept 2-D, shuffled output order, integer columns kept integer under
``shrinkage``) are documented in the README. The tests below pin the row
pairing, the exact counts and the dtype round trip.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbOver
from imblearn.under_sampling import RandomUnderSampler as ImbUnder

import rebalance as rb

LABELS = {
    "int": [0] * 10 + [1] * 5 + [2] * 3,
    "negative": [-1] * 10 + [-5] * 5 + [7] * 3,
    "str": ["a"] * 10 + ["b"] * 5 + ["c"] * 3,
    "bool": [True] * 10 + [False] * 4,
}
STRATEGIES = ["not minority", "not majority", "all", "auto", 0.8]


@pytest.mark.parametrize("name", sorted(LABELS))
def test_counts_and_row_pairing_match_imblearn(name):
    y = np.array(LABELS[name])
    X = np.arange(len(y)).reshape(-1, 1)
    two = len(set(y.tolist())) == 2
    for ours, theirs in (
        (rb.RandomUnderSampler, ImbUnder),
        (rb.RandomOverSampler, ImbOver),
    ):
        over = ours is rb.RandomOverSampler
        cases = [s for s in STRATEGIES if two or not isinstance(s, float)]
        cases.append("minority" if over else "majority")
        cases.append(lambda v, k=12 if over else 2: dict.fromkeys(set(v), k))
        for strategy in cases:
            _, y_imb = theirs(sampling_strategy=strategy, random_state=0).fit_resample(
                X, y
            )
            sampler = ours(sampling_strategy=strategy, random_state=0)
            X_res, y_res = sampler.fit_resample(X, y)
            assert Counter(y_res.tolist()) == Counter(y_imb.tolist()), strategy
            rows = X_res[:, 0]
            np.testing.assert_array_equal(y[rows], y_res)
            np.testing.assert_array_equal(sampler.sample_indices_, rows)


def test_pandas_dtypes_and_categorical_y_round_trip():
    n = 18
    index = np.arange(100, 100 + n)
    y = pd.Series(
        pd.Categorical(["a"] * 10 + ["b"] * 5 + ["c"] * 3, categories=list("abcz")),
        index=index,
    )
    X = pd.DataFrame(
        {
            "rid": np.arange(n),
            "cat": pd.Categorical(list("xyz") * 6, categories=list("xyzw")),
            "i64": pd.array([1, None] * 9, dtype="Int64"),
            "b": pd.array([True, False, None] * 6, dtype="boolean"),
            "s": pd.array(["p", "q", None] * 6, dtype="string[pyarrow]"),
            "t": pd.date_range("2020", periods=n, tz="UTC").astype(
                "datetime64[ns, UTC]"
            ),
            "o": np.array([{"k": 1}, None, "x"] * 6, dtype=object),
        },
        index=index,
    )
    assert str(X["t"].dtype) == "datetime64[ns, UTC]"
    X_before, y_before = X.copy(), y.copy()
    for sampler in (
        rb.RandomUnderSampler(random_state=0),
        rb.RandomOverSampler(random_state=0),
        rb.ClassBalancedSampler(random_state=0),
    ):
        X_res, y_res = sampler.fit_resample(X, y)
        assert dict(X_res.dtypes) == dict(X.dtypes)
        assert list(y_res.cat.categories) == list("abcz")
        rows = X_res["rid"].to_numpy()
        np.testing.assert_array_equal(sampler.sample_indices_, rows)
        np.testing.assert_array_equal(np.asarray(y)[rows], np.asarray(y_res))
        expected = X.iloc[rows].reset_index(drop=True)
        pd.testing.assert_frame_equal(X_res.reset_index(drop=True), expected)
    pd.testing.assert_frame_equal(X, X_before)
    pd.testing.assert_series_equal(y, y_before)


@pytest.mark.parametrize("fmt", ["csr", "coo"])
def test_sparse_int64_indices_rows_paired(fmt):
    y = np.array(LABELS["str"])
    n = len(y)
    M = sp.hstack(
        [
            sp.csr_matrix(np.arange(1.0, n + 1).reshape(-1, 1)),
            sp.random(n, 3, density=0.5, random_state=0),
        ],
        format=fmt,
    )
    if fmt == "coo":
        M.row, M.col = M.row.astype(np.int64), M.col.astype(np.int64)
    else:
        M.indices, M.indptr = M.indices.astype(np.int64), M.indptr.astype(np.int64)
    for cls in (rb.RandomOverSampler, rb.RandomUnderSampler):
        sampler = cls(random_state=0)
        X_res, y_res = sampler.fit_resample(M, y)
        dense = X_res.toarray()
        rows = dense[:, 0].astype(int) - 1
        np.testing.assert_array_equal(y[rows], y_res)
        np.testing.assert_array_equal(sampler.sample_indices_, rows)
        np.testing.assert_array_equal(dense, M.toarray()[rows])


def test_shrinkage_zero_copies_rows_and_dict_checked():
    y = np.array(LABELS["str"])
    X = np.column_stack([np.arange(len(y)), np.linspace(0, 1, len(y))])
    sampler = rb.RandomOverSampler(shrinkage=0, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    assert sampler.shrinkage_ == {"b": 0.0, "c": 0.0}
    with pytest.raises(ValueError, match="shrinkage"):
        rb.RandomOverSampler(shrinkage={"b": 1.0}).fit_resample(X, y)
