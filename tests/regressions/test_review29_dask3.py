"""Review 29 (Dask path, third area): regressions. Each test failed before."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402


def test_in_memory_object_labels_of_two_draws_computed_together():
    # bug: in-memory labels were made a Dask array named by a token of their
    # values, which Dask computes for object arrays from the strings joined
    # with "-": ["a-b", "c", ...] and ["a", "b-c", ...] got the same name, and
    # computed together the second draw's labels stood in for the first's.
    X = dd.from_pandas(pd.DataFrame({"a": np.arange(20.0)}), npartitions=4)
    first = np.array(["a-b", "c"] * 10, dtype=object)
    second = np.array(["a", "b-c"] * 10, dtype=object)
    s1 = RandomOverSampler(random_state=0, shuffle=False)
    s2 = RandomOverSampler(random_state=0, shuffle=False)
    _, y1 = s1.fit_resample(X, first)
    _, y2 = s2.fit_resample(X, second)
    with dask.config.set(scheduler="synchronous"):
        got1, got2 = dask.compute(y1, y2)
    np.testing.assert_array_equal(got1, first[s1.sample_indices_])
    np.testing.assert_array_equal(got2, second[s2.sample_indices_])


def test_frame_with_an_interval_column():
    # bug: X.shape built a Dask reduction whose meta fails for an interval
    # column: TypeError "... is not an interval" before any work, although
    # the rows can be gathered as any others.
    n = 24
    frame = pd.DataFrame(
        {
            "k": np.arange(n),
            "span": pd.IntervalIndex.from_breaks(np.arange(n + 1)),
            "y": [0] * 16 + [1] * 8,
        }
    )
    ddf = dd.from_pandas(frame, npartitions=4)
    sampler = RandomUnderSampler(random_state=0)
    with dask.config.set(scheduler="synchronous"):
        X_res, y_res = sampler.fit_resample(ddf[["k", "span"]], ddf["y"])
        got = X_res.compute()
    expected = frame[["k", "span"]].iloc[sampler.sample_indices_]
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True))
    np.testing.assert_array_equal(
        y_res.compute().to_numpy(), frame["y"].to_numpy()[sampler.sample_indices_]
    )


@pytest.mark.parametrize("shuffle", [True, False])
def test_output_of_a_persisted_frame_outlives_the_frame(shuffle):
    # bug: the output's tasks took X's partitions in a list, and Dask dropped
    # the persisted data from such a graph: once the persisted frame was
    # released (e.g. a function returning the resampled data), computing the
    # output failed with FutureCancelledError "lost dependencies".
    distributed = pytest.importorskip("distributed")
    frame = pd.DataFrame({"a": np.arange(40.0), "y": np.arange(40) % 3})
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
    ):

        def resampled():
            ddf = dd.from_pandas(frame, npartitions=4).persist()
            sampler = RandomUnderSampler(random_state=0, shuffle=shuffle)
            return sampler, *sampler.fit_resample(ddf[["a"]], ddf["y"])

        sampler, X_res, y_res = resampled()
        gc.collect()
        X_out, y_out = dask.compute(X_res, y_res)
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(X_out["a"].to_numpy(), rows.astype(float))
    np.testing.assert_array_equal(y_out.to_numpy(), frame["y"].to_numpy()[rows])
