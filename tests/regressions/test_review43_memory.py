"""Review 43 (memory): gathers out of arrays that are not C-contiguous.

``np.take`` first copies all of an array that is not C-contiguous (a
Fortran-ordered array, a column slice ``X[:, cols]``, a strided view, of a
memory map too), whatever the rows taken: under-sampling 1% of the rows of a
40 GB Fortran-ordered memmap allocated 40 GB (a MemoryError or an OOM kill,
after the memory check had let it through), and the threaded gathers made
that copy once per thread. Such arrays are now gathered by indexing, a tile
of rows at a time: the same bits as ``np.take``, no copy of the input.
"""

import tracemalloc

import numpy as np
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _gather,
    _indices,
)


@pytest.fixture(params=["numpy", "threads"])
def gather_mode(request, monkeypatch):
    """Large-gather thresholds as shipped, or lowered so that small data runs
    the threaded gathers in several tiles."""
    if request.param == "threads":
        monkeypatch.setattr(_gather, "GATHER_ABOVE", 64)
        monkeypatch.setattr(_gather, "INDEX_TILE_BYTES", 256, raising=False)
        monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 16)
    return request.param


def _layouts(tmp_path, base):
    np.save(tmp_path / "X.npy", np.asfortranarray(base))
    wide = np.repeat(base, 2, axis=1)
    return {
        "fortran": np.asfortranarray(base),
        "column slice": wide[:, ::2],
        "row stride": np.repeat(base, 2, axis=0)[::2],
        "fortran memmap": np.load(tmp_path / "X.npy", mmap_mode="r"),
    }


def _peak(func):
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        result = func()
        return result, tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "layout", ["fortran", "column slice", "row stride", "fortran memmap"]
)
def test_under_sampling_a_strided_x_does_not_copy_it(tmp_path, gather_mode, layout):
    n = 100_000
    base = np.random.default_rng(0).standard_normal((n, 10))  # 8 MB
    X = _layouts(tmp_path, base)[layout]
    y = np.zeros(n, dtype=np.int64)
    y[:200] = 1
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X[:1000], y[:1000])  # compiled, cached
    (X_res, _), peak = _peak(lambda: sampler.fit_resample(X, y))
    expected = np.take(np.asarray(X), sampler.sample_indices_, axis=0)
    assert X_res.tobytes() == expected.tobytes()
    assert X_res.flags.c_contiguous and type(X_res) is np.ndarray
    # 400 rows out (32 KB) and the draw's scratch; before, a copy of X (8 MB).
    assert peak < 2 << 20, peak


_SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomOverSampler(random_state=0),
    ClassBalancedSampler(n_samples=5000, random_state=0),
    LabelShuffleSampler(random_state=0),
]


def _special_values(n):
    """Columns whose bits a value comparison would not see."""
    rng = np.random.default_rng(1)
    floats = rng.standard_normal((n, 4))
    floats[::3, 0] = -0.0
    payloads = np.array([0x7FF8000000000001, 0xFFF8DEAD00000000], dtype=np.uint64)
    floats[::5, 1] = payloads.view(np.float64)[0]
    floats[::7, 2] = payloads.view(np.float64)[1]
    stamps = (np.arange(n * 2) * 10**9).astype("M8[ns]").reshape(n, 2)
    stamps[::4, 1] = np.datetime64("NaT")
    record = np.zeros((n, 2), dtype=[("a", "f8"), ("b", "i4"), ("c", "S3")])
    record["a"] = floats[:, :2]
    record["c"] = b"xy"
    return [floats, floats.astype(np.float16), stamps, record, floats > 0]


@pytest.mark.parametrize("sampler", _SAMPLERS, ids=lambda s: type(s).__name__)
def test_strided_gathers_equal_np_take_bit_for_bit(gather_mode, sampler):
    n = 3000
    y = np.where(np.arange(n) % 5 == 0, 1, 0)
    for values in _special_values(n):
        wide = np.repeat(values, 2, axis=1)
        for X in (np.asfortranarray(values), wide[:, ::2], wide[::-1, 1::2]):
            X.setflags(write=False)
            before = X.tobytes()
            X_res, _ = sampler.fit_resample(X, y)
            expected = np.take(X, sampler.sample_indices_, axis=0)
            assert X_res.dtype == expected.dtype
            assert X_res.shape == expected.shape
            assert X_res.tobytes() == expected.tobytes()
            assert not np.shares_memory(X_res, X)
            assert X.tobytes() == before


def test_take_strided_keeps_np_take_rules():
    X = np.asfortranarray(np.arange(12.0).reshape(4, 3))
    assert _gather.take_strided(np.ascontiguousarray(X), [0]) is None
    taken = _gather.take_strided(X, np.array([3, -4, 1], dtype=np.int8))
    assert taken.tolist() == np.take(X, [3, 0, 1], axis=0).tolist()
    assert taken.flags.c_contiguous
    with pytest.raises(IndexError):
        _gather.take_strided(X, np.array([4]))


def test_pandas_gather_stages_only_what_fits_besides_the_output(monkeypatch):
    # A shuffled over-sampling of a frame stages its columns as rows (a copy
    # of up to 64 bytes a row) when half the memory available holds it; the
    # memory check before the draw counts the output, not that copy, and
    # the output, allocated but not yet written, did not count as used:
    # both together could exceed the memory the check had found enough.
    pd = pytest.importorskip("pandas")
    from rebalance import base

    monkeypatch.setattr(_gather, "GATHER_ABOVE", 64)
    monkeypatch.setattr(_gather, "STAGE_COLUMNS_ABOVE", 64)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 4)
    monkeypatch.setattr(_indices, "_MEMORY_CHECK_ABOVE", 0)
    n = 4000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"c{j}": rng.standard_normal(n) for j in range(8)})
    y = np.where(rng.random(n) < 0.8, 0, 1)
    sampler = RandomOverSampler(random_state=0)
    X_c, y_1d, _, weights, plan = sampler._check_inputs(frame, y, None)
    needed = sum(base._output_memory(sampler, frame, X_c, y_1d, weights, plan).values())
    out_bytes = int(plan.n_output) * 64
    assert n * 64 * 2 <= needed < n * 64 * 2 + out_bytes
    monkeypatch.setattr(_indices, "available_memory", lambda: needed)
    staged = []
    real = _gather._take_staged
    monkeypatch.setattr(
        _gather, "_take_staged", lambda *a, **k: staged.append(1) or real(*a, **k)
    )
    X_res, _ = sampler.fit_resample(frame, y)  # passes the memory check
    assert not staged
    expected = frame.iloc[sampler.sample_indices_].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_res, expected)
    # With room for both, it stages.
    monkeypatch.setattr(_indices, "available_memory", lambda: 4 * needed)
    X_res, _ = sampler.fit_resample(frame, y)
    assert staged
    expected = frame.iloc[sampler.sample_indices_].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_res, expected)
