"""Compiled gathers (numba) for :mod:`rebalance._gather`: 1-D columns, CSR
rows, integer class labels rebuilt from their codes, and the distinct rows
of a gather with each row's rank among them (a bitmap of the rows).

scipy gathers CSR rows in one thread; a shuffled draw reads them in random
order (cache misses on every row). ``csr_row_spans`` reads where each output
row's entries are, ``csr_copy_rows`` copies them (prefetching the rows
ahead); both run in threads on disjoint slices of the output rows. The label
kernels read each output row's class code from a small array (a byte, or a
bit for two classes) instead of the label itself: random reads that stay in
cache. Every kernel reads and writes nothing out of bounds whatever it is
given: every index and range is checked before it is used (a range ``first``
to ``last`` must have ``0 <= first <= last``), and a failed check returns an
error code (the caller then leaves the gather to numpy or scipy,
which raise their own errors).
"""

from __future__ import annotations

import numpy as np

from rebalance._kernels import _inline, _jit, _prefetch

# Rows ahead whose entries are prefetched: a CSR row holds a few entries, so
# the copy loop's length varies row to row; its mispredicted exits cancel the
# loads in flight, and the next rows' cache misses would each be waited for.
_PREFETCH_AHEAD = 16
# Values ahead prefetched by take_values (one value a row: more in flight).
_GATHER_AHEAD = 32


@_jit
def csr_row_spans(indptr, rows, first, last, starts, lengths):  # pragma: no cover
    """For ``first <= i < last``: ``starts[i] = indptr[rows[i]]`` and
    ``lengths[i] = indptr[rows[i] + 1] - starts[i]``, one read of ``indptr``
    per row (its two entries share a cache line).

    Returns 0, or -1 at the first row outside the matrix or range outside
    its entries (``indptr`` decreasing or negative).
    """
    n_rows = indptr.shape[0] - 1
    n_spans = min(starts.shape[0], lengths.shape[0])
    if n_rows < 0 or first < 0 or last < first or last > rows.shape[0]:
        return -1
    if last > n_spans:
        return -1
    for i in range(first, last):
        ahead = rows[min(i + _PREFETCH_AHEAD, last - 1)]
        if 0 <= ahead < n_rows:
            _prefetch(indptr, ahead)
        r = rows[i]
        if r < 0 or r >= n_rows:
            return -1
        a = indptr[r]
        b = indptr[r + 1]
        if a < 0 or b < a:
            return -1
        starts[i] = a
        lengths[i] = b - a
    return 0


@_jit
def csr_copy_rows(
    starts, out_indptr, indices, data, out_indices, out_data, first, last
):  # pragma: no cover - compiled
    """For ``first <= i < last``: copy the entries ``starts[i]`` to
    ``starts[i] + length`` of ``indices`` and ``data`` to ``out_indptr[i]``
    onwards of the outputs, ``length = out_indptr[i + 1] - out_indptr[i]``.
    The entries of the row ``_PREFETCH_AHEAD`` rows on are prefetched.

    Returns 0, or -1 at the first range outside the inputs or the outputs
    (the rows before it are copied; nothing out of bounds is touched, whatever
    the starts and offsets: they are compared without sums that could wrap).
    """
    n_entries = min(indices.shape[0], data.shape[0])
    n_out = min(out_indices.shape[0], out_data.shape[0])
    if first < 0 or last < first or last > starts.shape[0]:
        return -1
    if last >= out_indptr.shape[0]:
        return -1
    for i in range(first, last):
        ahead = starts[min(i + _PREFETCH_AHEAD, last - 1)]
        if 0 <= ahead < n_entries:
            _prefetch(indices, ahead)
            _prefetch(data, ahead)
        a = starts[i]
        o = out_indptr[i]
        end = out_indptr[i + 1]
        # Compared without sums that could wrap around (int64 arguments).
        if a < 0 or o < 0 or end < o or a > n_entries or o > n_out:
            return -1
        length = end - o
        if length > n_entries - a or length > n_out - o:
            return -1
        for k in range(length):
            out_indices[o + k] = indices[a + k]
            out_data[o + k] = data[a + k]
    return 0


@_jit
def take_values(values, rows, first, last, out):  # pragma: no cover - compiled
    """For ``first <= i < last``: ``out[i] = values[rows[i]]`` (1-D arrays),
    the value ``_GATHER_AHEAD`` rows on prefetched: a shuffled gather misses
    the cache on every row, and the prefetches keep many misses in flight
    where ``np.take`` waits on a few.

    Returns 0, or -1 at the first index outside its array (the entries
    before it are written; nothing out of bounds is read or written).
    """
    if first < 0 or last < first or last > rows.shape[0] or last > out.shape[0]:
        return -1
    n_rows = values.shape[0]
    for i in range(first, last):
        ahead = rows[min(i + _GATHER_AHEAD, last - 1)]
        if 0 <= ahead < n_rows:
            _prefetch(values, ahead)
        r = rows[i]
        if r < 0 or r >= n_rows:
            return -1
        out[i] = values[r]
    return 0


