"""Review 115 (gather3): a white-box audit of ``rebalance._gather`` (the threaded
row gathers of numpy arrays, pandas frames and CSR matrices behind every
sampler's ``fit_resample``), checked through the public samplers at sizes
above the module's real thresholds: every numpy dtype and layout, pandas
extension, Arrow and big-endian columns, frames over one 2-D array, CSR
matrices of every index and value type (unsorted, duplicated, unaligned),
integer labels rebuilt from their codes, and thread counts, each against
``np.take`` / ``iloc`` / ``csr[rows]`` of ``sample_indices_``."""

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler, _gather

# Over-sampling 70,000 rows (20% minority) gives ~112,000 rows: above
# GATHER_ABOVE (4 MiB) for 8 float64 columns and above the 65,536 rows
# take_pandas asks for.
N = 70_000


def _labels(n=N, minority=0.2, seed=0):
    return (np.random.default_rng(seed).random(n) < minority).astype(np.int64)


def _resampled(X, y, sampler=RandomOverSampler):
    fitted = sampler(random_state=0)
    X_res, y_res = fitted.fit_resample(X, y)
    return X_res, y_res, fitted.sample_indices_


def _same_array(taken, data, rows):
    expected = np.take(data, rows, axis=0)
    assert type(taken) is np.ndarray
    assert taken.dtype == expected.dtype and taken.shape == expected.shape
    assert taken.tobytes() == expected.tobytes()


def _numeric(n=N, seed=1):
    return np.random.default_rng(seed).standard_normal((n, 8)) * 100


@pytest.mark.parametrize(
    "dtype", ["?", "i1", ">i4", "u8", "f2", ">f8", "g", "M8[s]", "m8[us]", "S3", "U2"]
)
def test_array_dtypes_in_both_orders_are_np_take(dtype):
    base = _numeric()
    data = base.astype("i8").astype(dtype) if dtype[0] in "MmSU" else base.astype(dtype)
    y = _labels()
    for X in (data, np.asfortranarray(data)):
        before = X.tobytes()
        X_res, _, rows = _resampled(X, y)
        _same_array(X_res, X, rows)
        assert X.tobytes() == before


def test_structured_and_odd_layouts_are_np_take():
    base = _numeric()
    records = np.zeros((N, 4), dtype=[("a", "i2"), ("b", ">f8"), ("c", "f4", (2,))])
    records["b"] = base[:, :4]
    read_only = base.copy()
    read_only.flags.writeable = False
    layouts = {
        "structured": records,
        "Fortran structured": np.asfortranarray(records),
        "negative strides": base[::-1],
        "column slice": np.hstack([base, base])[:, 3:11],
        "zero-stride columns": np.broadcast_to(base[:, :1], (N, 8)),
        "zero-stride rows": np.broadcast_to(np.arange(8.0), (N, 8)),
        "read-only": read_only,
    }
    y = _labels()
    for X in layouts.values():
        X_res, _, rows = _resampled(X, y)
        _same_array(X_res, X, rows)


def test_under_sampled_fortran_array_scattered_gather_is_np_take():
    # Fewer, shuffled rows of a Fortran-ordered array: the block/bucket
    # gather (_take_scattered) and the distinct-rows staging (structured).
    n = 150_000
    y = _labels(n, minority=0.45)
    base = _numeric(n)
    records = np.zeros((n, 6), dtype=[("a", "i2"), ("b", "f4")])
    records["b"] = base[:, :6]
    for X in (np.asfortranarray(base), np.asfortranarray(base.astype("M8[ns]"))):
        X_res, _, rows = _resampled(X, y, RandomUnderSampler)
        _same_array(X_res, X, rows)
    X = np.asfortranarray(records)
    X_res, _, rows = _resampled(X, y, RandomUnderSampler)
    _same_array(X_res, X, rows)


def _expected_frame(frame, rows):
    """iloc's rows with a fresh RangeIndex, the frame's attrs and flags."""
    source = frame.set_flags(allows_duplicate_labels=True)
    expected = source.iloc[rows].reset_index(drop=True)
    expected.attrs = dict(frame.attrs)
    if not frame.flags.allows_duplicate_labels:
        expected = expected.set_flags(allows_duplicate_labels=False)
    return expected


def _check_frame(X_res, frame, rows):
    pd.testing.assert_frame_equal(X_res, _expected_frame(frame, rows), check_exact=True)
    assert X_res.attrs == frame.attrs
    assert X_res.flags.allows_duplicate_labels == frame.flags.allows_duplicate_labels


