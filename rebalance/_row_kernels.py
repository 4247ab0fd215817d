"""Compiled row-permutation kernels (numba): rows gathered straight into a
cache-blocked random order.

The same Rao-Sandelius scheme as the index shuffle of
:mod:`rebalance._kernels`, applied to whole rows: every output row goes to one
of ``K`` buckets drawn from the counter-based bucket stream (one streaming pass
that reads the source rows in the order given), then each bucket, small enough
to stay in the L2 cache, is Fisher-Yates shuffled row by row. The random
streams are those of :mod:`rebalance._kernels` (the bucket stream of
``count_buckets`` / ``scatter_segments`` and the per-bucket stream of
``shuffle_buckets``), so applying the kernels with one key to several arrays
(the features, the labels, the weights, the row indices) permutes them all the
same way, whatever the number of threads. (One-word rows are shuffled by
``rebalance._kernels.shuffle_buckets`` itself.)

Rows are copied as machine words: callers view every array as a 2-D array of
unsigned integers (one row per sample), so four compiled variants cover every
dtype and row width. Nothing here checks array sizes beyond what is stated:
:mod:`rebalance._rows` checks them before every call.
"""

from __future__ import annotations

import numpy as np

from rebalance._kernels import (
    _below,
    _bucket_stream,
    _element_stream,
    _jit,
    _mix,
    _next_bucket,
)


@_jit
def gather_scatter(src, rows, identity, key, log_buckets, first, last, fill, end, out):
    """Rows ``first`` to ``last - 1`` of the draw into their buckets of ``out``.

    Draw row ``j`` is ``src[rows[j]]`` (``src[j]`` when ``identity``); it goes
    to ``out[fill[b]]`` with ``b`` its bucket, and ``fill[b]`` advances.
    Returns 0, or -1 as soon as a row is outside ``src`` or a bucket would pass
    ``end[b]`` (nothing is read or written out of bounds). ``first`` is a
    multiple of ``64 // log_buckets`` (a whole draw of the bucket stream).
    """
    per_draw, mask, shift, draw, bits, used = _bucket_stream(key, log_buckets, first)
    n_src = src.shape[0]
    width = src.shape[1]
    for j in range(first, last):
        b, draw, bits, used = _next_bucket(key, draw, bits, used, per_draw, mask, shift)
        r = np.int64(j) if identity else np.int64(rows[j])
        d = fill[b]
        if r < 0 or r >= n_src or d >= end[b]:
            return -1
        for k in range(width):
            out[d, k] = src[r, k]
        fill[b] = d + 1
    return 0


@_jit
def gather_scatter_1d(
    src, rows, identity, key, log_buckets, first, last, fill, end, out
):  # fmt: skip
    """:func:`gather_scatter` for 1-D ``src`` and ``out`` (one word a row)."""
    per_draw, mask, shift, draw, bits, used = _bucket_stream(key, log_buckets, first)
    n_src = src.shape[0]
    for j in range(first, last):
        b, draw, bits, used = _next_bucket(key, draw, bits, used, per_draw, mask, shift)
        r = np.int64(j) if identity else np.int64(rows[j])
        d = fill[b]
        if r < 0 or r >= n_src or d >= end[b]:
            return -1
        out[d] = src[r]
        fill[b] = d + 1
    return 0


@_jit
def shuffle_row_buckets(out, bounds, key, first, last):
    """Fisher-Yates shuffle the rows of buckets ``first`` to ``last - 1`` in place.

    Bucket ``b`` is ``out[bounds[b]:bounds[b + 1]]``, shuffled with the stream
    :func:`rebalance._kernels.shuffle_buckets` gives it: the same swaps for
    every array, whatever its row width.
    """
    width = out.shape[1]
    touched = out.dtype.type(0)
    for b in range(first, last):
        start, stop = bounds[b], bounds[b + 1]
        # Read the bucket in order first (prefetched at full bandwidth); the
        # swaps below then hit the cache.
        for i in range(start, stop, max(1, 8 // width)):
            touched ^= out[i, 0]
        state = _mix(_element_stream(key, b))
        for i in range(stop - start - 1, 0, -1):
            state, j = _below(state, np.uint64(i + 1))
            p = start + i
            q = start + np.int64(j)
            for k in range(width):
                tmp = out[p, k]
                out[p, k] = out[q, k]
                out[q, k] = tmp
    return touched
