"""Review 52 (bounds): size and index boundaries of the compiled gathers and
index kernels. A kernel called with inconsistent arguments returns its error
code; it never reads or writes out of bounds (the crash candidates run in a
subprocess, whose return code is checked)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

PRELUDE = """
import numpy as np
from rebalance import _gather_kernels as gk, _kernels as k
M = np.iinfo(np.int64).max
a = lambda *v: np.array(v, dtype=np.int64)
"""


def _run(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; its printed lines (it must exit 0:
    a segfault is -11)."""
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    return done.stdout.split()


def test_csr_copy_rows_compares_starts_and_offsets_without_wrapping():
    # A start of int64 max plus a row of 1 entry wrapped to a negative sum and
    # passed the check: an entry before the arrays was copied, 0 returned. An
    # offset past int64 min made a length that wrapped to int64 max (crash).
    out = _run(
        """
        ind = np.arange(3, dtype=np.int32); d = np.arange(3.0)
        oi = np.zeros(3, np.int32); od = np.zeros(3)
        print(gk.csr_copy_rows(a(M), a(0, 1), ind, d, oi, od, 0, 1))
        print(gk.csr_copy_rows(a(1), a(1, -M - 1), ind, d, oi, od, 0, 1))
        print(gk.csr_copy_rows(a(0), a(M, M), ind, d, oi, od, 0, 1))
        print(gk.csr_copy_rows(a(3), a(3, 3), ind, d, oi, od, 0, 1))
        print(gk.csr_copy_rows(a(0), a(2, M), ind, d, oi, od, 0, 1))
        print(gk.csr_copy_rows(a(1), a(1, 3), ind, d, oi, od, 0, 1))
        print(gk.csr_copy_rows(a(1), a(1, 3), ind, d, oi, od, 0, 1), oi[1], od[2])
        """
    )
    assert out == ["-1", "-1", "-1", "0", "-1", "0", "0", "1", "2.0"]


def test_expand_counts_refuses_counts_whose_sum_wraps_around():
    # Counts of int64 max twice and 2 summed to 0 (wrapped), equal to an
    # empty output: rows were written past it (crash).
    out = _run(
        """
        print(k.expand_counts(a(M, M, 2), np.zeros(0, np.int64)))
        print(k.expand_counts(a(M, 1), np.zeros(1, np.int64)))
        o = np.zeros(3, np.int64)
        print(k.expand_counts(a(1, 0, 2), o), o.tolist())
        """
    )
    assert out == ["-1", "-1", "0", "[0,", "2,", "2]"]


def test_count_segments_checks_slices_and_ranges_against_its_arrays():
    # A range whose end wraps past int64 max, and copied or picked slices
    # outside their pool, were read or written out of bounds (crash).
    out = _run(
        """
        pools = (np.arange(3, dtype=np.int64), np.zeros(0, np.int64))
        key = np.ones(1, np.uint64)
        counts = np.zeros(5, np.int64)
        # kind, pool, start, stop, length
        for seg in [
            (1, 0, 1, 1, M),  # RANGE: start + length wraps
            (0, 0, 1 << 40, (1 << 40) + 5, 5),  # COPY outside pool 0
            (2, 0, 1 << 40, (1 << 40) + 5, 5),  # PICK outside pool 0
            (2, 0, 2, 1, 5),  # PICK from a reversed slice
            (2, 0, 1, 1, 5),  # PICK from no rows
            (0, 0, -2, 1, 3),  # COPY from a negative start
            (0, 1, 0, 2, 2),  # COPY past the empty pool 1
        ]:
            print(k.count_segments(pools, *(a(v) for v in seg), key, counts))
        print(counts.sum())
        # Per-segment arrays shorter than kind.
        print(k.count_segments(pools, a(0, 0), a(0), a(0), a(3), a(3), key, counts))
        print(k.count_segments(pools, a(0), a(0), a(0), a(3), a(6), key, counts))
        print(k.count_segments(pools, a(1), a(0), a(2), a(5), a(3), key, counts))
        print(counts.tolist())
        """
    )
    assert out == ["-1"] * 7 + ["0", "-1", "0", "0", "[2,", "2,", "3,", "1,", "1]"]