def test_frame_of_extension_and_numpy_columns_is_iloc():
    rng = np.random.default_rng(2)
    base = _numeric()
    frame = pd.DataFrame(
        {
            "f8": base[:, 0],
            "f2": base[:, 1].astype("f2"),
            "i2": base[:, 2].astype("i2"),
            "bool": base[:, 3] > 0,
            "M8[s]": base[:, 4].astype("i8").astype("M8[s]"),
            "m8[us]": base[:, 5].astype("i8").astype("m8[us]"),
            "tz": pd.date_range("2020", periods=N, freq="s", tz="Europe/Paris"),
            "cat": pd.Categorical(rng.integers(0, 3, N)),
            "Int64": pd.array(rng.integers(0, 9, N), dtype="Int64"),
            "boolean": pd.array(rng.random(N) < 0.5, dtype="boolean"),
            "string": pd.array([f"x{i % 7}" for i in range(N)], dtype="string"),
            "sparse": pd.arrays.SparseArray(np.where(base[:, 6] > 100, 1.5, 0.0)),
            "period": pd.period_range("2000", periods=N, freq="D"),
            "interval": pd.arrays.IntervalArray.from_breaks(np.arange(N + 1)),
            "lists": pd.Series([[i] for i in range(N)], dtype=object),
        }
    )
    frame.attrs["source"] = "review115"
    X_res, _, rows = _resampled(frame, _labels())
    _check_frame(X_res, frame, rows)


def test_frame_of_arrow_columns_keeps_dtypes_and_rows():
    pa = pytest.importorskip("pyarrow")
    words = [f"x{i % 7}" if i % 11 else None for i in range(N)]
    frame = pd.DataFrame(
        {
            "int": pd.array(np.arange(N), dtype="int64[pyarrow]"),
            "large": pd.Series(
                pa.array(words, pa.large_string()),
                dtype=pd.ArrowDtype(pa.large_string()),
            ),
            "dict": pd.Series(
                pa.array(words).dictionary_encode(),
                dtype=pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string())),
            ),
            "list": pd.Series(
                pa.array([[i] for i in range(N)]),
                dtype=pd.ArrowDtype(pa.list_(pa.int64())),
            ),
            "view": pd.Series(
                pa.array(words, pa.string_view()), dtype=pd.ArrowDtype(pa.string_view())
            ),
            "f8": np.arange(N, dtype=np.float64),
        }
    )
    X_res, _, rows = _resampled(frame, _labels())
    assert list(X_res.dtypes) == list(frame.dtypes)
    assert isinstance(X_res.index, pd.RangeIndex)

    # string_view has no take kernel in pyarrow (iloc raises): compared as
    # Python values; the other columns against iloc.
    others = frame.drop(columns="view")
    _check_frame(X_res.drop(columns="view"), others, rows)
    source = frame["view"].tolist()
    got = X_res["view"].tolist()
    assert [None if v is pd.NA else v for v in got] == [
        None if source[i] is pd.NA else source[i] for i in rows
    ]


def test_block_frame_keeps_multiindex_columns_attrs_and_flags(monkeypatch):
    # Columns of one dtype come back as one block, staged (every row read)
    # or gathered bucket by bucket (fewer rows): the staging threshold is
    # lowered so that 150,000-row columns take those paths.
    monkeypatch.setattr(_gather, "STAGE_COLUMNS_ABOVE", 0)
    n = 150_000
    base = _numeric(n)
    for dtype in ("f8", "M8[s]", ">f8"):
        data = base.astype("i8").astype(dtype) if dtype[0] == "M" else base
        frame = pd.DataFrame({j: data[:, j].astype(dtype) for j in range(8)})
        frame.columns = pd.MultiIndex.from_product([["x", "y"], [1, 2, 3, 4]])
        frame.columns.names = ["side", "k"]
        frame = frame.set_flags(allows_duplicate_labels=False)
        frame.attrs["k"] = [1, 2]
        for sampler in (RandomOverSampler, RandomUnderSampler):
            X_res, _, rows = _resampled(frame, _labels(n, 0.45), sampler)
            if dtype[0] == ">":  # pandas' own take has no big-endian kernel
                assert list(X_res.dtypes) == list(frame.dtypes)
                assert (
                    X_res.to_numpy().tobytes()
                    == np.take(frame.to_numpy(), rows, axis=0).tobytes()
                )
                assert X_res.columns.equals(frame.columns)
                assert X_res.attrs == frame.attrs
                assert not X_res.flags.allows_duplicate_labels
            else:
                _check_frame(X_res, frame, rows)


@pytest.mark.parametrize("dtype", ["f2", "?", "M8[s]", "m8[ms]", "u8", "i1"])
def test_frame_over_one_2d_array_is_iloc(dtype):
    base = _numeric()
    data = base.astype("i8").astype(dtype) if dtype[0] in "Mm" else base.astype(dtype)
    frame = pd.DataFrame(data, copy=False)
    frame.attrs["a"] = 1
    X_res, _, rows = _resampled(frame, _labels())
    _check_frame(X_res, frame, rows)


