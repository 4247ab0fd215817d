"""Review 33: Dask inputs as users build them (separate Parquet reads of X and
y, from_pandas, filters, persisted frames, arrays with irregular chunks).

The tests marked "bug" fail on the reviewed code; the others pin behaviour
that no earlier test covered."""

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")
pytest.importorskip("pyarrow")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

# The files of the conftest's reversed_index_parquet: twelve (part-10 sorts
# before part-2 by name), of different lengths; the index "idx" grows within
# each file but the files hold it in the reverse order of their names, so a
# reader that sorts the files by index (filesystem="arrow",
# calculate_divisions=True) reads them in another order than the default
# reader.


pytestmark = pytest.mark.usefixtures("synchronous_dask")


@pytest.fixture(scope="module")
def folder(reversed_index_parquet):
    return reversed_index_parquet[0]


def _by_index(folder, **options):
    pytest.importorskip("pyarrow", minversion="15")  # dask filesystem="arrow"
    return dd.read_parquet(
        folder, filesystem="arrow", index="idx", calculate_divisions=True, **options
    )


def _aligned(folder, sampler, X, y, weights=None):
    """The outputs' labels (and weights) are those of their rows ("row")."""
    outputs = sampler.fit_resample(X, y, sample_weight=weights)
    computed = [out.compute() for out in outputs]
    rows = computed[0]["row"].to_numpy()
    truth = pd.read_parquet(folder).set_index("row")
    np.testing.assert_array_equal(
        computed[1].to_numpy(), truth.loc[rows, "label"].to_numpy()
    )
    if weights is not None:
        np.testing.assert_array_equal(
            computed[2].to_numpy(), truth.loc[rows, "w"].to_numpy()
        )
    return computed


@pytest.mark.parametrize("which", ["y", "sample_weight"])
def test_separate_reads_of_the_files_in_another_order_are_refused(folder, which):
    # bug: the reader of filesystem="arrow" with calculate_divisions=True
    # reads the files sorted by index, the default reader by name: labels (or
    # weights) read apart from X with the default reader were matched by
    # position to other files' rows, silently (the lengths agree).
    X = _by_index(folder)[["row", "f"]]
    plain = dd.read_parquet(folder, index="idx")
    y, weights = _by_index(folder)["label"], _by_index(folder)["w"]
    if which == "y":
        y = plain["label"]
    else:
        weights = plain["w"]
    for cls in (RandomUnderSampler, LabelShuffleSampler):
        with pytest.raises(ValueError, match=f"{which} reads the same Parquet files"):
            cls(random_state=0).fit_resample(X, y, sample_weight=weights)