def test_gather_kernels_refuse_a_range_whose_first_is_past_its_last():
    # first > last is an inconsistent range: the error code, as for a first
    # below 0 or a last past the arrays (it returned 0, nothing done).
    from rebalance import _gather_kernels as gk

    rows = np.array([1, 0, 2], dtype=np.int64)
    out = np.zeros(3, dtype=np.int64)
    values = np.array([5, 6, 7], dtype=np.int64)
    assert gk.take_values(values, rows, 2, 1, out) == -1
    codes = np.array([0, 1, 1], np.uint8)
    assert gk.labels_from_codes(codes, values, rows, 2, 1, out) == -1
    bits = np.packbits(codes.astype(bool), bitorder="little")
    assert gk.labels_from_bits(bits, 3, values[:2], rows, 2, 1, out) == -1
    # Empty and whole ranges still work.
    assert gk.take_values(values, rows, 1, 1, out) == 0
    assert gk.take_values(values, rows, 0, 3, out) == 0
    assert out.tolist() == [6, 5, 7]
    assert gk.labels_from_codes(codes, values, rows, 0, 3, out) == 0
    assert out.tolist() == [6, 5, 6]


def test_csr_and_rank_kernels_refuse_a_range_whose_first_is_past_its_last():
    from rebalance import _gather_kernels as gk

    i64 = np.int64
    rows = np.array([1, 0, 2], dtype=i64)
    out = np.zeros(3, dtype=i64)
    indptr = np.array([0, 1, 1, 3], dtype=i64)
    starts, lengths = np.zeros(3, i64), np.zeros(3, i64)
    assert gk.csr_row_spans(indptr, rows, 2, 1, starts, lengths) == -1
    entries = np.arange(3, dtype=i64)
    out_indptr = np.array([0, 1, 2, 3], dtype=i64)
    args = (starts, out_indptr, entries, entries, out, out.copy())
    assert gk.csr_copy_rows(*args, 2, 1) == -1
    marks = np.zeros(1, np.uint64)
    word_ranks = np.zeros(1, i64)
    assert gk.mark_rows(rows, marks) == 0
    assert gk.rank_rows(rows, marks, word_ranks, 2, 1, out) == -1
    # Whole ranges still work.
    assert gk.rank_rows(rows, marks, word_ranks, 0, 3, out) == 0
    assert out.tolist() == [1, 0, 2]
    assert gk.csr_row_spans(indptr, rows, 0, 3, starts, lengths) == 0
    assert starts.tolist() == [1, 0, 1] and lengths.tolist() == [0, 1, 2]


def test_memory_refusal_tells_the_row_indices_from_the_scratch_over_y(monkeypatch):
    # A draw of 1,000 rows from a large y was refused with "row indices 32
    # GiB" (2**31 input rows): the scratch over y's rows (its rows grouped
    # by class) was counted as the row indices. Same total, told apart.
    from rebalance import ClassBalancedSampler, _indices

    monkeypatch.setattr(_indices, "_MEMORY_CHECK_ABOVE", 0)
    monkeypatch.setattr(_indices, "available_memory", lambda: 100_000)
    X = np.zeros((100_000, 1))
    y = (np.arange(100_000) % 3 == 0).astype(np.int64)
    sampler = ClassBalancedSampler(n_samples=1000, random_state=0)
    with pytest.raises(ValueError) as caught:
        sampler.fit_resample(X, y)
    message = str(caught.value)
    assert "about 1.55 MiB (row indices 7.81 KiB, " in message
    assert "scratch over y's 100,000 rows 1.53 MiB, X 7.81 KiB" in message
