"""Stop 44: items left alone earlier that a user can hit, each failing on
the code before its fix."""

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from rebalance import (  # noqa: E402
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

pytestmark = pytest.mark.usefixtures("synchronous_dask")


def _repeated_index_frame(n=40):
    """A frame whose index repeats every value twice, not sorted, and labels
    that say which rows they belong to (a = 0 mod 4 is class 1)."""
    index = np.repeat(np.arange(n // 2), 2)
    np.random.default_rng(0).shuffle(index)
    X = pd.DataFrame({"a": np.arange(n, dtype=float)}, index=index)
    y = pd.Series((np.arange(n) % 4 == 0).astype(int), index=index, name="y")
    return X, y


@pytest.mark.parametrize("persist", [True, False])
def test_repeated_index_in_another_order_is_refused(persist):
    # bug: X from from_pandas(sort=False) (persisted or not) with a repeated
    # index, y sorted by that index: paired by position, every row could
    # get another row's label.
    X, y = _repeated_index_frame()
    Xd = dd.from_pandas(X, npartitions=3, sort=False)
    Xd = Xd.persist() if persist else Xd
    with pytest.raises(ValueError, match="index of y holds X's index in another"):
        RandomUnderSampler(random_state=0).fit_resample(Xd, y.sort_index(kind="stable"))
    # In X's own order the rows stay paired.
    Xr, yr = RandomUnderSampler(random_state=0).fit_resample(Xd, y)
    Xr = Xr.compute()
    yr = yr.compute() if hasattr(yr, "compute") else yr
    np.testing.assert_array_equal(
        (Xr["a"].to_numpy() % 4 == 0).astype(int), np.asarray(yr)
    )


def test_repeated_index_weights_in_another_order_are_refused():
    # bug: the same for the per-row fit parameters ResampledClassifier takes
    # by the sampler's rows (check_row_order).
    from sklearn.linear_model import LogisticRegression

    X, y = _repeated_index_frame()
    Xd = dd.from_pandas(X, npartitions=3, sort=False).persist()
    weights = pd.Series(np.arange(len(y), dtype=float), index=y.index)
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    with pytest.raises(ValueError, match="in another order"):
        model.fit(
            Xd,
            y.reset_index(drop=True),  # in X's order, by position
            sample_weight=weights.sort_index(kind="stable"),
        )


@pytest.mark.parametrize("value", ["0", "-2"])
def test_thread_count_below_one_is_refused(monkeypatch, value):
    # bug: REBALANCE_NUM_THREADS=0 or negative silently meant one thread.
    from rebalance import _indices

    monkeypatch.setenv("REBALANCE_NUM_THREADS", value)
    with pytest.raises(ValueError, match=f"REBALANCE_NUM_THREADS='{value}' is not a"):
        _indices.n_threads()
    y = np.zeros((1 << 20) + 10, dtype=np.int8)
    y[::12] = 1
    with pytest.raises(ValueError, match="positive integer"):
        RandomOverSampler(random_state=0).fit_resample(y.reshape(-1, 1), y)


def test_strategy_messages_name_numpy_keys_as_python_values():
    # bug (review 57's report): a numpy key was shown as np.int64(0), and a
    # count of one as "1 rows".
    y = np.array([0] * 5 + [1] * 3)
    X = y.reshape(-1, 1)
    with pytest.raises(ValueError, match=r"sampling_strategy\[0\] = -1 is negative"):
        RandomUnderSampler(sampling_strategy={np.int64(0): -1}).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"asks for 1 row of class 1, which"):
        RandomOverSampler(sampling_strategy={np.int64(1): 1}).fit_resample(X, y)


def _twelve_parquet_files(folder):
    """Twelve files part.0 .. part.11 of one frame (labels at random), in a
    folder that pandas reads in name order (part.10 before part.2) and Dask
    in natural order."""
    n = 120
    frame = pd.DataFrame(
        {
            "a": np.arange(n, dtype=float),
            "label": (np.random.default_rng(1).random(n) < 0.3).astype(int),
            "w": np.random.default_rng(2).random(n) + 0.5,
        }
    )
    for i in range(12):
        part = frame.iloc[i * 10 : (i + 1) * 10].reset_index(drop=True)
        part.to_parquet(folder / f"part.{i}.parquet")
    return frame


def test_labels_read_by_pandas_in_file_name_order_are_refused(tmp_path):
    # bug: y = pd.read_parquet(folder)[target] next to X = dd.read_parquet(
    # folder): pandas reads part.10 before part.2, Dask after part.9; y has
    # X's length and a RangeIndex, so every label of the later files went to
    # another row, silently.
    frame = _twelve_parquet_files(tmp_path)
    X = dd.read_parquet(tmp_path)[["a"]]
    y = pd.read_parquet(tmp_path)["label"]
    with pytest.raises(ValueError, match="in the order of their names as text"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)
    weights = pd.read_parquet(tmp_path)["w"]
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _LR())
    y_dask_order = dd.read_parquet(tmp_path)["label"].compute()
    with pytest.raises(ValueError, match="in the order of their names as text"):
        model.fit(X, y_dask_order, sample_weight=weights)
    # The labels in X's order pass, their rows paired.
    Xr, yr = RandomUnderSampler(random_state=0).fit_resample(X, y_dask_order)
    rows = Xr.compute()["a"].to_numpy().astype(int)
    yr = yr.compute() if hasattr(yr, "compute") else yr
    np.testing.assert_array_equal(frame["label"].to_numpy()[rows], np.asarray(yr))


def _LR():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()
