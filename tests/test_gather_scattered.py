"""The scattered gather of rows stored as columns (``_gather._take_scattered``):
a shuffled under-sampling of a pandas frame or a Fortran-ordered array reads
its rows block by block and writes them bucket by bucket. np.take's bits for
any number of threads, bucket and block size; its kernels refuse every
inconsistent argument without touching memory outside their arrays."""

import subprocess
import sys
import textwrap
import zlib

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import RandomUnderSampler, _gather, _indices


def threads(monkeypatch, n: int) -> None:
    monkeypatch.setattr(_indices, "n_threads", lambda: n)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)


def _columns(dtype: str, n_rows: int, n_columns: int, rng) -> np.ndarray:
    """A Fortran-ordered ``(n_rows, n_columns)`` array of ``dtype`` whose
    values cover the dtype's bit patterns (NaN, -0.0, extremes)."""
    raw = rng.integers(0, 256, (n_columns, n_rows * np.dtype(dtype).itemsize))
    data = raw.astype(np.uint8).view(dtype).T  # Fortran-ordered, any bits
    assert data.flags.f_contiguous and data.shape == (n_rows, n_columns)
    return data


def _scattered(data: np.ndarray, rows: np.ndarray, out_layout: str) -> np.ndarray:
    values, offsets = _gather.column_offsets([data[:, j] for j in range(data.shape[1])])
    if out_layout == "columns":  # a pandas block: columns one after another
        out = np.empty((data.shape[1], rows.shape[0]), dtype=data.dtype)
        target = out
    else:  # a C-ordered numpy result, written through its transpose
        out = np.empty((rows.shape[0], data.shape[1]), dtype=data.dtype)
        target = out.T
    assert _gather._take_scattered(
        values, offsets, data.shape[0], rows, target.view(values.dtype)
    )
    return out if out_layout == "rows" else out.T


@pytest.mark.parametrize("dtype", ["i1", "<i2", "<f4", ">f8", "M8[s]", "c8"])
@pytest.mark.parametrize("n_columns", [1, 3, 70])
def test_scattered_gather_is_np_take_for_any_threads_and_sizes(
    monkeypatch, dtype, n_columns
):
    """Bit for bit np.take's rows for 1, 2 and 3 threads, buckets of 2**4 to
    2**16 output rows (the last one partial), blocks of 16 input rows or
    more, more columns than a cache line holds (several passes), rows drawn
    with and without repeats, written as columns or as rows."""
    rng = np.random.default_rng(zlib.crc32(f"{dtype}{n_columns}".encode()))
    n_rows = 997
    data = _columns(dtype, n_rows, n_columns, rng)
    original = data.copy(order="K")
    cases = {
        "once": rng.choice(n_rows, 613, replace=False),
        "repeats": rng.integers(0, n_rows, 1500),
        "edges": np.array([n_rows - 1, 0, n_rows - 1, 0, 500]),
        "one": np.array([n_rows - 1]),
    }
    # Many small buckets and blocks; the default sizes (one partial bucket).
    for bucket_shift, block_bytes in ((4, 16), (16, 1 << 18)):
        monkeypatch.setattr(_gather, "BUCKET_SHIFT", bucket_shift)
        monkeypatch.setattr(_gather, "SCATTER_BLOCK_BYTES", block_bytes)
        for n_threads in (1, 2, 3):
            threads(monkeypatch, n_threads)
            for case, rows in cases.items():
                expected = np.take(data, rows, axis=0)
                for layout in ("columns", "rows"):
                    taken = _scattered(data, rows, layout)
                    assert taken.shape == expected.shape, case
                    assert taken.tobytes() == expected.tobytes(), (case, layout)
    assert data.tobytes() == original.tobytes()  # the input is untouched


