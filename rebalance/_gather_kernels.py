"""Compiled gathers (numba) for :mod:`rebalance._gather`: 1-D columns, CSR
rows, integer class labels rebuilt from their codes, the distinct rows
of a gather with each row's rank among them (a bitmap of the rows), and the
block-by-block, bucket-by-bucket gather of scattered rows stored as columns
(``count_blocks``, ``pair_rows``, ``move_rows``, ``place_rows``).

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
# Rows ahead whose indptr entries csr_row_spans prefetches (a read a row: more
# in flight than the copy's).
_SPANS_AHEAD = 32
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
        ahead = rows[min(i + _SPANS_AHEAD, last - 1)]
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


@_inline
def _row_span(starts, out_indptr, i, n_entries, n_out):
    """``(a, o, length)``: output row ``i``'s entries start at ``starts[i]``
    of ``n_entries`` input entries and go to ``out_indptr[i]`` onwards of
    ``n_out``; ``length`` is -1 where either range lies outside (compared
    without sums that could wrap around: int64 arguments)."""
    a = starts[i]
    o = out_indptr[i]
    end = out_indptr[i + 1]
    length = end - o
    if a < 0 or o < 0 or end < o or a > n_entries or o > n_out:
        return a, o, -1
    if length > n_entries - a or length > n_out - o:
        return a, o, -1
    return a, o, length


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
        a, o, length = _row_span(starts, out_indptr, i, n_entries, n_out)
        if length < 0:
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


# Scattered gathers of rows stored as columns (:func:`rebalance._gather.
# _take_scattered`): the output's positions are sorted by the block of rows
# they read (``count_blocks``, ``pair_rows``), each block's columns are read in
# order and its rows written to the bucket of output positions they go to
# (``move_rows``), and each bucket, small enough to stay in cache, is written
# to the output (``place_rows``): memory is read and written in order, never
# one cache miss a row and column.


@_jit
def count_blocks(
    rows, n_rows, first, last, shift, tshift, owners, block_counts, dest_counts
):  # pragma: no cover - compiled
    """For ``first <= i < last``: ``block_counts[b] += 1`` and
    ``dest_counts[owners[b], i >> tshift] += 1``, ``b = rows[i] >> shift``
    (the block of rows ``rows[i]`` is in, and the bucket of output positions
    ``i`` is in, counted by the thread ``owners[b]`` that moves block ``b``).

    Returns 0, or -1 at the first row outside ``0 .. n_rows - 1``, block,
    owner or bucket outside its array (nothing out of bounds is touched).
    """
    n_blocks = block_counts.shape[0]
    n_owners, n_dests = dest_counts.shape[0], dest_counts.shape[1]
    if first < 0 or last < first or last > rows.shape[0]:
        return -1
    if shift < 0 or shift > 62 or tshift < 0 or tshift > 62:
        return -1
    if owners.shape[0] < n_blocks:
        return -1
    if last > first and ((last - 1) >> tshift) >= n_dests:
        return -1
    for i in range(first, last):
        r = rows[i]
        if r < 0 or r >= n_rows:
            return -1
        b = r >> shift
        if b >= n_blocks:
            return -1
        o = owners[b]
        if o < 0 or o >= n_owners:
            return -1
        block_counts[b] += 1
        dest_counts[o, i >> tshift] += 1
    return 0


@_jit
def pair_rows(rows, first, last, shift, fill, low, positions):  # pragma: no cover
    """For ``first <= i < last`` in order: ``k = fill[b]`` (then incremented),
    ``b = rows[i] >> shift``; ``low[k]`` the row's place in its block
    (``rows[i] & (2**shift - 1)``) and ``positions[k] = i``.

    Returns 0, or -1 at the first row, block or pair outside its array.
    """
    n_pairs = min(low.shape[0], positions.shape[0])
    n_blocks = fill.shape[0]
    if first < 0 or last < first or last > rows.shape[0]:
        return -1
    if shift < 0 or shift > 62:
        return -1
    mask = (1 << shift) - 1
    if mask > np.iinfo(low.dtype).max:
        return -1  # places in a block that low's integers would cut
    for i in range(first, last):
        r = rows[i]
        if r < 0:
            return -1
        b = r >> shift
        if b >= n_blocks:
            return -1
        k = fill[b]
        if k < 0 or k >= n_pairs:
            return -1
        fill[b] = k + 1
        low[k] = r & mask
        positions[k] = i
    return 0


@_jit
def move_rows(
    values,
    offsets,
    n_rows,
    first_block,
    last_block,
    shift,
    bounds,
    low,
    positions,
    tshift,
    fill,
    out,
    tails,
    line,
    sink,
):  # pragma: no cover - compiled
    """For the blocks ``first_block <= b < last_block`` of ``2**shift`` rows:
    the block's part of every column (``values[offsets[j] + r]``, rows
    ``r < n_rows``) is read in order, one value every ``line`` (a cache line:
    the block then stays in cache), then for each pair ``bounds[b] <= k <
    bounds[b + 1]`` (row ``r = (b << shift) + low[k]``, output position
    ``i = positions[k]``): slot ``q = fill[i >> tshift]`` (then incremented)
    of the bucket of ``2**tshift`` output positions ``i`` is in gets the row:
    ``out[j, q] = values[offsets[j] + r]`` for every column ``j``, and
    ``tails[q] = i & (2**tshift - 1)``: a bucket's rows are written where
    the bucket goes, in the order they come; :func:`place_rows` then puts
    each in place. The values
    read in order are or-ed into ``sink[0]`` (a read whose result is used is
    never left out by the compiler).

    Returns 0, or -1 at the first column, row, pair, position or slot
    outside its array, or a block past ``n_rows`` (nothing out of bounds is
    touched: a row's place in its block is compared before it is added).
    """
    n_columns = offsets.shape[0]
    n_values = values.shape[0]
    n_pairs = min(low.shape[0], positions.shape[0])
    n_dests = fill.shape[0]
    n_slots = min(out.shape[1], tails.shape[0])
    if n_rows < 0 or n_rows > n_values or out.shape[0] != n_columns:
        return -1
    if shift < 0 or shift > 62 or tshift < 0 or tshift > 62 or line < 1:
        return -1
    if first_block < 0 or last_block < first_block or last_block >= bounds.shape[0]:
        return -1
    # A block starts at a row of the values (n_rows >> shift blocks and one
    # more): ``b << shift`` of any later block could wrap around.
    if last_block > first_block and last_block - 1 > (n_rows >> shift):
        return -1
    if sink.shape[0] < 1:
        return -1
    for j in range(n_columns):
        # Compared without sums that could wrap around.
        if offsets[j] < 0 or offsets[j] > n_values - n_rows:
            return -1
    tmask = (1 << tshift) - 1
    if tmask > np.iinfo(tails.dtype).max:
        return -1  # places in a bucket that tails' integers would cut
    for b in range(first_block, last_block):
        start = b << shift
        stop = min(n_rows, start + (1 << shift))
        seen = sink[0]
        for j in range(n_columns):
            base = offsets[j]
            for r in range(start, stop, line):
                seen |= values[base + r]
        sink[0] = seen
        lo, hi = bounds[b], bounds[b + 1]
        if lo < 0 or hi < lo or hi > n_pairs:
            return -1
        for k in range(lo, hi):
            place = low[k]
            i = positions[k]
            # place compared before the sum (a negative or huge one would
            # wrap around to a row outside the block).
            if place < 0 or place >= stop - start or i < 0 or (i >> tshift) >= n_dests:
                return -1
            r = start + place
            d = i >> tshift
            q = fill[d]
            base = d << tshift
            if q < base or q >= n_slots or q - base > tmask:  # not in its bucket
                return -1
            fill[d] = q + 1
            for j in range(n_columns):
                out[j, q] = values[offsets[j] + r]
            tails[q] = i & tmask
    return 0


@_jit
def place_rows(out, tails, first_dest, last_dest, tshift, scratch):  # pragma: no cover
    """For the buckets ``first_dest <= d < last_dest`` of ``2**tshift`` output
    positions (``out[:, (d << tshift):][:, :2**tshift]``, as
    :func:`move_rows` left them): each slot ``k`` of the bucket goes to its
    position ``tails[k]`` within it, through ``scratch`` (a copy of the
    bucket, in cache).

    Returns 0, or -1 at the first bucket or position outside its array
    (a negative ``tails`` entry too; ``tails`` must hold each position of a
    bucket once; nothing out of bounds is touched).
    """
    n_columns, n_out = out.shape[0], out.shape[1]
    if tshift < 0 or tshift > 30 or first_dest < 0 or last_dest < first_dest:
        return -1
    size = 1 << tshift
    # Each output row's values side by side (out.T of a C-ordered array).
    rows_whole = n_columns > 1 and 0 < out.strides[0] < out.strides[1]
    if tails.shape[0] < n_out:
        return -1
    if last_dest > ((n_out - 1) >> tshift) + 1:
        return -1
    for d in range(first_dest, last_dest):
        base = d << tshift
        length = min(size, n_out - base)
        if length > scratch.shape[0]:
            return -1
        for k in range(length):
            tail = tails[base + k]
            if tail < 0 or tail >= length:
                return -1
        if rows_whole:  # a row at a time (out the transpose of rows)
            if length * n_columns > scratch.shape[0]:
                return -1
            for k in range(length):
                for j in range(n_columns):
                    scratch[k * n_columns + j] = out[j, base + k]
            for k in range(length):
                t = base + tails[base + k]
                for j in range(n_columns):
                    out[j, t] = scratch[k * n_columns + j]
            continue
        for j in range(n_columns):  # a column at a time: its part in cache
            for k in range(length):
                scratch[k] = out[j, base + k]
            for k in range(length):
                out[j, base + tails[base + k]] = scratch[k]
    return 0


@_jit
def csr_interleave(indices, data, first, last, staged):  # pragma: no cover
    """For the entries ``first <= k < last``: ``staged[2 * k] = indices[k]``
    and ``staged[2 * k + 1] = data[k]`` (as ``staged``'s integers: the same
    bits, widened): each entry's column and value side by side, so
    that a row read in random order misses the cache once, not once per
    array.

    Returns 0, or -1 when the range lies outside an array.
    """
    n = min(indices.shape[0], data.shape[0], staged.shape[0] // 2)
    if first < 0 or last < first or last > n:
        return -1
    for k in range(first, last):
        staged[2 * k] = indices[k]
        staged[2 * k + 1] = data[k]
    return 0


@_jit
def csr_copy_staged(
    starts, out_indptr, staged, out_indices, out_data, first, last
):  # pragma: no cover - compiled
    """:func:`csr_copy_rows` from entries side by side (:func:`csr_interleave`):
    for ``first <= i < last``, entries ``starts[i]`` onwards (``length =
    out_indptr[i + 1] - out_indptr[i]`` of them) to ``out_indptr[i]``
    onwards of the outputs (their bits: column and value cast back to the
    outputs' types), the entries of the row ``_PREFETCH_AHEAD`` rows on
    prefetched.

    Returns 0, or -1 at the first range outside the inputs or the outputs
    (the rows before it are copied; nothing out of bounds is touched,
    whatever the starts and offsets: they are compared without sums that
    could wrap).
    """
    n_entries = staged.shape[0] // 2
    n_out = min(out_indices.shape[0], out_data.shape[0])
    if first < 0 or last < first or last > starts.shape[0]:
        return -1
    if last >= out_indptr.shape[0]:
        return -1
    for i in range(first, last):
        ahead = starts[min(i + _PREFETCH_AHEAD, last - 1)]
        if 0 <= ahead < n_entries:
            _prefetch(staged, 2 * ahead)
        a, o, length = _row_span(starts, out_indptr, i, n_entries, n_out)
        if length < 0:
            return -1
        for k in range(length):
            out_indices[o + k] = staged[2 * (a + k)]
            out_data[o + k] = staged[2 * (a + k) + 1]
    return 0
