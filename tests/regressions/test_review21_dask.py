"""Review 21: the samplers on Dask inputs read from Parquet, as a user with
data on disk would call them (extension dtypes, read options, separate reads
of the labels, a local cluster).

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

FEATURES = ["cat", "text", "count", "when", "row"]
SIZES = (50, 80, 30, 120)


pytestmark = pytest.mark.usefixtures("synchronous_dask")


def _frame(start, n, rng):
    return pd.DataFrame(
        {
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "text": pd.array(rng.choice(["x", "yy", None], n), dtype="string[pyarrow]"),
            "count": pd.array(
                np.where(rng.random(n) < 0.2, None, rng.integers(0, 100, n)),
                dtype="Int64",
            ),
            "when": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC")
            + pd.Timedelta(hours=start),
            "row": np.arange(start, start + n),
            "w": rng.random(n),
            "label": rng.choice(["maj", "mid", "min"], n, p=[0.7, 0.2, 0.1]),
        }
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Four files of mixed dtypes, row groups of 25 rows, the label a column."""
    path = tmp_path_factory.mktemp("review21")
    rng = np.random.default_rng(0)
    start = 0
    for i, n in enumerate(SIZES):
        part = _frame(start, n, rng)
        part.to_parquet(path / f"part-{i}.parquet", row_group_size=25, index=False)
        start += n
    return path


def _sampler(cls, shuffle):
    if shuffle is None:
        return cls(random_state=0)
    return cls(random_state=0, shuffle=shuffle)


def _check(ddf, cls, shuffle=None, y=None, weights=None):
    """Lazy outputs whose rows are X[sample_indices_], y and weights alike,
    the in-memory draw's rows, the same at every computation."""
    y = ddf["label"] if y is None else y
    weights = ddf["w"] if weights is None else weights
    sampler = _sampler(cls, shuffle)
    outputs = sampler.fit_resample(ddf[FEATURES], y, sample_weight=weights)
    assert all(dask.is_dask_collection(out) for out in outputs)
    rows = sampler.sample_indices_
    together = dask.compute(*outputs)
    one_by_one = [out.compute() for out in outputs]
    for a, b in zip(together, one_by_one):
        assert a.equals(b)
    df = ddf.compute()
    X_out, y_out, w_out = together
    expected = df[FEATURES].iloc[rows].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_out, expected, check_categorical=False)
    np.testing.assert_array_equal(y_out.to_numpy(), df["label"].to_numpy()[rows])
    np.testing.assert_array_equal(w_out.to_numpy(), df["w"].to_numpy()[rows])
    in_memory = _sampler(cls, shuffle)
    in_memory.fit_resample(df[FEATURES], df["label"])
    np.testing.assert_array_equal(np.sort(rows), np.sort(in_memory.sample_indices_))
    if shuffle is False:
        np.testing.assert_array_equal(rows, in_memory.sample_indices_)
    return sampler, outputs


READS = {
    "plain": lambda f: dd.read_parquet(f),
    "index": lambda f: dd.read_parquet(f, index="row").reset_index(),
    "divisions": lambda f: dd.read_parquet(
        f, index="row", calculate_divisions=True
    ).reset_index(),
    "columns": lambda f: dd.read_parquet(f, columns=[*FEATURES, "label", "w"]),
    "filters": lambda f: dd.read_parquet(f, filters=[("count", ">", 50)]),
    # Whole files and row groups filtered out.
    "filters-empty": lambda f: dd.read_parquet(
        f, split_row_groups=True, filters=[("row", ">=", 140)]
    ),
    "row-groups": lambda f: dd.read_parquet(f, split_row_groups=True),
    "one-partition": lambda f: dd.read_parquet(f).repartition(npartitions=1),
    "repartitioned": lambda f: dd.read_parquet(f).repartition(npartitions=7),
    "empty-partitions": lambda f: dd.read_parquet(f).map_partitions(
        lambda part: part[part["row"] > 100]
    ),
}

CASES = [
    (cls, shuffle)
    for cls in (RandomUnderSampler, RandomOverSampler)
    for shuffle in (None, False)
] + [(ClassBalancedSampler, None), (LabelShuffleSampler, None)]


@pytest.mark.parametrize("read", sorted(READS))
def test_parquet_of_extension_dtypes_with_each_read_option(folder, read):
    # Two sampler cases per read, every case over the reads (test time).
    i = sorted(READS).index(read)
    for cls, shuffle in (CASES[i % 6], CASES[(i + 3) % 6]):
        _check(READS[read](folder), cls, shuffle)


def test_labels_and_weights_from_separate_reads_of_the_files(folder):
    ddf = dd.read_parquet(folder)
    y = dd.read_parquet(folder, columns=["label"])["label"]
    weights = dd.read_parquet(folder, split_row_groups=True)["w"]
    for cls, shuffle in CASES[1::2]:
        _check(ddf, cls, shuffle, y=y, weights=weights)


def test_output_with_random_state_none_is_drawn_once(folder):
    ddf = dd.read_parquet(folder)
    sampler = LabelShuffleSampler()
    X_res, y_res, w_res = sampler.fit_resample(
        ddf[FEATURES], ddf["label"], sample_weight=ddf["w"]
    )
    first = X_res.compute()
    pd.testing.assert_frame_equal(X_res.compute(), first)
    persisted, _ = dask.persist(X_res, y_res)
    pd.testing.assert_frame_equal(persisted.compute(), first)
    joined = X_res.assign(label=y_res, w=w_res).compute()
    df = ddf.compute()
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(joined["row"].to_numpy(), rows)
    np.testing.assert_array_equal(
        joined["label"].to_numpy(), df["label"].to_numpy()[rows]
    )
    np.testing.assert_array_equal(joined["w"].to_numpy(), df["w"].to_numpy()[rows])


