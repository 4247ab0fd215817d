"""Review 48 (row gathers): the distinct rows and their ranks, and seeded
fuzzing of take_array / take_pandas over layouts, dtypes, rows and thread
counts against np.take / iloc."""

import numpy as np
import pandas as pd
import pytest

from rebalance import _gather, _indices
from rebalance._frames import take_rows


@pytest.mark.parametrize("outside", [3, 5, 63])
def test_distinct_ranks_refuse_rows_past_the_input_in_its_last_bitmap_word(
    outside,
):
    # A row past the input but inside the bitmap's last 64-bit word was
    # listed as a distinct row: a gather by it (np.take with mode="clip")
    # would then give the input's last row instead of an error.
    with pytest.raises(IndexError, match="rows outside"):
        _gather._distinct_ranks(np.array([0, outside, 1]), 3)
    with pytest.raises(IndexError, match="rows outside"):
        _gather._distinct_ranks(np.array([outside, outside]), 3)


class _Tagged(np.ndarray):
    """An ndarray subclass (what a library's own array type looks like)."""


def _subclassed():
    fortran = np.asfortranarray(np.arange(36.0).reshape(12, 3))
    records = np.rec.fromarrays([np.arange(24), np.arange(24.0)], names="a,b")
    wide = np.arange(48.0).reshape(12, 4).view(_Tagged)
    return {
        "Fortran subclass": fortran.view(_Tagged),
        "column slice of a subclass": wide[:, 1:3],
        "strided recarray": records[::2],
        "Fortran matrix": np.asmatrix(fortran),
    }


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("name", list(_subclassed()))
def test_non_contiguous_subclass_keeps_its_type_as_np_take_does(name):
    # take_strided (arrays that are not C-contiguous) returned a plain
    # ndarray for an ndarray subclass, where a C-contiguous one of the same
    # values came back as np.take gives it: the type depended on the layout.
    data = _subclassed()[name]
    rows = np.array([11, 0, 3, 3, -1])
    before = data.copy()
    expected = np.take(data, rows, axis=0)
    taken = take_rows(data, rows)
    assert type(taken) is type(expected)
    assert taken.dtype == expected.dtype and taken.shape == expected.shape
    assert np.asarray(taken).tobytes() == np.asarray(expected).tobytes()
    assert np.asarray(data).tobytes() == np.asarray(before).tobytes()
    assert not np.shares_memory(taken, data)


def test_rows_past_the_input_never_reach_a_staged_gather(monkeypatch):
    # The staged gathers read by np.take(mode="clip"): every path that
    # stages rows must refuse a row past the input first (numpy's error).
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "STAGE_COLUMNS_ABOVE", 0)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 0)
    X = np.asfortranarray(np.arange(30.0).reshape(10, 3))
    frame = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) + 1})
    for rows in (np.array([0, 9, 10, 2]), np.array([5, 63]), np.arange(11)):
        with pytest.raises(IndexError):
            take_rows(X, rows)
        with pytest.raises(IndexError):
            take_rows(frame, rows)


_DTYPES = [
    "f8", ">f8", "f4", "f2", "i1", ">u2", "i8", "?", "c8", ">c16", "M8[s]",
    "m8[ns]", "U3", "S5", "V3", [("a", "i2"), ("b", ">f8")],
]  # fmt: skip


def _random_array(rng, n, dtype):
    dtype = np.dtype(dtype)
    shape = {0: (n, 0), 1: (n, 1), 2: (n, 5), 3: (n, 2, 3)}[int(rng.integers(4))]
    size = int(np.prod(shape))
    if dtype.kind == "U":
        flat = np.array([str(v) for v in rng.integers(0, 999, size)], dtype=dtype)
    else:  # any bits: NaN payloads, -0.0, invalid bools and dates
        raw = rng.integers(0, 256, size * dtype.itemsize, dtype=np.uint8)
        flat = np.frombuffer(raw.tobytes(), dtype=dtype)
    data = flat.reshape(shape)
    layout = int(rng.integers(6))
    if layout == 1:
        data = np.asfortranarray(data)
    elif layout == 2:  # transposed: rows spread over memory
        data = np.ascontiguousarray(data.T).T
    elif layout == 3:  # negative strides
        data = np.asfortranarray(data)[::-1, ..., ::-1]
    elif layout == 4:  # a column slice
        data = np.concatenate([data, data], axis=-1)[..., 1:]
    elif layout == 5:  # every other row of a Fortran array
        data = np.asfortranarray(np.concatenate([data, data]))[::2]
    return data


