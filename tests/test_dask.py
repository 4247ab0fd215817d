"""Dask inputs: lazy outputs, the same draw as in memory, chunk-by-chunk gathers."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance._dask import _LANES, _group_by_partition, _Layout  # noqa: E402

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


pytestmark = pytest.mark.usefixtures("synchronous_dask")


def imbalanced(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    X = rng.normal(size=(n, 3))
    return X, y


def grouped_by_chunk(indices, chunks):
    """The in-memory draw stably grouped by input chunk: the documented order."""
    chunk_of = np.searchsorted(np.cumsum(chunks)[:-1], indices, side="right")
    return indices[np.argsort(chunk_of, kind="stable")]


def test_import_rebalance_does_not_import_dask():
    code = "import sys, rebalance; assert 'dask' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
@pytest.mark.parametrize("chunks", [(300,), (70, 70, 70, 90), (1, 149, 150)])
def test_dask_array_draws_the_in_memory_rows(sampler_cls, chunks):
    X, y = imbalanced()
    in_memory = sampler_cls(random_state=7)
    X_mem, y_mem = in_memory.fit_resample(X, y)
    sampler = sampler_cls(random_state=7)
    X_res, y_res = sampler.fit_resample(da.from_array(X, chunks=(chunks, 3)), y)
    assert isinstance(X_res, da.Array) and isinstance(y_res, da.Array)
    assert X_res.chunks[0] == y_res.chunks[0]
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(np.sort(rows), np.sort(in_memory.sample_indices_))
    X_out, y_out = dask.compute(X_res, y_res)
    np.testing.assert_array_equal(X_out, X[rows])
    np.testing.assert_array_equal(y_out, y[rows])
    assert sampler.sampling_strategy_ == in_memory.sampling_strategy_
    np.testing.assert_array_equal(np.bincount(y_out), np.bincount(y_mem))
    if len(chunks) == 1:
        np.testing.assert_array_equal(X_out, X_mem)
    else:
        # One output partition per input partition with a drawn row, balanced.
        used = np.unique(np.searchsorted(np.cumsum(chunks), rows, side="right"))
        assert len(X_res.chunks[0]) == len(used)
        assert max(X_res.chunks[0]) - min(X_res.chunks[0]) <= 3 * _LANES


@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
@pytest.mark.parametrize("chunks", [(70, 70, 70, 90), (1, 149, 150)])
def test_shuffle_false_keeps_rows_grouped_by_chunk(sampler_cls, chunks):
    X, y = imbalanced()
    in_memory = sampler_cls(shuffle=False, random_state=7).fit(X, y)
    in_memory.fit_resample(X, y)
    sampler = sampler_cls(shuffle=False, random_state=7)
    X_res, _ = sampler.fit_resample(da.from_array(X, chunks=(chunks, 3)), y)
    expected = grouped_by_chunk(in_memory.sample_indices_, chunks)
    np.testing.assert_array_equal(sampler.sample_indices_, expected)
    np.testing.assert_array_equal(X_res.compute(), X[expected])


@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_shuffle_false_gives_the_in_memory_output_row_for_row(sampler_cls):
    X, y = imbalanced()
    X_mem, y_mem = sampler_cls(shuffle=False, random_state=0).fit_resample(X, y)
    X_res, y_res = sampler_cls(shuffle=False, random_state=0).fit_resample(
        da.from_array(X, chunks=(64, 2)), da.from_array(y, chunks=50)
    )
    np.testing.assert_array_equal(X_res.compute(), X_mem)
    np.testing.assert_array_equal(y_res.compute(), y_mem)


def class_shares(y_res, minority):
    """Share of ``minority`` in each output partition, and overall."""
    parts = y_res.to_delayed()
    if isinstance(parts, np.ndarray):  # a Dask array's blocks
        parts = parts.ravel().tolist()
    parts = [np.asarray(part) for part in dask.compute(*parts)]
    sizes = np.array([len(part) for part in parts])
    shares = np.array([(part == minority).mean() for part in parts])
    overall = float(np.concatenate(parts).__eq__(minority).mean())
    return shares, sizes, overall


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_shuffled_output_mixes_classes_of_class_sorted_chunks(sampler_cls):
    rng = np.random.default_rng(0)
    y = np.sort(rng.random(16_000) < 0.1).astype(int)  # all minority rows last
    X = np.arange(32_000).reshape(16_000, 2)
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(da.from_array(X, chunks=1000), y)
    shares, sizes, overall = class_shares(y_res, 1)
    assert len(shares) == 16 and sizes.min() >= 200
    assert np.abs(shares - overall).max() < 0.05, shares
    # By construction: each class within one row per lane of its fair share.
    minority = shares * sizes
    assert np.abs(minority - minority.sum() / len(sizes)).max() < _LANES
    # Rows within a partition are in random order, not sorted by position.
    first = sampler.sample_indices_[: sizes[0]]
    assert (np.diff(first) < 0).sum() > sizes[0] // 4
    np.testing.assert_array_equal(X_res.compute()[:, 0] // 2, sampler.sample_indices_)


def test_shuffle_false_leaves_class_sorted_chunks_unmixed():
    y = np.repeat([0, 1], [3000, 1000])
    X_res, y_res = RandomUnderSampler(shuffle=False, random_state=0).fit_resample(
        da.from_array(np.zeros((4000, 1)), chunks=500), y
    )
    shares, _, _ = class_shares(y_res, 1)
    assert set(shares.tolist()) == {0.0, 1.0}


@pytest.mark.parametrize("n_classes", [2, 5])
@pytest.mark.parametrize("layout", ["sorted", "random"])
def test_each_input_feeds_few_outputs(n_classes, layout):
    """Bounded memory: output j reads few inputs, input k feeds few outputs."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, n_classes, 20_000)
    if layout == "sorted":
        y = np.sort(y)
    lengths = np.full(40, 500)
    sampler = RandomOverSampler(random_state=0)
    plan = sampler.plan(y, compact=True)
    indices = plan.draw(np.random.default_rng(0))
    layout_ = _Layout.mixed(
        indices,
        lengths,
        plan.labels.codes,
        plan.labels.n_classes,
        np.random.default_rng(2),
    )
    n_pairs = sum(len(ks) for ks in layout_.feeders)
    lanes = min(_LANES, 40)
    assert n_pairs <= n_classes * (lanes * 40 + 40)
    np.testing.assert_array_equal(np.sort(layout_.rows), np.sort(indices))
    for j, ks in enumerate(layout_.feeders):
        chunk_of = layout_.segment(j) // 500
        np.testing.assert_array_equal(np.unique(chunk_of), ks)


