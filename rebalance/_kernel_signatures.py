"""Argument types of the numba kernels that :mod:`rebalance._warmup` compiles.

One ``(module, kernel, signature)`` per compiled specialisation: the types the
library and its test suite call the kernels with (numba keeps one compiled
copy per combination of argument types). Written by
``python -m rebalance._warmup --record`` from numba's cache index after a
test run; a signature that no longer fits its kernel is skipped there.
"""

# ruff: noqa: E501

SIGNATURES: tuple[tuple[str, str, str], ...] = (
    (
        "rebalance._dask",
        "_count_kernel",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(uint8, 1, 'C', False, aligned=True), int64)",
    ),
    (
        "rebalance._dask",
        "_count_kernel",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), int64)",
    ),
    (
        "rebalance._dask",
        "_count_kernel",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), int64)",
    ),
    (
        "rebalance._dask",
        "_deal_kernel",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._dask",
        "_deal_kernel",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._dask",
        "_deal_kernel",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "count_blocks",
        "(Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 2, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(float64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(float64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(complex128, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(complex128, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'A', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'A', True, aligned=True), Array(uint8, 1, 'C', True, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'A', True, aligned=True), Array(uint8, 1, 'C', True, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_rows",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', True, aligned=True), Array(uint64, 1, 'C', True, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_staged",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_staged",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_staged",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_staged",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_staged",
        "(Array(int16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_staged",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_copy_staged",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._gather_kernels",
        "csr_interleave",
        "(Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_interleave",
        "(Array(int32, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), int64, int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_interleave",
        "(Array(int32, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), int64, int64, Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_interleave",
        "(Array(int64, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_interleave",
        "(Array(int16, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_interleave",
        "(Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_interleave",
        "(Array(int32, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), int64, int64, Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_row_spans",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_row_spans",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_row_spans",
        "(Array(int16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int16, 1, 'C', False, aligned=True), Array(int16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "csr_row_spans",
        "(Array(int32, 1, 'C', True, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_bits",
        "(Array(uint8, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_bits",
        "(Array(uint8, 1, 'C', False, aligned=True), int64, Array(int8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_bits",
        "(Array(uint8, 1, 'C', False, aligned=True), int64, Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_bits",
        "(Array(uint8, 1, 'C', False, aligned=True), int64, Array(int16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_bits",
        "(Array(uint8, 1, 'C', False, aligned=True), int64, Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_bits",
        "(Array(uint8, 1, 'C', False, aligned=True), int64, Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_bits",
        "(Array(uint8, 1, 'C', False, aligned=True), int64, Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_bits",
        "(Array(uint8, 1, 'C', False, aligned=True), int64, Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(int8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', True, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "labels_from_codes",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "list_marked",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "list_marked",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "mark_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint64, 2, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint64, 2, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint32, 2, 'F', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint8, 2, 'F', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint64, 2, 'F', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint8, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint32, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint64, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 2, 'F', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint8, 2, 'A', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 2, 'A', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint32, 2, 'A', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint64, 2, 'A', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint64, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "move_rows",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, Array(int64, 1, 'C', False, aligned=True), Array(uint64, 2, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "pair_rows",
        "(Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "pair_rows",
        "(Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "pair_rows",
        "(Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(float64, 2, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, Array(float64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(float64, 2, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, int64, int64, Array(float64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(float64, 2, 'F', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, int64, Array(float64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint32, 2, 'F', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint8, 2, 'F', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint64, 2, 'F', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint8, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint16, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint32, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint64, 2, 'C', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint16, 2, 'F', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint8, 2, 'A', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint16, 2, 'A', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint32, 2, 'A', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "place_rows",
        "(Array(uint64, 2, 'A', False, aligned=True), Array(uint16, 1, 'C', False, aligned=True), int64, int64, int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "rank_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "rank_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "take_values",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "take_values",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "take_values",
        "(Array(uint64, 1, 'C', True, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "take_values",
        "(Array(uint32, 1, 'C', True, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "take_values",
        "(Array(uint8, 1, 'C', True, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint8, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "take_values",
        "(Array(uint16, 1, 'C', True, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint16, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "take_values",
        "(Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._gather_kernels",
        "take_values",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    ("rebalance._kernels", "_below", "(uint64, uint64)"),
    ("rebalance._kernels", "_mix", "(uint64,)"),
    (
        "rebalance._kernels",
        "class_balanced_fill",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(float64, 1, 'C', False, aligned=True), uint64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "class_balanced_fill",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(float64, 1, 'C', False, aligned=True), uint64, int64, Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "count_buckets",
        "(uint64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "count_segments",
        "(UniTuple(Array(int32, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "count_segments",
        "(UniTuple(Array(int64, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "count_segments",
        "(UniTuple(Array(int64, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "expand_counts",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "expand_counts",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "expand_counts",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "group_rows",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "group_rows",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "group_rows",
        "(Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "mark_blocks",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._kernels",
        "mark_ranks",
        "(Array(uint64, 1, 'C', False, aligned=True), int64, int64, uint64)",
    ),
    (
        "rebalance._kernels",
        "scan_marked",
        "(Array(int64, 1, 'C', False, aligned=True), Array(bool, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scan_marked",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(bool, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scan_marked",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(bool, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scan_marked",
        "(Array(int64, 1, 'C', True, aligned=True), Array(bool, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scan_marked",
        "(Array(int64, 1, 'C', False, aligned=True), Array(bool, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scan_marked",
        "(Array(int64, 1, 'A', False, aligned=True), Array(bool, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scan_marked",
        "(Array(uint16, 1, 'C', False, aligned=True), Array(bool, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scatter_segments",
        "(UniTuple(Array(int64, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), uint64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scatter_segments",
        "(UniTuple(Array(int32, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), uint64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scatter_segments",
        "(UniTuple(Array(int32, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), uint64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "scatter_segments",
        "(UniTuple(Array(uint32, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), uint64, int64, int64, int64, Array(int64, 1, 'C', False, aligned=True), Array(uint32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "shuffle_buckets",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), uint64, int64, int64)",
    ),
    (
        "rebalance._kernels",
        "shuffle_buckets",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), uint64, int64, int64)",
    ),
    (
        "rebalance._kernels",
        "shuffle_buckets",
        "(Array(uint32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), uint64, int64, int64)",
    ),
    (
        "rebalance._kernels",
        "shuffle_buckets",
        "(Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), uint64, int64, int64)",
    ),
    (
        "rebalance._kernels",
        "shuffle_buckets",
        "(Array(uint16, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), uint64, int64, int64)",
    ),
    (
        "rebalance._kernels",
        "shuffle_buckets",
        "(Array(uint8, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), uint64, int64, int64)",
    ),
    (
        "rebalance._kernels",
        "take_blocks",
        "(Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._kernels",
        "take_blocks",
        "(Array(int32, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True), int64, int64)",
    ),
    (
        "rebalance._kernels",
        "take_marked",
        "(Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "take_marked",
        "(Array(int32, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "write_segments",
        "(UniTuple(Array(int64, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "write_segments",
        "(UniTuple(Array(int32, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True))",
    ),
    (
        "rebalance._kernels",
        "write_segments",
        "(UniTuple(Array(int32, 1, 'C', False, aligned=True), 2), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(uint64, 1, 'C', False, aligned=True), Array(int32, 1, 'C', False, aligned=True))",
    ),
    ("rebalance.torch._focal_cpu", "_atanh_series", "(float64,)"),
    ("rebalance.torch._focal_cpu", "exp32_nonpos", "(float32,)"),
    ("rebalance.torch._focal_cpu", "exp_nonpos", "(float64,)"),
    ("rebalance.torch._focal_cpu", "log_unit", "(float64,)"),
    ("rebalance.torch._focal_cpu", "one_minus_exp", "(float64,)"),
    (
        "rebalance.torch._focal_cpu",
        "row_max32",
        "(Array(float32, 1, 'C', False, aligned=True),)",
    ),
    (
        "rebalance.torch._focal_cpu",
        "row_max32",
        "(Array(float32, 1, 'A', False, aligned=True),)",
    ),
    (
        "rebalance.torch._focal_cpu",
        "sigmoid_range",
        "(Array(float32, 1, 'C', False, aligned=True), Array(float32, 1, 'C', False, aligned=True), Array(float32, 1, 'C', False, aligned=True), float64, bool, float64, int64, float64, bool, float64, Array(float32, 1, 'C', False, aligned=True), Array(float32, 1, 'C', False, aligned=True), bool, int64, int64)",
    ),
    (
        "rebalance.torch._focal_cpu",
        "sigmoid_range",
        "(Array(float32, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), Array(uint8, 1, 'C', False, aligned=True), float64, bool, float64, int64, float64, bool, float64, Array(float32, 1, 'C', False, aligned=True), Array(float32, 1, 'C', False, aligned=True), bool, int64, int64)",
    ),
    (
        "rebalance.torch._focal_cpu",
        "sigmoid_range",
        "(Array(float32, 1, 'C', False, aligned=True), Array(float64, 1, 'C', False, aligned=True), Array(float64, 1, 'C', False, aligned=True), float64, bool, float64, int64, float64, bool, float64, Array(float32, 1, 'C', False, aligned=True), Array(float32, 1, 'C', False, aligned=True), bool, int64, int64)",
    ),
    (
        "rebalance.torch._focal_cpu",
        "softmax_range",
        "(Array(float32, 2, 'C', False, aligned=True), Array(int64, 1, 'C', False, aligned=True), Array(float64, 1, 'C', False, aligned=True), bool, float64, int64, float64, int64, float64, Array(float32, 2, 'C', False, aligned=True), bool, Array(float64, 1, 'C', False, aligned=True), Array(float64, 1, 'C', False, aligned=True), int64, int64)",
    ),
)
