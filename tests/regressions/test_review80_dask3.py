"""Review 80 (dask3): per-row weights next to Dask X and in-memory labels.

The samplers' Dask ``fit_resample`` does not compare a pandas (or Dask)
``sample_weight``'s index with a pandas ``y``'s index, where
``ResampledClassifier.fit`` on the same inputs, and the in-memory
``fit_resample`` with a numpy X, refuse a shuffled one.

X's first column is the row id; the labels and weights are functions of it,
so every resampled row can be checked against its own label and weight."""

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

pytestmark = pytest.mark.usefixtures("synchronous_dask")

N = 60
IDS = np.arange(N)
LABELS = ((IDS * 7) % 5 == 0).astype(int)


def _frame():
    return pd.DataFrame(
        {"id": IDS.astype(float), "x": np.sin(IDS), "y": LABELS, "w": IDS + 1.0}
    )


@pytest.fixture
def folder(tmp_path):
    frame = _frame()
    for i, rows in enumerate(np.array_split(IDS, 3)):
        frame.iloc[rows].to_parquet(
            tmp_path / f"part.{i}.parquet", row_group_size=7, index=False
        )
    return tmp_path


def _shuffled_weights(frame):
    # Each weight keeps its own row's index label: w.loc[i] == i + 1.
    return frame["w"].sample(frac=1, random_state=1)


def _paired(X_res, w_res):
    ids = np.asarray(X_res.compute())[:, 0].astype(int)
    return np.allclose(np.asarray(w_res.compute()), ids + 1.0)


def _x_kinds(folder, frame):
    return {
        "parquet_frame": dd.read_parquet(folder)[["id", "x"]],
        "array": da.from_array(frame[["id", "x"]].to_numpy(), chunks=(20, 2)),
    }


@pytest.mark.parametrize("x_kind", ["parquet_frame", "array"])
def test_in_memory_reference_refuses_shuffled_weights_next_to_pandas_labels(
    folder, x_kind
):
    # The reference: ResampledClassifier on the same Dask X, pandas y and
    # shuffled pandas sample_weight refuses (checks sample_weight against
    # y's index), as the in-memory sampler does with a numpy X.
    from sklearn.linear_model import LogisticRegression

    frame = _frame()
    X = _x_kinds(folder, frame)[x_kind]
    with pytest.raises(ValueError, match="sample_weight holds the index of y"):
        ResampledClassifier(
            RandomOverSampler(random_state=0), LogisticRegression()
        ).fit(X, frame["y"], sample_weight=_shuffled_weights(frame))
    with pytest.raises(ValueError, match="sample_weight holds the index of y"):
        RandomOverSampler(random_state=0).fit_resample(
            frame[["id", "x"]].to_numpy(),
            frame["y"],
            sample_weight=_shuffled_weights(frame),
        )


@pytest.mark.parametrize(
    ("sampler", "x_kind", "dask_weights"),
    [
        (RandomOverSampler, "parquet_frame", False),
        (RandomUnderSampler, "array", False),
        (ClassBalancedSampler, "parquet_frame", False),
        (LabelShuffleSampler, "array", False),
        (RandomOverSampler, "array", True),
        (RandomUnderSampler, "parquet_frame", True),
    ],
)
def test_dask_fit_resample_never_pairs_shuffled_pandas_weights_silently(
    folder, sampler, x_kind, dask_weights
):
    # y in memory (pandas, RangeIndex); the weights keep their own row's
    # index label but come shuffled (a pandas Series, or one passed through
    # dd.from_pandas(..., sort=False)).
    frame = _frame()
    X = _x_kinds(folder, frame)[x_kind]
    y, w = frame["y"], _shuffled_weights(frame)
    y_before, w_before = y.copy(), w.copy()
    if dask_weights:
        w = dd.from_pandas(w, npartitions=4, sort=False)
    try:
        X_res, _, w_res = sampler(random_state=0).fit_resample(X, y, sample_weight=w)
    except ValueError as error:
        assert "sample_weight" in str(error)
    else:
        assert _paired(X_res, w_res)
    pd.testing.assert_series_equal(y, y_before)
    if not dask_weights:
        pd.testing.assert_series_equal(w, w_before)


@pytest.mark.parametrize(
    ("sampler", "weights"),
    [
        (RandomOverSampler, "pandas"),
        (RandomUnderSampler, "fresh_range"),
        (ClassBalancedSampler, "numpy"),
        (LabelShuffleSampler, "dask_series"),
        (RandomOverSampler, "dask_array"),
    ],
)
def test_dask_fit_resample_pairs_aligned_weights(folder, sampler, weights):
    frame = _frame()
    ddf = dd.read_parquet(folder)
    w = {
        "pandas": frame["w"],
        "fresh_range": pd.Series(frame["w"].to_numpy()),
        "numpy": frame["w"].to_numpy(),
        "dask_series": dd.from_pandas(frame["w"], npartitions=4),
        "dask_array": da.from_array(frame["w"].to_numpy(), chunks=11),
    }[weights]
    X_res, y_res, w_res = sampler(random_state=0).fit_resample(
        ddf[["id", "x"]], ddf["y"], sample_weight=w
    )
    ids = np.asarray(X_res.compute())[:, 0].astype(int)
    np.testing.assert_array_equal(np.asarray(y_res.compute()), LABELS[ids])
    assert _paired(X_res, w_res)