def test_fit_resample_computes_the_labels_but_not_X():
    X, y = imbalanced()
    read = []

    def load(block):
        read.append(block.shape[0])
        return block

    X_lazy = da.from_array(X, chunks=(50, 3)).map_blocks(
        load, dtype=X.dtype, meta=np.empty((0, 0))
    )
    X_res, _ = RandomUnderSampler(random_state=0).fit_resample(X_lazy, y)
    assert read == []
    X_res.compute()
    # Each input chunk is read once, by the one task that gathers from it.
    assert sum(read) == X.shape[0] and len(read) == 6


def test_dask_labels_are_gathered_with_their_own_chunking():
    X, y = imbalanced()
    y_lazy = da.from_array(y, chunks=77)
    sampler = LabelShuffleSampler(random_state=1)
    X_res, y_res = sampler.fit_resample(da.from_array(X, chunks=(100, 3)), y_lazy)
    np.testing.assert_array_equal(y_res.compute(), y[sampler.sample_indices_])
    assert y_res.chunks[0] == X_res.chunks[0]


def test_one_hot_dask_labels_stay_one_hot():
    X, y = imbalanced()
    one_hot = np.eye(3, dtype=int)[y]
    sampler = RandomUnderSampler(random_state=0)
    _, y_res = sampler.fit_resample(
        da.from_array(X, chunks=100), da.from_array(one_hot, chunks=100)
    )
    np.testing.assert_array_equal(y_res.compute(), one_hot[sampler.sample_indices_])


def test_sample_weight_follows_the_rows():
    X, y = imbalanced()
    weights = np.linspace(0.5, 2.0, y.shape[0])
    for weights_in in (weights, da.from_array(weights, chunks=120)):
        sampler = RandomOverSampler(random_state=0)
        X_res, _, w_res = sampler.fit_resample(
            da.from_array(X, chunks=100), y, sample_weight=weights_in
        )
        assert w_res.chunks[0] == X_res.chunks[0]
        np.testing.assert_array_equal(w_res.compute(), weights[sampler.sample_indices_])


