"""Review 109, white-box audit of rebalance/_dask.py (layout, gather, alignment).

Every suspicion was checked through the public samplers; none was confirmed,
so these are pins of the behaviour the audit found right.
"""

import threading

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

Y20 = np.array([0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0])


def _x(n, chunks, cols=4):
    values = np.arange(n * cols).reshape(n, cols)
    return values, da.from_array(values, chunks=(chunks, cols))


@pytest.mark.parametrize(
    "chunks",
    [(5, 0, 5, 10), (0, 10, 10), (10, 10, 0), (7, 7, 6), (3, 3, 14), (1,) * 20],
)
@pytest.mark.parametrize(
    "make",
    [
        lambda: RandomOverSampler(random_state=0),
        lambda: RandomUnderSampler(random_state=1),
        lambda: RandomUnderSampler(random_state=1, shuffle=False),
        lambda: ClassBalancedSampler(random_state=2),
    ],
)
def test_gather_matches_indices_for_irregular_and_empty_partitions(chunks, make):
    # _partition_ends / _partition_kernel: regular chunks use a division, any
    # other (an empty partition first, in the middle or last) a search.
    Xn, X = _x(20, chunks)
    sampler = make()
    X_res, y_res = sampler.fit_resample(X, Y20)
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(X_res.compute(), Xn[idx])
    np.testing.assert_array_equal(y_res.compute(), Y20[idx])
    # The same rows as the in-memory draw, and no empty output partition.
    memory = make()
    memory.fit_resample(Xn, Y20)
    np.testing.assert_array_equal(np.sort(idx), np.sort(memory.sample_indices_))
    assert 0 not in X_res.chunks[0]


def test_random_partitionings_many_classes_match_memory():
    # Many classes (codes wider than a byte) and many partitions: the compiled
    # count/deal passes index only inside their tables.
    rs = np.random.default_rng(0)
    for it in range(8):
        n, k = int(rs.integers(50, 300)), int(rs.integers(2, 300))
        yn = rs.integers(0, k, n)
        yn[:2] = [0, 1]
        cuts = np.sort(rs.integers(0, n + 1, int(rs.integers(1, 30))))
        chunks = tuple(np.diff(np.concatenate([[0], cuts, [n]])).tolist())
        Xn = np.repeat(np.arange(n)[:, None], 2, axis=1)
        X = da.from_array(Xn, chunks=(chunks, 1))
        kind = [RandomOverSampler, RandomUnderSampler, LabelShuffleSampler][it % 3]
        sampler = kind(random_state=it)
        X_res, y_res = sampler.fit_resample(X, yn)
        idx = sampler.sample_indices_
        np.testing.assert_array_equal(X_res.compute(), Xn[idx])
        np.testing.assert_array_equal(y_res.compute(), yn[idx])
        memory = kind(random_state=it)
        memory.fit_resample(Xn, yn)
        np.testing.assert_array_equal(np.sort(idx), np.sort(memory.sample_indices_))


def test_no_shuffle_equals_memory_row_for_row():
    Xn, X = _x(20, (6, 7, 7))
    X_res, _ = RandomUnderSampler(random_state=3, shuffle=False).fit_resample(X, Y20)
    X_mem, _ = RandomUnderSampler(random_state=3, shuffle=False).fit_resample(Xn, Y20)
    np.testing.assert_array_equal(X_res.compute(), X_mem)


def test_single_partition_shuffled_equals_memory_row_for_row():
    Xn, X = _x(20, (20,))
    X_res, _ = RandomOverSampler(random_state=4).fit_resample(X, Y20)
    X_mem, _ = RandomOverSampler(random_state=4).fit_resample(Xn, Y20)
    np.testing.assert_array_equal(X_res.compute(), X_mem)


def test_shuffled_output_partitions_hold_every_class_of_class_sorted_input():
    # Stored sorted by class, one class per partition: every output
    # partition still holds both classes (the stratified layout).
    y = np.array([0] * 40 + [1] * 40)
    Xn, X = _x(80, (10,) * 8, cols=1)
    _, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    for block in y_res.to_delayed().ravel():
        assert set(np.unique(block.compute()).tolist()) == {0, 1}


def test_column_blocks_and_weights_of_other_chunks_are_gathered_alike():
    Xn, _ = _x(20, (20,))
    X = da.from_array(Xn, chunks=(7, 2))  # two column blocks
    wn = np.arange(20) + 1.0
    w = da.from_array(wn, chunks=9)  # rechunked like X
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, Y20, sample_weight=w)
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(X_res.compute(), Xn[idx])
    np.testing.assert_array_equal(w_res.compute(), wn[idx])


def test_frame_with_differently_partitioned_labels_and_weights():
    n = 40
    yn = np.array([0, 0, 0, 1] * 10)
    wn = np.arange(n) + 1.0
    X = dd.from_pandas(pd.DataFrame({"a": np.arange(n) * 1.0}), npartitions=3)
    y = dd.from_pandas(pd.Series(yn, name="y"), npartitions=5)
    w = dd.from_pandas(pd.Series(wn, name="w"), npartitions=2)
    sampler = RandomUnderSampler(random_state=3)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    idx = sampler.sample_indices_
    X_c, y_c, w_c = X_res.compute(), y_res.compute(), w_res.compute()
    np.testing.assert_array_equal(X_c["a"].to_numpy(), np.arange(n)[idx])
    np.testing.assert_array_equal(y_c.to_numpy(), yn[idx])
    np.testing.assert_array_equal(w_c.to_numpy(), wn[idx])
    # A fresh index 0..n-1, known divisions, names kept.
    assert list(X_c.index) == list(range(len(idx)))
    assert X_res.known_divisions and (y_c.name, w_c.name) == ("y", "w")


