"""Review 18 (Dask front end and the compare CLI): regression tests.

One test per bug, each failing on the code before its fix.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler


def _dd():
    pytest.importorskip("dask")
    return pytest.importorskip("dask.dataframe")


def _frame(n=200, n_keys=5, seed=1):
    """Rows with a unique id ``uid``, a sort key with many ties, labels, weights."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "key": rng.integers(0, n_keys, n).astype(float),
            "uid": np.arange(n),
            "label": rng.choice([0, 0, 0, 1], n),
            "w": rng.random(n),
        }
    )


def _aligned(df, X_res, y_res, w_res=None) -> bool:
    """Whether each output row carries its own label (and weight), by ``uid``."""
    truth = df.set_index("uid")
    uid = X_res["uid"].to_numpy()
    ok = np.array_equal(truth.loc[uid, "label"].to_numpy(), np.asarray(y_res))
    if w_res is not None:
        ok = ok and np.allclose(truth.loc[uid, "w"].to_numpy(), np.asarray(w_res))
    return ok


@pytest.mark.parametrize(
    "make",
    [
        lambda ddf: ddf.sort_values("key"),  # ties in the sort key
        lambda ddf: ddf.set_index("key"),  # an index with repeated values
        lambda ddf: ddf.shuffle("key"),
    ],
    ids=["sort_values-ties", "set_index-repeated", "shuffle"],
)
def test_dask_frame_through_a_shuffle_never_misaligns_labels(make):
    # Before: X = df[features] and y = df[target] of a shuffled frame were
    # computed separately, in different orders (Dask orders a shuffle's rows
    # at each computation, and by the columns read): labels and weights
    # landed on other rows, silently. Now the orders are checked (the index
    # when the labels are read, a digest of each partition when gathered):
    # a mismatch raises, with the fix (persist); rows pass only aligned.
    dd = _dd()
    df = _frame()
    shuffled = make(dd.from_pandas(df, npartitions=3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            X_res, y_res, w_res = RandomOverSampler(
                random_state=0, shuffle=False
            ).fit_resample(
                shuffled[["uid"]], shuffled["label"], sample_weight=shuffled["w"]
            )
            X_out, y_out, w_out = X_res.compute(), y_res.compute(), w_res.compute()
        except ValueError as error:
            assert "Dask shuffle" in str(error) and "persist()" in str(error)
        else:
            assert _aligned(df, X_out, y_out, w_out)


def test_dask_set_index_with_repeated_values_is_refused_before_any_work():
    # An index with repeated values cannot tell which label goes with which
    # row: refused when the labels are read (before: silently misaligned).
    dd = _dd()
    df = _frame()
    frame = dd.from_pandas(df, npartitions=4).set_index("key")
    with pytest.raises(ValueError, match="X's index has repeated values"):
        RandomOverSampler(random_state=0).fit_resample(frame[["uid"]], frame["label"])


def test_dask_labels_through_a_shuffle_with_plain_X_are_refused():
    # y (or sample_weight) shuffled while X is not: the labels come in
    # another order than X's rows. Before: resampled silently misaligned.
    dd = _dd()
    df = _frame()
    ddf = dd.from_pandas(df, npartitions=4)
    with pytest.raises(ValueError, match="The rows of y came in another order"):
        RandomOverSampler(random_state=0).fit_resample(
            ddf[["key", "uid"]], ddf.sort_values("key")["label"]
        )
    with pytest.raises(ValueError, match="The rows of sample_weight"):
        RandomOverSampler(random_state=0).fit_resample(
            ddf[["key", "uid"]], ddf["label"], sample_weight=ddf.shuffle("key")["w"]
        )


def test_dask_persisted_shuffle_and_unique_sort_keys_are_resampled_aligned():
    # The fixes the error names work, and a sort on unique keys (a fixed
    # order) is still accepted: each row keeps its label and weight.
    dd = _dd()
    df = _frame()
    ddf = dd.from_pandas(df, npartitions=4)
    for frame in (ddf.shuffle("key").persist(), ddf.sort_values("w")):
        X_res, y_res, w_res = RandomOverSampler(random_state=0).fit_resample(
            frame[["uid"]], frame["label"], sample_weight=frame["w"]
        )
        X_out, y_out, w_out = X_res.compute(), y_res.compute(), w_res.compute()
        assert _aligned(df, X_out, y_out, w_out)
        # Over-sampling: the majority's count for each class.
        majority = np.bincount(df["label"]).max()
        assert np.bincount(y_out.to_numpy()).tolist() == [majority, majority]


def test_dask_fit_through_a_shuffle_still_counts_the_classes():
    # fit keeps only the class counts (the order does not matter): allowed.
    dd = _dd()
    df = _frame()
    shuffled = dd.from_pandas(df, npartitions=4).shuffle("key")
    sampler = RandomOverSampler().fit(shuffled[["key"]], shuffled["label"])
    counts = np.bincount(df["label"])
    assert sampler.sampling_strategy_ == {1: int(counts[0] - counts[1])}


def test_dask_gather_refuses_partitions_reordered_since_the_labels_were_read():
    # X computed through a shuffle is digested when the labels are read; a
    # partition that comes back in another order when gathered (a shuffle
    # recomputed) raises instead of giving rows their neighbours' labels.
    pytest.importorskip("dask")
    from rebalance._dask import _digest, _take_frame

    part = pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=[7, 8, 9])
    digest = _digest(part)
    segment, first = np.array([0, 2]), np.array([0])
    taken = _take_frame(segment, first, [part], [3], [0], 0, [digest])
    np.testing.assert_array_equal(taken["a"].to_numpy(), [1.0, 3.0])
    with pytest.raises(ValueError, match="another order than when the labels"):
        _take_frame(segment, first, [part.iloc[[1, 0, 2]]], [3], [0], 0, [digest])
