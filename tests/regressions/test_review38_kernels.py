"""Review 38, compiled kernels: sizes, indices and offsets at the 2**31 and
2**32 boundaries, and the class-balanced draw's class edges.

The boundary tests read arrays of more than 2**31 entries without the memory:
sparse files mapped read-only (their holes read as zeros), with a few bytes
written near the end, so the kernels run at offsets past 2**31 and 2**32 in
well under a second.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from rebalance import _gather, _indices, _labels
from rebalance._labels import encode_labels

pytest.importorskip("numba")

from rebalance import _gather_kernels, _kernels  # noqa: E402  (after the numba check)

TWO31 = 2**31
TWO32 = 2**32


def _sparse_array(path, n, dtype, tail):
    """A read-only ``n``-entry array of ``dtype`` mapped from a sparse file:
    zeros, except its last ``len(tail)`` entries, ``tail``."""
    dtype = np.dtype(dtype)
    with open(path, "wb") as f:
        f.truncate(n * dtype.itemsize)
        f.seek((n - len(tail)) * dtype.itemsize)
        f.write(np.asarray(tail, dtype=dtype).tobytes())
    return np.asarray(np.memmap(path, dtype=dtype, mode="r", shape=(n,)))


class _FixedKey:
    """A Generator stand-in whose only draw (the kernel key) is ``key``."""

    def __init__(self, key):
        self.key = key

    def integers(self, *args, **kwargs):
        return np.int64(self.key)


def test_class_of_weight_zero_is_never_drawn():
    # Bug: the class edges were np.cumsum(weights / weights.sum())[:-1], which
    # for these weights ends at 1 - 2**-53 rather than 1.0; the largest
    # uniform value of the kernel's stream, 1 - 2**-53, then took the last
    # class, whose weight is 0. The key makes the first entry's uniform
    # value exactly 1 - 2**-53 (SplitMix64's output function inverted).
    weights = [0.23936944299295215, 0.8764842308107038, 0.05856803480519435, 0.0]
    labels, _, _ = encode_labels(np.array([0, 1, 2, 3] * 5))
    drawn = _indices.class_balanced_indices(
        labels, 1, 0.0, _FixedKey(496489529909367957), weights=weights
    )
    assert labels.codes[drawn].tolist() == [2]
    edges = _indices._class_edges(np.array(weights))
    assert edges[-1] == 1.0
    # Zero weights first or in between: empty intervals already.
    edges = _indices._class_edges(np.array([0.0, 0.3, 0.0, 0.7, 0.0, 0.0]))
    assert edges.tolist()[-2:] == [1.0, 1.0]
    assert edges[0] == 0.0 and edges[1] == edges[2]


def test_scan_marked_refuses_offsets_outside_its_output():
    # Bug: scan_marked trusted out_offset and word_offset; a negative offset
    # wrote before ``out`` (here into the buffer ``out`` is a view of, numba
    # wrapping the index around) and reported the rows written. Now refused
    # before any row is read, as are per-class arrays of other lengths and no
    # class at all (whose ``end[-1]`` was written before its array).
    buffer = np.full(200, -1, dtype=np.int64)
    out = buffer[150:153]
    codes = np.array([0, 1, 1], dtype=np.uint8)
    whole = np.array([True, True])
    bitmap = np.zeros(1, dtype=np.uint64)
    zero = np.zeros(2, dtype=np.int64)
    offsets = np.array([-100, 1], dtype=np.int64)
    assert _kernels.scan_marked(codes, whole, bitmap, zero, offsets, out) == -1
    assert (buffer == -1).all()
    words = np.array([0, -1], dtype=np.int64)
    whole = np.array([True, False])
    assert _kernels.scan_marked(codes, whole, bitmap, words, zero, out) == -1
    assert _kernels.scan_marked(codes, whole, bitmap, zero[:1], zero, out) == -1
    none = np.zeros(0, dtype=np.int64)
    empty = np.zeros(0, dtype=np.uint8)
    assert _kernels.scan_marked(empty, whole[:0], bitmap, none, none, out[:0]) == -1
    assert (buffer == -1).all()
    # Consistent arrays: the rows, class after class.
    whole = np.array([True, True])
    offsets = np.array([0, 1], dtype=np.int64)
    assert _kernels.scan_marked(codes, whole, bitmap, zero, offsets, out) == 3
    assert out.tolist() == [0, 1, 2]


def test_class_balanced_fill_refuses_an_empty_class():
    # Bug: a class of no rows drew position 0 of nothing, i.e. the row just
    # past its bounds (here of the buffer ``rows`` is a view of); now the
    # kernel checks the bounds first and writes nothing.
    buffer = np.array([10, 11, 12, 13, 99], dtype=np.int64)
    rows = buffer[:4]
    out = np.full(64, -1, dtype=np.int64)
    edges = np.array([0.5])
    key = np.uint64(12345)
    empty_last = np.array([0, 4, 4], dtype=np.int64)
    assert _kernels.class_balanced_fill(rows, empty_last, edges, key, 0, out) == -1
    assert (out == -1).all()
    past = np.array([0, 2, 5], dtype=np.int64)
    assert _kernels.class_balanced_fill(rows, past, edges, key, 0, out) == -1
    short = np.array([0, 4], dtype=np.int64)
    assert _kernels.class_balanced_fill(rows, short, edges, key, 0, out) == -1
    assert (out == -1).all()
    bounds = np.array([0, 2, 4], dtype=np.int64)
    assert _kernels.class_balanced_fill(rows, bounds, edges, key, 0, out) == 0
    assert set(out.tolist()) <= {10, 11, 12, 13}


def test_index_dtype_boundary():
    # int32 only while every row number fits (the largest is n - 1).
    assert _indices.index_dtype(TWO31 - 2, True) == np.int32
    assert _indices.index_dtype(TWO31 - 1, True) == np.intp
    assert _indices.index_dtype(TWO31 - 2, False) == np.intp


def test_take_values_past_two31_rows(tmp_path):
    n = TWO31 + 5
    tail = np.arange(1, 201, dtype=np.uint8)
    data = _sparse_array(tmp_path / "u1", n, np.uint8, tail)
    rows = np.concatenate(
        [np.arange(n - 200, n), np.arange(TWO31 - 100, TWO31 + 5), [0, n - 1]]
    )
    rows = np.tile(rows, 20_000)  # 6 MB of output: the threaded gather
    want = np.take(data, rows)
    for given in (rows, rows.astype(np.uint32), rows.astype(">i8")):
        taken = _gather.take_array(data, given)
        assert taken is not None and np.array_equal(taken, want)
    out = np.empty(rows.shape[0], np.uint8)
    assert _gather_kernels.take_values(data, rows, 0, rows.shape[0], out) == 0
    assert np.array_equal(out, want)
    # One past the last row, or negative: refused, nothing read.
    for bad in (n, -1):
        wrong = rows.copy()
        wrong[-1] = bad
        assert _gather.take_array(data, wrong) is None
        assert _gather_kernels.take_values(data, wrong, 0, wrong.shape[0], out) == -1


def test_label_kernels_past_two31_rows(tmp_path):
    n = TWO31 + 5
    tail = np.array([2, 0, 1, 2, 1, 0, 1], dtype=np.uint8)
    codes = _sparse_array(tmp_path / "codes", n, np.uint8, tail)
    classes = np.array([-7, 9, 11], dtype=np.int64)
    rows = np.array([n - 1, n - 7, TWO31, TWO31 - 1, 0, n - 3], dtype=np.intp)
    out = np.empty(rows.shape[0], dtype=np.int64)
    assert _gather_kernels.labels_from_codes(codes, classes, rows, 0, 6, out) == 0
    assert np.array_equal(out, classes[codes[rows]])
    table = np.asarray(
        np.memmap(tmp_path / "bits", dtype=np.uint8, mode="w+", shape=((n + 7) // 8,))
    )
    table[-1] = 0b00010110  # rows n - 5 .. n - 1 are bits 0 .. 4 of the last byte
    rows = np.array([n - 5, n - 4, n - 3, n - 2, n - 1, TWO31], dtype=np.intp)
    out = np.empty(rows.shape[0], dtype=np.int64)
    assert _gather_kernels.labels_from_bits(table, n, classes, rows, 0, 6, out) == 0
    assert out.tolist() == [-7, 9, 9, -7, 9, -7]
    # A row past n (inside the table's last byte) is refused.
    rows[0] = n
    assert _gather_kernels.labels_from_bits(table, n, classes, rows, 0, 6, out) == -1


@pytest.mark.parametrize(
    ("indptr_dtype", "nnz"), [(np.int32, TWO31 - 1), (np.int64, TWO32 + 3000)]
)
def test_take_csr_entries_past_two31(tmp_path, indptr_dtype, nnz):
    # Rows whose entries start near 2**31 - 1 (int32 indptr at its largest)
    # or past 2**32 (int64).
    rng = np.random.default_rng(0)
    tail = rng.integers(1, 256, 3000, dtype=np.uint8)
    values = _sparse_array(tmp_path / "data", nnz, np.uint8, tail)
    indices = np.broadcast_to(np.int32(0), (nnz,))
    indptr = np.array(
        [0, nnz - 3000, nnz - 2000, nnz - 1000, nnz - 1, nnz], dtype=indptr_dtype
    )
    matrix = sp.csr_matrix((5, 1), dtype=np.uint8)
    matrix.indptr, matrix.indices, matrix.data = indptr, indices, values
    rows = np.tile(np.array([4, 1, 2, 3, 1]), 400)  # 800k entries
    taken = _gather.take_csr(matrix, rows)
    assert taken is not None
    want = np.concatenate([values[indptr[r] : indptr[r + 1]] for r in rows])
    assert np.array_equal(taken.data, want)
    lengths = np.diff(indptr)[rows]
    assert np.array_equal(np.diff(taken.indptr), lengths)
    assert taken.indptr[-1] == want.shape[0] and not taken.indices.any()
    # An indptr entry past the entries: refused (scipy's to judge).
    broken = indptr.copy()
    broken[-2] = nnz + 1 if indptr_dtype is np.int64 else -5
    matrix.indptr = broken
    assert _gather.take_csr(matrix, rows) is None


def test_encoding_narrow_integer_labels_stays_at_the_codes():
    # Bug: encode_labels widened integer labels to intp all at once (8 bytes
    # a row, twice with a lowest label other than 0): 2**31 int8 labels
    # needed 32 GiB to encode, and kept 16 GiB of codes when the labels were
    # 0..k-1 already. Now a block at a time, into codes of a byte a row.
    y = np.random.default_rng(0).integers(-3, 3, 4_000_000).astype(np.int8)
    tracemalloc.start()
    try:
        labels, _, _ = encode_labels(y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert labels.codes.dtype == np.uint8
    assert peak < 2 * y.nbytes
    zero_based, _, _ = encode_labels((y + 3).astype(np.int8))
    assert zero_based.codes.dtype == np.uint8
    assert np.array_equal(zero_based.codes, labels.codes)
    # Native intp labels 0..k-1 are their own codes: no copy at all.
    wide = y.astype(np.intp) + 3
    assert encode_labels(wide)[0].codes is wide


@pytest.mark.parametrize(
    "y",
    [
        np.arange(-128, 128, dtype=np.int8).repeat(9),
        (np.arange(2500) % 7).astype(">i4") * 3 - 5,
        np.array([2**63 + 5, 2**63, 7] * 900, dtype=np.uint64),
        np.arange(2600) % 3 == 1,
        np.arange(3000, dtype=np.int64) % 300,
    ],
)
def test_integer_labels_encoded_block_by_block(monkeypatch, y):
    monkeypatch.setattr(_labels, "_ENCODE_BLOCK", 1000)
    labels, _, _ = encode_labels(y)
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    assert labels.classes.dtype == y.dtype
    assert np.array_equal(labels.classes, classes)
    assert np.array_equal(labels.codes, codes) and np.array_equal(labels.counts, counts)
    own = y.dtype == np.intp and np.array_equal(classes, np.arange(classes.shape[0]))
    assert (
        labels.codes is y
        if own
        else labels.codes.dtype == np.min_scalar_type(classes.shape[0])
    )


def test_grouping_rows_of_few_classes_stays_at_the_rows():
    # Bug: the rows of each of up to 16 classes were found by one
    # np.flatnonzero over all the labels, whose intp result (the largest
    # class's rows) came on top of the rows written: 13 bytes a row for
    # int32 rows (28 GiB for 2**31 labels). Now a block of rows at a time.
    y = (np.random.default_rng(0).random(8_000_000) < 0.1).astype(np.int64)
    labels, _, _ = encode_labels(y, compact=True)
    tracemalloc.start()
    try:
        rows, bounds = labels.grouped_rows()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows.dtype == np.int32
    assert peak < 2 * rows.nbytes
    assert np.array_equal(rows, np.argsort(y, kind="stable"))


@pytest.mark.parametrize("compact", [False, True])
def test_class_rows_scanned_block_by_block(monkeypatch, compact):
    monkeypatch.setattr(_indices, "_SCAN_BLOCK", 1000)
    y = np.random.default_rng(1).integers(0, 5, 4321)
    labels, _, _ = encode_labels(y, compact=compact)
    rows, bounds = labels.grouped_rows()
    assert np.array_equal(rows, np.argsort(y, kind="stable"))
    assert bounds.tolist() == [0, *np.cumsum(np.bincount(y)).tolist()]
    pool, pool_bounds = _indices._class_pool(labels, np.array([1, 3]))
    for c in (1, 3):
        part = pool[pool_bounds[c] : pool_bounds[c + 1]]
        assert np.array_equal(part, np.flatnonzero(y == c))
    # Codes that do not match the counts: refused, nothing written past.
    wrong = encode_labels(y)[0]
    wrong.codes = wrong.codes.copy()
    wrong.codes[-1] = (wrong.codes[-1] + 1) % 5
    with pytest.raises(ValueError, match="do not match the class counts"):
        wrong.grouped_rows()
