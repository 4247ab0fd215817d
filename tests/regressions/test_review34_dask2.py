"""Review 34 (Dask): pandas weights next to a persisted X and lazy reordered
labels, Dask arrays of separate Parquet reads, and an array X next to labels
of the same from_pandas frame.

The tests marked "bug" fail on the reviewed code; the others pin the aligned
setups around them."""

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")
pytest.importorskip("pyarrow")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402

pytestmark = pytest.mark.usefixtures("synchronous_dask")


def _split_frame(seed=0):
    """A training frame as train_test_split leaves it: rows in random order,
    the index their original positions ("row" is the position too)."""
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame(
        {
            "row": np.arange(n),
            "f": rng.random(n),
            "label": rng.choice(["maj", "min"], n, p=[0.7, 0.3]),
            "w": rng.random(n),
        }
    )
    return df, df.sample(frac=0.8, random_state=seed)


def _check_rows(df, outputs, with_weights=False):
    """The outputs' labels (and weights) are those of their rows ("row")."""
    computed = [np.asarray(out.compute()) for out in outputs]
    X_res = computed[0]
    rows = (X_res[:, 0] if X_res.ndim == 2 else X_res).astype(int)
    np.testing.assert_array_equal(computed[1], df["label"].to_numpy()[rows])
    if with_weights:
        np.testing.assert_array_equal(computed[2], df["w"].to_numpy()[rows])


# -- 1. pandas weights next to a persisted X and lazy reordered labels ------


def _persisted_sorted(which):
    """X persisted from a frame that from_pandas sorted; of y and the weights,
    ``which`` is pandas from the unsorted frame, the other lazy Dask."""
    df, train = _split_frame()
    ddf = dd.from_pandas(train, npartitions=4)
    X, y, weights = ddf[["row", "f"]].persist(), ddf["label"], ddf["w"]
    if which == "y":
        y = train["label"]
    else:
        weights = train["w"]
    return df, train, X, y, weights


@pytest.mark.parametrize("which", ["y", "sample_weight"])
def test_pandas_input_of_the_unsorted_frame_next_to_lazy_sorted_input_is_refused(
    which,
):
    # bug: with the other input a lazy Dask frame that from_pandas sorted,
    # the pandas one (in the unsorted frame's order) was matched to the
    # persisted X's sorted rows by position: weights (or labels) of other
    # rows, silently. (With both in pandas it was refused.)
    _, _, X, y, weights = _persisted_sorted(which)
    for shuffle in (True, False):
        sampler = RandomUnderSampler(random_state=0, shuffle=shuffle)
        with pytest.raises(ValueError, match=f"The index of {which} holds X's"):
            sampler.fit_resample(X, y, sample_weight=weights)


@pytest.mark.parametrize("which", ["y", "sample_weight"])
def test_sorted_pandas_input_next_to_lazy_sorted_input_is_aligned(which):
    df, train, X, y, weights = _persisted_sorted(which)
    if which == "y":
        y = y.sort_index()
    else:
        weights = weights.sort_index()
    outputs = RandomOverSampler(random_state=0).fit_resample(
        X, y, sample_weight=weights
    )
    _check_rows(df, outputs, with_weights=True)
    # A fresh index (not a reordering of X's) is matched by position.
    X_res, y_res, w_res = RandomUnderSampler(random_state=0).fit_resample(
        X,
        y,
        sample_weight=weights.reset_index(drop=True)
        if which == "sample_weight"
        else weights,
    )
    assert len(X_res.compute()) == len(y_res.compute()) == len(w_res.compute())


def _persisted_shuffled():
    """X persisted from a frame shuffled by set_index; y lazy from it."""
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame(
        {
            "id": rng.permutation(n),
            "row": np.arange(n),
            "label": rng.choice(["maj", "min"], n, p=[0.7, 0.3]),
            "w": rng.random(n),
        }
    )
    shuffled = dd.from_pandas(df, npartitions=4, sort=False).set_index("id")
    return df, shuffled[["row"]].persist(), shuffled["label"]


def test_pandas_weights_next_to_lazy_shuffled_labels_are_checked():
    # bug: y lazy through a shuffle (set_index), X persisted: pandas weights
    # indexed by "id" in the original frame's order were matched by position
    # to X's rows (sorted by id): weights of other rows, silently (with y
    # persisted too, they were refused).
    df, X, y = _persisted_shuffled()
    weights = df.set_index("id")["w"]
    with pytest.raises(ValueError, match="The index of sample_weight holds X's"):
        RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=weights)
    # In X's order (sorted by id, as set_index leaves it): aligned.
    outputs = RandomUnderSampler(random_state=0).fit_resample(
        X, y, sample_weight=weights.sort_index()
    )
    _check_rows(df, outputs, with_weights=True)


