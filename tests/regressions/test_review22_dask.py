"""Review 22 (Dask): Parquet datasets and Dask collections as a new user
builds them (hive directories, arrays taken from frames, labels in a Bag,
polars frames next to Dask).

The tests marked "bug" fail on the reviewed code; the others pin behaviour
that no earlier test covered."""

import warnings

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402


def _frame(n=60, seed=0):
    """Rows with a unique id, a sort key with ties, labels and weights."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "uid": np.arange(n),
            "key": rng.integers(0, 4, n),
            "label": np.where(np.arange(n) % 4 == 0, "pos", "neg"),
            "w": rng.random(n),
        }
    )


def _labels_of(df, uid):
    return df.set_index("uid").loc[np.asarray(uid), "label"].to_numpy()


@pytest.fixture(autouse=True)
def synchronous_scheduler():
    with dask.config.set(scheduler="synchronous"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --------------------------------------------------------------------------
# Bugs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda ddf: ddf.shuffle("key"),
        lambda ddf: ddf.sort_values("key"),  # ties
        lambda ddf: ddf.merge(
            dd.from_pandas(pd.DataFrame({"key": [0, 1, 2, 3]}), npartitions=2),
            on="key",
            broadcast=False,
        ),
    ],
    ids=["shuffle", "sort_values", "merge"],
)
@pytest.mark.parametrize("arrays", ["y", "X", "both"])
def test_dask_arrays_of_a_shuffled_frame_are_refused(make, arrays):
    # bug: Dask frames computed through a shuffle were checked (their index),
    # but arrays taken from them (.to_dask_array(), .values) were not: X and
    # y are separate computations of the shuffle, whose rows can come in
    # another order at each one (and do, on the threaded scheduler): labels
    # landed on other rows, silently. An array has no index to check the
    # order against: refused before any work, with the fix (persist).
    shuffled = make(dd.from_pandas(_frame(), npartitions=3))
    X = shuffled[["uid", "w"]]
    y = shuffled["label"]
    if arrays in ("X", "both"):
        X = X.to_dask_array(lengths=True)
    if arrays in ("y", "both"):
        y = y.to_dask_array()
    with pytest.raises(ValueError, match=r"Dask shuffle[\s\S]*persist\(\)"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)
    # The sample weights alike, X and y aligned or not.
    with pytest.raises(ValueError, match=r"sample_weight[\s\S]*Dask shuffle"):
        RandomUnderSampler(random_state=0).fit_resample(
            shuffled[["uid"]].persist(),
            shuffled["label"].persist(),
            sample_weight=shuffled["w"].values,
        )


def test_dask_arrays_of_a_persisted_shuffled_frame_are_resampled_aligned():
    df = _frame()
    shuffled = dd.from_pandas(df, npartitions=3).shuffle("key").persist()
    X = shuffled[["uid", "w"]].to_dask_array(lengths=True)
    y = shuffled["label"].to_dask_array()
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    X_out, y_out = X_res.compute(), y_res.compute()
    np.testing.assert_array_equal(_labels_of(df, X_out[:, 0].astype(int)), y_out)
    # fit only counts the classes: the order of the rows does not matter.
    fitted = RandomOverSampler().fit(
        shuffled[["uid"]], dd.from_pandas(df, 3).shuffle("key")["label"].values
    )
    assert fitted.sampling_strategy_ == {"pos": 30}


def test_polars_lazy_labels_with_dask_X_say_to_collect():
    # bug: a polars LazyFrame y with a Dask X became a 0-d object array:
    # "y must be 1-D (one label per row); got an array of shape ()", where
    # the in-memory path says to collect it.
    pl = pytest.importorskip("polars")
    df = _frame()
    ddf = dd.from_pandas(df, npartitions=2)
    lazy = pl.from_pandas(df[["label"]]).lazy()
    for method in ("fit_resample", "fit"):
        with pytest.raises(TypeError, match=r"y is a lazy LazyFrame.*collect\(\)"):
            getattr(RandomUnderSampler(), method)(ddf[["uid"]], lazy)


def test_dask_scalar_of_a_string_as_labels_is_a_0d_error():
    # bug: a Dask Scalar (e.g. ddf["label"].max()) has a len(); it passed the
    # check of the labels' shape, computed to a string, and was taken for
    # len(string) labels: "X has 60 rows but y has 3 labels".
    ddf = dd.from_pandas(_frame(), npartitions=2)
    from dask import delayed

    for y in (ddf["label"].max(), delayed(str)("pos")):
        with pytest.raises(ValueError, match=r"1-D.*shape \(\)"):
            RandomUnderSampler().fit_resample(ddf[["uid"]], y)


def test_dask_bag_labels_and_weights_with_no_scheduler_configured():
    # bug: a Bag of labels was refused as 0-d ("y must be 1-D ... shape ()"),
    # and a Bag of weights failed in Dask ("Compute called on multiple
    # collections with differing default schedulers"): a Bag computes with
    # processes by default, frames with threads. Each is now computed with
    # its own scheduler; the rows are matched by position, as a list's.
    db = pytest.importorskip("dask.bag")
    df = _frame(40)
    ddf = dd.from_pandas(df, npartitions=3)
    labels = db.from_sequence(df["label"].tolist(), npartitions=2)
    weights = db.from_sequence(df["w"].tolist(), npartitions=2)
    with dask.config.set({"scheduler": None, "multiprocessing.context": "fork"}):
        sampler = RandomUnderSampler(random_state=0)
        X_res, y_res, w_res = sampler.fit_resample(
            ddf[["uid"]], labels, sample_weight=weights
        )
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(X_res.compute()["uid"], rows)
    np.testing.assert_array_equal(y_res.compute(), df["label"].to_numpy()[rows])
    np.testing.assert_allclose(w_res.compute(), df["w"].to_numpy()[rows])


# --------------------------------------------------------------------------
# Behaviour pinned
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hive(tmp_path_factory):
    """Hive directories by label (several files per class, one of 0 rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path_factory.mktemp("hive")
    start = 0
    for k, n in enumerate([30, 0, 5, 45]):
        part = _frame(n, seed=k)
        part["uid"] += start
        start += n
        table = pa.Table.from_pandas(part, preserve_index=False)
        pq.write_to_dataset(
            table,
            path,
            partition_cols=["label"],
            row_group_size=10,
            basename_template=f"chunk{k}-{{i}}.parquet",
        )
    return path


@pytest.mark.parametrize(
    "options",
    [{}, {"split_row_groups": True}, {"filters": [("w", ">", 0.2)]}],
    ids=["files", "row-groups", "filters"],
)
@pytest.mark.parametrize("shuffle", [True, False])
def test_hive_partition_column_as_the_label(hive, options, shuffle):
    ddf = dd.read_parquet(hive, **options)
    df = ddf.compute()
    sampler = RandomUnderSampler(random_state=0, shuffle=shuffle)
    X_res, y_res, w_res = sampler.fit_resample(
        ddf[["uid", "key"]], ddf["label"], sample_weight=ddf["w"]
    )
    rows = sampler.sample_indices_
    X_out = X_res.compute()
    np.testing.assert_array_equal(X_out["uid"], df["uid"].to_numpy()[rows])
    np.testing.assert_array_equal(
        y_res.compute().astype(str), _labels_of(df, X_out["uid"])
    )
    np.testing.assert_array_equal(w_res.compute(), df["w"].to_numpy()[rows])
    in_memory = RandomUnderSampler(random_state=0, shuffle=shuffle)
    in_memory.fit_resample(df[["uid", "key"]], df["label"])
    np.testing.assert_array_equal(np.sort(rows), np.sort(in_memory.sample_indices_))


@pytest.mark.parametrize("kind", ["dask", "array"])
def test_dask_labels_with_nulls_are_refused(kind):
    df = _frame()
    ddf = dd.from_pandas(df, npartitions=3)
    y = ddf["label"].where(ddf["uid"] != 7)
    if kind == "array":
        y = y.to_dask_array()
    with pytest.raises(ValueError, match="missing labels"):
        RandomUnderSampler().fit_resample(ddf[["uid"]], y)
