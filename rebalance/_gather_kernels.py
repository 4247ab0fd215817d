"""Compiled gathers (numba) for :mod:`rebalance._gather`: CSR rows, and
integer class labels rebuilt from their codes.

scipy gathers CSR rows in one thread; a shuffled draw reads them in random
order (cache misses on every row). ``csr_copy_rows`` copies the entries of a
slice of the output rows and runs in threads on disjoint slices. The label
kernels read each output row's class code from a small array (a byte, or a
bit for two classes) instead of the label itself: random reads that stay in
cache. Every kernel reads and writes nothing out of bounds whatever it is
given: every index and range is checked before it is used, and a failed check
returns an error code (the caller then leaves the gather to numpy or scipy,
which raise their own errors).
"""

from __future__ import annotations

from rebalance._kernels import _jit


@_jit
def csr_copy_rows(
    starts, out_indptr, indices, data, out_indices, out_data, first, last
):  # pragma: no cover - compiled
    """For ``first <= i < last``: copy the entries ``starts[i]`` to
    ``starts[i] + length`` of ``indices`` and ``data`` to ``out_indptr[i]``
    onwards of the outputs, ``length = out_indptr[i + 1] - out_indptr[i]``.

    Returns 0, or -1 at the first range outside the inputs or the outputs
    (the rows before it are copied; nothing out of bounds is touched).
    """
    n_entries = min(indices.shape[0], data.shape[0])
    n_out = min(out_indices.shape[0], out_data.shape[0])
    if first < 0 or last > starts.shape[0] or last >= out_indptr.shape[0]:
        return -1
    for i in range(first, last):
        a = starts[i]
        o = out_indptr[i]
        length = out_indptr[i + 1] - o
        if a < 0 or o < 0 or length < 0 or a + length > n_entries:
            return -1
        if o + length > n_out:
            return -1
        for k in range(length):
            out_indices[o + k] = indices[a + k]
            out_data[o + k] = data[a + k]
    return 0


@_jit
def labels_from_codes(codes, classes, rows, first, last, out):  # pragma: no cover
    """For ``first <= i < last``: ``out[i] = classes[codes[rows[i]]]``.

    Returns 0, or -1 at the first index outside its array (the entries
    before it are written; nothing out of bounds is read or written).
    """
    if first < 0 or last > rows.shape[0] or last > out.shape[0]:
        return -1
    n_rows, n_classes = codes.shape[0], classes.shape[0]
    for i in range(first, last):
        r = rows[i]
        if r < 0 or r >= n_rows:
            return -1
        c = codes[r]
        if c >= n_classes:
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
    if first < 0 or last > rows.shape[0] or last > out.shape[0] or classes.shape[0] < 2:
        return -1
    n_rows = min(n_rows, bits.shape[0] * 8)
    for i in range(first, last):
        r = rows[i]
        if r < 0 or r >= n_rows:
            return -1
        out[i] = classes[(bits[r >> 3] >> (r & 7)) & 1]
    return 0