def test_default_reads_refuse_labels_of_a_read_sorted_by_index(folder):
    # bug (the other way round): X read by name, labels sorted by index.
    X = dd.read_parquet(folder, columns=["row", "f"])
    y = _by_index(folder, columns=["label"])["label"]
    with pytest.raises(ValueError, match="y reads the same Parquet files"):
        RandomOverSampler(random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("shuffle", [True, False])
def test_separate_reads_in_the_same_file_order_pass(folder, shuffle):
    # Each pair reads the files in one order: rows matched by position.
    pairs = [
        (_by_index(folder), _by_index(folder, columns=["label", "w"])),
        (
            dd.read_parquet(folder),
            dd.read_parquet(folder, columns=["label", "w"], split_row_groups=True),
        ),
        (
            dd.read_parquet(folder, filters=[("f", ">", 0.2)]),
            dd.read_parquet(folder, filters=[("f", ">", 0.2)], columns=["label", "w"]),
        ),
    ]
    for X, labels in pairs:
        sampler = RandomUnderSampler(random_state=0, shuffle=shuffle)
        _aligned(folder, sampler, X[["row", "f"]], labels["label"], labels["w"])


def test_labels_in_files_of_their_own_are_matched_by_position(folder, tmp_path):
    # Labels written apart (no file shared with X's read): nothing to compare,
    # matched by position as before.
    full = dd.read_parquet(folder, index="idx")
    full[["label", "w"]].to_parquet(tmp_path / "labels")
    labels = dd.read_parquet(tmp_path / "labels")
    _aligned(
        folder,
        ClassBalancedSampler(random_state=0),
        full[["row", "f"]],
        labels["label"],
        labels["w"],
    )


def test_labels_of_another_selection_of_the_partitions_are_refused(folder):
    # bug: the partitions of a read taken in another order for the labels
    # (or X) were matched by position: labels of other files, silently.
    ddf = dd.read_parquet(folder)
    for X, y in (
        (ddf[["row", "f"]], ddf.partitions[::-1]["label"]),
        (ddf.partitions[::-1][["row", "f"]], ddf["label"]),
    ):
        with pytest.raises(ValueError, match="another selection of partitions"):
            RandomUnderSampler(random_state=0).fit_resample(X, y)
    # The same selection for both: aligned.
    part = ddf.partitions[[3, 1, 0]]
    _aligned(
        folder, RandomUnderSampler(random_state=0), part[["row", "f"]], part["label"]
    )


def _split_frame():
    """A training frame as train_test_split leaves it: rows in random order,
    the index their original positions."""
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame(
        {
            "row": np.arange(n),
            "f": rng.random(n),
            "label": rng.choice(["maj", "min"], n, p=[0.8, 0.2]),
            "w": rng.random(n),
        }
    )
    return df, df.sample(frac=0.8, random_state=0)


@pytest.mark.parametrize("which", ["y", "sample_weight"])
def test_persisted_from_pandas_X_with_labels_of_the_unsorted_frame_is_refused(which):
    # bug: dd.from_pandas sorts a frame whose index is not sorted; once the
    # frame is persisted nothing in its graph says so, and labels (or
    # weights) of the unsorted frame were matched by position to the sorted
    # rows: labels of other rows, silently.
    _, train = _split_frame()
    X = dd.from_pandas(train[["row", "f"]], npartitions=4).persist()
    y, weights = train["label"].sort_index(), train["w"].sort_index()
    if which == "y":
        y = train["label"]
    else:
        weights = train["w"]
    for shuffle in (True, False):
        sampler = RandomUnderSampler(random_state=0, shuffle=shuffle)
        with pytest.raises(ValueError, match=f"The index of {which} holds X's"):
            sampler.fit_resample(X, y, sample_weight=weights)


@pytest.mark.parametrize("npartitions", [1, 4])
def test_persisted_from_pandas_X_with_sorted_labels_is_aligned(npartitions):
    df, train = _split_frame()
    X = dd.from_pandas(train[["row", "f"]], npartitions=npartitions).persist()
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(
        X, train["label"].sort_index(), sample_weight=train["w"].sort_index()
    )
    rows = X_res["row"].compute().to_numpy()
    np.testing.assert_array_equal(
        y_res.compute().to_numpy(), df["label"].to_numpy()[rows]
    )
    np.testing.assert_array_equal(w_res.compute().to_numpy(), df["w"].to_numpy()[rows])


def test_labels_with_another_unsorted_index_are_matched_by_position():
    # Labels whose index is not a reordering of X's (a fresh index for X)
    # are matched by position, as in memory.
    df, train = _split_frame()
    X = dd.from_pandas(train[["row", "f"]].reset_index(drop=True), npartitions=3)
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X.persist(), train["label"])
    rows = X_res["row"].compute().to_numpy()
    np.testing.assert_array_equal(
        y_res.compute().to_numpy(), df["label"].to_numpy()[rows]
    )


def test_labels_read_with_pandas_in_another_file_order_are_refused(tmp_path):
    # bug: pandas.read_parquet reads a folder's files by name (part.10 before
    # part.2), Dask naturally (part.2 before part.10): labels read with
    # pandas were matched by position to rows of other files, silently.
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"row": np.arange(120), "label": rng.choice(["a", "b"], 120)})
    dd.from_pandas(df, npartitions=12).to_parquet(tmp_path / "data")
    X = dd.read_parquet(tmp_path / "data")
    y = pd.read_parquet(tmp_path / "data")["label"]
    with pytest.raises(ValueError, match="pandas.read_parquet"):
        RandomUnderSampler(random_state=0).fit_resample(X[["row"]], y)
    # Sorted by index, they are X's rows.
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
        X[["row"]], y.sort_index()
    )
    rows = X_res["row"].compute().to_numpy()
    np.testing.assert_array_equal(
        y_res.compute().to_numpy(), df["label"].to_numpy()[rows]
    )


@pytest.mark.slow
def test_arrow_read_under_a_configured_scheduler_does_not_break_later_computations(
    folder,
):
    # bug: with a scheduler configured (dask.config.set(scheduler=...)),
    # distributed was not imported first, on the belief that dask.compute
    # would not import it; Dask 2026.8's get_scheduler imports it anyway. The
    # arrow reader's statistics, read by fit_resample inside its own
    # config.set, imported it there: leaving the user's config.set dropped
    # distributed's configuration, and every later computation failed with
    # KeyError: 'distributed'.
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow", minversion="15")  # dask filesystem="arrow"
    code = textwrap.dedent(
        f"""
        import sys
        import dask
        import dask.array as da
        import dask.dataframe as dd
        from rebalance import RandomUnderSampler

        assert "distributed" not in sys.modules
        with dask.config.set(scheduler="synchronous"):
            ddf = dd.read_parquet(
                {str(folder)!r}, filesystem="arrow", index="idx",
                calculate_divisions=True,
            )
            X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
                ddf[["row"]], ddf["label"]
            )
        assert len(X_res.compute()) == len(y_res.compute()) > 0
        assert da.ones(3).sum().compute() == 3
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