def test_inputs_are_not_modified():
    X, y = imbalanced()
    X_before, y_before = X.copy(), y.copy()
    X_res, y_res = LabelShuffleSampler(random_state=0).fit_resample(
        da.from_array(X, chunks=50), y
    )
    dask.compute(X_res, y_res)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(["churn", "stay"], size=n, p=[0.15, 0.85])
    df = pd.DataFrame(
        {
            "amount": rng.normal(size=n).astype(np.float32),
            "row": np.arange(n),
            "plan": pd.Categorical(rng.choice(["a", "b"], size=n)),
            "target": y,
        },
        index=pd.Index(np.arange(n) * 10 + 5, name="customer"),
    )
    return df


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_dataframe_rows_get_a_fresh_index_with_known_divisions(sampler_cls):
    df = frame()
    ddf = dd.from_pandas(df, npartitions=3)
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(ddf.drop(columns="target"), ddf["target"])
    assert isinstance(X_res, dd.DataFrame) and isinstance(y_res, dd.Series)
    assert X_res.known_divisions and X_res.divisions == y_res.divisions
    X_out, y_out = dask.compute(X_res, y_res)
    df = ddf.compute()  # as Dask holds it (strings become pyarrow strings)
    rows = sampler.sample_indices_
    expected = df.drop(columns="target").iloc[rows].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_out, expected)
    pd.testing.assert_series_equal(
        y_out, df["target"].iloc[rows].reset_index(drop=True)
    )
    assert list(sampler.feature_names_in_) == ["amount", "row", "plan"]


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_one_partition_dataframe_equals_the_pandas_output(sampler_cls):
    ddf = dd.from_pandas(frame(), npartitions=1)
    df = ddf.compute()
    X_mem, y_mem = sampler_cls(random_state=3).fit_resample(
        df.drop(columns="target"), df["target"]
    )
    X_res, y_res = sampler_cls(random_state=3).fit_resample(
        ddf.drop(columns="target"), ddf["target"]
    )
    pd.testing.assert_frame_equal(X_res.compute(), X_mem)
    pd.testing.assert_series_equal(y_res.compute(), y_mem)


def test_dataframe_with_in_memory_labels_counts_partition_rows_from_the_index():
    df = frame()
    ddf = dd.from_pandas(df.drop(columns="target"), npartitions=4)
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(ddf, df["target"].to_numpy())
    assert isinstance(y_res, da.Array)
    X_out = X_res.compute()
    np.testing.assert_array_equal(X_out["row"], sampler.sample_indices_)
    assert X_out.shape[0] == y_res.shape[0] == 2 * (df["target"] == "churn").sum()


def test_pandas_labels_and_weights_come_back_as_dask_series():
    X, y = imbalanced()
    labels = pd.Series(np.array(["a", "b", "c"])[y], name="label")
    weights = pd.Series(np.linspace(1, 2, y.shape[0]), name="w")
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(
        da.from_array(X, chunks=70), labels, sample_weight=weights
    )
    assert isinstance(y_res, dd.Series) and isinstance(w_res, dd.Series)
    y_out, w_out = dask.compute(y_res, w_res)
    rows = sampler.sample_indices_
    pd.testing.assert_series_equal(y_out, labels.iloc[rows].reset_index(drop=True))
    pd.testing.assert_series_equal(w_out, weights.iloc[rows].reset_index(drop=True))
    assert len(y_res.divisions) - 1 == len(X_res.chunks[0])


def test_differently_partitioned_labels_are_matched_by_position():
    df = frame()
    X = dd.from_pandas(df.drop(columns="target"), npartitions=2)  # 100 + 100 rows
    y = dd.from_pandas(df["target"], chunksize=150)  # 150 + 50 rows
    weights = da.from_array(np.arange(200.0), chunks=30)
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weights)
    X_out, y_out = dask.compute(X_res, y_res)
    w_out = w_res.compute()
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(X_out["row"], rows)
    np.testing.assert_array_equal(y_out, df["target"].to_numpy()[rows])
    np.testing.assert_array_equal(w_out, rows.astype(float))


def test_fit_computes_the_strategy_without_resampling():
    X, y = imbalanced()
    sampler = RandomOverSampler().fit(da.from_array(X, chunks=100), y)
    assert (
        sampler.sampling_strategy_ == RandomOverSampler().fit(X, y).sampling_strategy_
    )
    assert sampler.n_features_in_ == 3
    assert not hasattr(sampler, "sample_indices_")


