"""Review 144 (daskfuzz9): the samplers on Dask arrays and DataFrames.

Reviewed: ``rebalance/_dask.py`` (module docstring promises) against the
in-memory path, with a seeded fuzz (synchronous scheduler) over random
chunkings (1..7 partitions, one-row partitions, empty partitions after a
filter, unknown lengths from a boolean filter, repartition), label types (int,
string, categorical incl. unknown categories, bool, nullable Int64, with NA),
X columns (float, int, string, datetime, categorical), indexes (range,
unsorted, sorted/unsorted duplicates, ``from_pandas`` with/without sort),
y from another frame (other partitions, other index, reversed order),
Parquet reads (several files, X and y from separate reads, labels in files
named in another order), Dask arrays (known and ``nan`` chunks) and the
number of ``dask.compute`` passes (dask callback).

Found:

* X and y taken from the same filtered ``dd.from_pandas(..., sort=False)``
  frame: the filter (and the whole graph of X) is computed twice in
  ``fit_resample`` (a second pass only to read X's index), where the docs
  promise labels and partition lengths in one ``dask.compute`` (the same
  without the filter, or from Parquet with a filter, takes one pass).

No bug found for: class counts, row/label pairing (row-id column), sorted
``sample_indices_`` and the row multiset equal to the in-memory draw for
every chunking, ``shuffle=False`` equal to in-memory row for row; reordered
labels (reversed index, other file order, filters selecting other rows) are
refused with a clear ValueError; NA labels refused as in memory; ``nan``
chunked arrays refused with the ``compute_chunk_sizes`` advice.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

from dask.callbacks import Callback  # noqa: E402

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402


class _Count(Callback):
    def __init__(self):
        super().__init__()
        self.n = 0

    def _start(self, dsk):
        self.n += 1


def _frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    lab = rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])
    lab[:3] = ["a", "b", "c"]
    return pd.DataFrame(
        {
            "rid": np.arange(n),
            "f": rng.normal(size=n),
            "t": pd.date_range("2020", periods=n, freq="h"),
            "c": pd.Categorical(rng.choice(list("xyz"), n)),
            "lab": lab,
        },
        index=rng.permutation(n),
    )


def test_filtered_unsorted_frame_computed_once():
    df = _frame()
    ddf = dd.from_pandas(df, npartitions=4, sort=False)
    ddf = ddf[ddf["rid"] >= 0]
    counter = _Count()
    with dask.config.set(scheduler="synchronous"), counter:
        RandomUnderSampler(random_state=0).fit_resample(
            ddf.drop(columns="lab"), ddf["lab"]
        )
    assert counter.n == 1


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(random_state=3, shuffle=False),
        RandomOverSampler(random_state=3),
    ],
)
def test_random_chunkings_match_memory(sampler):
    # Pin: rows paired with their own label, and the draw equal to the
    # in-memory one, for uneven / one-row / empty / unknown partitions.
    df = _frame()
    with dask.config.set(scheduler="synchronous"):
        for build in (
            lambda: dd.from_pandas(df, npartitions=3, sort=False),
            lambda: dd.from_pandas(df, npartitions=20),
            lambda: (lambda d: d[d["rid"] < 12])(dd.from_pandas(df, npartitions=5)),
        ):
            ddf = build()
            pdf = ddf.compute()
            s_dask, s_mem = clone(sampler), clone(sampler)
            X_res, y_res = dask.compute(
                *s_dask.fit_resample(ddf.drop(columns="lab"), ddf["lab"])
            )
            X_mem, _ = s_mem.fit_resample(pdf.drop(columns="lab"), pdf["lab"])
            label_of = dict(zip(pdf["rid"], pdf["lab"]))
            assert [label_of[r] for r in X_res["rid"]] == y_res.tolist()
            assert sorted(X_res["rid"]) == sorted(X_mem["rid"])
            if not getattr(sampler, "shuffle", True):
                assert X_res["rid"].tolist() == X_mem["rid"].tolist()


def test_labels_of_reordered_frame_refused():
    # Pin: y holding X's rows in another order is an error, never paired by
    # position.
    df = _frame().reset_index(drop=True)
    X = dd.from_pandas(df, npartitions=3)[["rid"]]
    y = dd.from_pandas(df.iloc[::-1], npartitions=3, sort=False)["lab"]
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(ValueError, match="another order"):
            RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_columns_of_two_filters_of_one_frame_are_not_paired():
    # Pin (with the fix above): columns of two different filters of one
    # frame, holding as many rows, are not taken as one frame's columns.
    df = _frame()
    ddf = dd.from_pandas(df, npartitions=4, sort=False)
    even, odd = ddf[ddf["rid"] % 2 == 0], ddf[ddf["rid"] % 2 == 1]
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(ValueError, match="other rows"):
            RandomUnderSampler(random_state=0).fit_resample(
                even.drop(columns="lab"), odd["lab"]
            )
