"""Review round 32 (Dask path): regressions.

Each test fails on the code before its fix."""

import warnings

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from rebalance import RandomOverSampler  # noqa: E402


@pytest.fixture(autouse=True)
def synchronous_scheduler():
    with dask.config.set(scheduler="synchronous"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture(params=["default-index", "unique-index"])
def shuffled_parquet(tmp_path, request):
    """A Parquet dataset of several files read through a Dask shuffle: X (few
    columns) and y (one column) are computed in different row orders. The
    index restarts in each file, or is unique (a column of its own)."""
    rng = np.random.default_rng(0)
    for i in range(6):
        rows = np.arange(20 * i, 20 * i + 20)
        pd.DataFrame(
            {
                "rid": rows,
                "uid": rows,
                "key": rng.integers(0, 3, 20),
                "a": rng.normal(size=20),
                "b": rng.normal(size=20),
                "label": np.where(rows % 3 == 0, "pos", "neg"),
                "w": rows / 10.0,
            }
        ).to_parquet(tmp_path / f"part-{i}.parquet", index=False)
    index = "rid" if request.param == "unique-index" else None
    return dd.read_parquet(tmp_path, index=index).shuffle("key")


def _aligned(X_res, y_res, w_res=None) -> bool:
    uid = X_res["uid"].to_numpy()
    ok = np.array_equal(np.where(uid % 3 == 0, "pos", "neg"), np.asarray(y_res))
    if w_res is not None:
        ok = ok and np.allclose(uid / 10.0, np.asarray(w_res))
    return ok


@pytest.mark.parametrize(
    "labels",
    [
        lambda y: y,  # a pandas Series (with the shuffled frame's index)
        lambda y: y.to_numpy(),
        lambda y: y.tolist(),
        lambda y: da.from_array(y.to_numpy(), chunks=40),
    ],
    ids=["pandas", "numpy", "list", "dask-array"],
)
def test_in_memory_labels_of_a_shuffled_frame_never_misalign(shuffled_parquet, labels):
    # Before: X taken from a frame computed through a Dask shuffle, with the
    # labels computed from it beforehand (y = ddf["label"].compute()), was
    # resampled silently with labels on other rows: X's columns are read in
    # another row order than the label column. Now a pandas y's index is
    # checked against X's, and labels with no index are refused.
    X = shuffled_parquet[["uid", "a", "b"]]
    y = labels(shuffled_parquet["label"].compute())
    try:
        X_res, y_res = RandomOverSampler(random_state=0, shuffle=False).fit_resample(
            X, y
        )
        X_out, y_out = X_res.compute(), y_res.compute()
    except ValueError as error:
        assert "Dask shuffle" in str(error) and "persist()" in str(error)
    else:
        assert _aligned(X_out, y_out)


def test_unindexed_weights_for_a_shuffled_X_are_refused_before_work(
    shuffled_parquet,
):
    # Weights with no index cannot be checked against X's rows either: refused
    # before the labels are computed.
    X = shuffled_parquet[["uid", "a"]]
    y = shuffled_parquet["label"]
    y = y.map_partitions(_never_computed, meta=y._meta)
    with pytest.raises(ValueError, match="rows of sample_weight .*persist"):
        RandomOverSampler(random_state=0).fit_resample(
            X, y, sample_weight=np.arange(120) / 10.0
        )


def _never_computed(part):
    raise AssertionError("computed before the inputs were checked")


def test_in_memory_labels_of_a_persisted_shuffle_are_aligned(shuffled_parquet):
    # The fix the error names: persisted, X and in-memory labels pass aligned.
    frame = shuffled_parquet.persist()
    X_res, y_res, w_res = RandomOverSampler(random_state=0).fit_resample(
        frame[["uid", "a"]],
        frame["label"].compute().to_numpy(),
        sample_weight=frame["w"].compute(),
    )
    assert _aligned(X_res.compute(), y_res.compute(), w_res.compute())


@pytest.mark.parametrize(
    "make",
    [lambda ddf: ddf.shuffle("key"), lambda ddf: ddf.sort_values("key")],
    ids=["shuffle", "sort_values"],
)
def test_shuffled_dask_labels_next_to_a_dask_array_X_are_refused(make):
    # Before: a Dask array X with y (or sample_weight) a Dask Series computed
    # through a shuffle was resampled silently with each label on another row
    # (X has no index to check the order of y's rows against).
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"uid": np.arange(60), "key": rng.integers(0, 3, 60), "t": np.arange(60) % 3}
    )
    ddf = dd.from_pandas(df, npartitions=4)
    X = da.from_array(df[["uid"]].to_numpy(), chunks=15)
    with pytest.raises(ValueError, match="rows of y cannot be matched.*persist"):
        RandomOverSampler(random_state=0).fit_resample(X, make(ddf)["t"])
    with pytest.raises(ValueError, match="rows of sample_weight cannot be matched"):
        RandomOverSampler(random_state=0).fit_resample(
            X, df["t"], sample_weight=make(ddf)["key"] + 1.0
        )


