"""Review 54 (scatter): adversarial review of the scattered gather of rows
stored as columns (``_gather.column_offsets``, ``_ScatterPlan``,
``_take_scattered``) and of the staged CSR copy (``_interleaved``,
``csr_interleave``/``csr_copy_staged``)."""

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import _gather, _indices


def threads(monkeypatch, n: int) -> None:
    monkeypatch.setattr(_indices, "n_threads", lambda: n)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)


@pytest.fixture
def small(monkeypatch):
    """The scattered and staged paths reached at small sizes."""
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "STAGE_COLUMNS_ABOVE", 0)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 2)
    monkeypatch.setattr(_gather, "BUCKET_SHIFT", 4)
    monkeypatch.setattr(_gather, "SCATTER_BLOCK_BYTES", 16)


def _run(code: str) -> list[str]:
    """``code`` in a fresh interpreter (a segfault is -11): its printed words."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    return done.stdout.split()


def test_fortran_array_over_a_byte_buffer_of_odd_size_is_gathered(monkeypatch, small):
    """Columns that lie in a byte buffer whose size is no multiple of 8
    (a file read as uint8, a float64 Fortran array viewed over its first
    bytes): column_offsets viewed the whole buffer as uint64 and numpy's
    view raised ValueError out of take_array and take_pandas (a shuffled
    under-sampling crashed). Now the buffer's whole words: np.take's bits."""
    rng = np.random.default_rng(54)
    buffer = rng.integers(0, 256, 8 * 100 * 3 + 1).astype(np.uint8)
    X = buffer[:2400].view(np.float64).reshape(3, 100).T  # Fortran-ordered
    assert X.flags.f_contiguous and X.base is not None
    original = buffer.copy()
    rows = rng.choice(100, 60, replace=False)
    located = _gather.column_offsets([X[:, 2], X[:, 0]])
    assert located is not None and located[1].tolist() == [200, 0]
    assert located[0].dtype == np.uint64 and located[0].shape == (300,)
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        taken = _gather.take_array(X, rows)
        assert taken is not None and taken.tobytes() == X[rows].tobytes()
        assert taken.flags.owndata and not np.shares_memory(taken, buffer)
        frame = pd.DataFrame(X, columns=list("abc"), copy=False)
        taken = _gather.take_pandas(frame, rows)
        for name in "abc":
            assert (
                taken[name].to_numpy().tobytes() == X[rows, "abc".index(name)].tobytes()
            )
    assert buffer.tobytes() == original.tobytes()


def test_staged_csr_copy_keeps_negative_column_indices_as_scipy(monkeypatch):
    """A shuffled over-sampling of a CSR matrix with int32 column indices,
    an int64 indptr and 4-byte values: its entries were staged as uint32,
    and a negative (malformed) column index came back zero-extended into
    the int64 output indices (-3 became 4294967293), where the direct copy
    and scipy's X[rows] keep -3. The staged words are signed now."""
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 0)
    base = sp.random(500, 9, density=0.4, format="csr", random_state=3)
    X = sp.csr_matrix(base.shape, dtype=np.float32)
    X.data = base.data.astype(np.float32)
    X.indices = (base.indices - 3).astype(np.int32)  # some negative
    X.indptr = base.indptr.astype(np.int64)
    rows = np.random.default_rng(0).permutation(np.r_[np.arange(500), np.arange(500)])
    for n_threads in (1, 3):
        threads(monkeypatch, n_threads)
        taken = _gather.take_csr(X, rows)
        expected = X[rows]
        assert taken is not None
        np.testing.assert_array_equal(taken.indptr, expected.indptr)
        assert taken.indices.tolist() == expected.indices.tolist()
        assert taken.indices.min() == -3
        assert taken.data.tobytes() == expected.data.tobytes()