# -- 2. Dask arrays of separate Parquet reads in another file order ---------


@pytest.fixture(scope="module")
def folder(reversed_index_parquet):
    """The folder of the conftest's twelve files (index "idx" the other way
    round from their names) and the whole frame."""
    return reversed_index_parquet


def _by_index(path, **options):
    pytest.importorskip("pyarrow", minversion="15")  # dask filesystem="arrow"
    return dd.read_parquet(
        path, filesystem="arrow", index="idx", calculate_divisions=True, **options
    )


def _array(collection):
    # (to_dask_array(lengths=True) of a Parquet read fails in Dask 2026.8:
    # the lengths are counted on fewer, fused partitions.)
    return collection.to_dask_array().compute_chunk_sizes()


@pytest.mark.parametrize(
    "case", ["X array", "y array", "both arrays", "weights array", "values"]
)
def test_arrays_of_reads_in_another_file_order_are_refused(folder, case):
    # bug: the file-order check only looked at Dask frames: an array taken
    # from a read (.values, .to_dask_array()) on either side passed, and every
    # label landed on a row of another file, silently.
    path, _ = folder
    X, y, weights = _by_index(path)[["row", "f"]], _by_index(path)["label"], None
    plain = dd.read_parquet(path, index="idx")
    if case == "X array":
        X = _array(plain[["row", "f"]])
    elif case == "y array":
        y = _array(plain["label"])
    elif case == "both arrays":
        X, y = _array(plain[["row", "f"]]), _array(y)
    elif case == "weights array":
        weights = _array(plain["w"])
    else:
        X = plain[["row", "f"]].values.compute_chunk_sizes()
        y = _by_index(path)["label"].values
    name = "sample_weight" if case == "weights array" else "y"
    with pytest.raises(ValueError, match=f"{name} reads the same Parquet files"):
        RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=weights)


@pytest.mark.parametrize("reader", ["default", "arrow"])
def test_arrays_of_one_read_or_reads_in_one_order_pass(folder, reader):
    path, truth = folder
    read = _by_index if reader == "arrow" else dd.read_parquet
    one = read(path)
    pairs = [
        (_array(one[["row", "f"]]), one["label"], one["w"]),
        (one[["row", "f"]], _array(one["label"]), _array(one["w"])),
        (_array(one[["row", "f"]]).rechunk(50), _array(one["label"]), one["w"]),
        (_array(read(path)[["row", "f"]]), _array(read(path)["label"]), None),
    ]
    for X, y, weights in pairs:
        outputs = RandomUnderSampler(random_state=0).fit_resample(
            X, y, sample_weight=weights
        )
        computed = [np.asarray(out.compute()) for out in outputs]
        rows = np.asarray(computed[0])[:, 0].astype(int)
        np.testing.assert_array_equal(computed[1], truth.loc[rows, "label"])
        if weights is not None:
            np.testing.assert_array_equal(computed[2], truth.loc[rows, "w"])


def test_array_labels_in_files_of_their_own_are_matched_by_position(folder, tmp_path):
    path, truth = folder
    full = dd.read_parquet(path, index="idx")
    full[["label"]].to_parquet(tmp_path / "labels")
    y = _array(dd.read_parquet(tmp_path / "labels")["label"])
    outputs = RandomUnderSampler(random_state=0).fit_resample(
        _array(full[["row", "f"]]), y
    )
    computed = [np.asarray(out.compute()) for out in outputs]
    rows = computed[0][:, 0].astype(int)
    np.testing.assert_array_equal(computed[1], truth.loc[rows, "label"])


# -- 3. an array X next to labels of the same from_pandas frame -------------


def test_array_X_and_labels_of_one_sorted_from_pandas_frame_pass():
    # bug (false positive): X an array and y a Series of one from_pandas frame
    # that sorted its rows (an unsorted index, e.g. from train_test_split)
    # are in the same (sorted) order, yet were refused.
    df, train = _split_frame()
    ddf = dd.from_pandas(train, npartitions=4)
    for X in (
        _array(ddf[["row", "f"]]),
        ddf[["row", "f"]].values.compute_chunk_sizes(),
    ):
        for shuffle in (True, False):
            sampler = RandomUnderSampler(random_state=0, shuffle=shuffle)
            outputs = sampler.fit_resample(X, ddf["label"], sample_weight=ddf["w"])
            _check_rows(df, outputs, with_weights=True)