def _same_csr(taken, data, rows):
    expected = data[rows]
    assert type(taken) is type(expected) and taken.shape == expected.shape
    assert taken.dtype == expected.dtype
    assert taken.indices.dtype == expected.indices.dtype
    assert np.array_equal(taken.indptr, expected.indptr)
    assert np.array_equal(taken.indices, expected.indices)
    assert taken.data.tobytes() == expected.data.tobytes()


def _csr(dtype="f8", index="i4", kind="csr_matrix", density=0.5):
    sp = pytest.importorskip("scipy.sparse")
    M = sp.random(N, 20, density=density, format="csr", random_state=1)
    values = (M.data * 100).astype(dtype)
    return getattr(sp, kind)(
        (values, M.indices.astype(index), M.indptr.astype(index)), shape=M.shape
    )


def test_csr_value_and_index_types_are_scipy_rows():
    y = _labels()
    cases = [_csr(dtype) for dtype in ("?", "i1", "f4", "g")]
    cases += [_csr("f8", "i8"), _csr("f8", "i8", "csr_array"), _csr(density=0.001)]
    for X in cases:
        X_res, _, rows = _resampled(X, y)
        _same_csr(X_res, X, rows)


def test_non_canonical_and_unaligned_csr_keep_each_rows_entries():
    sp = pytest.importorskip("scipy.sparse")
    y = _labels()
    M = _csr()
    unsorted = M.copy()
    starts, lengths = unsorted.indptr[:-1], np.diff(unsorted.indptr)
    for r in np.flatnonzero(lengths > 1)[:5000]:
        a, b = starts[r], starts[r] + lengths[r]
        unsorted.indices[a:b] = unsorted.indices[a:b][::-1].copy()
        unsorted.data[a:b] = unsorted.data[a:b][::-1].copy()
    unsorted.has_sorted_indices = True  # a stale flag, as set by hand
    explicit = M.copy()
    explicit.data[::3] = 0.0
    duplicated = sp.csr_matrix(
        (
            np.arange(4.0 * N),
            np.tile(np.array([1, 1, 3, 3], "i4"), N),
            np.arange(0, 4 * N + 1, 4),
        ),
        shape=(N, 5),
    )
    packed = np.zeros(M.nnz, dtype=[("pad", "i1"), ("v", "f8"), ("c", "i4")])
    packed["v"], packed["c"] = M.data, M.indices
    unaligned = sp.csr_matrix((N, 20))
    unaligned.data, unaligned.indices = packed["v"], packed["c"]
    unaligned.indptr = M.indptr.copy()
    assert not unaligned.data.flags.aligned
    for X in (unsorted, explicit, duplicated, unaligned):
        X_res, _, rows = _resampled(X, y)
        _same_csr(X_res, X, rows)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_integer_labels_rebuilt_from_codes_are_y_rows(n_classes):
    # 600,000 int64 labels: above GATHER_ABOVE, so take_labels rebuilds them.
    n = 600_000
    rng = np.random.default_rng(3)
    values = rng.integers(0, n_classes, n) * 37 - 5
    X = np.zeros((n, 1), dtype=np.float32)
    series = pd.Series(values, name="target").set_flags(allows_duplicate_labels=False)
    series.attrs["unit"] = "class"
    for y in (values, series):
        _, y_res, rows = _resampled(X, y)
        assert type(y_res) is type(y)
        got = y_res.to_numpy() if isinstance(y, pd.Series) else y_res
        assert got.dtype == values.dtype
        assert got.tobytes() == np.take(values, rows).tobytes()
        if isinstance(y, pd.Series):
            assert y_res.name == "target" and y_res.attrs == {"unit": "class"}
            assert isinstance(y_res.index, pd.RangeIndex)
            assert not y_res.flags.allows_duplicate_labels


def test_results_are_the_same_for_any_thread_count(monkeypatch):
    sp = pytest.importorskip("scipy.sparse")
    n = 150_000
    y = _labels(n, 0.45)
    base = _numeric(n)
    inputs = {
        "Fortran": np.asfortranarray(base),
        "frame": pd.DataFrame({j: base[:, j] for j in range(8)}),
        "csr": sp.random(n, 20, density=0.5, format="csr", random_state=0),
    }
    seen = {}
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        for name, X in inputs.items():
            for sampler in (RandomOverSampler, RandomUnderSampler):
                X_res, y_res, _ = _resampled(X, y, sampler)
                if sp.issparse(X_res):
                    parts = (X_res.data, X_res.indices, X_res.indptr)
                    raw = b"".join(part.tobytes() for part in parts)
                else:
                    raw = np.asarray(X_res).tobytes()
                seen.setdefault((name, sampler.__name__), set()).add(
                    raw + y_res.tobytes()
                )
    assert all(len(outputs) == 1 for outputs in seen.values())