def test_task_graph_has_one_task_per_chunk_whatever_the_rows():
    def graph_size(n_rows):
        X, y = imbalanced(n_rows)
        X_res, y_res = RandomOverSampler(random_state=0).fit_resample(
            da.from_array(X, chunks=(n_rows // 8, 3)),
            da.from_array(y, chunks=n_rows // 4),
        )
        if hasattr(dask.base, "collections_to_expr"):
            graph = dask.base.collections_to_expr([X_res, y_res]).__dask_graph__()
        else:  # older Dask (2024.x)
            graph = dask.base.collections_to_dsk([X_res, y_res])
        return len(graph)

    small, large = graph_size(800), graph_size(80_000)
    assert small == large
    # X: 8 blocks in, then one step each to select, slice indices, gather;
    # y: rechunked in a few tasks per chunk.
    assert large < 8 * 12


def test_mini_batch_training_on_the_resampled_chunks():
    from sklearn.linear_model import SGDClassifier

    X, y = imbalanced(600)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
        da.from_array(X, chunks=150), y
    )
    model = SGDClassifier(random_state=0)
    for X_block, y_block in zip(X_res.to_delayed().ravel(), y_res.to_delayed()):
        X_part, y_part = dask.compute(X_block, y_block)
        model.partial_fit(X_part, y_part, classes=np.arange(3))
    assert model.predict(X[:5]).shape == (5,)


def test_works_on_a_local_cluster_with_two_workers():
    distributed = pytest.importorskip("distributed")
    X, y = imbalanced(400)
    expected_sampler = LabelShuffleSampler(random_state=0)
    X_expected, _ = expected_sampler.fit_resample(da.from_array(X, chunks=100), y)
    X_expected = X_expected.compute()
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster, timeout="20s") as client,
    ):
        X_lazy = da.from_array(X, chunks=100)
        y_lazy = da.from_array(y, chunks=100)
        sampler = LabelShuffleSampler(random_state=0)
        X_res, y_res = sampler.fit_resample(X_lazy, y_lazy)
        X_out, y_out = client.compute([X_res, y_res], sync=False)
        X_out, y_out = X_out.result(timeout=30), y_out.result(timeout=30)
    np.testing.assert_array_equal(X_out, X_expected)
    np.testing.assert_array_equal(y_out, y[sampler.sample_indices_])


def test_x_in_memory_with_dask_labels_is_an_error_with_the_fix():
    X, y = imbalanced()
    with pytest.raises(TypeError, match="Pass X as a Dask collection"):
        RandomUnderSampler().fit_resample(X, da.from_array(y, chunks=100))


def test_unknown_chunk_sizes_are_an_error_with_the_fix():
    X, y = imbalanced()
    X_lazy = da.from_array(X, chunks=100)
    X_unknown = X_lazy[da.from_array(np.ones(300, dtype=bool), chunks=100)]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        RandomUnderSampler().fit_resample(X_unknown, y)


def test_length_mismatch_and_bad_shapes_are_errors():
    X, y = imbalanced()
    with pytest.raises(ValueError, match="300 rows but y has 299"):
        RandomUnderSampler().fit_resample(da.from_array(X, chunks=100), y[:-1])
    with pytest.raises(ValueError, match="Expected a 2D array"):
        RandomUnderSampler().fit_resample(da.from_array(X[:, 0], chunks=100), y)


def test_smoothed_bootstrap_is_refused_for_dask_inputs():
    X, y = imbalanced()
    with pytest.raises(ValueError, match="shrinkage=None"):
        RandomOverSampler(shrinkage=1.0).fit_resample(da.from_array(X, chunks=100), y)


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 30), min_size=1, max_size=8).filter(sum),
    data=st.data(),
)
def test_grouping_by_partition_is_a_stable_sort_by_partition(lengths, data):
    lengths = np.array(lengths)
    n_rows = int(lengths.sum())
    indices = np.array(
        data.draw(st.lists(st.integers(0, n_rows - 1), min_size=1, max_size=100))
    )
    grouped, counts = _group_by_partition(indices, lengths)
    np.testing.assert_array_equal(grouped, grouped_by_chunk(indices, lengths))
    chunk_of = np.searchsorted(np.cumsum(lengths)[:-1], indices, side="right")
    np.testing.assert_array_equal(counts, np.bincount(chunk_of, minlength=len(lengths)))


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 40), min_size=1, max_size=12).filter(
        lambda lengths: sum(lengths) >= 4  # room for every class
    ),
    n_classes=st.integers(2, 4),
    data=st.data(),
)
def test_mixed_layout_gathers_every_drawn_row_once(lengths, n_classes, data):
    check_mixed_layout(lengths, n_classes, data.draw(st.integers(0, 2**32 - 1)))