def test_array_X_and_labels_of_other_from_pandas_frames_are_still_refused():
    df, train = _split_frame()
    ddf = dd.from_pandas(train, npartitions=4)
    X = _array(ddf[["row", "f"]])
    _, other = _split_frame(seed=1)  # the same length, other rows
    others = [
        # Another from_pandas of the frame, with other partitions.
        (X, dd.from_pandas(train, npartitions=3)["label"], None),
        # X of another frame.
        (
            _array(dd.from_pandas(other, npartitions=4)[["row", "f"]]),
            ddf["label"],
            None,
        ),
        # The weights of another frame.
        (X, ddf["label"], dd.from_pandas(other, npartitions=4)["w"]),
        # X a selection of the rows.
        (_array(ddf[ddf["f"] > 0.5][["row", "f"]]), ddf["label"], None),
    ]
    for X_other, y, weights in others:
        with pytest.raises(ValueError, match="dask.dataframe.from_pandas"):
            RandomUnderSampler(random_state=0).fit_resample(
                X_other, y, sample_weight=weights
            )


def test_array_X_and_labels_of_one_frame_with_a_repeated_index_are_refused():
    # Rows of a repeated index cannot be told apart by it: refused as before.
    _, train = _split_frame()
    train = train.set_axis(train.index // 2)
    ddf = dd.from_pandas(train, npartitions=4)
    with pytest.raises(ValueError, match="dask.dataframe.from_pandas"):
        RandomUnderSampler(random_state=0).fit_resample(
            _array(ddf[["row", "f"]]), ddf["label"]
        )


def test_array_X_of_a_sorted_frame_checks_the_other_inputs():
    # Once X's rows are known to be those of the sorted frame, the other
    # inputs are checked as next to a DataFrame X: pandas ones of the unsorted
    # frame and ones with no index are refused, sorted ones pass.
    df, train = _split_frame()
    ddf = dd.from_pandas(train, npartitions=4)
    X = _array(ddf[["row", "f"]])
    with pytest.raises(ValueError, match="The index of sample_weight holds X's"):
        RandomUnderSampler(random_state=0).fit_resample(
            X, ddf["label"], sample_weight=train["w"]
        )
    with pytest.raises(ValueError, match="y has no index"):
        RandomUnderSampler(random_state=0).fit_resample(
            X, train["label"].to_numpy(), sample_weight=ddf["w"]
        )
    outputs = RandomUnderSampler(random_state=0).fit_resample(
        X, ddf["label"], sample_weight=train["w"].sort_index()
    )
    _check_rows(df, outputs, with_weights=True)
    # A Dask array of the same frame's labels (in X's order): aligned.
    outputs = RandomUnderSampler(random_state=0).fit_resample(
        X, _array(ddf["label"]), sample_weight=ddf["w"]
    )
    _check_rows(df, outputs, with_weights=True)


@pytest.mark.parametrize("which", ["y", "sample_weight"])
def test_pandas_input_of_the_unsorted_frame_next_to_an_array_X_is_refused(which):
    # bug: X a Dask array of a frame that from_pandas sorted, y (or the
    # weights) pandas from the unsorted frame: matched by position, labels of
    # other rows, silently (a DataFrame X, even persisted, refused it).
    df, train = _split_frame()
    X = _array(dd.from_pandas(train, npartitions=4)[["row", "f"]])
    y, weights = train["label"].sort_index(), train["w"].sort_index()
    if which == "y":
        y = train["label"]
    else:
        weights = train["w"]
    with pytest.raises(ValueError, match=f"The index of {which} holds X's"):
        RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=weights)
    # Sorted: aligned; a fresh index (not a reordering of X's): by position.
    outputs = RandomUnderSampler(random_state=0).fit_resample(
        X, train["label"].sort_index(), sample_weight=train["w"].sort_index()
    )
    _check_rows(df, outputs, with_weights=True)
    plain = da.from_array(train[["row", "f"]].to_numpy(), chunks=60)
    outputs = RandomUnderSampler(random_state=0).fit_resample(
        plain, train["label"], sample_weight=train["w"]
    )
    _check_rows(df, outputs, with_weights=True)