@pytest.mark.parametrize("which", ["y", "sample_weight"])
def test_labels_or_weights_of_another_length_are_refused(folder, which):
    ddf = dd.read_parquet(folder)
    # (A filtered read of X's own files is refused as other rows of X's data
    # before its length is known: review 87.)
    filtered = dd.read_parquet(folder, filters=[("row", "<", 200)])
    short = dd.from_pandas(filtered.compute(), npartitions=2)
    for other, match in ((short, "280"), (filtered, "other rows of the Parquet")):
        y, weights = ddf["label"], ddf["w"]
        if which == "y":
            y = other["label"]
        else:
            weights = other["w"]
        with pytest.raises(ValueError, match=match):
            RandomUnderSampler().fit_resample(ddf[FEATURES], y, sample_weight=weights)


def test_dask_arrays_of_a_parquet_read(folder):
    ddf = dd.read_parquet(folder)
    df = ddf.compute()
    # Known chunks (the whole frame: Dask 2026.8 cannot give the lengths of a
    # column selection), labels with unknown chunks (computed and split).
    X = ddf.to_dask_array(lengths=True)[:, [4, 5]].astype(float)
    y = ddf["label"].to_dask_array()
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    X_out, y_out = dask.compute(X_res, y_res)
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(X_out[:, 0], rows)
    np.testing.assert_array_equal(y_out, df["label"].to_numpy()[rows])
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        RandomOverSampler().fit_resample(ddf[["row", "w"]].to_dask_array(), y)


def test_dask_array_with_chunks_declared_wrong_is_refused():
    # bug: to_dask_array(lengths=...) takes any lengths of the right count.
    # Chunks declared (60, 70) over blocks of (65, 65) rows put the rows of
    # the second block under other rows' labels (silently where the draw kept
    # to the first 65 positions, an IndexError elsewhere).
    df = pd.DataFrame({"row": np.arange(130.0), "y": np.arange(130) % 4 == 0})
    ddf = dd.from_pandas(df, npartitions=2)
    assert ddf.map_partitions(len).compute().tolist() == [65, 65]
    X = ddf[["row"]].to_dask_array(lengths=[60, 70])
    for shuffle in (True, False):
        X_res, y_res = RandomUnderSampler(random_state=0, shuffle=shuffle).fit_resample(
            X, df["y"].to_numpy()
        )
        with pytest.raises(ValueError, match="chunks declare"):
            dask.compute(X_res, y_res)


def test_arrow_filesystem_read_sorted_by_index(tmp_path):
    # bug: with calculate_divisions=True the reader of filesystem="arrow"
    # sorts the files by index, but gave their lengths in listing order: the
    # gather then refused every partition ("the input changed ... Resample
    # again"), which no resampling could fix.
    pytest.importorskip("pyarrow", minversion="15")  # dask filesystem="arrow"
    rng = np.random.default_rng(1)
    for i, (n, start) in enumerate(zip(SIZES, (230, 0, 200, 80))):
        part = _frame(start, n, rng)
        part.index = pd.Index(part["row"].to_numpy(), name="idx")
        part.to_parquet(tmp_path / f"part-{i}.parquet")
    ddf = dd.read_parquet(
        tmp_path, filesystem="arrow", index="idx", calculate_divisions=True
    )
    assert ddf.known_divisions
    for cls, shuffle in CASES:
        _check(ddf, cls, shuffle)


@pytest.mark.slow
def test_arrow_filesystem_read_does_not_break_later_computations(folder):
    # bug: the first thing computed was the reader's statistics, inside its
    # dask.config.set({"distributed...": ...}); dask.compute imports
    # distributed there, and leaving the config.set dropped distributed's
    # configuration: fit_resample, and every later computation of the
    # process, failed with KeyError: 'distributed'.
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow", minversion="15")  # dask filesystem="arrow"
    code = textwrap.dedent(
        f"""
        import sys
        import dask.dataframe as dd
        from rebalance import RandomUnderSampler

        assert "distributed" not in sys.modules
        ddf = dd.read_parquet({str(folder)!r}, filesystem="arrow")
        X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
            ddf[["row"]], ddf["label"]
        )
        assert len(X_res.compute()) == len(y_res.compute()) > 0
        assert len(ddf.compute()) == 280
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_parquet_on_a_local_cluster(folder):
    distributed = pytest.importorskip("distributed")
    with (
        dask.config.set(scheduler=None),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, timeout="20s") as client,
    ):
        ddf = dd.read_parquet(folder, filters=[("row", ">=", 40)])
        y = dd.read_parquet(
            folder, columns=["label", "row"], filters=[("row", ">=", 40)]
        )
        for cls, shuffle in CASES[::3]:
            _check(ddf, cls, shuffle, y=y["label"])
        sampler = LabelShuffleSampler()
        outputs = sampler.fit_resample(
            ddf[FEATURES], ddf["label"], sample_weight=ddf["w"]
        )
        first = client.compute(list(outputs), sync=True)
        again = client.gather(client.compute(list(outputs)))
        for a, b in zip(first, again):
            assert a.equals(b)
        np.testing.assert_array_equal(
            first[0]["row"].to_numpy(), sampler.sample_indices_ + 40
        )