def test_column_offsets_finds_columns_of_one_array_only():
    """(values, offsets) for columns that lie in one contiguous array (a
    Fortran array, a pandas block, in any order or subset); None for columns
    of different arrays, strided columns, mixed dtypes, 16-byte values."""
    X = np.asfortranarray(np.arange(40.0).reshape(10, 4))
    values, offsets = _gather.column_offsets([X[:, 3], X[:, 1]])
    assert offsets.tolist() == [30, 10] and values.dtype == np.uint64
    assert values[offsets[0] : offsets[0] + 10].view(np.float64).tolist() == (
        X[:, 3].tolist()
    )
    frame = pd.DataFrame(np.ones((10, 3), dtype=np.float32), columns=list("abc"))
    block = [frame[c].to_numpy() for c in "cab"]
    located = _gather.column_offsets(block)
    assert located is not None
    assert sorted(located[1].tolist()) == [0, 10, 20]
    C = np.ascontiguousarray(X)
    other = np.asfortranarray(np.arange(40.0).reshape(10, 4))
    assert _gather.column_offsets([C[:, 0], C[:, 1]]) is None  # strided
    assert _gather.column_offsets([X[:, 0], other[:, 1]]) is None  # two arrays
    assert _gather.column_offsets([X[::2, 0], X[::2, 1]]) is None  # strided
    mixed = np.asfortranarray(np.zeros((10, 2), dtype=np.float64))
    assert _gather.column_offsets([mixed[:, 0], mixed[:, 1].view(np.int64)]) is None
    wide = np.asfortranarray(np.zeros((10, 2), dtype=np.complex128))
    assert _gather.column_offsets([wide[:, 0], wide[:, 1]]) is None


def test_shuffled_under_sampling_of_frames_and_fortran_arrays(monkeypatch):
    """What the samplers return through the scattered gather: X[sample_indices_]
    for a pandas frame (columns of two dtypes, each a block) and a
    Fortran-ordered array, for 1, 2 and 3 threads; and with too little memory
    for its positions, the staged gather's same result."""
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "STAGE_COLUMNS_ABOVE", 0)
    monkeypatch.setattr(_gather, "BUCKET_SHIFT", 6)
    rng = np.random.default_rng(0)
    n = 5000
    y = (rng.random(n) < 0.2).astype(np.int64)
    frame = pd.DataFrame(
        {
            **{f"f{j}": rng.standard_normal(n).astype(np.float32) for j in range(5)},
            **{f"i{j}": rng.integers(-9, 9, n) for j in range(3)},
        }
    )
    F = np.asfortranarray(frame[[f"f{j}" for j in range(5)]].to_numpy())
    calls = []
    take_scattered = _gather._take_scattered

    def spy(*args):
        done = take_scattered(*args)
        calls.append(done)
        return done

    monkeypatch.setattr(_gather, "_take_scattered", spy)
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        sampler = RandomUnderSampler(random_state=1)
        X_res, y_res = sampler.fit_resample(frame, y)
        expected = frame.iloc[sampler.sample_indices_].reset_index(drop=True)
        pd.testing.assert_frame_equal(X_res, expected)
        F_res, _ = sampler.fit_resample(F, y)
        assert F_res.flags.c_contiguous
        assert F_res.tobytes() == F[sampler.sample_indices_].tobytes()
    assert calls == [True] * 9  # two frame blocks and the array, each time
    calls.clear()
    monkeypatch.setattr(_indices, "available_memory", lambda: 1000)
    F_res, _ = sampler.fit_resample(F, y)
    assert F_res.tobytes() == F[sampler.sample_indices_].tobytes()
    assert calls == [False]