def test_empty_draw_gives_zero_row_outputs_with_input_dtypes():
    frame = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20, dtype=np.int16)})
    X = dd.from_pandas(frame, npartitions=4)
    y = pd.Series(Y20, name="t")
    sampler = RandomUnderSampler(sampling_strategy={0: 0, 1: 0}, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    X_c, y_c = X_res.compute(), y_res.compute()
    assert len(X_c) == 0 and len(y_c) == 0
    assert X_c.dtypes.tolist() == [np.float64, np.int16]
    assert (y_c.name, y_c.dtype) == ("t", Y20.dtype)
    assert sampler.sample_indices_.shape == (0,)


def test_uint64_labels_past_int64_are_kept():
    y = np.array([2**63 + 5, 1] * 10, dtype=np.uint64)
    Xn, X = _x(20, (5, 5, 10))
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    got = y_res.compute()
    assert got.dtype == np.uint64
    np.testing.assert_array_equal(got, y[sampler.sample_indices_])


def test_mixed_masked_and_plain_blocks_keep_the_mask():
    Xn = np.arange(40.0).reshape(20, 2)
    masked = np.ma.masked_array(Xn[10:], mask=Xn[10:] % 3 == 0)
    X = da.concatenate(
        [
            da.from_array(Xn[:10], chunks=5),
            da.from_array(masked, chunks=5, asarray=False),
        ]
    )
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, Y20)
    got = X_res.compute()
    want = np.ma.concatenate([np.ma.masked_array(Xn[:10]), masked])
    want = want[sampler.sample_indices_]
    assert isinstance(got, np.ma.MaskedArray)
    np.testing.assert_array_equal(np.ma.getdata(got), np.ma.getdata(want))
    np.testing.assert_array_equal(np.ma.getmaskarray(got), np.ma.getmaskarray(want))


def test_coo_blocks_are_gathered_as_csr():
    sp = pytest.importorskip("scipy.sparse")
    import dask

    Xn = np.arange(40.0).reshape(20, 2)
    blocks = [
        da.from_delayed(
            dask.delayed(sp.coo_array)(Xn[i : i + 5]),
            shape=(5, 2),
            dtype=float,
            meta=sp.coo_array(np.zeros((0, 2))),
        )
        for i in range(0, 20, 5)
    ]
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(da.concatenate(blocks), Y20)
    got = X_res.compute()
    assert got.format == "csr"
    np.testing.assert_array_equal(got.toarray(), Xn[sampler.sample_indices_])


def test_wrongly_declared_chunks_are_refused_not_misaligned():
    import dask

    Xn = np.arange(40.0).reshape(20, 2)
    # Blocks that compute to 4 and 16 rows, declared 10 and 10.
    blocks = [
        da.from_delayed(dask.delayed(lambda a: a)(part), shape=(10, 2), dtype=float)
        for part in (Xn[:4], Xn[4:])
    ]
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(
        da.concatenate(blocks), Y20
    )
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        X_res.compute()


def test_inputs_not_modified_and_draw_reproducible():
    Xn, X = _x(20, (6, 7, 7))
    y, w = Y20.copy(), np.arange(20) + 1.0
    y0, w0 = y.copy(), w.copy()
    first = RandomOverSampler(random_state=5)
    a = [v.compute() for v in first.fit_resample(X, y, sample_weight=w)]
    second = RandomOverSampler(random_state=5)
    b = [v.compute() for v in second.fit_resample(X, y, sample_weight=w)]
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(first.sample_indices_, second.sample_indices_)
    for one, other in zip(a, b):
        np.testing.assert_array_equal(one, other)


def test_failed_call_leaves_no_stale_sample_indices():
    Xn, X = _x(20, (10, 10))
    sampler = RandomOverSampler(random_state=0)
    sampler.fit_resample(X, Y20)
    indices = sampler.sample_indices_
    with pytest.raises(ValueError, match="same length"):
        sampler.fit_resample(X, Y20[:-1])
    # (stop 56) A failed call leaves the last fit whole, its draw included.
    assert sampler.sample_indices_ is indices


def test_concurrent_fit_resample_in_threads():
    Xn = np.arange(80.0).reshape(40, 2)
    yn = np.array([0, 0, 0, 1] * 10)
    results, errors = {}, []

    def run(seed):
        try:
            sampler = RandomOverSampler(random_state=seed)
            X = da.from_array(Xn, chunks=(7, 2))
            X_res, y_res = sampler.fit_resample(X, yn)
            idx = sampler.sample_indices_
            results[seed] = np.array_equal(X_res.compute(), Xn[idx]) and np.array_equal(
                y_res.compute(), yn[idx]
            )
        except Exception as exc:  # pragma: no cover (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == {0: True, 1: True, 2: True, 3: True}