def test_mixed_layout_lists_no_partition_that_feeds_nothing():
    # A class stream shorter than the number of outputs skips outputs: output 1
    # was said to read partition 2, which gives it no row (found by hypothesis).
    check_mixed_layout([1, 1, 3, 1], 2, 0)


def check_mixed_layout(lengths, n_classes, seed):
    lengths = np.array(lengths)
    n_rows = int(lengths.sum())
    y = np.random.default_rng(seed).integers(0, n_classes, n_rows)
    y[:n_classes] = np.arange(n_classes)  # every class present
    plan = RandomOverSampler().plan(y, compact=True)
    indices = plan.draw(np.random.default_rng(seed))
    layout = _Layout.mixed(
        indices,
        lengths,
        plan.labels.codes,
        plan.labels.n_classes,
        np.random.default_rng(0),
    )
    np.testing.assert_array_equal(np.sort(layout.rows), np.sort(indices))
    assert (np.diff(layout.out_starts) > 0).all()
    starts = np.cumsum(lengths)[:-1]
    for j, ks in enumerate(layout.feeders):
        chunk_of = np.searchsorted(starts, layout.segment(j), side="right")
        np.testing.assert_array_equal(np.unique(chunk_of), ks)


def test_tiny_draw_over_many_chunks():
    X = da.arange(40, chunks=4).reshape(20, 2)  # 10 chunks of 2 rows
    y = np.array([0, 1, 0, 0] * 5)
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    X_out = X_res.compute()
    np.testing.assert_array_equal(X_out[:, 0] // 2, sampler.sample_indices_)
    assert np.bincount(y_res.compute()).tolist() == [5, 5]


@pytest.mark.parametrize(
    "lengths", [[4, 4, 4, 4], [4, 4, 4, 2], [4, 4, 4, 7], [0, 5, 0, 3, 0], [9]]
)
def test_grouping_handles_regular_long_last_and_empty_partitions(lengths):
    lengths = np.array(lengths)
    indices = np.random.default_rng(0).integers(0, lengths.sum(), 50)
    grouped, counts = _group_by_partition(indices, lengths)
    np.testing.assert_array_equal(grouped, grouped_by_chunk(indices, lengths))
    assert counts.sum() == 50


# Parquet as users store it: several files, row groups of different sizes.
FEATURES = ["f0", "f1", "code", "row"]
FILES = ((700, 300), (1200, 500), (400, 400), (900, 250), (800, 800))


def write_parquet(folder, class_sorted=False, seed=0):
    """Write ``FILES`` (rows, row-group size); y is 'churn' (15%) or 'stay'."""
    n = sum(rows for rows, _ in FILES)
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.15, "churn", "stay")
    if class_sorted:  # per-class files concatenated: churn rows first
        y = np.sort(y)
    start = 0
    for i, (rows, group) in enumerate(FILES):
        part = pd.DataFrame(
            {
                "f0": rng.normal(size=rows),
                "f1": rng.normal(size=rows).astype(np.float32),
                "code": rng.integers(0, 5, rows),
                "row": np.arange(start, start + rows),
                "y": y[start : start + rows],
            }
        )
        part.to_parquet(folder / f"part-{i}.parquet", row_group_size=group, index=False)
        start += rows
    return folder


@pytest.fixture(scope="module")
def parquet_folder(tmp_path_factory):
    return write_parquet(tmp_path_factory.mktemp("parquet"))


@pytest.fixture(scope="module")
def sorted_parquet_folder(tmp_path_factory):
    return write_parquet(tmp_path_factory.mktemp("sorted"), class_sorted=True)