PRELUDE = """
import numpy as np
from rebalance import _gather_kernels as gk
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
        timeout=300,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    return done.stdout.split()


def test_scattered_kernels_refuse_inconsistent_arguments():
    """Each kernel's own checks: rows outside the input, blocks, owners,
    buckets, pairs, slots, offsets or positions outside their arrays, first
    past last, shifts out of range: -1, nothing written out of bounds."""
    out = _run(
        """
        rows = a(0, 5, 9)
        owners = a(0, 0)
        def count(rows=rows, n=10, first=0, last=3, shift=3, tshift=1,
                  owners=owners, blocks=2, dests=2):
            return gk.count_blocks(rows, n, first, last, shift, tshift, owners,
                                   np.zeros(blocks, np.int64),
                                   np.zeros((1, dests), np.int64))
        print(count(), count(rows=a(0, 10, 1)), count(rows=a(-1, 0, 0)),
              count(first=2, last=1), count(last=4), count(shift=63),
              count(tshift=-1), count(owners=a(0)), count(owners=a(0, 1)),
              count(dests=1), count(blocks=1), count(rows=a(0, M, 1), n=M))
        low = np.zeros(3, np.uint16); pos = np.zeros(3, np.int32)
        def pair(rows=rows, first=0, last=3, shift=3, fill=None, low=low, pos=pos):
            fill = a(0, 2) if fill is None else fill
            return gk.pair_rows(rows, first, last, shift, fill, low, pos)
        print(pair(), pair(fill=a(0, 3)), pair(fill=a(-1, 2)), pair(rows=a(0, 16, 1)),
              pair(rows=a(-5, 0, 0)), pair(first=1, last=0), pair(last=4),
              pair(shift=-1), pair(low=np.zeros(2, np.uint16)))
        values = np.arange(20, dtype=np.uint32)
        def move(values=values, offsets=a(0, 10), n=10, fb=0, lb=2, shift=3,
                 bounds=a(0, 2, 3), low=np.array([0, 5, 1], np.uint16),
                 pos=np.array([0, 1, 2], np.int32), tshift=1, fill=a(0, 2),
                 out=None, tails=None, line=4, sink=None):
            out = np.zeros((2, 3), np.uint32) if out is None else out
            tails = np.zeros(3, np.uint16) if tails is None else tails
            sink = np.zeros(1, np.uint32) if sink is None else sink
            return gk.move_rows(values, offsets, n, fb, lb, shift, bounds, low,
                                pos, tshift, fill, out, tails, line, sink)
        print(move(), move(offsets=a(0, 11)), move(offsets=a(-1, 0)),
              move(offsets=a(M, 0)), move(n=21), move(fb=1, lb=0), move(lb=3),
              move(bounds=a(0, 2, 4)), move(bounds=a(2, 0, 3)),
              move(low=np.array([0, 5, 2], np.uint16)),
              move(low=np.array([9, 0, 0], np.uint16)),
              move(pos=np.array([0, 1, 4], np.int32)),
              move(pos=np.array([-1, 1, 2], np.int32)), move(fill=a(0, 3)),
              move(fill=a(1, 2)), move(out=np.zeros((1, 3), np.uint32)),
              move(out=np.zeros((2, 2), np.uint32)), move(tails=np.zeros(2, np.uint16)),
              move(line=0), move(sink=np.zeros(0, np.uint32)), move(shift=70),
              move(tshift=-2))
        def place(out=None, tails=None, fd=0, ld=2, tshift=1, scratch=None):
            out = np.arange(6, dtype=np.uint32).reshape(2, 3) if out is None else out
            tails = np.array([1, 0, 0], np.uint16) if tails is None else tails
            scratch = np.zeros(2, np.uint32) if scratch is None else scratch
            return gk.place_rows(out, tails, fd, ld, tshift, scratch)
        o = np.arange(6, dtype=np.uint32).reshape(2, 3)
        print(place(out=o), o.ravel().tolist())
        print(place(tails=np.array([2, 0, 0], np.uint16)),
              place(tails=np.array([1, 0, 1], np.uint16)),
              place(tails=np.array([1, 0], np.uint16)), place(fd=1, ld=0),
              place(ld=3), place(fd=-1), place(tshift=31), place(tshift=-1),
              place(scratch=np.zeros(1, np.uint32)))
        """
    )
    assert out[:12] == ["0"] + ["-1"] * 11
    assert out[12:21] == ["0"] + ["-1"] * 8
    assert out[21:43] == ["0"] + ["-1"] * 21
    assert out[43] == "0" and out[44:50] == ["[1,", "0,", "2,", "4,", "3,", "5]"]
    assert out[50:] == ["-1"] * 9


@pytest.mark.slow
def test_scattered_kernels_fuzzed_never_touch_memory_outside_their_arrays():
    """15,000 calls with random arguments (sizes, shifts, ranges, indices near
    and far outside): every call returns 0 or -1, and the guard words around
    every array the kernels write stay as they were."""
    out = _run(
        """
        rng = np.random.default_rng(52)
        GUARD = 7

        def guarded(n, dtype, fill=0):
            whole = np.full(n + 2 * GUARD, 0xA5, dtype=dtype)
            whole[GUARD:GUARD + n] = fill
            return whole, whole[GUARD:GUARD + n]

        def intact(whole, n):
            return (whole[:GUARD] == 0xA5).all() and (whole[GUARD + n:] == 0xA5).all()

        def some(n, lo, hi, dtype=np.int64):
            return rng.integers(lo, hi, n).astype(dtype)

        def edge():
            return int(rng.choice([0, 1, 2, 3, 5, 8, 15, 16, 17, -1, 63, 64, M, -M]))

        results = set()
        bad = 0
        for trial in range(2500):
            n_rows = int(rng.integers(0, 40)); n_out = int(rng.integers(0, 40))
            rows = some(n_out, -3, n_rows + 3)
            shift = int(rng.integers(-1, 8)); tshift = int(rng.integers(-1, 8))
            n_blocks = int(rng.integers(0, 12)); n_dests = int(rng.integers(0, 12))
            owners = some(max(0, n_blocks + int(rng.integers(-1, 2))), -1, 3)
            bw, blocks = guarded(max(n_blocks, 0), np.int64)
            dw, dests = guarded(2 * n_dests, np.int64)
            dests2 = dests.reshape(2, n_dests)
            first, last = edge() % 41 if rng.random() < 0.9 else edge(), edge() % 41
            r = gk.count_blocks(rows, n_rows, first, last, shift, tshift, owners,
                                blocks, dests2)
            results.add(r)
            bad += not (intact(bw, n_blocks) and intact(dw, 2 * n_dests))
            fill = some(n_blocks, -2, n_out + 2)
            lw, low = guarded(max(0, n_out + int(rng.integers(-1, 2))), np.uint16)
            pw, pos = guarded(n_out, np.int32)
            r = gk.pair_rows(rows, first, last, shift, fill, low, pos)
            results.add(r)
            bad += not (intact(lw, low.shape[0]) and intact(pw, n_out))
            n_columns = int(rng.integers(0, 4))
            values = some(int(rng.integers(0, 60)), 0, 9, np.uint32)
            offsets = some(n_columns, -2, 70)
            bounds = np.sort(some(n_blocks + 1, -1, n_out + 2))
            fill = some(n_dests, -2, n_out + 2)
            ow, out = guarded(n_columns * n_out, np.uint32)
            out2 = out.reshape(n_columns, n_out)
            tw, tails = guarded(n_out, np.uint16)
            sink = np.zeros(1, np.uint32)
            low[:] = some(low.shape[0], 0, 20, np.uint16)
            pos[:] = some(n_out, -2, n_out + 2, np.int32)
            fb = int(rng.integers(-1, n_blocks + 2))
            lb = int(rng.integers(-1, n_blocks + 2))
            r = gk.move_rows(values, offsets, n_rows, fb, lb, shift, bounds, low, pos,
                             tshift, fill, out2, tails, int(rng.integers(0, 4)), sink)
            results.add(r)
            bad += not (intact(ow, n_columns * n_out) and intact(tw, n_out))
            tails[:] = some(n_out, 0, 20, np.uint16)
            sw, scratch = guarded(int(rng.integers(0, 20)), np.uint32)
            fd = int(rng.integers(-1, n_dests + 2))
            ld = int(rng.integers(-1, n_dests + 2))
            r = gk.place_rows(out2, tails, fd, ld, tshift, scratch)
            results.add(r)
            bad += not (intact(ow, n_columns * n_out) and intact(sw, scratch.shape[0]))
            n_entries = int(rng.integers(0, 30))
            ind = some(n_entries, -5, 9, np.int32)
            dat = some(n_entries + int(rng.integers(-1, 2)) if n_entries else 0, 0, 9,
                       np.uint32)
            stw, staged = guarded(2 * n_entries + int(rng.integers(-2, 2)) + 2,
                                  np.uint32)
            lo, hi = edge() % 35, edge() % 35
            r = gk.csr_interleave(ind, dat, lo, hi, staged)
            results.add(r)
            bad += not intact(stw, staged.shape[0])
            starts = some(n_out, -2, n_entries + 3)
            offsets_out = np.sort(some(n_out + 1, -1, n_entries + 3))
            oiw, oi = guarded(int(rng.integers(0, 40)), np.int32)
            odw, od = guarded(int(rng.integers(0, 40)), np.uint32)
            lo, hi = edge() % 41, edge() % 41
            r = gk.csr_copy_staged(starts, offsets_out, staged, oi, od, lo, hi)
            results.add(r)
            bad += not (intact(oiw, oi.shape[0]) and intact(odw, od.shape[0]))
        print(sorted(results), bad)
        """
    )
    assert out == ["[-1,", "0]", "0"]


def _csr_matrices():
    rng = np.random.default_rng(8)
    base = sp.random(3000, 7, density=0.4, format="csr", random_state=8)
    wide = base.astype(np.float32)
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    small = sp.csr_matrix(
        (rng.integers(-128, 127, base.nnz).astype(np.int8), base.indices, base.indptr),
        shape=base.shape,
    )
    unsorted = sp.csr_matrix(
        (np.arange(6.0), np.array([3, 1, 2, 0, 0, 4]), np.array([0, 2, 2, 6])),
        shape=(3, 5),
    )  # unsorted and duplicated column indices, an empty row
    return {
        "float64 matrix": base,
        "bool array": sp.csr_array(base > 0.5),
        "int64 indices, float32": wide,
        "int8 values": small,
        "uint64 values": base.astype(np.uint64) * np.uint64(2**63 + 5),
        "unsorted, duplicates, empty row": unsorted,
        "all rows empty": sp.csr_matrix((40, 3)),
        "complex (not staged)": base.astype(np.complex128),
    }


@pytest.mark.parametrize("name", list(_csr_matrices()))
def test_shuffled_over_sampling_of_csr_stages_entries_side_by_side(monkeypatch, name):
    """Every row's worth of rows read in random order (a shuffled
    over-sampling): the entries are copied side by side (column, value) and
    each row read from there: scipy's X[rows] entry for entry, for 1, 2 and 3
    threads; fewer rows (an under-sampling) and complex values go the direct
    way; too little memory for the copy, the direct way too."""
    X = _csr_matrices()[name]
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 0)
    n = X.shape[0]
    rng = np.random.default_rng(1)
    every = rng.permutation(np.concatenate([np.arange(n), rng.integers(0, n, n)]))
    fewer = rng.permutation(n)[: max(2, n // 3)]
    staged = []
    interleaved = _gather._interleaved

    def spy(indices, words):
        done = interleaved(indices, words)
        staged.append(done is not None)
        return done

    monkeypatch.setattr(_gather, "_interleaved", spy)
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        for rows in (every, fewer):
            taken = _gather.take_csr(X, rows)
            expected = X[rows]
            assert type(taken) is type(X) and taken.dtype == X.dtype
            assert taken.shape == expected.shape
            np.testing.assert_array_equal(taken.indptr, expected.indptr)
            np.testing.assert_array_equal(taken.indices, expected.indices)
            assert taken.data.tobytes() == expected.data.tobytes()
    assert staged == [name != "complex (not staged)"] * 3
    staged.clear()
    monkeypatch.setattr(_indices, "available_memory", lambda: 100)
    taken = _gather.take_csr(X, every)
    assert taken.data.tobytes() == X[every].data.tobytes()
    assert staged == [X.nnz == 0 and name != "complex (not staged)"]  # 0 bytes


def test_csr_staged_kernels_refuse_inconsistent_arguments():
    """csr_interleave and csr_copy_staged: ranges outside their arrays, first
    past last, starts and offsets past the entries (compared without sums
    that wrap): -1, nothing written out of bounds; the bits of the entries
    (a negative column kept) copied back."""
    out = _run(
        """
        ind = np.array([5, -2, 7], np.int32); d = np.array([1, 2, 3], np.uint32)
        st = np.zeros(6, np.uint32)
        print(gk.csr_interleave(ind, d, 0, 3, st), st.tolist())
        print(gk.csr_interleave(ind, d, 0, 4, st), gk.csr_interleave(ind, d, 2, 1, st),
              gk.csr_interleave(ind, d, -1, 1, st),
              gk.csr_interleave(ind, d, 0, 3, np.zeros(5, np.uint32)))
        oi = np.zeros(3, np.int32); od = np.zeros(3, np.uint32)
        print(gk.csr_copy_staged(a(1, 0), a(0, 2, 3), st, oi, od, 0, 2),
              oi.tolist(), od.tolist())
        print(gk.csr_copy_staged(a(2), a(0, 2), st, oi, od, 0, 1),
              gk.csr_copy_staged(a(M), a(0, 1), st, oi, od, 0, 1),
              gk.csr_copy_staged(a(0), a(1, -M - 1), st, oi, od, 0, 1),
              gk.csr_copy_staged(a(0), a(0, M), st, oi, od, 0, 1),
              gk.csr_copy_staged(a(0), a(2, 4), st, oi, od, 0, 1),
              gk.csr_copy_staged(a(0, 0), a(0, 1), st, oi, od, 1, 0),
              gk.csr_copy_staged(a(0, 0), a(0, 1), st, oi, od, 0, 2),
              gk.csr_copy_staged(a(-1), a(0, 1), st, oi, od, 0, 1))
        """
    )
    assert out[:7] == ["0", "[5,", "1,", "4294967294,", "2,", "7,", "3]"]
    assert out[7:11] == ["-1"] * 4
    assert out[11:] == ["0", "[-2,", "7,", "5]", "[2,", "3,", "1]"] + ["-1"] * 8


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("dtype", ["<f4", ">f8", "i1"])
def test_scattered_frame_of_one_group_comes_back_over_whole_rows(
    n_threads, dtype, monkeypatch
):
    # A shuffled under-sampling of a one-dtype frame whose columns are one
    # group writes whole rows (one write stream per bucket): the frame is
    # built over a row-major array, the values those of iloc, whatever the
    # threads; the input is untouched and the output owns its memory.
    threads(monkeypatch, n_threads)
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "STAGE_COLUMNS_ABOVE", 0)
    rng = np.random.default_rng(n_threads)
    n = 30_000
    data = _columns(dtype, n, 6, rng)
    frame = pd.DataFrame(data.copy(), columns=list("abcdef"))
    before = frame.copy()
    y = (rng.random(n) < 0.2).astype(np.int64)
    sampler = RandomUnderSampler(random_state=3)
    X_res, _ = sampler.fit_resample(frame, y)
    rows = sampler.sample_indices_
    # (pandas' own take has no kernel for big-endian columns)
    assert X_res.to_numpy().tobytes() == np.ascontiguousarray(data[rows]).tobytes()
    assert list(X_res.columns) == list("abcdef")
    assert (X_res.dtypes == frame.dtypes).all()
    assert X_res.to_numpy().flags.c_contiguous  # whole rows
    assert not np.shares_memory(X_res.to_numpy(), frame.to_numpy())
    pd.testing.assert_frame_equal(frame, before)
    X_res.iloc[0, 0] = X_res.iloc[1, 0]  # writeable, a frame like any other
    pd.testing.assert_frame_equal(frame, before)