def _random_rows(rng, n):
    if n == 0:
        return np.empty(0, dtype=np.intp)
    m = int(rng.choice([0, 1, 2, n // 64 + 2, n // 5, n // 2, n - 1, n, n + 1, 3 * n]))
    kind = int(rng.integers(4))
    if kind == 0:
        rows = rng.integers(0, n, m)
    elif kind == 1:
        rows = np.sort(rng.integers(0, n, m))
    elif kind == 2:
        rows = rng.permutation(n)[:m]
    else:
        rows = np.repeat(rng.integers(0, n, m // 3 + 1), 3)[:m]
    return rows.astype(rng.choice([np.int64, np.int32, np.uint64, ">i8"]))


def _random_settings(rng, monkeypatch):
    """Thresholds small enough that every path (threads, staged, distinct
    rows, tiles, int32 or intp ranks, memory refusal) is taken at random."""
    for name, choices in {
        "GATHER_ABOVE": [0, 64],
        "STAGE_COLUMNS_ABOVE": [0, 0, 100],
        "NEAR_ROWS": [0, 0, 4, 1024],
        "STAGE_TILE": [1, 7, 1 << 14],
        "INDEX_TILE_BYTES": [1, 100, 1 << 20],
        "INT32_ROWS": [0, 300, np.iinfo(np.int32).max],
        "COMPACT_ROWS_RATIO": [1, 64],
        "STAGED_ROW_BYTES": [16, 64],
    }.items():
        monkeypatch.setattr(_gather, name, int(rng.choice(choices)))
    n_threads = int(rng.choice([1, 2, 3]))
    monkeypatch.setattr(_indices, "n_threads", lambda: n_threads)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", int(rng.choice([0, 5])))
    memory = rng.choice([None, None, None, 0, 10_000])
    monkeypatch.setattr(_indices, "available_memory", lambda: memory)


@pytest.mark.parametrize("seed", range(3))
def test_fuzzed_array_gathers_are_np_take_bit_for_bit(monkeypatch, seed):
    rng = np.random.default_rng(seed)
    for _ in range(120):
        _random_settings(rng, monkeypatch)
        n = int(rng.choice([1, 2, 65, 300, 1000]))
        data = _random_array(rng, n, _DTYPES[int(rng.integers(len(_DTYPES)))])
        rows = _random_rows(rng, n)
        before = data.tobytes()
        expected = np.take(data, rows.astype(np.intp), axis=0)
        taken = take_rows(data, rows)
        assert type(taken) is np.ndarray and taken.flags.c_contiguous
        assert taken.dtype == expected.dtype and taken.shape == expected.shape
        assert taken.tobytes() == expected.tobytes()
        assert data.tobytes() == before
        assert taken.size == 0 or not np.shares_memory(taken, data)


def _random_frame(rng, n):
    kind = int(rng.integers(3))
    if kind == 0:  # over one 2-D array (rows stored whole, or Fortran)
        values = rng.standard_normal((n, int(rng.choice([2, 5]))))
        if rng.random() < 0.5:
            values = np.asfortranarray(values)
        return pd.DataFrame(values.astype(rng.choice(["f8", "f4", ">f8"])), copy=False)
    columns = {}
    for j in range(int(rng.choice([1, 3, 6]))):
        pick = int(rng.integers(7)) if kind == 1 else 0
        if pick == 0:
            raw = rng.integers(0, 256, 8 * n, dtype=np.uint8).tobytes()
            columns[j] = np.frombuffer(raw, dtype=rng.choice(["f8", ">f8", "i8"]))
        elif pick == 1:
            columns[j] = pd.array(rng.integers(0, 9, n), dtype="Int64")
        elif pick == 2:
            columns[j] = pd.Categorical(rng.integers(0, 3, n))
        elif pick == 3:
            columns[j] = pd.array([f"s{v}" for v in rng.integers(0, 9, n)], "string")
        elif pick == 4:
            columns[j] = pd.arrays.SparseArray(np.where(rng.random(n) < 0.7, 0.0, 1.5))
        elif pick == 5:
            columns[j] = pd.array(rng.integers(0, 9, n), dtype="int64[pyarrow]")
        else:
            columns[j] = rng.integers(0, 2, n).astype(bool)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n))
    if rng.random() < 0.3:
        frame.columns = pd.MultiIndex.from_arrays(
            [["a"] * frame.shape[1], [f"b{j}" for j in range(frame.shape[1])]]
        )
    if rng.random() < 0.3:
        frame.index = pd.Index(rng.permutation(n) * 2 + 5)
    frame.attrs["source"] = "fuzz"
    return frame


def _expected_rows(frame, rows):
    """iloc's rows with a fresh RangeIndex; columns pandas' take refuses
    (non-native byte order) by np.take."""
    index = pd.RangeIndex(rows.shape[0])
    parts = {}
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        if isinstance(column.dtype, np.dtype) and not column.dtype.isnative:
            parts[j] = pd.Series(np.take(column.to_numpy(), rows), index=index)
        else:
            parts[j] = column.iloc[rows].reset_index(drop=True)
    expected = pd.DataFrame(parts, index=index)
    expected.columns = frame.columns
    expected.attrs = dict(frame.attrs)
    return expected


@pytest.mark.parametrize("seed", range(2))
def test_fuzzed_frame_gathers_are_iloc_bit_for_bit(monkeypatch, seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(60):
        _random_settings(rng, monkeypatch)
        n = int(rng.choice([1, 2, 65, 400]))
        frame = _random_frame(rng, n)
        rows = _random_rows(rng, n)
        before = frame.copy(deep=True)
        expected = _expected_rows(frame, rows.astype(np.intp))
        taken = take_rows(frame, rows)
        pd.testing.assert_frame_equal(taken, expected, check_exact=True)
        assert taken.attrs == expected.attrs
        # pandas' own iloc may hand out a copy-on-write view: only the
        # gathers made here are checked for memory of their own.
        own = _gather.take_pandas(frame, rows) is not None
        for j in range(frame.shape[1]):
            if isinstance(frame.dtypes.iloc[j], np.dtype):
                got = taken.iloc[:, j].to_numpy()
                assert got.tobytes() == expected.iloc[:, j].to_numpy().tobytes()
                source = frame.iloc[:, j].to_numpy()
                assert not own or got.size == 0 or not np.shares_memory(got, source)
        pd.testing.assert_frame_equal(frame, before, check_exact=True)
