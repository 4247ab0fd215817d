"""Review 108 (white-box audit of rebalance/_indices.py, rebalance/_gather.py and
the numba kernels they call), checked through the public samplers: the
memory error's byte sizes, draws independent of the thread count, gathers
bit for bit equal to numpy / scipy / pandas over layouts and dtypes, and
the draws' documented orders and copies."""

import re

import numpy as np
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

_SAMPLERS = [
    RandomOverSampler,
    RandomUnderSampler,
    LabelShuffleSampler,
    ClassBalancedSampler,
]


def _binary(n, minority=0.3, seed=0):
    return (np.random.default_rng(seed).random(n) < minority).astype(np.int64)


# ---------------------------------------------------------------------------
# Bugs


@pytest.mark.parametrize("gib", [1000, 1010, 1023])
def test_memory_error_writes_sizes_without_e_notation(monkeypatch, gib):
    # check_output_size words the draw's memory need with format_bytes,
    # whose "{value:.3g}" gives "1e+03 GiB" / "1.01e+03 GiB" for values of
    # 999.5 to 1023.9 of a unit (below 1024, so not the next unit).
    from rebalance import _indices

    monkeypatch.setattr(_indices, "available_memory", lambda: 1 << 30)
    X = np.zeros((10, 1))
    y = np.r_[np.zeros(5, int), np.ones(5, int)]
    # A draw of int64 indices needs DRAW_COPIES * 8 bytes a row.
    n_samples = gib * 2**30 // 16
    sampler = ClassBalancedSampler(n_samples=n_samples, random_state=0)
    with pytest.raises(ValueError, match="memory available") as info:
        sampler.fit_resample(X, y)
    message = str(info.value)
    assert not re.search(r"\de[+-]\d", message), message


# ---------------------------------------------------------------------------
# Pins


