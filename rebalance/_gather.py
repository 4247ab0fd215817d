"""Large row gathers of numpy arrays, pandas columns and CSR matrices, in threads.

``take_array(data, rows)`` is ``np.take(data, rows, axis=0)``, bit for bit,
for the arrays a resampler returns. A shuffled draw reads its rows in random
order, one cache miss per row, so one thread waits on memory latency with the
memory bus mostly idle; ``np.take`` releases the GIL, so the output is split
into slices gathered by ``np.take`` in threads (``REBALANCE_NUM_THREADS``),
each slice after checking its indices (``np.take`` then runs with
``mode='clip'``, which writes straight into the slice instead of into a
buffer). pandas DataFrames and Series are gathered column by column (a
DataFrame stores columns, not rows), except when the rows are scattered (a
shuffled draw): a column read in random order misses the cache on every
row. Fewer rows than the input's (a shuffled under-sampling) of columns
that lie in one array (a pandas block, a Fortran-ordered numpy array) are
gathered block by block of input rows and bucket by bucket of output rows
(:class:`_ScatterPlan`, :func:`_take_scattered`: every pass reads and
writes memory in order); otherwise (every row read: a shuffled
over-sampling) columns of one dtype are first copied side by side as rows
(:func:`_take_staged`) and each row is read at once. CSR matrices have their
rows' entries copied by a bounds-checked numba kernel
(:mod:`rebalance._gather_kernels`), also in threads; every row's worth read
in random order (a shuffled over-sampling) first copies the entries side
by side, column then value (:func:`_interleaved`): one cache miss a row
instead of two. Gathers of less than
:data:`GATHER_ABOVE` bytes, object arrays, and index arrays numpy would wrap
(negative) or reject are left to numpy: the callers fall back to it when
these functions return None.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np

from rebalance import _indices

__all__ = [
    "GATHER_ABOVE",
    "take_array",
    "take_csr",
    "take_labels",
    "take_pandas",
    "take_strided",
]

# Output bytes from which the gather is split between threads: below, starting
# threads costs more than it saves.
GATHER_ABOVE = 1 << 22
# take_labels' table of class codes (made while the labels are written) is at
# most 1/LABEL_TABLE_RATIO of the labels' bytes, so that peak memory stays at
# the output's: under-sampling a large y, or a narrow label dtype, gathers y.
LABEL_TABLE_RATIO = 64
# take_pandas stages same-dtype numpy columns as rows of at most this many
# bytes (a cache line) when its rows are scattered: steps sampled, and the
# distance (in rows) from which a step is a jump.
STAGED_ROW_BYTES = 64
SAMPLED_STEPS = 1024
NEAR_ROWS = 1024
# Scattered gathers of fewer rows than the input's, but at least one in this
# many, stage only their distinct rows (take_pandas).
COMPACT_ROWS_RATIO = 64
# Inputs of at most this many rows get int32 distinct rows and ranks.
INT32_ROWS = np.iinfo(np.int32).max
# Rows staged or gathered at a time (a tile stays in cache).
STAGE_TILE = 1 << 14
# Columns of at most this many bytes are not staged: read in random order, a
# column this small stays in cache (a 200,000 x 300 float64 frame gathered
# column by column takes half the time of staging it).
STAGE_COLUMNS_ABOVE = 1 << 22
# Bytes of a block of rows read at a time by :func:`_take_scattered` (it
# stays in cache).
SCATTER_BLOCK_BYTES = 1 << 18
# log2 of the output rows in a bucket of _take_scattered (at most 16: their
# positions in the bucket are uint16).
BUCKET_SHIFT = 16
# Bytes of rows a thread indexes at a time out of an array that is not
# C-contiguous (:func:`_index_tiles`).
INDEX_TILE_BYTES = 1 << 20


def _row_indices(rows: Any) -> np.ndarray | None:
    """``rows`` as a 1-D ``intp`` array (what ``np.take`` casts to), or None."""
    rows = np.asarray(rows)
    if rows.ndim != 1 or rows.dtype.kind not in "iu":
        return None
    if (
        rows.dtype.kind == "u"
        or rows.dtype.itemsize < np.dtype(np.intp).itemsize
        or not rows.dtype.isnative  # the compiled kernels take native integers
    ):
        if rows.dtype.kind == "u" and rows.size and rows.max() > np.iinfo(np.intp).max:
            return None
        rows = rows.astype(np.intp)
    return rows


def _slices(n_out: int) -> tuple[int, np.ndarray]:
    """Threads for ``n_out`` output rows, and the output slices' bounds."""
    threads = _indices.n_threads() if n_out > _indices.PARALLEL_ABOVE else 1
    return threads, _indices._split(n_out, threads)


def _parts_pass(part: Any, threads: int, chunks: np.ndarray) -> bool:
    """Run ``part(lo, hi)`` on every slice ``chunks[t]:chunks[t + 1]``, one
    thread each; True when every call returned a false status (0: the
    compiled kernels' success)."""
    return _each_thread(lambda t: part(chunks[t], chunks[t + 1]), threads)


def _each_thread(part: Any, threads: int) -> bool:
    """Run ``part(t)`` for ``t < threads``, one thread each; True when every
    call returned a false status (0: the compiled kernels' success)."""
    failed = []

    def run(t: int) -> None:
        if part(t):
            failed.append(t)

    _indices._in_threads(run, threads)
    return not failed


def _in_range(rows: np.ndarray, n_rows: int) -> bool:
    """Whether every index is a row of a ``n_rows``-row array (negative ones
    are not: numpy decides what those mean); one pass, in threads."""
    if rows.shape[0] == 0:
        return True
    if n_rows == 0:
        return False

    def outside(lo: int, hi: int) -> bool:
        part = rows[lo:hi]
        return bool(part.shape[0]) and (part.min() < 0 or part.max() >= n_rows)

    return _parts_pass(outside, *_slices(rows.shape[0]))


# 1-D values of 1, 2, 4 or 8 bytes are gathered as unsigned integers of
# their size by the compiled kernel, their bits unchanged.
_WORDS = _indices.WORDS


