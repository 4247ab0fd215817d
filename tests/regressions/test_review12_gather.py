"""Review 12: the pandas staged gather and the compiled column kernel
(rebalance._gather.take_pandas / _take_checked / _gather_kernels.take_values).

Each test fails on the reviewed code because of a bug."""

import datetime

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, _gather, _indices
from rebalance._frames import take_rows


@pytest.fixture
def threaded(monkeypatch):
    """Every gather, however small, goes through rebalance._gather, in 3
    threads, with the staged path reachable."""
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "LABEL_TABLE_RATIO", 0)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 2)
    monkeypatch.setattr(_gather, "STAGE_COLUMNS_ABOVE", 0)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(_indices, "n_threads", lambda: 3)


def test_big_endian_row_indices_crash_the_column_kernel(threaded):
    # np.take (the former path, and what take_rows promises) accepts row
    # indices of any byte order; _row_indices keeps '>i8' as is (same size as
    # intp) and numba cannot type a non-native array: TypingError.
    data = np.arange(100.0)
    rows = np.random.default_rng(0).integers(0, 100, 300)
    big = rows.astype(">i8")
    np.testing.assert_array_equal(take_rows(data, big), np.take(data, rows))
    series = pd.Series(data, name="w")
    pd.testing.assert_series_equal(
        take_rows(series, big), series.iloc[rows].reset_index(drop=True)
    )


def test_threshold_mover_cv_folds_of_big_endian_indices_crash(threaded):
    # Public path: a cv iterable yielding big-endian index arrays (accepted by
    # _tuning._fold_rows) works below GATHER_ABOVE, crashes above it.
    from sklearn.linear_model import LogisticRegression

    from rebalance.threshold import ThresholdMover

    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    y = (X[:, 0] + rng.standard_normal(200) > 0.5).astype(float)
    idx = np.arange(200)
    even, odd = idx[idx % 2 == 0].astype(">i8"), idx[idx % 2 == 1].astype(">i8")
    mover = ThresholdMover(
        LogisticRegression(), strategy="tuned", cv=[(even, odd), (odd, even)]
    )
    mover.fit(X, y)
    assert 0 < mover.threshold_ < 1


def test_object_columns_are_re_inferred_to_other_dtypes(threaded):
    # take_pandas gathers an object column with column.array.take (a
    # NumpyExtensionArray of objects) and rebuilds the frame from a dict:
    # pandas then infers str / datetime64 / timedelta64 / period / interval
    # dtypes that iloc keeps as object.
    n = 100
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", "b", "c", "d"] * 25, dtype=object),
            "when": pd.Series(
                [datetime.datetime(2020, 1, 1 + i % 28) for i in range(n)], dtype=object
            ),
            "span": pd.Series(
                [datetime.timedelta(seconds=i) for i in range(n)], dtype=object
            ),
            "x": np.arange(n, dtype=np.float64),
            "z": np.arange(n, dtype=np.float64) * 2,
        }
    )
    y = np.r_[np.zeros(70, dtype=int), np.ones(30, dtype=int)]
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(frame, y)
    expected = frame.iloc[sampler.sample_indices_].reset_index(drop=True)
    assert X_res.dtypes.tolist() == expected.dtypes.tolist()
    pd.testing.assert_frame_equal(X_res, expected)


def test_object_series_labels_come_back_as_str_dtype(threaded):
    # The same through _series_like: string labels held in an object Series
    # come back as pandas' str dtype.
    X = np.arange(200.0).reshape(100, 2)
    y = pd.Series(["a"] * 70 + ["b"] * 30, dtype=object, name="label")
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    expected = y.iloc[sampler.sample_indices_].reset_index(drop=True)
    assert y_res.dtype == expected.dtype
    pd.testing.assert_series_equal(y_res, expected)
