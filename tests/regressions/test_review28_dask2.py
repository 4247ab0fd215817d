"""Review 28 (Dask path, second area): regressions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

from rebalance import RandomUnderSampler  # noqa: E402


def _frame_of_partitions(df: pd.DataFrame, bounds: list[int]):
    """A Dask frame whose partitions are ``df``'s rows between ``bounds``."""
    return dd.from_map(
        lambda i: df.iloc[bounds[i] : bounds[i + 1]],
        list(range(len(bounds) - 1)),
        meta=df.iloc[:0],
        divisions=[None] * len(bounds),
    )


@pytest.mark.parametrize("shuffle", [False, True])
def test_labels_and_weights_with_chunks_declared_wrong_are_refused(shuffle):
    # bug: a Dask array y (or sample_weight) whose chunks differ from X's is
    # rechunked like X; rechunking slices its blocks where the declared chunks
    # say they end, so blocks of other sizes (to_dask_array(lengths=...) given
    # wrong lengths) gave right-sized blocks of other rows: labels of class 2,
    # which the sampler was told to drop, and other rows' weights, silently.
    n = 60
    labels = np.where(np.arange(n) >= 30, np.arange(n) % 2, 2)
    df = pd.DataFrame({"y": labels, "w": np.arange(n) + 1.0})
    ddf = _frame_of_partitions(df, [0, 15, 40, 60])  # real blocks 15, 25, 20
    y = ddf["y"].to_dask_array(lengths=[20, 20, 20])
    w = ddf["w"].to_dask_array(lengths=[20, 20, 20])
    X = da.from_array(np.arange(2.0 * n).reshape(n, 2), chunks=30)
    sampler = RandomUnderSampler(
        sampling_strategy={0: 15, 1: 15, 2: 0}, random_state=0, shuffle=shuffle
    )
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="chunks declare"):
        dask.compute(X_res, y_res, w_res)


def test_labels_with_other_chunks_declared_right_are_gathered():
    n = 60
    labels = np.arange(n) % 3
    df = pd.DataFrame({"y": labels, "w": np.arange(n) + 1.0})
    ddf = _frame_of_partitions(df, [0, 15, 40, 60])
    y = ddf["y"].to_dask_array(lengths=True)
    w = ddf["w"].to_dask_array(lengths=True)
    X = da.from_array(np.arange(2.0 * n).reshape(n, 2), chunks=30)
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res, w_res = dask.compute(*sampler.fit_resample(X, y, sample_weight=w))
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(y_res, labels[rows])
    np.testing.assert_array_equal(w_res, df["w"].to_numpy()[rows])
    np.testing.assert_array_equal(X_res[:, 0], 2.0 * rows)


@pytest.mark.parametrize("kind", ["bag", "delayed"])
def test_plan_of_dask_bag_or_delayed_labels(kind):
    # bug: plan() read a Bag or a Delayed (labels fit_resample takes) as one
    # value: "y must be 1-D ...; got an array of shape ()".
    y = np.array([0, 1, 1, 1, 2, 2] * 5)
    if kind == "bag":
        db = pytest.importorskip("dask.bag")
        lazy = db.from_sequence(y.tolist(), npartitions=3)
    else:
        lazy = dask.delayed(np.asarray)(y.tolist())
    with dask.config.set(scheduler="sync"):
        plan = RandomUnderSampler().plan(lazy)
    expected = RandomUnderSampler().plan(y)
    assert plan.n_output == expected.n_output == 15
    assert plan.sampling_strategy == expected.sampling_strategy
    np.testing.assert_array_equal(
        plan.draw(np.random.default_rng(0)), expected.draw(np.random.default_rng(0))
    )


def test_digest_of_rows_with_unhashable_cells_sees_swapped_rows():
    # bug: a partition with cells that cannot be hashed (a Parquet list
    # column) was digested by its index only: rows swapped under a repeated
    # index (read_parquet's index restarts in each file) between the
    # computation of the labels and the gather went unnoticed.
    from rebalance._dask import _digest

    part = pd.DataFrame(
        {"values": [[1, 2], [3], [4, 5]], "x": [1.0, 2.0, 3.0]}, index=[0, 0, 1]
    )
    swapped = part.iloc[[1, 0, 2]]
    assert swapped.index.equals(part.index)
    assert _digest(swapped) != _digest(part)
    assert _digest(part.copy()) == _digest(part)


@pytest.mark.parametrize(
    "fmt", ["coo_matrix", "dia_matrix", "bsr_matrix", "dok_matrix"]
)
@pytest.mark.parametrize("shuffle", [False, True])
def test_dask_array_of_sparse_chunks_without_row_indexing(fmt, shuffle):
    # bug: chunks of SciPy sparse formats that cannot take rows by position
    # failed at compute time ("'coo_matrix' object is not subscriptable",
    # NotImplementedError for BSR); in memory such X is gathered as CSR.
    sp = pytest.importorskip("scipy.sparse")
    y = np.array([0, 1, 1, 1] * 10)
    values = np.arange(200.0).reshape(40, 5)
    X = da.from_array(values, chunks=(10, 5)).map_blocks(getattr(sp, fmt))
    sampler = RandomUnderSampler(random_state=0, shuffle=shuffle)
    X_res, y_res = sampler.fit_resample(X, y)
    got = X_res.compute()
    assert sp.issparse(got) and got.format == "csr"
    np.testing.assert_array_equal(got.toarray(), values[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res.compute(), y[sampler.sample_indices_])


@pytest.mark.parametrize("broken", ["indices", "indptr"])
def test_dask_array_of_malformed_csr_chunks_is_refused(broken):
    # bug: CSR chunks whose arrays do not describe them (refused in memory)
    # were gathered by scipy, which reads out of bounds: an output of 3000
    # stored entries read from other memory for a 10-row block, silently.
    sp = pytest.importorskip("scipy.sparse")

    def malformed(block):
        matrix = sp.csr_matrix(block)
        if broken == "indices":
            matrix.indices = matrix.indices + 1000
        else:
            matrix.indptr = matrix.indptr * 1000
        return matrix

    y = np.array([0, 1, 1, 1] * 10)
    X = da.from_array(np.eye(40)[:, :5], chunks=(10, 5)).map_blocks(malformed)
    X_res, _ = RandomUnderSampler(random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="malformed CSR"):
        X_res.compute()