def _take_checked(data: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``np.take(data, rows, axis=0)`` in threads, ``rows`` already known to be
    rows of ``data`` (:func:`_in_range`). 1-D data of 1, 2, 4 or 8 bytes a
    value go to the compiled :func:`rebalance._gather_kernels.take_values`
    (as unsigned integers of that size: the same bits); the rest to
    ``np.take``, whose ``mode='clip'`` lets it write straight into each slice
    of the output (and keeps any index inside ``data`` whatever it is
    given)."""
    out = np.empty((rows.shape[0],) + data.shape[1:], dtype=data.dtype)
    threads, chunks = _slices(rows.shape[0])
    _indices._in_threads(partial(_take_chunk, data, rows, chunks, out), threads)
    return out


def _take_into(data: np.ndarray, rows: np.ndarray, lo: int, hi: int, out: Any) -> None:
    """``out[lo:hi] = np.take(data, rows[lo:hi], axis=0)``, ``rows`` already
    known to be rows of ``data``: 1-D data of 1, 2, 4 or 8 bytes a value, too
    large to stay in cache, by the compiled gather (prefetching; it checks
    every index), the rest by ``np.take`` with ``mode='clip'`` (straight into
    ``out``; twice as fast as the kernel on a column that stays in cache)."""
    if hi <= lo:
        return
    word = _WORDS.get(data.dtype.itemsize) if data.ndim == 1 else None
    cached = data.nbytes <= STAGE_COLUMNS_ABOVE
    if word is not None and out.dtype == data.dtype and not cached:
        from rebalance import _gather_kernels

        if not _gather_kernels.take_values(
            data.view(word), rows, lo, hi, out.view(word)
        ):
            return
    if data.flags.c_contiguous:
        np.take(data, rows[lo:hi], axis=0, out=out[lo:hi], mode="clip")
    else:
        _index_tiles(data, rows, lo, hi, out)


def _index_tiles(
    data: np.ndarray, rows: np.ndarray, lo: int, hi: int, out: Any
) -> None:
    """``out[lo:hi] = data[rows[lo:hi]]``, a tile of rows at a time.

    For ``data`` that is not C-contiguous (Fortran-ordered, a column slice, a
    strided view, of a memory map too): ``np.take`` first copies all of such
    ``data`` (a gather of 10 rows of a 1 GB view allocates 1 GB, once per
    thread), indexing reads the rows it needs. The same bits as ``np.take``;
    a tile's temporary stays within :data:`INDEX_TILE_BYTES` (or a row)."""
    row_bytes = data.itemsize * math.prod(data.shape[1:])
    tile = max(1, min(STAGE_TILE, INDEX_TILE_BYTES // max(row_bytes, 1)))
    for start in range(lo, hi, tile):
        stop = min(start + tile, hi)
        out[start:stop] = data[rows[start:stop]]


def take_strided(data: np.ndarray, rows: Any) -> np.ndarray | None:
    """``np.take(data, rows, axis=0)`` (C-ordered, negative rows wrapping,
    IndexError outside) for ``data`` that is not C-contiguous, by indexing
    (:func:`_index_tiles`) instead of ``np.take``'s copy of all of ``data``;
    None for C-contiguous ``data``, ndarray subclasses (``np.take`` keeps
    their type) or ``rows`` other than 1-D integers.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import _gather
    >>> X = np.asfortranarray(np.arange(12.0).reshape(4, 3))
    >>> _gather.take_strided(X, np.array([3, -4])).tolist()
    [[9.0, 10.0, 11.0], [0.0, 1.0, 2.0]]
    """
    rows = np.asarray(rows)
    # Exactly ndarray, as take_array: np.take keeps a subclass's type (a
    # matrix, a recarray), whatever its layout.
    if type(data) is not np.ndarray or data.ndim == 0 or data.flags.c_contiguous:
        return None
    if rows.ndim != 1 or rows.dtype.kind not in "iu":
        return None
    out = np.empty((rows.shape[0],) + data.shape[1:], dtype=data.dtype)
    _index_tiles(data, rows, 0, rows.shape[0], out)
    return out


def _take_columns(
    columns: list[np.ndarray], rows: np.ndarray, outs: list[np.ndarray]
) -> None:
    """``outs[j][:] = np.take(columns[j], rows)`` for 1-D columns, ``rows``
    already known to be rows of each (:func:`_in_range`).

    Several columns per thread: the threads share the columns out (one
    thread each, whatever its size), each column gathered whole; starting
    threads for every column costs more than a narrow column's gather (a
    frame of 2000 columns). Fewer columns than twice the threads: each
    column's rows are split between the threads. The bits are ``np.take``'s
    for any number of threads."""
    n_out = rows.shape[0]
    large = n_out * len(columns) > _indices.PARALLEL_ABOVE
    threads = _indices.n_threads() if large else 1
    if len(columns) < 2 * threads:
        threads, chunks = _slices(n_out)
        for column, out in zip(columns, outs):
            _indices._in_threads(
                partial(_take_chunk, column, rows, chunks, out), threads
            )
        return

    def share(t: int) -> None:
        for j in range(t, len(columns), threads):
            _take_into(columns[j], rows, 0, n_out, outs[j])

    _indices._in_threads(share, threads)


def _take_chunk(
    data: np.ndarray, rows: np.ndarray, chunks: np.ndarray, out: Any, t: int
) -> None:
    _take_into(data, rows, chunks[t], chunks[t + 1], out)


def _take(data: np.ndarray, rows: np.ndarray) -> np.ndarray | None:
    """``np.take(data, rows, axis=0)`` in threads, whatever its size, or None
    when a row index is outside ``data`` (negative included: numpy decides
    what those mean) or ``data`` holds Python objects."""
    if data.ndim == 0 or data.dtype.hasobject or not _in_range(rows, data.shape[0]):
        return None
    staged = _take_row_major(data, rows)
    return _take_checked(data, rows) if staged is None else staged


def _take_row_major(data: np.ndarray, rows: np.ndarray) -> np.ndarray | None:
    """``np.take(data, rows, axis=0)`` for ``data`` whose rows are spread
    over memory (Fortran-ordered: ``df.to_numpy()`` of a pandas frame,
    ``X.T``), ``rows`` checked, through a C-ordered copy of the rows read:
    all of them when every row is read at least once (in any order: indexing
    reads each row's values column by column), or the distinct ones of a
    scattered read of fewer rows (at least 1 in :data:`COMPACT_ROWS_RATIO`
    of the rows; :func:`_jumps`, :func:`_distinct_ranks`). The copy reads
    ``data`` in order; the gather then misses the cache once a row instead
    of once a row and column. None otherwise (fewer rows in order, rows
    stored whole, or a copy that would not fit in half the available
    memory): the caller's gather.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import _gather
    >>> X = np.asfortranarray(np.arange(12.0).reshape(4, 3))
    >>> _gather._take_row_major(X, np.array([3, 0, 2, 1, 1])).tolist()[:2]
    [[9.0, 10.0, 11.0], [0.0, 1.0, 2.0]]
    >>> _gather._take_row_major(np.ascontiguousarray(X), np.arange(4)) is None
    True
    """
    if data.ndim < 2 or data.shape[0] == 0:
        return None
    row_bytes = data.itemsize * math.prod(data.shape[1:])
    # How far apart a row's first and last bytes lie.
    extent = data.itemsize + sum(
        abs(stride) * (size - 1)
        for stride, size in zip(data.strides[1:], data.shape[1:])
        if size
    )
    if row_bytes == 0 or extent <= max(2 * row_bytes, STAGED_ROW_BYTES):
        return None
    n_rows, n_out = data.shape[0], rows.shape[0]
    # Every row read at least once: copied in order, even for rows that run
    # in order (indexing reads each row's values column by column).
    every_row = n_out >= max(n_rows, 2)
    if not every_row and not _compact(rows, n_rows):
        return None
    if not every_row and data.ndim == 2:
        # Columns stored apart (Fortran order): gathered without a copy.
        out = np.empty((n_out, data.shape[1]), dtype=data.dtype)
        columns = [data[:, j] for j in range(data.shape[1])]
        if _gather_scattered(columns, rows, out.T, every_row) is not None:
            return out
    available = _indices.available_memory()  # cgroup limits included
    staged_bytes = min(n_out, n_rows) * (row_bytes + 8)
    if available is not None and 2 * staged_bytes + n_out * row_bytes > available:
        return None
    if every_row:
        distinct, positions = None, rows
        n_staged = n_rows
    else:
        distinct, positions = _distinct_ranks(rows, n_rows)
        n_staged = distinct.shape[0]
    staged = np.empty((n_staged,) + data.shape[1:], dtype=data.dtype)

    def stage(lo: int, hi: int) -> bool:
        if distinct is None:
            staged[lo:hi] = data[lo:hi]
        else:
            _index_tiles(data, distinct, lo, hi, staged)
        return False

    _parts_pass(stage, *_slices(n_staged))
    return _take_checked(staged, positions)


def _large(n_rows: int, row_bytes: int) -> bool:
    return n_rows * row_bytes >= GATHER_ABOVE


def take_array(data: Any, rows: Any) -> np.ndarray | None:
    """``np.take(data, rows, axis=0)`` gathered in threads, or None where numpy
    should do it (small, object dtype, negative or out-of-range indices).

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import _gather
    >>> X = np.arange(2_000_000, dtype=np.float32).reshape(-1, 4)
    >>> rows = np.random.default_rng(0).permutation(X.shape[0])
    >>> bool((_gather.take_array(X, rows) == X[rows]).all())
    True
    >>> _gather.take_array(X[:10], rows[:3]) is None  # small: numpy's job
    True
    """
    # Exactly ndarray: subclasses (masked arrays, np.matrix, ...) keep numpy's
    # own take, which knows what they carry.
    if type(data) is not np.ndarray or data.ndim == 0:
        return None
    row_bytes = data.itemsize * int(np.prod(data.shape[1:], dtype=np.int64))
    rows = _row_indices(rows)
    if rows is None or not _large(rows.shape[0], row_bytes):
        return None
    return _take(data, rows)


def _numpy_values(column: Any) -> np.ndarray | None:
    """A pandas column's values as a numpy array without a copy, or None when its
    dtype is not a plain numpy one (extension dtypes, objects)."""
    dtype = column.dtype
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        return None
    values = column.to_numpy(copy=False)
    if values.dtype != dtype:
        return None
    return values


def take_pandas(data: Any, rows: Any) -> Any:
    """``data.iloc[rows]`` with a fresh ``RangeIndex`` (what
    :func:`rebalance._frames.take_rows` returns) for a pandas DataFrame or
    Series, its numpy columns gathered in threads; None when the
    gather is small or has indices numpy must judge.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from rebalance import _gather
    >>> frame = pd.DataFrame({"a": np.arange(600_000.0), "b": np.arange(600_000)})
    >>> frame["c"] = pd.Categorical(frame["b"] % 3)
    >>> rows = np.random.default_rng(0).permutation(600_000)
    >>> taken = _gather.take_pandas(frame, rows)
    >>> taken.equals(frame.iloc[rows].reset_index(drop=True))
    True
    """
    import pandas as pd

    # Exactly pandas' classes: subclasses (GeoDataFrame, ...) may construct
    # themselves otherwise, and keep iloc.
    if type(data) not in (pd.DataFrame, pd.Series):
        return None
    rows = _row_indices(rows)
    if rows is None:
        return None
    # Decided from the dtypes alone: a column as a Series costs tens of
    # microseconds (a frame of 3000 columns: 0.15 s before any gather).
    dtypes = [data.dtype] if isinstance(data, pd.Series) else list(data.dtypes)
    # Extension dtypes (strings, ...) may not say their size: count a word.
    row_bytes = sum(getattr(dtype, "itemsize", 8) for dtype in dtypes)
    # pandas' take has no kernel for non-native byte order ("Big-endian
    # buffer not supported"): such columns are gathered here at any size.
    foreign = any(
        isinstance(dtype, np.dtype) and not dtype.isnative for dtype in dtypes
    )
    # Neither has pandas' take a kernel for Arrow view types (string_view,
    # binary_view, also nested): gathered through pyarrow at any size.
    views = [_arrow_views(dtype) for dtype in dtypes]
    if not foreign and not any(views) and not _worth_columns(rows.shape[0], row_bytes):
        return None
    columns = (
        [data]
        if isinstance(data, pd.Series)
        else [data.iloc[:, j] for j in range(data.shape[1])]
    )
    if not _in_range(rows, data.shape[0]):  # once for every column
        return None  # numpy's rules and errors
    # 1-D numpy columns (None: gathered by pandas' own take).
    values: list[Any] = []
    for column in columns:
        array = _numpy_values(column)
        values.append(array if array is not None and array.ndim == 1 else None)
    n_out = rows.shape[0]
    matrix = _rows_view(data, values) if isinstance(data, pd.DataFrame) else None
    if matrix is not None:
        # Rows stored whole (a frame over a 2-D array): a row is read at once,
        # not once per column; the result keeps that layout.
        taken_rows = _take_checked(matrix, rows)
        result = type(data)(taken_rows, index=pd.RangeIndex(n_out), copy=False)
        result.columns = data.columns
        return result.__finalize__(data)
    taken: list[Any] = [None] * len(columns)
    # Every row read at least once: all of them are staged. Fewer rows: the
    # distinct ones, read in order, then gathered by their ranks.
    every_row = _scattered(rows, data.shape[0])
    compact = not every_row and _compact(rows, data.shape[0])
    groups: list[list[int]] = []
    if every_row or compact:
        out_bytes = n_out * sum(v.itemsize for v in values if v is not None)
        groups = _row_groups(values, min(n_out, data.shape[0]), out_bytes)
    # A frame of numpy columns of one dtype comes back as one block (pandas'
    # own layout for it: columns as the rows of a 2-D array) ...
    block = None
    numpy_dtypes = {v.dtype for v in values if v is not None}
    all_numpy = all(v is not None for v in values)
    if isinstance(data, pd.DataFrame) and all_numpy and len(numpy_dtypes) == 1:
        if compact and len(groups) == 1 and len(groups[0]) == len(values):
            # ... but a scattered gather of fewer rows whose columns are one
            # group writes whole rows (a stream per bucket of output rows,
            # not one per bucket and column: ~20% faster), and the frame is
            # built over them, as pandas builds one over a row-major array
            # (``to_numpy()`` then gives that array, C-ordered).
            block = np.empty((n_out, len(values)), dtype=values[0].dtype).T
        else:
            block = np.empty((len(values), n_out), dtype=values[0].dtype)
    if every_row or compact:
        distinct = None
        for group in groups:
            out = None if block is None else block[group[0] : group[-1] + 1]
            same_dtype = [values[j] for j in group]
            scattered = _gather_scattered(same_dtype, rows, out, every_row)
            if scattered is not None:
                for j, column in zip(group, scattered):
                    taken[j] = column
                continue
            if distinct is None and not every_row:
                distinct, rows_staged = _distinct_ranks(rows, data.shape[0])
            if distinct is None:
                staged = _take_staged(same_dtype, rows, out)
            else:
                staged = _take_staged(same_dtype, rows_staged, out, distinct)
            for j, column in zip(group, staged):
                taken[j] = column
    rest = [
        j for j, array in enumerate(values) if array is not None and taken[j] is None
    ]
    outs = [
        np.empty(n_out, dtype=values[j].dtype) if block is None else block[j]
        for j in rest
    ]
    _take_columns([values[j] for j in rest], rows, outs)
    for j, out in zip(rest, outs):
        taken[j] = out
    index = pd.RangeIndex(n_out)
    if block is not None:
        result = type(data)(block.T, index=index, copy=False)
        result.columns = data.columns
        return result.__finalize__(data)
    for j, column in enumerate(columns):
        if taken[j] is None and views[j]:
            taken[j] = _take_arrow_views(column, rows, index)
        if taken[j] is None:
            if isinstance(data, pd.Series):
                taken[j] = column.array.take(rows)
            else:
                # The column's own dtype: pandas would guess a new one for
                # an object array (str, datetime64, ...).
                taken[j] = pd.Series(
                    column.array.take(rows), index=index, dtype=column.dtype, copy=False
                )
    if isinstance(data, pd.Series):
        return _series_like(data, taken[0])
    result = type(data)(dict(enumerate(taken)), index=index, copy=False)
    result.columns = data.columns
    return result.__finalize__(data)


def _rows_view(data: Any, values: list[np.ndarray | None]) -> np.ndarray | None:
    """The columns ``values`` of the DataFrame ``data`` as one C-contiguous
    ``(n_rows, n_columns)`` array, without a copy, when they are the columns
    of one row-major array: a frame made over a 2-D numpy array without a
    copy (``pd.DataFrame(X)`` with pandas < 3, ``copy=False`` with pandas 3).
    Else None (columns stored apart, several dtypes, a single column)."""
    if len(values) < 2 or any(v is None for v in values):
        return None
    first = values[0]
    assert first is not None  # for type checkers: checked just above
    width, itemsize = len(values), first.dtype.itemsize
    if first.strides != (width * itemsize,):
        return None
    start = first.__array_interface__["data"][0]
    for j, column in enumerate(values):
        assert column is not None
        if (
            column.dtype != first.dtype
            or column.strides != first.strides
            or column.__array_interface__["data"][0] != start + j * itemsize
        ):
            return None
    matrix = data.to_numpy(copy=False)
    if (
        not isinstance(matrix, np.ndarray)
        or matrix.dtype != first.dtype
        or matrix.shape != (first.shape[0], width)
        or not matrix.flags.c_contiguous
        or matrix.__array_interface__["data"][0] != start
    ):
        return None
    return matrix


def _worth_columns(n_out: int, row_bytes: int) -> bool:
    """Whether gathering ``n_out`` rows of ``row_bytes`` column by column here
    beats pandas' own ``iloc``: a large gather (:data:`GATHER_ABOVE`) with at
    least ``GATHER_ABOVE >> 6`` rows a column (65536 by default). Each column
    costs tens of microseconds here whatever its length: a wide frame of few
    rows (2000 x 3000) took 20 times ``iloc``'s time."""
    return _large(n_out, row_bytes) and n_out >= GATHER_ABOVE >> 6


def _arrow_views(dtype: Any) -> bool:
    """Whether ``dtype`` is a pandas ``ArrowDtype`` holding view types
    (``string_view``, ``binary_view``, nested ones too)."""
    import pandas as pd

    if not isinstance(dtype, pd.ArrowDtype):
        return False
    from rebalance._frames import _without_views

    return _without_views(dtype.pyarrow_dtype) != dtype.pyarrow_dtype


def _take_arrow_views(column: Any, rows: np.ndarray, index: Any) -> Any:
    """Rows ``rows`` (checked) of a pandas column of Arrow view types, taken
    by :func:`rebalance._frames._arrow_take_column`, dtype kept."""
    import pandas as pd
    import pyarrow as pa

    from rebalance._frames import _arrow_take_column

    taken = _arrow_take_column(column.array.__arrow_array__(), pa.array(rows))
    return pd.Series(
        pd.arrays.ArrowExtensionArray(taken), index=index, dtype=column.dtype
    )


def _scattered(rows: np.ndarray, n_rows: int) -> bool:
    """Whether ``rows`` (checked rows of an ``n_rows``-row frame) are a
    scattered read (:func:`_jumps`) of at least every row's worth."""
    return rows.shape[0] >= max(n_rows, 2) and _jumps(rows)


def _jumps(rows: np.ndarray) -> bool:
    """Whether most of :data:`SAMPLED_STEPS` evenly spaced steps
    ``rows[i] -> rows[i + 1]`` of ``rows`` (at least 2) jump further than
    :data:`NEAR_ROWS`: a shuffled draw, not an unshuffled one, whose rows run
    in order."""
    n_out = rows.shape[0]
    at = np.linspace(0, n_out - 2, num=min(SAMPLED_STEPS, n_out - 1), dtype=np.intp)
    steps = np.abs(rows[at + 1] - rows[at])
    return 2 * int(np.count_nonzero(steps > NEAR_ROWS)) > at.shape[0]


def _compact(rows: np.ndarray, n_rows: int) -> bool:
    """Whether ``rows`` (checked rows of an ``n_rows``-row input) are a
    scattered read (:func:`_jumps`) of fewer rows than the input's but at
    least 1 in :data:`COMPACT_ROWS_RATIO` of them (the bitmap of the rows then
    takes at most an eighth of the rows' size): worth staging the distinct
    rows (:func:`_distinct_ranks`)."""
    n_out = rows.shape[0]
    return 2 <= n_out < n_rows <= n_out * COMPACT_ROWS_RATIO and _jumps(rows)


def _distinct_ranks(rows: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``rows`` (checked rows of an ``n_rows``-row
    input, :func:`_in_range`) in increasing order, and each row's position
    among them: ``rows == distinct[ranks]``. Made from a bitmap of the rows
    (``n_rows`` bits: in cache where the rows' values are not), the ranks in
    threads; both ``int32`` for inputs of at most :data:`INT32_ROWS` rows.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import _gather
    >>> distinct, ranks = _gather._distinct_ranks(np.array([7, 2, 7, 90, 2]), 100)
    >>> distinct.tolist(), ranks.tolist(), ranks.dtype.name
    ([2, 7, 90], [1, 0, 1, 2, 0], 'int32')
    """
    from rebalance import _gather_kernels

    bits = np.zeros((n_rows + 63) >> 6, dtype=np.uint64)
    word_ranks = np.empty(bits.shape[0], dtype=np.intp)
    # Half the memory (and page faults) of intp where the rows allow it.
    positions = np.int32 if n_rows <= INT32_ROWS else np.intp
    distinct = np.empty(min(rows.shape[0], n_rows), dtype=positions)
    ranks = np.empty(rows.shape[0], dtype=positions)
    n_distinct = -1
    if not _gather_kernels.mark_rows(rows, bits):
        n_distinct = _gather_kernels.list_marked(bits, word_ranks, distinct)
    # The bitmap holds up to 63 bits past the input's last row: the largest
    # distinct row (the last) tells whether a row past the input was marked.
    if n_distinct > 0 and distinct[n_distinct - 1] >= n_rows:
        n_distinct = -1

    def rank(lo: int, hi: int) -> int:
        return _gather_kernels.rank_rows(rows, bits, word_ranks, lo, hi, ranks)

    if n_distinct < 0 or not _parts_pass(rank, *_slices(rows.shape[0])):
        raise IndexError("rows outside the input reached _distinct_ranks")
    return distinct[:n_distinct], ranks


def _row_groups(
    values: list[np.ndarray | None], n_rows: int, out_bytes: int = 0
) -> list[list[int]]:
    """Positions of the (1-D numpy) columns gathered together by
    :func:`_take_staged`: columns of one dtype, in groups whose rows are at
    most :data:`STAGED_ROW_BYTES` bytes (a cache line); groups of one column
    are left out (nothing to gain), and all are when the staged copy of
    ``n_rows`` such rows would take more than half the memory available
    (:func:`rebalance._indices.available_memory`: a container's limit
    included) besides the ``out_bytes`` of output the gather writes: the
    memory check before the draw counts the output, not the staged copy,
    and an output just allocated does not count as used until written."""
    available = _indices.available_memory()  # cgroup limits included
    staged = n_rows * STAGED_ROW_BYTES * 2
    if available is not None and staged + out_bytes > available:
        return []
    by_dtype: dict[np.dtype, list[int]] = {}
    for j, column in enumerate(values):
        # A column that stays in cache is read in random order at no cost.
        if column is not None and column.nbytes > STAGE_COLUMNS_ABOVE:
            by_dtype.setdefault(column.dtype, []).append(j)
    groups = []
    for dtype, positions in by_dtype.items():
        width = max(1, STAGED_ROW_BYTES // dtype.itemsize)
        for start in range(0, len(positions), width):
            group = positions[start : start + width]
            if len(group) > 1:
                groups.append(group)
    return groups


def _gather_scattered(
    columns: list[np.ndarray], rows: np.ndarray, out: np.ndarray | None, every_row: bool
) -> np.ndarray | None:
    """``np.take(column, rows)`` of each of ``columns`` (1-D, one dtype and
    length, ``rows`` checked and scattered) as the rows of ``out`` (a new
    ``(len(columns), len(rows))`` array when None), by
    :func:`_take_scattered`, when the columns lie in one array
    (:func:`column_offsets`: a pandas block) and the gather reads fewer rows
    than the input's (``every_row`` false: the staged copy is the faster
    there); else None, ``out`` untouched."""
    if every_row:
        return None
    located = column_offsets(columns)
    if located is None:
        return None
    values, offsets = located
    if out is None:
        out = np.empty((len(columns), rows.shape[0]), dtype=columns[0].dtype)
    n_rows = columns[0].shape[0]
    if not _take_scattered(values, offsets, n_rows, rows, out.view(values.dtype)):
        return None
    return out


def _take_staged(
    columns: list[np.ndarray],
    rows: np.ndarray,
    out: np.ndarray | None = None,
    distinct: np.ndarray | None = None,
) -> list[np.ndarray]:
    """``[np.take(column, rows) for column in columns]`` for columns of one
    dtype and length, ``rows`` already checked (:func:`_in_range`), through a
    row-major copy of the columns; with ``distinct`` (increasing rows of the
    columns), ``[np.take(column, distinct[rows]) ...]`` through a row-major
    copy of those rows only (:func:`_distinct_ranks`).

    A scattered gather of columns misses the cache once per row and column;
    staged as rows (one dtype: one 2-D array), each row is one miss. The copy
    (read in order) and the gather run in threads, tile by tile (a tile of
    rows gathered by ``np.take``, then written to the columns, while in
    cache); the outputs are rows of one ``(len(columns), len(rows))`` array
    (``out`` when given). Peak memory grows by the staged copy: the columns'
    size, or the distinct rows', at most the output's (see :func:`_scattered`
    and :func:`_row_groups`)."""
    width, dtype = len(columns), columns[0].dtype
    n_staged = columns[0].shape[0] if distinct is None else distinct.shape[0]
    staged = np.empty((n_staged, width), dtype=dtype)

    def stage(lo: int, hi: int) -> bool:
        tile = np.empty(min(STAGE_TILE, hi - lo), dtype=dtype)
        for start in range(lo, hi, STAGE_TILE):
            stop = min(start + STAGE_TILE, hi)
            for j, column in enumerate(columns):
                if distinct is None:
                    staged[start:stop, j] = column[start:stop]
                else:
                    part = tile[: stop - start]
                    np.take(column, distinct[start:stop], out=part, mode="clip")
                    staged[start:stop, j] = part
        return False

    _parts_pass(stage, *_slices(n_staged))
    if out is None:
        out = np.empty((width, rows.shape[0]), dtype=dtype)

    def gather(lo: int, hi: int) -> bool:
        tile = np.empty((min(STAGE_TILE, hi - lo), width), dtype=dtype)
        for start in range(lo, hi, STAGE_TILE):
            stop = min(start + STAGE_TILE, hi)
            part = tile[: stop - start]
            np.take(staged, rows[start:stop], axis=0, out=part, mode="clip")
            out[:, start:stop] = part.T
        return False

    _parts_pass(gather, *_slices(rows.shape[0]))
    return list(out)


def _block_shift(row_bytes: int) -> int:
    """log2 of the rows in a block of about :data:`SCATTER_BLOCK_BYTES` of
    ``row_bytes``-byte rows (between 4 and 16: block offsets fit ``uint16``)."""
    rows = max(1, SCATTER_BLOCK_BYTES // max(row_bytes, 1))
    return min(16, max(4, rows.bit_length() - 1))


def _root(array: np.ndarray) -> np.ndarray:
    """The array whose memory ``array`` views (``array`` itself if none)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def column_offsets(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """The 1-D columns ``columns`` (one dtype, one length, contiguous) as
    ``(values, offsets)``: ``values`` a 1-D view, as unsigned integers of the
    dtype's size, of the one array they all lie in (a pandas block, a
    Fortran-ordered array), and ``columns[j] == values[offsets[j]:][:n]``
    (bits). None when they do not lie in one contiguous array or their
    dtype has no integer of its size.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import _gather
    >>> X = np.asfortranarray(np.arange(12.0).reshape(4, 3))
    >>> values, offsets = _gather.column_offsets([X[:, 2], X[:, 0]])
    >>> values.dtype.name, offsets.tolist()
    ('uint64', [8, 0])
    """
    first = columns[0]
    word = _WORDS.get(first.dtype.itemsize)
    if word is None or first.ndim != 1:
        return None
    root = _root(first)
    if not (root.flags.c_contiguous or root.flags.f_contiguous) or root.size == 0:
        return None
    start = root.__array_interface__["data"][0]
    end = start + root.nbytes
    itemsize, n = first.dtype.itemsize, first.shape[0]
    offsets = np.empty(len(columns), dtype=np.int64)
    for j, column in enumerate(columns):
        at = column.__array_interface__["data"][0]
        if (
            _root(column) is not root
            or column.dtype != first.dtype
            or column.shape != (n,)
            or column.strides != (itemsize,)
            or (at - start) % itemsize
            or at < start
            or at + n * itemsize > end
        ):
            return None
        offsets[j] = (at - start) // itemsize
    if root.dtype.hasobject:
        return None
    flat = np.ravel(root, order="K")  # a view: root is contiguous
    if flat.__array_interface__["data"][0] != start or flat.flags.owndata:
        return None
    # Whole words only: the array the columns lie in may be of another dtype
    # whose bytes are no multiple of theirs (a byte buffer).
    flat = flat.view(np.uint8)[: root.nbytes - root.nbytes % itemsize]
    return flat.view(word), offsets


class _ScatterPlan:
    """The output positions of a scattered gather of ``rows`` (checked rows of
    an ``n_rows``-row input) sorted by the block of ``2**shift`` input rows
    they read (:func:`rebalance._gather_kernels.count_blocks`,
    :func:`~rebalance._gather_kernels.pair_rows`, in threads): ``bounds``
    (block ``b``'s pairs are ``bounds[b]:bounds[b + 1]``), ``low`` (the row
    within its block) and ``positions`` (the output row); each block is
    moved by thread ``owners[b]`` (the blocks ``block_chunks[t]:
    block_chunks[t + 1]``), which writes ``per_owner[t, d]`` rows to bucket
    ``d`` of ``2**tshift`` output rows from slot ``dest_fills[t, d]`` on.
    Raises IndexError where the kernels find an inconsistent row (callers
    check the rows first)."""

    def __init__(self, rows: np.ndarray, n_rows: int, shift: int, tshift: int):
        from rebalance import _gather_kernels

        n_out = rows.shape[0]
        self.n_rows, self.n_out, self.shift, self.tshift = n_rows, n_out, shift, tshift
        position_type = np.int32 if n_out <= INT32_ROWS else np.int64
        n_blocks = (n_rows >> shift) + 1
        self.n_dests = n_dests = ((n_out - 1) >> tshift) + 1
        threads, chunks = _slices(n_out)
        self.threads = threads
        self.block_chunks = _indices._split(n_blocks, threads)
        self.owners = np.repeat(
            np.arange(threads, dtype=np.int64), np.diff(self.block_chunks)
        )
        block_counts = np.zeros((threads, n_blocks), dtype=np.int64)
        dest_counts = np.zeros((threads, threads, n_dests), dtype=np.int64)

        def count(t: int) -> int:
            return _gather_kernels.count_blocks(
                rows, n_rows, chunks[t], chunks[t + 1], shift, tshift, self.owners,
                block_counts[t], dest_counts[t],
            )  # fmt: skip

        if not _each_thread(count, threads):
            raise IndexError("rows outside the input reached _ScatterPlan")
        self.bounds = np.zeros(n_blocks + 1, dtype=np.int64)
        np.cumsum(block_counts.sum(axis=0), out=self.bounds[1:])
        # Chunk t's pairs of a block follow chunk t - 1's: one order whatever
        # the threads.
        fills = self.bounds[:-1] + np.cumsum(block_counts, axis=0) - block_counts
        self.low = np.empty(n_out, dtype=np.uint16)
        self.positions = np.empty(n_out, dtype=position_type)
        pair_fills = fills.copy()

        def pair(t: int) -> int:
            return _gather_kernels.pair_rows(
                rows, chunks[t], chunks[t + 1], shift, pair_fills[t], self.low,
                self.positions,
            )  # fmt: skip

        ok = _each_thread(pair, threads)
        if not ok or not np.array_equal(pair_fills, fills + block_counts):
            raise IndexError("inconsistent rows reached _ScatterPlan")
        self.per_owner = dest_counts.sum(axis=0)  # (owner thread, bucket)
        # Every output position is one row: bucket d holds positions
        # d << tshift onwards, its rows written there, then put in place.
        dest_bounds = np.minimum(
            np.arange(n_dests + 1, dtype=np.int64) << tshift, n_out
        )
        if not np.array_equal(self.per_owner.sum(axis=0), np.diff(dest_bounds)):
            raise IndexError("inconsistent rows reached _ScatterPlan")
        self.dest_fills = (
            dest_bounds[:-1] + np.cumsum(self.per_owner, axis=0) - self.per_owner
        )
        self.dest_chunks = _indices._split(n_dests, threads)
        self.tails = np.empty(n_out, dtype=np.uint16)

    def move_columns(self, values: np.ndarray, offsets: np.ndarray, out: Any) -> None:
        """``out[j, i] = values[offsets[j] + rows[i]]`` (``out`` of shape
        ``(len(offsets), n_out)``, ``values``' dtype, any strides), at most a
        cache line of each row at a time (few streams of writes)."""
        from rebalance import _gather_kernels

        threads, tshift = self.threads, self.tshift
        width = max(1, STAGED_ROW_BYTES // values.itemsize)
        sinks = np.zeros((threads, 1), dtype=values.dtype)
        line = max(1, 64 // values.itemsize)
        size = min(1 << tshift, self.n_out)
        for first in range(0, len(offsets), width):
            part = out[first : first + width]
            moved_fills = self.dest_fills.copy()
            columns = offsets[first : first + width]

            def moved(
                t: int,
                part: np.ndarray = part,
                columns: np.ndarray = columns,
                fills: np.ndarray = moved_fills,
            ) -> int:
                return _gather_kernels.move_rows(
                    values, columns, self.n_rows, self.block_chunks[t],
                    self.block_chunks[t + 1], self.shift, self.bounds, self.low,
                    self.positions, tshift, fills[t], part, self.tails, line,
                    sinks[t],
                )  # fmt: skip

            ok = _each_thread(moved, threads)
            if not ok or not np.array_equal(
                moved_fills, self.dest_fills + self.per_owner
            ):
                raise IndexError("inconsistent rows reached _ScatterPlan")

            def placed(t: int, part: np.ndarray = part) -> int:
                return _gather_kernels.place_rows(
                    part, self.tails, self.dest_chunks[t], self.dest_chunks[t + 1],
                    tshift, np.empty(size * part.shape[0], dtype=values.dtype),
                )  # fmt: skip

            if not _each_thread(placed, threads):
                raise IndexError("inconsistent rows reached _ScatterPlan")


def _plan_memory(n_out: int) -> bool:
    """Whether the positions of a scattered gather of ``n_out`` rows (about
    10 bytes a row) fit in half the memory available."""
    extra = n_out * (4 + (4 if n_out <= INT32_ROWS else 8))
    available = _indices.available_memory()  # cgroup limits included
    return available is None or 2 * extra <= available


def _take_scattered(
    values: np.ndarray, offsets: np.ndarray, n_rows: int, rows: np.ndarray, out: Any
) -> bool:
    """``out[j, i] = values[offsets[j] + rows[i]]`` for every column ``j`` and
    output row ``i`` (``out`` a 2-D array of ``values``' dtype, of shape
    ``(len(offsets), len(rows))``, any strides), ``rows`` in any order: the
    gather of scattered rows of columns stored apart (a pandas block, a
    Fortran-ordered array) without a cache miss a row and column.

    The output positions are sorted by the block of :func:`_block_shift`
    rows they read (:class:`_ScatterPlan`), each block's columns read in
    order and its rows written to the bucket of output positions they go
    to, and each bucket written out while in cache
    (:mod:`rebalance._gather_kernels`): every pass reads and writes memory in
    order, in threads. The same bits as ``np.take`` for any number of
    threads. Extra memory: about 10 bytes a row. False, with nothing
    written, where that memory is not available; True when done (the
    kernels check every index: an inconsistent argument raises
    IndexError)."""
    n_columns, n_out = len(offsets), rows.shape[0]
    if n_out == 0 or n_columns == 0:
        return True
    if not _plan_memory(n_out):
        return False
    width = max(1, STAGED_ROW_BYTES // values.itemsize)
    shift = _block_shift(min(n_columns, width) * values.itemsize)
    # Few buckets of output positions (few streams of writes in move_rows):
    # as large as their uint16 positions allow.
    plan = _ScatterPlan(rows, n_rows, shift, BUCKET_SHIFT)
    plan.move_columns(values, offsets, out)
    return True


def csr_staging_bytes(data: Any, n_out: int) -> int:
    """Bytes of the side-by-side copy of its entries (:func:`_interleaved`)
    that :func:`take_csr` may make for a scattered gather of ``n_out`` rows of
    the CSR matrix ``data`` (every row's worth read: ``n_out`` at least its
    rows; values of 1 to 8 bytes); 0 where it makes none. For memory
    estimates made before the draw.

    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from rebalance._gather import csr_staging_bytes
    >>> X = sp.csr_matrix(np.eye(4, dtype=np.float32))  # int32 indices
    >>> csr_staging_bytes(X, 6), csr_staging_bytes(X, 3)
    (32, 0)
    """
    import scipy.sparse as sp

    if not sp.issparse(data) or data.format != "csr" or n_out < data.shape[0]:
        return 0
    if data.dtype.itemsize not in _WORDS or data.dtype.hasobject:
        return 0
    n_entries = min(data.indices.shape[0], data.data.shape[0])
    return 2 * n_entries * max(data.indices.itemsize, data.dtype.itemsize)


def _interleaved(indices: np.ndarray, words: np.ndarray) -> np.ndarray | None:
    """A CSR matrix's entries side by side, column then value, as signed
    integers of the wider of the two (:func:`rebalance._gather_kernels.
    csr_interleave`, in threads): a row read in random order then misses the
    cache once instead of once in ``indices`` and once in ``data``. Signed:
    a column index widened to the output's index type keeps its sign, as
    scipy's copy does (the values, unsigned, keep their bits). None for
    values that are not unsigned integers of 1 to 8 bytes (complex) or a
    copy that would not fit in half the available memory."""
    from rebalance import _gather_kernels

    if words.dtype.kind != "u":
        return None
    n = min(indices.shape[0], words.shape[0])
    word = np.dtype(f"i{max(indices.itemsize, words.itemsize)}")
    available = _indices.available_memory()  # cgroup limits included
    if available is not None and 4 * n * word.itemsize > available:
        return None
    staged = np.empty(2 * n, dtype=word)

    def interleave(lo: int, hi: int) -> int:
        return _gather_kernels.csr_interleave(indices, words, lo, hi, staged)

    if not _parts_pass(interleave, *_slices(n)):
        return None
    return staged


def _series_like(series: Any, values: Any) -> Any:
    """``values`` as a Series named as ``series``, with a fresh ``RangeIndex``
    and its ``attrs`` (what ``series.iloc[rows].reset_index(drop=True)``
    gives)."""
    import pandas as pd

    index = pd.RangeIndex(len(values))
    return type(series)(
        values, index=index, name=series.name, dtype=series.dtype, copy=False
    ).__finalize__(series)


def _bits(codes: np.ndarray) -> np.ndarray:
    """``codes != 0`` packed 8 to a byte (little-endian bit order), a block at
    a time: no temporary the size of ``codes``."""
    bits = np.empty((codes.shape[0] + 7) // 8, dtype=np.uint8)
    step = 1 << 20  # codes a block: a multiple of 8
    for start in range(0, codes.shape[0], step):
        block = codes[start : start + step] != 0
        bits[start // 8 : (start + block.shape[0] + 7) // 8] = np.packbits(
            block, bitorder="little"
        )
    return bits


def rebuildable_labels(y: Any, labels: Any) -> np.ndarray | None:
    """The numpy values of ``y`` where ``labels.classes[codes]`` gives them bit
    for bit (see :func:`take_labels`), else None."""
    import pandas as pd

    if type(y) is pd.Series:
        values = _numpy_values(y)
    else:
        values = y if type(y) is np.ndarray else None
    if (
        values is None
        or values.ndim != 1
        or values.dtype.kind not in "iu"
        or not values.dtype.isnative
        or labels.classes.dtype != values.dtype
        or values.shape[0] != labels.n_samples
        or not 2 <= labels.n_classes <= 256
    ):
        return None
    return values


def take_labels(y: Any, labels: Any, rows: Any) -> Any:
    """``take_rows(y, rows)`` for integer class labels, rebuilt from their class
    codes: ``labels.classes[labels.codes[rows]]``; None where
    :func:`rebalance._frames.take_rows` should gather ``y`` itself.

    A shuffled draw reads the labels in random order: from memory for large
    ``y``, one cache miss per row. The codes of at most 256 classes fit a byte
    a row (a bit for two classes: 1.25 MB for 10M rows), small enough to stay
    in cache, so the same random reads are several times cheaper. Only for
    a 1-D numpy array or pandas Series of native-order integers whose classes
    have ``y``'s dtype: then ``classes[codes]`` is ``y``, bit for bit (not
    for floats: ``-0.0`` and ``0.0`` are one class). ``labels`` must be the
    encoding of this ``y`` (``encode_labels(y)``); only its length and dtype
    are checked.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import _gather
    >>> from rebalance._labels import encode_labels
    >>> y = np.random.default_rng(0).integers(0, 2, 1_000_000)
    >>> labels, _, _ = encode_labels(y)
    >>> rows = np.random.default_rng(1).permutation(y.shape[0])
    >>> bool((_gather.take_labels(y, labels, rows) == y[rows]).all())
    True
    """
    values = rebuildable_labels(y, labels)
    if values is None:
        return None
    rows = _row_indices(rows)
    if rows is None or not _large(rows.shape[0], values.itemsize):
        return None
    classes = labels.classes
    binary = labels.n_classes == 2
    codes = labels.codes
    if binary:
        table_bytes = (codes.shape[0] + 7) // 8
    else:
        table_bytes = 0 if codes.dtype == np.uint8 else codes.shape[0]
    if table_bytes * LABEL_TABLE_RATIO > rows.shape[0] * values.itemsize:
        return None
    from rebalance import _gather_kernels

    if binary:
        kernel = partial(_gather_kernels.labels_from_bits, _bits(codes), codes.shape[0])
    else:
        codes = codes.astype(np.uint8, copy=False)
        kernel = partial(_gather_kernels.labels_from_codes, codes)
    out = np.empty(rows.shape[0], dtype=values.dtype)

    def gather(lo: int, hi: int) -> int:
        return kernel(classes, rows, lo, hi, out)

    if not _parts_pass(gather, *_slices(rows.shape[0])):
        return None  # numpy's wrap-around and errors
    return _series_like(y, out) if values is not y else out


def take_csr(data: Any, rows: Any) -> Any:
    """``data[rows]`` for a large scipy CSR matrix or array, its rows copied by
    a compiled kernel in threads; None where scipy should do it (small, other
    formats, indices scipy must judge, a matrix whose arrays do not agree).

    The result has ``data``'s type, dtype and column count, and keeps each
    row's entries in their order.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from rebalance import _gather
    >>> X = sp.random(400_000, 6, density=0.3, format="csr", random_state=0)
    >>> rows = np.random.default_rng(0).permutation(X.shape[0])
    >>> taken = _gather.take_csr(X, rows)
    >>> type(taken) is type(X) and (taken != X[rows]).nnz == 0
    True
    """
    import scipy.sparse as sp

    if not sp.issparse(data) or data.format != "csr" or data.ndim != 2:
        return None
    rows = _row_indices(rows)
    if rows is None or rows.shape[0] == 0:
        return None
    indptr, indices, values = data.indptr, data.indices, data.data
    if values.dtype.hasobject or indptr.shape[0] != data.shape[0] + 1:
        return None
    if not all(a.dtype.isnative for a in (indptr, indices, values)):
        return None  # the compiled kernels take native byte order; scipy copes
    # The entries are copied as unsigned integers of their size (the same
    # bits), or as complex128; numba has no type for the others (long double,
    # its complex): scipy's.
    word = _WORDS.get(values.dtype.itemsize)
    if word is None and values.dtype != np.complex128:
        return None
    if indptr.dtype.kind != "i" or indices.dtype.kind != "i":
        return None
    row_bytes = values.itemsize + indices.itemsize
    expected = rows.shape[0] * values.shape[0] / max(data.shape[0], 1) * row_bytes
    if expected < GATHER_ABOVE / 2:  # small for sure: no pass over the rows
        return None
    from rebalance import _gather_kernels

    n_out = rows.shape[0]
    starts = np.empty(n_out, dtype=indptr.dtype)
    # The rows' lengths are written where their cumulative sum goes: no
    # array of lengths besides the output's indptr.
    out_indptr = np.empty(n_out + 1, dtype=indptr.dtype)
    out_indptr[0] = 0
    lengths = out_indptr[1:]

    def spans(lo: int, hi: int) -> int:
        # Checks every row too: a negative or outside one fails it.
        return _gather_kernels.csr_row_spans(indptr, rows, lo, hi, starts, lengths)

    if not _parts_pass(spans, *_slices(n_out)):
        return None  # numpy's wrap-around, scipy's errors (malformed matrix)
    n_entries = int(lengths.sum(dtype=np.int64))
    if not _large(n_entries, row_bytes):
        return None
    # At least int32, as scipy: the output may hold more entries than a
    # narrower input index type counts.
    index_dtype = np.result_type(indices.dtype, indptr.dtype, np.int32)
    if n_entries > np.iinfo(np.int32).max:
        index_dtype = np.dtype(np.int64)
    if out_indptr.dtype != index_dtype:
        out_indptr = out_indptr.astype(index_dtype)
    np.cumsum(out_indptr[1:], out=out_indptr[1:])
    out_indices = np.empty(n_entries, dtype=index_dtype)
    out_data = np.empty(n_entries, dtype=values.dtype)
    threads = _indices.n_threads() if n_entries > _indices.PARALLEL_ABOVE else 1

    if word is None:
        words, out_words = values, out_data
    else:
        words, out_words = values.view(word), out_data.view(word)

    # Every row's worth read in random order (a shuffled over-sampling):
    # worth a copy of the entries side by side. Fewer rows: not the memory.
    scattered = n_out >= data.shape[0] and _jumps(rows)
    staged = _interleaved(indices, words) if scattered else None

    def copy(lo: int, hi: int) -> int:
        if staged is not None:
            return _gather_kernels.csr_copy_staged(
                starts, out_indptr, staged, out_indices, out_words, lo, hi
            )
        return _gather_kernels.csr_copy_rows(
            starts, out_indptr, indices, words, out_indices, out_words, lo, hi
        )

    if not _parts_pass(copy, threads, _indices._split(n_out, threads)):
        return None
    return type(data)((out_data, out_indices, out_indptr), shape=(n_out, data.shape[1]))