def _split():
    """A training split as train_test_split gives it: its index not sorted."""
    rng = np.random.default_rng(1)
    n = 80
    df = pd.DataFrame(
        {
            "uid": np.arange(n),
            "a": rng.normal(size=n),
            "t": np.where(np.arange(n) % 4 == 0, "pos", "neg"),
            "w": np.arange(n) / 10.0,
        }
    )
    train = df.sample(frac=0.75, random_state=0)  # index in random order
    return train[["uid", "a"]], train["t"], train["w"]


def _aligned_uid(X_res, y_res, w_res=None) -> bool:
    uid = np.asarray(X_res)[:, 0].astype(int)
    ok = np.array_equal(np.where(uid % 4 == 0, "pos", "neg"), np.asarray(y_res))
    if w_res is not None:
        ok = ok and np.allclose(uid / 10.0, np.asarray(w_res))
    return ok


@pytest.mark.parametrize(
    "labels",
    [
        lambda y: y,
        lambda y: y.to_numpy(),
        lambda y: dd.from_pandas(y, npartitions=2, sort=False),
    ],
    ids=["pandas", "numpy", "dask-unsorted"],
)
def test_labels_of_a_frame_that_from_pandas_sorted_never_misalign(labels):
    # Before: X = dd.from_pandas(X_train) of a frame whose index is not sorted
    # (a train_test_split) has its rows sorted by index, and y_train (pandas,
    # numpy, or from_pandas(..., sort=False)) was paired with them by
    # position: every label on another row, silently. Now raised, saying why.
    X, y, _ = _split()
    with pytest.raises(ValueError, match="from_pandas.*sort_index"):
        RandomOverSampler(random_state=0).fit_resample(
            dd.from_pandas(X, npartitions=3), labels(y)
        )


def test_labels_of_a_frame_that_from_pandas_sorted_next_to_an_array_X():
    X, y, _ = _split()
    with pytest.raises(ValueError, match="from_pandas.*sort=False"):
        RandomOverSampler(random_state=0).fit_resample(
            da.from_array(X.to_numpy(), chunks=20), dd.from_pandas(y, npartitions=2)
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda X, y, w: (
            dd.from_pandas(X, npartitions=3),
            dd.from_pandas(y, npartitions=2),
            dd.from_pandas(w, npartitions=4),
        ),
        lambda X, y, w: (dd.from_pandas(X, 3), y.sort_index(), w.sort_index()),
        lambda X, y, w: (dd.from_pandas(X, 3, sort=False), y, w.to_numpy()),
        lambda X, y, w: (
            da.from_array(X.to_numpy(), chunks=20),
            dd.from_pandas(y, npartitions=2, sort=False),
            w,
        ),
    ],
    ids=["all-from_pandas", "sorted-pandas", "sort-false", "array-sort-false"],
)
def test_labels_in_the_order_of_from_pandas_rows_pass(make):
    # The fixes the error names work: the rows keep their labels and weights.
    X, y, w = make(*_split())
    X_res, y_res, w_res = RandomOverSampler(random_state=0).fit_resample(
        X, y, sample_weight=w
    )
    assert _aligned_uid(X_res.compute(), y_res.compute(), w_res.compute())


def test_arrays_of_the_frame_that_from_pandas_sorted_pass():
    # Arrays taken from the sorted frame itself are in X's order: they pass.
    X, y, w = _split()
    frame = dd.from_pandas(X.assign(t=y, w=w), npartitions=3)
    X_res, y_res, w_res = RandomOverSampler(random_state=0).fit_resample(
        frame[["uid", "a"]], frame["t"].to_dask_array(), sample_weight=frame["w"].values
    )
    assert _aligned_uid(X_res.compute(), y_res.compute(), w_res.compute())