def test_memory_error_sizes_are_readable_below_a_thousand_units(monkeypatch):
    from rebalance import _indices

    monkeypatch.setattr(_indices, "available_memory", lambda: 1 << 30)
    X = np.zeros((10, 1))
    y = np.r_[np.zeros(5, int), np.ones(5, int)]
    sampler = ClassBalancedSampler(n_samples=500 * 2**30 // 16, random_state=0)
    with pytest.raises(ValueError, match=r"\(250 GiB\).*500 GiB.*1 GiB of memory"):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize(
    "sampler, kwargs",
    [
        (RandomOverSampler, {}),
        (
            RandomUnderSampler,
            {"sampling_strategy": {1: 183_000, 2: 183_000}, "replacement": True},
        ),
        (ClassBalancedSampler, {"n_samples": 1_300_000}),
        (LabelShuffleSampler, {}),
    ],
)
def test_large_draws_and_gathers_do_not_depend_on_the_thread_count(
    monkeypatch, sampler, kwargs
):
    # Above PARALLEL_ABOVE (2**20 rows) the draws and the gathers run in
    # threads; n_threads' docstring: the indices never depend on it.
    n = 1_100_000
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, n)
    y[: n // 2] = 0
    X = rng.random((n, 1)).astype(np.float32)
    results = []
    for threads in ("1", "3"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        s = sampler(random_state=1, **kwargs)
        X_res, y_res = s.fit_resample(X, y)
        results.append((s.sample_indices_, X_res, y_res))
    (i1, X1, y1), (i3, X3, y3) = results
    assert np.array_equal(i1, i3)
    assert np.array_equal(X1, X3) and np.array_equal(y1, y3)
    assert np.array_equal(X1, X[i1]) and np.array_equal(y1, y[i1])


def _unaligned_copy(values):
    buf = bytearray(values.nbytes + 1)
    out = np.frombuffer(buf, dtype=values.dtype, offset=1, count=values.shape[0])
    np.frombuffer(buf, dtype=np.uint8)[1:] = values.view(np.uint8)
    return out


@pytest.mark.parametrize("sampler", _SAMPLERS)
def test_numpy_gathers_equal_numpy_take_over_layouts(sampler):
    # The threaded gathers (take_array, the row-major staging of Fortran
    # arrays, the compiled take_values of 1-D data) against X[indices].
    n = 300_000
    rng = np.random.default_rng(0)
    y = _binary(n)
    fortran = np.asfortranarray(rng.random((n, 6)))
    layouts = {
        "big-endian": rng.random((n, 3)).astype(">f8"),
        "Fortran": fortran,
        "Fortran column slice": fortran[:, ::2],
        "float16": rng.random((n, 8)).astype(np.float16),
    }
    for name, X in layouts.items():
        s = sampler(random_state=0)
        X_res, y_res = s.fit_resample(X, y)
        idx = s.sample_indices_
        assert X_res.dtype == X.dtype, name
        assert np.array_equal(X_res, X[idx]), name
        assert np.array_equal(y_res, y[idx]), name
    # Unaligned 1-D float labels: gathered by the compiled take_values.
    y_float = _unaligned_copy(y.astype(np.float64))
    assert not y_float.flags.aligned
    s = sampler(random_state=0)
    _, y_res = s.fit_resample(np.zeros((n, 1), np.float32), y_float)
    assert np.array_equal(y_res, y_float[s.sample_indices_])


@pytest.mark.parametrize("label_dtype", [np.int8, np.uint16, np.int64])
def test_integer_labels_rebuilt_from_codes_equal_the_labels(label_dtype):
    # take_labels rebuilds integer y from its class codes (a bit per row for
    # two classes, a byte for up to 256): bit for bit y[indices].
    n = 700_000
    rng = np.random.default_rng(3)
    for n_classes in (2, 7):
        y = (rng.integers(0, n_classes, n) * 3).astype(label_dtype)
        s = RandomOverSampler(random_state=0)
        _, y_res = s.fit_resample(np.zeros((n, 1), np.float32), y)
        assert y_res.dtype == y.dtype
        assert np.array_equal(y_res, y[s.sample_indices_])


def _csr_variants():
    sp = pytest.importorskip("scipy.sparse")
    base = sp.random(200_000, 10, density=0.2, format="csr", random_state=0)
    base.data = -base.data
    base.data[::7] = np.nan
    base.data[::11] = -0.0
    unsorted = base.copy()
    for i in range(500):
        a, b = unsorted.indptr[i], unsorted.indptr[i + 1]
        unsorted.indices[a:b] = unsorted.indices[a:b][::-1].copy()
        unsorted.data[a:b] = unsorted.data[a:b][::-1].copy()
    unsorted.has_sorted_indices = False
    with np.errstate(invalid="ignore"):
        int8 = (base * 100).astype(np.int8)
    return {
        "float64 (NaN, -0.0, negative)": base,
        "float32": base.astype(np.float32),
        "bool": base.astype(bool),
        "int8": int8,
        "csr_array": sp.csr_array(base),
        "unsorted indices": unsorted,
    }


@pytest.mark.parametrize(
    "sampler", [RandomOverSampler, RandomUnderSampler, LabelShuffleSampler]
)
def test_csr_gathers_keep_every_entry_bit_for_bit(sampler):
    # take_csr copies rows by compiled kernels; a shuffled over-sampling first
    # interleaves (column, value) as signed integers (csr_interleave): the
    # values' bits (NaN payloads, -0.0, negative floats) must survive.
    y = _binary(200_000)
    for name, X in _csr_variants().items():
        s = sampler(random_state=0)
        X_res, _ = s.fit_resample(X, y)
        ref = X[s.sample_indices_]
        assert type(X_res) is type(X) and X_res.dtype == X.dtype, name
        assert np.array_equal(X_res.indptr, ref.indptr), name
        assert np.array_equal(X_res.indices, ref.indices), name
        assert np.array_equal(X_res.data.view(np.uint8), ref.data.view(np.uint8)), name


def test_pandas_gathers_keep_dtypes_metadata_and_values():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    n = 300_000
    rng = np.random.default_rng(0)
    y = pd.Series(_binary(n).astype(np.int16), name="target", index=np.arange(n)[::-1])
    y.attrs = {"src": "y"}
    views = pd.Series(rng.integers(0, 9, n).astype(str)).astype(
        pd.ArrowDtype(pa.string_view())
    )
    X = pd.DataFrame(
        {
            "f": rng.random(n),
            "big": rng.random(n).astype(">f8"),
            "i": rng.integers(0, 100, n),
            "cat": pd.Categorical(rng.integers(0, 5, n)),
            "I": pd.array(rng.integers(0, 9, n), dtype="Int64"),
            "tz": pd.date_range("2000", periods=n, freq="s", tz="UTC"),
            "sv": views.array,
        },
        index=np.arange(n) * 2,
    )
    X.attrs = {"src": "X"}
    X.columns.name = "feat"
    sv_values = np.asarray(views.tolist(), dtype=object)
    for sampler in (RandomOverSampler, RandomUnderSampler):
        s = sampler(random_state=0)
        X_res, y_res = s.fit_resample(X, y)
        idx = s.sample_indices_
        assert list(X_res.dtypes) == list(X.dtypes)
        assert X_res.attrs == {"src": "X"} and X_res.columns.name == "feat"
        assert isinstance(X_res.index, pd.RangeIndex)
        for column in ("f", "big", "i"):
            assert np.array_equal(X_res[column].to_numpy(), X[column].to_numpy()[idx])
        for column in ("cat", "I", "tz"):
            expected = X[column].iloc[idx].reset_index(drop=True)
            assert X_res[column].equals(expected), column
        assert X_res["sv"].tolist() == sv_values[idx].tolist()
        assert y_res.name == "target" and y_res.attrs == {"src": "y"}
        assert y_res.dtype == np.int16 and isinstance(y_res.index, pd.RangeIndex)
        assert np.array_equal(y_res.to_numpy(), y.to_numpy()[idx])


@pytest.mark.parametrize("layout", ["dict", "2-D copy", "Fortran view", "C view"])
@pytest.mark.parametrize("sampler", [RandomOverSampler, RandomUnderSampler])
def test_pandas_float_frames_gathered_like_iloc_in_every_block_layout(layout, sampler):
    # One block (staged rows, the scattered block-bucket kernels), one block
    # per column, a frame over a C-ordered array (_rows_view): same values.
    pd = pytest.importorskip("pandas")
    n = 300_000
    rng = np.random.default_rng(1)
    values = rng.random((n, 5))
    columns = list("abcde")
    if layout == "dict":
        X = pd.DataFrame({c: values[:, j].copy() for j, c in enumerate(columns)})
    elif layout == "2-D copy":
        X = pd.DataFrame(values, columns=columns)
    elif layout == "Fortran view":
        X = pd.DataFrame(np.asfortranarray(values), columns=columns, copy=False)
    else:
        X = pd.DataFrame(values, columns=columns, copy=False)
    y = _binary(n, seed=2)
    s = sampler(random_state=0)
    X_res, _ = s.fit_resample(X, y)
    assert list(X_res.columns) == columns
    assert np.array_equal(X_res.to_numpy(), values[s.sample_indices_])


@pytest.mark.parametrize("shuffle", [False, True])
def test_smoothed_bootstrap_keeps_exactly_one_original_per_drawn_row(shuffle):
    # added_mask: every occurrence of a row but one is an added (noisy) copy,
    # in a shuffled output too.
    n = 2000
    rng = np.random.default_rng(0)
    X = rng.random((n, 3))
    y = np.r_[np.zeros(1900, int), np.ones(100, int)]
    s = RandomOverSampler(shrinkage=1.0, shuffle=shuffle, random_state=0)
    X_res, _ = s.fit_resample(X, y)
    idx = s.sample_indices_
    original = (X_res == X[idx]).all(axis=1)
    assert np.array_equal(np.sort(idx[original]), np.arange(n))


@pytest.mark.parametrize(
    "sampler",
    [
        RandomOverSampler(shuffle=False, random_state=0),
        RandomUnderSampler(shuffle=False, random_state=0),
        RandomUnderSampler(shuffle=False, replacement=True, random_state=0),
    ],
    ids=["over", "under", "under-replacement"],
)
def test_unshuffled_draws_keep_row_order_and_leave_inputs_alone(sampler):
    n = 5000
    rng = np.random.default_rng(0)
    X = rng.random((n, 2))
    y = _binary(n, minority=0.1)
    X0, y0 = X.copy(), y.copy()
    sampler.fit_resample(X, y)
    assert np.all(np.diff(sampler.sample_indices_) >= 0)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_label_shuffle_copies_each_row_floor_or_ceil_times():
    n = 2000
    y = np.r_[np.zeros(1900, int), np.ones(100, int)]
    y[1500:1530] = 2  # 1870, 100, 30 rows: 1870 / 30 = 62.3
    s = LabelShuffleSampler(random_state=0)
    _, y_res = s.fit_resample(np.zeros((n, 1)), y)
    assert np.bincount(y_res).tolist() == [1870] * 3
    copies = np.bincount(s.sample_indices_, minlength=n)
    assert set(copies[y == 0].tolist()) == {1}
    assert set(copies[y == 1].tolist()) == {18, 19}
    assert set(copies[y == 2].tolist()) == {62, 63}


@pytest.mark.parametrize(
    "sampler",
    [
        RandomOverSampler(sampling_strategy={1: 2**70}),
        RandomUnderSampler(sampling_strategy={0: 2**70}, replacement=True),
        LabelShuffleSampler(sampling_strategy={1: 2**64}),
        ClassBalancedSampler(n_samples=2**64),
        ClassBalancedSampler(n_samples=np.uint64(2**63 + 5)),
    ],
)
def test_counts_past_an_index_array_are_refused_not_wrapped(sampler):
    X = np.zeros((10, 1))
    y = np.r_[np.zeros(7, int), np.ones(3, int)]
    with pytest.raises(ValueError, match="index array can hold"):
        sampler.fit_resample(X, y)
