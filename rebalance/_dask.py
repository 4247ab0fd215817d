"""Dask front end of the samplers: labels computed, rows gathered chunk by chunk.

:meth:`rebalance.base.BaseSampler.fit_resample` and ``fit`` hand their inputs
here when X, y or ``sample_weight`` is a Dask collection. Only the labels (and
``sample_weight``) are computed; the row indices come from the same
:meth:`~rebalance.base.BaseSampler.plan` and index generator as in memory, and
X is gathered by one ``take`` per input partition, never materialised.

Dask is imported inside the functions only: ``import rebalance`` never imports
it (the ``rebalance[dask]`` extra installs it).

Row order of the output
-----------------------
``sample_indices_`` holds the in-memory draw for the same ``random_state``,
stably grouped by the input partition each row comes from: output partition
``k`` holds the drawn rows of input partition ``k`` (partitions with no drawn
row are dropped), in the order the in-memory draw gives them, which is random
when ``shuffle=True``. So

* the multiset of rows, the rows per class and the sorted ``sample_indices_``
  equal the in-memory path's;
* ``X_res`` is exactly ``X[sample_indices_]``;
* with one partition, or ``shuffle=False``, the output equals the in-memory
  output row for row.

Rows are shuffled within each output partition but the partitions follow the
input's order: if the input is sorted (by class, by time), shuffle the order in
which partitions are read (dask-ml's ``Incremental(shuffle_blocks=True)``) or
the rows themselves (``DataFrame.shuffle``) before mini-batch training.

Index of DataFrame and Series outputs
-------------------------------------
As in memory, the source positions are in ``sample_indices_`` and the output
gets a fresh index: ``0 .. n_output - 1`` across partitions, with known
``divisions``, so ``X_res`` and ``y_res`` align.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from rebalance._validation import check_sample_weight

# Drawn indices are grouped by partition this many at a time, so that the
# grouping's temporaries stay small next to the indices themselves.
_GROUP_BLOCK = 1 << 20


def is_dask_input(*objects: Any) -> bool:
    """True if any of ``objects`` is a Dask collection (never imports dask)."""
    if "dask" not in sys.modules:
        # No Dask collection can exist before dask is imported.
        return False
    from dask import is_dask_collection

    return any(is_dask_collection(obj) for obj in objects)


def fit(sampler, X, y):
    """:meth:`BaseSampler.fit` for Dask inputs: computes the labels only."""
    _prepare(sampler, X, y, None)
    return sampler


def fit_resample(sampler, X, y, *, sample_weight=None):
    """Resample Dask collections lazily: the labels are computed, X is not.

    Parameters
    ----------
    sampler : BaseSampler
        A rebalance sampler; ``sample_indices_``, ``sampling_strategy_``,
        ``n_features_in_`` and ``feature_names_in_`` are set on it.
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
        Rows to resample, gathered partition by partition.
    y : dask or in-memory array-like, Series or DataFrame of shape (n_samples,)
        Class labels; computed once to draw the indices.
    sample_weight : dask or in-memory array-like or Series, default=None
        Per-row weights, resampled with the rows.

    Returns
    -------
    X_resampled : same Dask type as X
    y_resampled : Dask collection
        A Dask array when y is an array or a list, a Dask Series (DataFrame)
        when y is a Series (DataFrame); partitioned like ``X_resampled``.
    sample_weight_resampled : Dask collection
        Only returned when ``sample_weight`` is given.

    Notes
    -----
    The rows, their count per class and the sorted ``sample_indices_`` equal
    the in-memory path's for the same ``random_state``; ``sample_indices_`` is
    the in-memory draw stably grouped by input partition, and ``X_resampled``
    is ``X[sample_indices_]`` (see the module docstring). It is int32 where the
    row count allows, to halve the driver's memory.

    The labels (and ``sample_weight``) are computed in one ``dask.compute``.
    A DataFrame X's partition lengths are taken from y when y is a Dask
    collection with as many partitions (a mismatch raises when the partition
    is gathered), otherwise counted from X's index in the same compute.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from rebalance import RandomUnderSampler
    >>> X = da.arange(40, chunks=10).reshape(20, 2)
    >>> y = np.array([0, 1, 0, 0] * 5)
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> X_res  # lazy: nothing of X was computed
    dask.array<rebalance-take, shape=(10, 2), dtype=int64, chunksize=(...), ...>
    >>> np.bincount(y_res.compute(scheduler="synchronous"))
    array([5, 5])
    """
    prepared = _prepare(sampler, X, y, sample_weight)
    plan = prepared.plan
    indices, _ = sampler._draw(plan)
    # The labels are no longer needed: free them before gathering.
    prepared.plan = plan = None
    layout = _Layout.from_draw(indices, prepared.lengths)
    del indices
    sampler.sample_indices_ = layout.rows
    X_res = layout.gather(X, expected_by=prepared.lengths_from)
    outputs = [X_res]
    for value, computed, lengths in prepared.row_aligned:
        outputs.append(layout.gather(_aligned(value, computed, lengths, layout)))
    return tuple(outputs)


@dataclass
class _Prepared:
    plan: Any
    lengths: np.ndarray
    lengths_from: str
    row_aligned: list


def _prepare(sampler, X, y, sample_weight) -> _Prepared:
    """Check the inputs, compute labels and weights, and plan the draw."""
    import dask

    sampler._validate_params()
    _check_sampler(sampler)
    if y is None:
        raise ValueError(
            f"This {type(sampler).__name__} estimator requires y to be passed, but "
            "the target y is None. Pass the class labels as y."
        )
    kind = _check_features(X)
    y = _label_container(y)
    sources = {"y": y, "sample_weight": sample_weight}
    dask_sources = {k: v for k, v in sources.items() if _is_dask(v)}
    to_compute: dict[str, Any] = dict(dask_sources)
    for name, value in dask_sources.items():
        if _is_frame(value):
            to_compute[f"{name}-lengths"] = value.map_partitions(len)
    lengths_from = "X"
    if kind == "array":
        lengths = np.asarray(X.chunks[0], dtype=np.int64)
    else:
        # A DataFrame's partition lengths are unknown; take them from y (or the
        # weights) when partitioned alike, checked when each partition is
        # gathered, else count X's index: one pass over the index only.
        lengths = None
        for name, value in dask_sources.items():
            if _is_frame(value) and value.npartitions == X.npartitions:
                lengths_from = name
                break
            if not _is_frame(value) and len(value.chunks[0]) == X.npartitions:
                if not np.isnan(value.shape[0]):
                    lengths = np.asarray(value.chunks[0], dtype=np.int64)
                    lengths_from = name
                    break
        else:
            to_compute["X-lengths"] = X.index.map_partitions(len)
    computed = dict(zip(to_compute, dask.compute(*to_compute.values())))
    if lengths is None:
        lengths = np.asarray(computed[f"{lengths_from}-lengths"], dtype=np.int64)
    n_rows = int(lengths.sum())
    if n_rows == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={(0, _n_features(X))}) while a "
            "minimum of 1 is required: X is empty."
        )
    y_values = computed.get("y", y)
    n_labels = len(y_values)
    if n_labels != n_rows:
        raise ValueError(
            f"X has {n_rows} rows but y has {n_labels} labels: they must have the "
            "same length (one label per row)."
        )
    weight_values = computed.get("sample_weight", sample_weight)
    check_sample_weight(weight_values, n_rows)
    plan = sampler.plan(y_values, compact=True)
    _set_feature_attributes(sampler, X)
    sampler.sampling_strategy_ = plan.sampling_strategy
    row_aligned = [(y, y_values, computed.get("y-lengths"))]
    if sample_weight is not None:
        row_aligned.append(
            (sample_weight, weight_values, computed.get("sample_weight-lengths"))
        )
    return _Prepared(plan, lengths, lengths_from, row_aligned)


def _check_sampler(sampler) -> None:
    if getattr(sampler, "shrinkage", None) is not None:
        raise ValueError(
            "shrinkage (smoothed bootstrap) is not supported for Dask inputs: it "
            "needs per-class statistics of X. Use shrinkage=None, or compute X "
            "(X.compute()) to resample in memory."
        )


def _is_dask(obj) -> bool:
    return is_dask_input(obj)


def _is_frame(obj) -> bool:
    """True for pandas and Dask DataFrames and Series (checked without imports)."""
    kind = type(obj)
    module = kind.__module__
    from_pandas = module.split(".")[0] == "pandas"
    return kind.__name__ in ("DataFrame", "Series") and (
        from_pandas or module.startswith("dask.dataframe.")
    )


def _check_features(X) -> str:
    """``'array'`` or ``'frame'``, after checking X is a 2-D Dask collection."""
    import dask.array as da

    if not _is_dask(X):
        raise TypeError(
            f"y or sample_weight is a Dask collection but X is a {type(X).__name__}. "
            "Pass X as a Dask collection too (e.g. dask.array.from_array(X, "
            "chunks=...)), or compute y and sample_weight to resample in memory."
        )
    if _is_frame(X) and type(X).__name__ == "Series":
        raise ValueError(
            "Expected a 2D array for X, got a Dask Series. Use X.to_frame() if "
            "your data has a single feature."
        )
    if _is_frame(X):
        if X.shape[1] == 0:
            raise ValueError(
                "Found array with 0 feature(s) while a minimum of 1 is required."
            )
        return "frame"
    if not isinstance(X, da.Array):
        raise TypeError(
            f"X is a {type(X).__name__}: the samplers take a dask.array.Array or a "
            "dask.dataframe.DataFrame. Convert it to one of those first."
        )
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D array for X, got shape {X.shape}. Reshape your data "
            "either using X.reshape(-1, 1) if your data has a single feature or "
            "X.reshape(1, -1) if it contains a single sample."
        )
    if np.isnan(X.shape[0]):
        raise ValueError(
            "X has unknown chunk sizes (shape "
            f"{X.shape}): the rows of each chunk must be known to gather them. "
            "Call X.compute_chunk_sizes() first, or create X with known lengths "
            "(e.g. DataFrame.to_dask_array(lengths=True))."
        )
    if X.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 "
            "is required."
        )
    if X.dtype.kind == "c":
        raise ValueError("Complex data not supported: X has a complex dtype.")
    return "array"


def _n_features(X) -> int:
    return int(X.shape[1])


def _set_feature_attributes(sampler, X) -> None:
    from sklearn_compat.utils.validation import validate_data

    # A DataFrame's empty meta has its columns: feature names as in memory.
    like_X = X._meta if _is_frame(X) else X
    validate_data(sampler, X=like_X, reset=True, skip_check_array=True)


def _label_container(y):
    """The labels to gather, as in memory: a column vector becomes 1-D.

    pandas and Dask frames are kept as they are; a one-hot matrix stays 2-D.
    """
    if _is_frame(y):
        return y
    if not _is_dask(y):
        y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        return y[:, 0]
    return y


def _aligned(value, computed, lengths, layout: _Layout):
    """``value`` as a Dask collection whose partitions have the input's rows.

    A Dask input partitioned like X is used as it is (an array is rechunked
    when only its chunking differs); anything else is split from its computed
    values.
    """
    import dask.array as da

    rows = layout.input_lengths
    if _is_dask(value) and not _is_frame(value):
        if not np.isnan(value.shape[0]):
            if tuple(value.chunks[0]) != tuple(rows.tolist()):
                value = value.rechunk({0: tuple(rows.tolist())})
            return value
    elif _is_dask(value):
        if lengths is not None and np.array_equal(np.asarray(lengths), rows):
            return value
    if _is_frame(computed):
        return _frame_from_pieces(
            [computed.iloc[start:stop] for start, stop in layout.input_bounds()],
            computed.iloc[:0],
            divisions=None,
        )
    computed = np.asarray(computed)
    return da.from_array(computed, chunks=(tuple(rows.tolist()), *computed.shape[1:]))


def _frame_from_pieces(pieces, meta, divisions):
    import dask.dataframe as dd
    from dask import delayed

    parts = [delayed(piece) for piece in pieces]
    return dd.from_delayed(parts, meta=meta, divisions=divisions, verify_meta=False)


class _Layout:
    """Which drawn rows each input partition gives, and the output partitions.

    ``rows`` is the draw stably grouped by input partition (the output order);
    ``counts[k]`` rows of it come from input partition ``k``.
    """

    def __init__(self, rows: np.ndarray, counts: np.ndarray, lengths: np.ndarray):
        self.rows = rows
        self.counts = counts
        self.input_lengths = lengths
        self.starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        # Input partitions with at least one drawn row: one output partition each.
        self.used = np.flatnonzero(counts)
        self.out_starts = np.concatenate([[0], np.cumsum(counts[self.used])])

    @classmethod
    def from_draw(cls, indices: np.ndarray, lengths: np.ndarray) -> _Layout:
        rows, counts = _group_by_partition(indices, lengths)
        return cls(rows, counts, lengths)

    def input_bounds(self) -> list[tuple[int, int]]:
        return list(zip(self.starts[:-1].tolist(), self.starts[1:].tolist()))

    @property
    def out_lengths(self) -> tuple[int, ...]:
        return tuple(self.counts[self.used].tolist())

    def rows_of(self, position: int) -> np.ndarray:
        """Drawn rows (global positions) of output partition ``position``."""
        return self.rows[self.out_starts[position] : self.out_starts[position + 1]]

    def gather(self, value, expected_by: str = "X"):
        if _is_frame(value):
            return self._gather_frame(value, expected_by)
        return self._gather_array(value)

    def _gather_array(self, value):
        import dask.array as da

        if len(self.used) < value.numblocks[0]:
            value = value.blocks[self.used.tolist()]
        # Each block gets the global rows it gives and its own first row.
        out_lengths = self.out_lengths
        rows = da.from_array(self.rows, chunks=(out_lengths,))
        starts = da.from_array(self.starts[self.used], chunks=1)
        index = "ij"[: value.ndim] if value.ndim <= 2 else None
        if index is None:
            raise ValueError(
                f"Expected arrays of at most 2 dimensions; got shape {value.shape}."
            )
        return da.blockwise(
            _take_block,
            index,
            value,
            index,
            rows,
            "i",
            starts,
            "i",
            dtype=value.dtype,
            align_arrays=False,
            adjust_chunks={"i": out_lengths},
            token="rebalance-take",
        )

    def _gather_frame(self, value, expected_by: str):
        from dask import delayed

        partitions = value.to_delayed()
        take = delayed(_take_partition, pure=True)
        pieces = [
            take(
                partitions[k],
                self.rows_of(position),
                int(self.starts[k]),
                int(self.input_lengths[k]),
                int(self.out_starts[position]),
                expected_by,
                k,
            )
            for position, k in enumerate(self.used.tolist())
        ]
        meta = _take_partition(
            value._meta, self.rows[:0], 0, len(value._meta), 0, expected_by, 0
        )
        divisions = (*self.out_starts[:-1].tolist(), int(self.out_starts[-1]) - 1)
        return _frame_from_pieces(pieces, meta, divisions)


def _take_block(block, rows, start):
    return np.take(block, rows - start[0], axis=0)


def _take_partition(part, rows, start, n_rows, out_start, expected_by, position):
    """Rows ``rows`` (global positions) of one partition, with a fresh index."""
    if len(part) != n_rows:
        raise ValueError(
            f"Partition {position} of a resampled input has {len(part)} rows but "
            f"{expected_by}'s partition {position} has {n_rows}: X, y and "
            "sample_weight must be partitioned alike (e.g. X = df[features] and "
            "y = df[target] from the same DataFrame)."
        )
    import pandas as pd

    taken = part.iloc[rows - start]
    taken.index = pd.RangeIndex(out_start, out_start + len(taken))
    return taken


def _partition_of(rows: np.ndarray, lengths: np.ndarray, dtype) -> np.ndarray:
    """Input partition of each row, given the partitions' lengths."""
    regular = lengths[0]
    if regular > 0 and (lengths[:-1] == regular).all():
        # Regular chunks (all but the last): a division, far faster than a
        # search; a longer last partition takes the rows past the others.
        last = lengths.shape[0] - 1
        return np.minimum(rows // regular, last).astype(dtype)
    # Side 'right' sends a row past an empty partition to the next one.
    return np.searchsorted(np.cumsum(lengths)[:-1], rows, side="right").astype(dtype)


def _is_sorted(indices: np.ndarray) -> bool:
    n = indices.shape[0]
    for a in range(0, n - 1, _GROUP_BLOCK):
        b = min(a + _GROUP_BLOCK, n - 1)
        if not (indices[a + 1 : b + 1] >= indices[a:b]).all():
            return False
    return True


def _group_by_partition(
    indices: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``indices`` stably grouped by the partition of each row, and the group sizes.

    A counting sort done block by block: memory is the output plus one block.
    """
    n_parts = lengths.shape[0]
    # Small partition numbers make the stable argsort a radix sort.
    dtype = np.uint16 if n_parts <= np.iinfo(np.uint16).max else np.intp
    n = indices.shape[0]
    blocks = [(s, min(s + _GROUP_BLOCK, n)) for s in range(0, n, _GROUP_BLOCK)]
    counts = np.zeros(n_parts, dtype=np.int64)
    for a, b in blocks:
        part = _partition_of(indices[a:b], lengths, dtype)
        counts += np.bincount(part, minlength=n_parts)
    if n_parts == 1 or _is_sorted(indices):
        return indices, counts
    fill = np.concatenate([[0], np.cumsum(counts)[:-1]])
    grouped = np.empty_like(indices)
    for a, b in blocks:
        block = indices[a:b]
        part = _partition_of(block, lengths, dtype)
        order = np.argsort(part, kind="stable")
        block_counts = np.bincount(part, minlength=n_parts)
        first = np.cumsum(block_counts) - block_counts
        part = part[order].astype(np.intp)
        grouped[fill[part] + np.arange(b - a) - first[part]] = block[order]
        fill += block_counts
    return grouped, counts