def check_against_memory(sampler_cls, ddf, X, y):
    """Resample lazily; the rows must be the in-memory draw's, X[rows] exactly."""
    df = ddf.compute()
    in_memory = sampler_cls(random_state=0)
    in_memory.fit_resample(df[FEATURES], df["y"])
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    X_out, y_out = dask.compute(X_res, y_res)
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(np.sort(rows), np.sort(in_memory.sample_indices_))
    expected = df[FEATURES].iloc[rows].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_out, expected)
    np.testing.assert_array_equal(np.asarray(y_out), df["y"].to_numpy()[rows])
    assert sampler.sampling_strategy_ == in_memory.sampling_strategy_
    return sampler, X_res, y_res


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
@pytest.mark.parametrize("labels", ["dask", "numpy", "pandas"])
def test_parquet_features_and_labels_of_one_frame(parquet_folder, sampler_cls, labels):
    # The optimiser reads y alone with fewer, fused partitions than X.
    ddf = dd.read_parquet(parquet_folder)
    y = {
        "dask": lambda: ddf["y"],
        "numpy": lambda: ddf["y"].compute().to_numpy(),
        "pandas": lambda: ddf["y"].compute(),
    }[labels]()
    check_against_memory(sampler_cls, ddf, ddf[FEATURES], y)


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_parquet_split_by_row_group(parquet_folder, sampler_cls):
    ddf = dd.read_parquet(parquet_folder, split_row_groups=True)
    assert ddf.npartitions == 12
    _, X_res, _ = check_against_memory(sampler_cls, ddf, ddf[FEATURES], ddf["y"])
    assert X_res.npartitions == 12


def test_parquet_with_filters_counts_the_rows_of_x_partitions(parquet_folder):
    # Filtered reads have no lengths in the metadata: X's rows are counted.
    ddf = dd.read_parquet(parquet_folder, filters=[("code", "<", 3)])
    check_against_memory(RandomUnderSampler, ddf, ddf[FEATURES], ddf["y"])
    ddf = dd.read_parquet(parquet_folder).map_partitions(lambda part: part[::2])
    check_against_memory(LabelShuffleSampler, ddf, ddf[FEATURES], ddf["y"])


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_class_sorted_parquet_gives_mixed_partitions(
    sorted_parquet_folder, sampler_cls
):
    ddf = dd.read_parquet(sorted_parquet_folder, split_row_groups=True)
    _, _, y_res = check_against_memory(sampler_cls, ddf, ddf[FEATURES], ddf["y"])
    shares, sizes, overall = class_shares(y_res, "churn")
    assert sizes.min() >= 100
    assert np.abs(shares - overall).max() < 0.05, shares


def test_class_sorted_parquet_without_shuffle_keeps_the_stored_order(
    sorted_parquet_folder,
):
    ddf = dd.read_parquet(sorted_parquet_folder)
    df = ddf.compute()
    X_mem, _ = RandomUnderSampler(shuffle=False, random_state=0).fit_resample(
        df[FEATURES], df["y"]
    )
    X_res, y_res = RandomUnderSampler(shuffle=False, random_state=0).fit_resample(
        ddf[FEATURES], ddf["y"]
    )
    pd.testing.assert_frame_equal(X_res.compute(), X_mem)
    shares, _, _ = class_shares(y_res, "churn")
    assert shares.max() > 0.9 and shares.min() == 0.0


@pytest.mark.parametrize(
    "change",
    ["row past the labels", "negative row", "code past the classes", "lengths"],
)
def test_layout_refuses_inputs_its_compiled_passes_would_index_outside(change):
    # The compiled count/deal passes index codes, the class table and the
    # output without bounds checks: their inputs are checked first.
    y = np.array([0] * 30 + [1] * 10)
    plan = RandomOverSampler(random_state=0).plan(y, compact=True)
    indices = plan.draw(np.random.default_rng(0)).astype(np.int64)
    codes = plan.labels.codes.copy()
    lengths = np.full(4, 10)
    if change == "row past the labels":
        indices[3] = y.shape[0]
    elif change == "negative row":
        indices[0] = -1
    elif change == "code past the classes":
        codes[5] = 2
    else:
        lengths = np.full(4, 9)
    with pytest.raises(ValueError, match="layout's draw does not match"):
        _Layout.mixed(indices, lengths, codes, 2, np.random.default_rng(1))
    # the same call with the inputs as drawn works
    _Layout.mixed(
        plan.draw(np.random.default_rng(0)).astype(np.int64),
        np.full(4, 10),
        plan.labels.codes,
        2,
        np.random.default_rng(1),
    )
