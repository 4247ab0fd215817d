"""Shuffled resampling at the cost of an ordered one: rows gathered in order,
written straight into a cache-blocked random permutation.

Gathering a shuffled draw's rows, ``X[indices]`` with ``indices`` in random
order, reads ``X`` at random: one cache miss per row, which costs more than
drawing the indices. :class:`RowShuffle` instead takes the draw *in row
order* and one random permutation, cache-blocked as the index shuffle of
:mod:`rebalance._kernels` is (Rao-Sandelius): one streaming pass reads the
rows in order and writes each to a random bucket of the output, then every
bucket, small enough for the L2 cache, is Fisher-Yates shuffled in place. A
uniformly random permutation of an ordered draw is distributed as the
shuffled draw, so nothing changes but the speed, and the draw for a seed.

The same permutation is applied to the row indices (``sample_indices_``) and,
through :func:`rebalance._frames.take_rows`, to every array gathered with
them: the indices are returned as a :class:`ShuffledRows` array (a read-only
numpy view) that carries its :class:`RowShuffle`. numpy arrays of any numeric
dtype and shape, and pandas DataFrames and Series (column by column, numpy
columns only) take the fast path; other containers are gathered from the
indices as before, with the same result. Output is identical for any number
of threads (``REBALANCE_NUM_THREADS``).

**Status: off by default** (:data:`ROW_SHUFFLE_ABOVE` is None). On the
2-core development VM (480 MiB L3, shared with other jobs) the two passes
over the output (scatter, then the in-bucket shuffle) cost more than the
random gather they replace: at 10M x 8 float32, 1:11.5, over-sampling took
2.8 s through this path against 1.4 s for the index shuffle (0.70 s
unshuffled). ``benchmarks/bench_samplers.py`` times both paths in one run
(``shuffle=True[rows]``); set :data:`ROW_SHUFFLE_ABOVE` (e.g. to
``rebalance._indices.SMALL_SHUFFLE``) where it measures faster.

numba is imported on the first large draw, never with ``import rebalance``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rebalance import _indices

__all__ = ["ROW_SHUFFLE_ABOVE", "RowShuffle", "ShuffledRows", "shuffle_rows"]

# Shuffled draws of more rows than this are gathered in order and then
# permuted; smaller ones are shuffled as indices (their rows fit in cache: a
# random gather is cheap). Decided on the draw's size only, so that the draw
# for a seed never depends on the container of X. None: never (the default
# until the row path is measured faster than the random gather on a quiet
# machine; see benchmarks/bench_samplers.py --row-shuffle).
ROW_SHUFFLE_ABOVE: int | None = None


def use_row_shuffle(n_output: int) -> bool:
    """Whether a shuffled draw of ``n_output`` rows takes the row path."""
    return ROW_SHUFFLE_ABOVE is not None and n_output > ROW_SHUFFLE_ABOVE


# Rows per bucket are chosen so that a bucket of the widest gathered array,
# up to this many bytes a row, fits in the L2 cache.
_BUCKET_BYTES = 1 << 19
_TYPICAL_ROW_BYTES = 32


def _kernels():
    from rebalance import _row_kernels

    return _row_kernels


def _index_kernels():
    from rebalance import _kernels

    return _kernels


def _log_buckets(n: int) -> int:
    """Buckets (log2) of a permutation of ``n`` rows: about ``_BUCKET_BYTES``
    of typical rows each, at most 2**16 buckets, at least 2."""
    per_bucket = _BUCKET_BYTES // _TYPICAL_ROW_BYTES
    return max(1, min(16, ((n - 1) // per_bucket).bit_length()))


class RowShuffle:
    """One random permutation of an ordered draw, applied to any number of arrays.

    Parameters
    ----------
    rows : ndarray of int, shape (n,)
        The draw in row order (e.g. sorted): row ``j`` of every output is taken
        from row ``rows[j]`` of its source, then the rows are permuted.
    rng : numpy.random.Generator
        Draws the permutation's key.

    Notes
    -----
    The permutation depends on ``n`` and the key only: the bucket of draw row
    ``j`` comes from a counter-based stream, and bucket ``b``'s Fisher-Yates
    shuffle from its own stream, so every array (and every thread split)
    gets the same permutation.
    """

    def __init__(self, rows: np.ndarray, rng: np.random.Generator):
        rows = np.asarray(rows)
        if rows.ndim != 1 or rows.dtype.kind not in "iu":
            raise ValueError(
                f"internal error: rows must be a 1-D integer array; got dtype "
                f"{rows.dtype} and shape {rows.shape}."
            )
        index_kernels = _index_kernels()
        self.rows = rows
        n = self.n = int(rows.shape[0])
        self.key = index_kernels.draw_key(rng)
        self.log_buckets = _log_buckets(max(n, 2))
        n_buckets = 1 << self.log_buckets
        self.threads = _indices.n_threads() if n > _indices.PARALLEL_ABOVE else 1
        # Element chunks start at whole draws of the bucket stream.
        self.chunks = _indices._split(n, self.threads, align=64 // self.log_buckets)
        counts = np.zeros((self.threads, n_buckets), dtype=np.int64)
        chunks = self.chunks
        _indices._in_threads(
            lambda t: index_kernels.count_buckets(
                self.key, self.log_buckets, chunks[t], chunks[t + 1], counts[t]
            ),
            self.threads,
        )
        self.bounds = np.zeros(n_buckets + 1, dtype=np.int64)
        np.cumsum(counts.sum(axis=0), out=self.bounds[1:])
        if int(self.bounds[-1]) != n:
            raise ValueError("internal error: bucket counts do not add up to the draw.")
        # Chunk t writes its share of bucket b after the shares of chunks < t,
        # so the layout is the single-threaded one.
        self.fill = self.bounds[:-1] + np.cumsum(counts, axis=0) - counts
        self.end = self.fill + counts

    # -- the permutation applied to 2-D word arrays ---------------------------

    def _permute(self, src: np.ndarray, identity: bool) -> np.ndarray:
        """``src[rows]`` (``src`` itself when ``identity``), permuted; ``src`` a
        C-contiguous 2-D array of unsigned words, one row per source row."""
        kernels = _kernels()
        if src.ndim != 2 or not src.flags.c_contiguous or src.dtype.kind != "u":
            raise ValueError("internal error: rows are permuted as 2-D word arrays.")
        if identity and src.shape[0] != self.n:
            raise ValueError("internal error: identity permutation of a wrong size.")
        out = np.empty((self.n, src.shape[1]), dtype=src.dtype)
        if self.n == 0 or src.shape[1] == 0:
            return out
        if src.shape[1] == 1:  # one word a row: the 1-D kernels
            gather = kernels.gather_scatter_1d
            shuffle = _index_kernels().shuffle_buckets
            src, target = src.reshape(-1), out.reshape(-1)
        else:
            gather, shuffle = kernels.gather_scatter, kernels.shuffle_row_buckets
            target = out
        fill = self.fill.copy()
        failed = []

        def scatter(t: int) -> None:
            status = gather(
                src, self.rows, identity, self.key, self.log_buckets,
                self.chunks[t], self.chunks[t + 1], fill[t], self.end[t], target,
            )  # fmt: skip
            if status:
                failed.append(t)

        _indices._in_threads(scatter, self.threads)
        if failed:
            raise ValueError(
                f"internal error: a drawn row is outside the {src.shape[0]} rows of "
                "the data, or the bucket counts do not match the draw."
            )
        n_buckets = self.bounds.shape[0] - 1
        bucket_chunks = _indices._split(n_buckets, self.threads)
        _indices._in_threads(
            lambda t: shuffle(
                target, self.bounds, self.key, bucket_chunks[t], bucket_chunks[t + 1]
            ),
            self.threads,
        )
        return out

    def indices(self) -> np.ndarray:
        """The draw's rows in the permuted order (a new array, ``rows``' dtype)."""
        words = self.rows.reshape(-1, 1).view(_word_dtype(self.rows.itemsize))
        return self._permute(words, identity=True).view(self.rows.dtype).reshape(-1)

    def take_array(self, data: np.ndarray) -> np.ndarray | None:
        """``data[rows]`` in the permuted order, or None when ``data`` is not a
        numpy array this path takes (object dtype, not contiguous, 0-d)."""
        if (
            not isinstance(data, np.ndarray)
            or data.ndim == 0
            or data.dtype.hasobject
            or data.shape[0] == 0
        ):
            return None
        if data.flags.c_contiguous:
            row_bytes = data.itemsize * int(np.prod(data.shape[1:], dtype=np.int64))
            if row_bytes == 0:
                return None
            words = _as_words(data.reshape(data.shape[0], -1), row_bytes)
            if words is None:
                return None
            out = self._permute(words, identity=False)
            return out.view(data.dtype).reshape((self.n,) + data.shape[1:])
        if data.ndim == 2 and data.flags.f_contiguous:
            # Column by column: each column of a Fortran array is contiguous.
            out = np.empty((self.n, data.shape[1]), dtype=data.dtype, order="F")
            for j in range(data.shape[1]):
                column = self.take_array(data[:, j])
                if column is None:
                    return None
                out[:, j] = column
            return out
        return None

    def take(self, data: Any) -> Any:
        """``data``'s rows of the draw in the permuted order, in ``data``'s type,
        or None where this container has no fast path (gather the indices)."""
        if isinstance(data, np.ndarray):
            return self.take_array(data)
        from rebalance._frames import is_pandas

        if is_pandas(data, "Series"):
            values = _numpy_values(data)
            if values is None:
                return None
            taken = self.take_array(values)
            if taken is None:
                return None
            return type(data)(taken, name=data.name).__finalize__(data)
        if is_pandas(data, "DataFrame"):
            return self._take_frame(data)
        return None

    def _take_frame(self, frame: Any) -> Any:
        """A pandas DataFrame gathered column by column: numpy columns through
        the permutation, the others (extension dtypes) from the indices."""
        indices = None
        columns = []
        for j in range(frame.shape[1]):
            column = frame.iloc[:, j]
            values = _numpy_values(column)
            taken = None if values is None else self.take_array(values)
            if taken is None:
                if indices is None:
                    indices = self.indices()
                taken = column.array.take(indices)
            columns.append(taken)
        result = type(frame)(dict(enumerate(columns)), index=_range_index(self.n))
        result.columns = frame.columns
        return result.__finalize__(frame)


def _range_index(n: int):
    import pandas as pd

    return pd.RangeIndex(n)


def _numpy_values(column: Any) -> np.ndarray | None:
    """A pandas column's values as a numpy array without a copy, or None when its
    dtype is not a plain numpy one (extension dtypes, objects)."""
    dtype = column.dtype
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        return None
    values = column.to_numpy(copy=False)
    if values.dtype != dtype:
        return None
    return np.ascontiguousarray(values)


def _word_dtype(row_bytes: int) -> np.dtype:
    for size in (8, 4, 2):
        if row_bytes % size == 0:
            return np.dtype(f"u{size}")
    return np.dtype(np.uint8)


def _as_words(data: np.ndarray, row_bytes: int) -> np.ndarray | None:
    """A C-contiguous 2-D ``data`` viewed as rows of unsigned words, or None."""
    word = _word_dtype(row_bytes)
    while data.ctypes.data % word.itemsize:  # unaligned buffer: narrower words
        word = np.dtype(f"u{word.itemsize // 2}")
    try:
        return data.view(np.uint8).view(word)
    except ValueError:
        return None


class ShuffledRows(np.ndarray):
    """Row indices in a :class:`RowShuffle`'s order, carrying it (read-only).

    :func:`rebalance._frames.take_rows` gathers rows with it through the
    permutation (rows read in order) instead of reading them at random. Views
    and results of numpy operations do not carry it (they are gathered as
    plain indices).
    """

    row_shuffle: RowShuffle


def shuffle_rows(rows: np.ndarray, rng: np.random.Generator) -> tuple:
    """``(indices, carrier)``: the draw ``rows`` (in row order) permuted uniformly
    at random, as a plain writeable array and as a read-only
    :class:`ShuffledRows` view of it to gather rows with.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance._rows import shuffle_rows
    >>> from rebalance._frames import take_rows
    >>> X = np.arange(20).reshape(10, 2)
    >>> indices, carrier = shuffle_rows(np.arange(10), np.random.default_rng(0))
    >>> sorted(indices.tolist())
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    >>> bool((take_rows(X, carrier) == X[indices]).all())
    True
    """
    shuffle = RowShuffle(rows, rng)
    indices = shuffle.indices()
    carrier = indices.view(ShuffledRows)
    carrier.flags.writeable = False
    carrier.row_shuffle = shuffle
    return indices, carrier


def carried_shuffle(indices: Any) -> RowShuffle | None:
    """The :class:`RowShuffle` that ``indices`` carries, or None."""
    if type(indices) is ShuffledRows:
        return indices.__dict__.get("row_shuffle")
    return None