def test_scatter_kernels_refuse_shifts_their_positions_cannot_hold():
    """pair_rows stores each row's place in its block in ``low`` and
    move_rows each output's place in its bucket in ``tails`` (uint16):
    a block or bucket shift past 16 was accepted and the places cut to 16
    bits (a wrong row, silently). Both return -1 now, nothing written."""
    out = _run(
        """
        import numpy as np
        from rebalance import _gather_kernels as gk
        rows = np.array([70000, 5], np.int64)
        low = np.zeros(2, np.uint16); pos = np.zeros(2, np.int64)
        print(gk.pair_rows(rows, 0, 2, 20, np.array([0, 1]), low, pos), low.tolist())
        print(gk.pair_rows(rows, 0, 2, 20, np.array([0, 1]), low.astype(np.uint32),
                           pos))
        values = np.arange(10, dtype=np.uint64)
        tails = np.zeros(70001, np.uint16)
        def move(tshift, tails=tails):
            return gk.move_rows(
                values, np.array([0]), 10, 0, 1, 4, np.array([0, 1]),
                np.array([3], np.uint16), np.array([70000]), tshift,
                np.array([0]), np.zeros((1, 70001), np.uint64), tails, 1,
                np.zeros(1, np.uint64))
        print(move(17), int(tails.max()), move(16), move(17, tails.astype(np.uint32)))
        """
    )
    assert out == ["-1", "[0,", "0]", "0", "-1", "0", "-1", "0"]


def _frames(rng, n):
    def bits(dtype, k=1):
        raw = rng.integers(0, 256, (k, n * np.dtype(dtype).itemsize)).astype(np.uint8)
        return raw.view(dtype).T

    f = pd.DataFrame(bits("<f8", 6), columns=list("abcdef"))
    added = f.copy()
    added["new"] = bits("<f8")[:, 0]
    inserted = f.copy()
    inserted.insert(2, "ins", bits("<f8")[:, 0])
    return {
        "2-D float16": pd.DataFrame(bits("<f2", 4)),
        "2-D big-endian": pd.DataFrame(bits(">f8", 4)),
        "dict bool/int8/uint64": pd.DataFrame(
            {
                "b": bits("u1")[:, 0] % 2 == 1,
                "i": bits("i1")[:, 0],
                "j": bits("i1")[:, 0],
                "u": bits("<u8")[:, 0],
                "v": bits("<u8")[:, 0],
            }
        ),
        "datetimes": pd.DataFrame(
            (bits("<i8", 3) % 10**15).view("M8[ns]"), columns=list("xyz")
        ),
        "added": added,
        "inserted": inserted,
        "dropped": f.drop(columns=["b", "e"]),
        "subset reordered": f[["e", "a", "c"]],
        "concat": pd.concat(
            [f, pd.DataFrame(bits("<f8", 2), columns=["y", "z"])], axis=1
        ),
    }


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_scattered_gather_of_frames_is_iloc(monkeypatch, small, n_threads):
    """Differential: frames built every way (2-D, dicts, non-consolidated,
    subsets, concat; float16, big-endian, bool, int8, uint64, datetimes, any
    bit pattern) gathered by shuffled under-sampling rows with and without
    repeats: the bits of iloc's rows, inputs untouched, nothing shared."""
    threads(monkeypatch, n_threads)
    calls = []
    take_scattered = _gather._take_scattered

    def spy(*args):
        calls.append(take_scattered(*args))
        return calls[-1]

    monkeypatch.setattr(_gather, "_take_scattered", spy)
    rng = np.random.default_rng(n_threads)
    for name, frame in _frames(rng, 301).items():
        before = [frame.iloc[:, j].to_numpy().tobytes() for j in range(frame.shape[1])]
        for rows in (rng.choice(301, 200, replace=False), rng.integers(0, 301, 160)):
            taken = _gather.take_pandas(frame, rows)
            assert taken is not None, name
            assert list(taken.dtypes) == list(frame.dtypes), name
            assert taken.index.equals(pd.RangeIndex(rows.shape[0]))
            for j in range(frame.shape[1]):
                column = frame.iloc[:, j].to_numpy()
                got = taken.iloc[:, j].to_numpy()
                assert got.tobytes() == column[rows].tobytes(), (name, j)
                assert not np.shares_memory(got, column)
        after = [frame.iloc[:, j].to_numpy().tobytes() for j in range(frame.shape[1])]
        assert after == before, name
    assert len(calls) >= 10 and all(calls)  # the scattered path, most frames
