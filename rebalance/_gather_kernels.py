"""Compiled row gather of CSR matrices (numba), for :mod:`rebalance._gather`.

scipy gathers CSR rows in one thread; a shuffled draw reads them in random
order (cache misses on every row). This kernel copies the entries of a slice
of the output rows and runs in threads on disjoint slices. It reads and writes
nothing out of bounds whatever it is given: every range is checked before it
is used, and a failed check returns an error code (the caller then leaves the
gather to scipy, which raises its own error).
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
    if last > starts.shape[0] or last >= out_indptr.shape[0]:
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