@_jit
def labels_from_codes(codes, classes, rows, first, last, out):  # pragma: no cover
    """For ``first <= i < last``: ``out[i] = classes[codes[rows[i]]]``.

    Returns 0, or -1 at the first index outside its array (the entries
    before it are written; nothing out of bounds is read or written).
    """
    if first < 0 or last < first or last > rows.shape[0] or last > out.shape[0]:
        return -1
    n_rows, n_classes = codes.shape[0], classes.shape[0]
    for i in range(first, last):
        r = rows[i]
        if r < 0 or r >= n_rows:
            return -1
        c = codes[r]
        # A signed code below 0 would wrap around (or read before classes).
        if c < 0 or c >= n_classes:
            return -1
        out[i] = classes[c]
    return 0


@_jit
def labels_from_bits(bits, n_rows, classes, rows, first, last, out):  # pragma: no cover
    """For ``first <= i < last``: ``out[i] = classes[b]``, ``b`` bit ``rows[i]``
    of ``bits`` (little-endian bit order within each byte, as
    ``np.packbits(..., bitorder="little")``), for the 2 classes of a binary
    target: 1.25 MB of bits for 10M rows stay in the L2 cache, where the
    labels themselves would be read from memory.

    Returns 0, or -1 at the first index outside its array.
    """
    if first < 0 or last < first or last > rows.shape[0] or last > out.shape[0]:
        return -1
    if classes.shape[0] < 2:
        return -1
    n_rows = min(n_rows, bits.shape[0] * 8)
    for i in range(first, last):
        r = rows[i]
        if r < 0 or r >= n_rows:
            return -1
        out[i] = classes[(bits[r >> 3] >> (r & 7)) & 1]
    return 0


@_inline
def _popcount(word):
    """Number of set bits of the ``uint64`` ``word`` (summed in place)."""
    word = word - ((word >> np.uint64(1)) & np.uint64(0x5555555555555555))
    word = (word & np.uint64(0x3333333333333333)) + (
        (word >> np.uint64(2)) & np.uint64(0x3333333333333333)
    )
    word = (word + (word >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((word * np.uint64(0x0101010101010101)) >> np.uint64(56))


@_jit
def mark_rows(rows, bits):  # pragma: no cover - compiled
    """Set bit ``rows[i]`` of the bitmap ``bits`` (``uint64`` words, bit
    ``r & 63`` of word ``r >> 6``) for every ``i``.

    Returns 0, or -1 at the first row outside the bitmap.
    """
    n_bits = bits.shape[0] << 6
    for i in range(rows.shape[0]):
        r = rows[i]
        if r < 0 or r >= n_bits:
            return -1
        bits[r >> 6] |= np.uint64(1) << np.uint64(r & 63)
    return 0


@_jit
def list_marked(bits, word_ranks, distinct):  # pragma: no cover - compiled
    """The set bits of ``bits`` in increasing order written to ``distinct``,
    and ``word_ranks[w]`` the number of set bits before word ``w``.

    Returns their number, or -1 when ``word_ranks`` is shorter than ``bits``
    or ``distinct`` cannot hold them all (nothing is written out of bounds).
    """
    if word_ranks.shape[0] < bits.shape[0]:
        return -1
    capacity = distinct.shape[0]
    total = 0
    for w in range(bits.shape[0]):
        word_ranks[w] = total
        word = bits[w]
        while word:
            low = word & (~word + np.uint64(1))
            if total >= capacity:
                return -1
            distinct[total] = (w << 6) + _popcount(low - np.uint64(1))
            total += 1
            word ^= low
    return total


@_jit
def rank_rows(rows, bits, word_ranks, first, last, ranks):  # pragma: no cover
    """For ``first <= i < last``: ``ranks[i]`` the number of set bits of
    ``bits`` below bit ``rows[i]`` (its position among the distinct rows
    :func:`list_marked` lists), read from ``word_ranks``.

    Returns 0, or -1 at the first row outside the bitmap or not set in it.
    """
    n_words = bits.shape[0]
    if (
        first < 0
        or last < first
        or last > rows.shape[0]
        or last > ranks.shape[0]
        or word_ranks.shape[0] < n_words
    ):
        return -1
    for i in range(first, last):
        r = rows[i]
        if r < 0 or (r >> 6) >= n_words:
            return -1
        w = r >> 6
        word = bits[w]
        bit = np.uint64(1) << np.uint64(r & 63)
        if not word & bit:
            return -1
        ranks[i] = word_ranks[w] + _popcount(word & (bit - np.uint64(1)))
    return 0
