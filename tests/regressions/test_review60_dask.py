"""Review 60 (Dask front end, second look): labels and weights from pandas
next to X read from Parquet with ``filters=`` or ``index=False``, and pandas
inputs with the index 0..n-1 next to an X whose index holds 0..n-1 in
another order (``from_pandas(frame, sort=False)`` of a shuffled frame, a
Parquet read with an index column, ``from_pandas`` sorting a shuffled frame).

Every output row carries its own label in X's columns ("pos"), so each
pairing is checked row by row. Each refusal here was a silent misalignment
on the reviewed code (every label on another row)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from rebalance import (  # noqa: E402
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

pytestmark = pytest.mark.usefixtures("synchronous_dask")

N = 132  # 11 files of 12 rows: part.10 sorts before part.2 as text
LAB = np.random.default_rng(0).choice([0, 1], size=N, p=[0.7, 0.3])


def _frame():
    rng = np.random.default_rng(1)
    return pd.DataFrame({"x": rng.normal(size=N), "pos": np.arange(N), "lab": LAB})


def _write(folder, index=None):
    """11 Parquet files part.0 .. part.10, rows in order; ``index``: a
    permutation of 0..n-1 stored as the index column "rid"."""
    frame = _frame()
    if index is not None:
        frame.index = pd.Index(index, name="rid")
    for i, start in enumerate(range(0, N, 12)):
        piece = frame.iloc[start : start + 12]
        piece.to_parquet(folder / f"part.{i}.parquet", index=index is not None)
    return folder


def _paired(X_res, y_res) -> bool:
    X_res, y_res = X_res.compute(), np.asarray(y_res.compute())
    return bool(np.array_equal(LAB[X_res["pos"].to_numpy()], y_res))


def test_pandas_labels_of_a_filtered_read_in_name_order_are_refused(tmp_path):
    folder = _write(tmp_path)
    filters = [("x", ">", 0)]
    ddf = dd.read_parquet(folder, filters=filters)
    # pandas reads part.10 before part.2: with the same filters, the same
    # length, every label of the later files on another row (was silent).
    y = pd.read_parquet(folder, filters=filters)["lab"]
    with pytest.raises(ValueError, match="in the order of their names as text"):
        RandomUnderSampler(random_state=0).fit_resample(ddf[["x", "pos"]], y)
    # The labels of the same read pass, paired.
    out = RandomUnderSampler(random_state=0).fit_resample(
        ddf[["x", "pos"]], ddf["lab"].compute()
    )
    assert _paired(*out)


def test_pandas_labels_with_an_index_of_their_own_in_name_order_are_refused(
    tmp_path,
):
    perm = np.random.default_rng(2).permutation(N) + 1000
    folder = _write(tmp_path, index=perm)
    X = dd.read_parquet(folder, index=False)[["x", "pos"]]
    y = pd.read_parquet(folder)["lab"]  # index "rid", files by name
    with pytest.raises(ValueError, match="in the order of their names as text"):
        RandomOverSampler(random_state=0).fit_resample(X, y)


def test_sorted_labels_next_to_a_read_with_a_shuffled_index_column_are_refused(
    tmp_path,
):
    perm = np.random.default_rng(3).permutation(N)  # of 0..n-1
    folder = _write(tmp_path, index=perm)
    X = dd.read_parquet(folder, index="rid")[["x", "pos"]]
    y = pd.read_parquet(folder)["lab"].sort_index()  # index 0..n-1, by rid
    with pytest.raises(ValueError, match="index of y is 0..n-1 and X's index"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def _shuffled():
    return _frame().sample(frac=1, random_state=4)  # index: 0..n-1 shuffled


@pytest.mark.parametrize("persist", [False, True])
def test_sorted_labels_next_to_unsorted_from_pandas_are_refused(persist):
    frame = _shuffled()
    X = dd.from_pandas(frame[["x", "pos"]], npartitions=3, sort=False)
    X = X.persist() if persist else X
    with pytest.raises(ValueError, match="index of y is 0..n-1 and X's index"):
        RandomUnderSampler(random_state=0).fit_resample(X, frame["lab"].sort_index())
    with pytest.raises(ValueError, match="sample_weight is 0..n-1 and X's"):
        RandomUnderSampler(random_state=0).fit_resample(
            X,
            frame["lab"],
            sample_weight=pd.Series(np.ones(N)),
        )
    # With the frame's index: checked, and paired.
    out = RandomUnderSampler(random_state=0).fit_resample(X, frame["lab"])
    assert _paired(*out)


def test_reset_labels_next_to_from_pandas_sorting_a_shuffled_frame_are_refused():
    frame = _shuffled()
    X = dd.from_pandas(frame[["x", "pos"]], npartitions=3)  # sorted by index
    y = frame["lab"].reset_index(drop=True)  # the unsorted frame's order
    with pytest.raises(ValueError, match="which the index cannot tell apart"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)
    # Sorted before from_pandas, the advice: paired.
    frame = frame.sort_index()
    X = dd.from_pandas(frame[["x", "pos"]], npartitions=3)
    out = RandomUnderSampler(random_state=0).fit_resample(X, frame["lab"])
    assert _paired(*out)


def test_resampled_classifier_refuses_sorted_weights_next_to_unsorted_frame():
    frame = _shuffled()
    X = dd.from_pandas(frame[["x", "pos"]], npartitions=3, sort=False)
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    weights = pd.Series(np.arange(1.0, N + 1), index=frame.index).sort_index()
    with pytest.raises(ValueError, match="sample_weight is 0..n-1 and X's index"):
        model.fit(X, frame["lab"].to_numpy(), sample_weight=weights)


def test_one_draw_for_every_computation_without_random_state():
    # random_state=None: the draw is made once, not per compute.
    frame = _frame()
    frame["w"] = np.arange(N, dtype=float)
    ddf = dd.from_pandas(frame, npartitions=4)
    out = RandomOverSampler().fit_resample(ddf, ddf["lab"], sample_weight=ddf["w"])
    first = [one.compute() for one in out]
    together = dask.compute(*out)
    again = dask.compute(*dask.persist(*out))
    for values in (together, again):
        for a, b in zip(first, values):
            pd.testing.assert_index_equal(a.index, b.index)
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    X_res, y_res, w_res = first
    np.testing.assert_array_equal(X_res["lab"], y_res)
    np.testing.assert_array_equal(X_res["w"], w_res)


def test_dask_labels_next_to_rows_reordered_within_partitions_are_refused():
    ddf = dd.from_pandas(_frame(), npartitions=3)
    X = ddf.map_partitions(lambda part: part.iloc[::-1])[["x", "pos"]]
    with pytest.raises(ValueError, match="index of y is 0..n-1 and X's index"):
        RandomUnderSampler(random_state=0).fit_resample(X, ddf["lab"])
    # Columns of one frame: in one order, X's index not read; paired.
    out = RandomUnderSampler(random_state=0).fit_resample(ddf[["x", "pos"]], ddf["lab"])
    assert _paired(*out)


def test_sorted_dask_labels_next_to_persisted_unsorted_frame_are_refused():
    frame = _shuffled()
    X = dd.from_pandas(frame[["x", "pos"]], npartitions=3, sort=False).persist()
    y = dd.from_pandas(frame["lab"].sort_index(), npartitions=2)
    with pytest.raises(ValueError, match="index of y is 0..n-1 and X's index"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)
    y = dd.from_pandas(frame["lab"], npartitions=2, sort=False)
    assert _paired(*RandomUnderSampler(random_state=0).fit_resample(X, y))


def test_sorted_labels_next_to_an_array_of_unsorted_from_pandas_are_refused():
    frame = _shuffled()
    ddf = dd.from_pandas(frame[["x", "pos"]], npartitions=3, sort=False)
    X = ddf.to_dask_array(lengths=True)
    with pytest.raises(ValueError, match="index of y is 0..n-1 and X's index"):
        RandomUnderSampler(random_state=0).fit_resample(X, frame["lab"].sort_index())
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, frame["lab"])
    X_res, y_res = X_res.compute(), np.asarray(y_res.compute())
    np.testing.assert_array_equal(LAB[X_res[:, 1].astype(int)], y_res)
