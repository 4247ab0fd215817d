"""Index generators: labels in, row indices out (numpy only, never touches X).

Every sampler front end (``fit_resample``, the torch ``RebalanceSampler``, the
distributed slices) draws its rows through the functions in this module, so
that there is one implementation of each sampling method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "EncodedLabels",
    "under_sample_indices",
    "over_sample_indices",
    "class_balanced_indices",
    "label_shuffle_indices",
]

# Above this many classes one stable argsort groups the rows faster than one
# comparison pass per class.
_GROUP_BY_SORT_ABOVE = 16
# Rows per block for the streaming draws: small enough that a block's
# temporaries stay in cache and memory stays flat, large enough that the
# Python loop over blocks costs nothing.
BLOCK_ROWS = 1 << 20


def index_dtype(n_samples: int, compact: bool) -> np.dtype:
    """Index dtype for ``n_samples`` rows: int32 where it fits and asked for."""
    if compact and n_samples < np.iinfo(np.int32).max:
        return np.dtype(np.int32)
    return np.dtype(np.intp)


@dataclass
class EncodedLabels:
    """Labels encoded once: sorted ``classes``, per-row ``codes``, ``counts``.

    ``codes[i]`` is the position of ``y[i]`` in ``classes``; ``counts[c]`` is
    the number of rows of class ``c``. The rows of each class are computed on
    first use and cached (the torch sampler draws many epochs from them).
    """

    classes: np.ndarray
    codes: np.ndarray
    counts: np.ndarray
    compact: bool = False
    _rows: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _block_counts: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_samples(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_classes(self) -> int:
        return int(self.classes.shape[0])

    @property
    def dtype(self) -> np.dtype:
        return index_dtype(self.n_samples, self.compact)

    def blocks(self) -> list[tuple[int, int]]:
        """``(start, stop)`` of each block of ``BLOCK_ROWS`` rows."""
        n = self.n_samples
        return [(s, min(s + BLOCK_ROWS, n)) for s in range(0, n, BLOCK_ROWS)]

    def block_counts(self) -> np.ndarray:
        """Rows of each class in each block, shape ``(n_blocks, n_classes)``."""
        if self._block_counts is None:
            self._block_counts = np.stack(
                [
                    np.bincount(self.codes[start:stop], minlength=self.n_classes)
                    for start, stop in self.blocks()
                ]
            ).astype(np.int64)
        return self._block_counts

    def grouped_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Row indices sorted by class, and where each class starts.

        Returns ``(rows, bounds)``: the rows of class ``c`` are
        ``rows[bounds[c]:bounds[c + 1]]``, in increasing order.
        """
        if self._rows is None:
            dtype = self.dtype
            if self.n_classes <= _GROUP_BY_SORT_ABOVE:
                rows = np.empty(self.n_samples, dtype=dtype)
                filled = 0
                for c in range(self.n_classes):
                    class_rows = np.flatnonzero(self.codes == c)
                    rows[filled : filled + class_rows.shape[0]] = class_rows
                    filled += class_rows.shape[0]
                    del class_rows
            else:
                rows = np.argsort(self.codes, kind="stable").astype(dtype, copy=False)
            bounds = np.zeros(self.n_classes + 1, dtype=np.intp)
            np.cumsum(self.counts, out=bounds[1:])
            self._rows = (rows, bounds)
        return self._rows

    def class_rows(self) -> list[np.ndarray]:
        """Row indices of every class, each in increasing order (views)."""
        rows, bounds = self.grouped_rows()
        return [rows[bounds[c] : bounds[c + 1]] for c in range(self.n_classes)]


def _shuffled(indices: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    rng.shuffle(indices)
    return indices


def _spread_over_blocks(
    labels: EncodedLabels,
    n_draw: np.ndarray,
    rng: np.random.Generator,
    *,
    replacement: bool,
) -> np.ndarray:
    """How many of ``n_draw[c]`` rows of class ``c`` fall in each block of rows.

    Without replacement the split is multivariate hypergeometric, with
    replacement multinomial; drawing rows uniformly inside each block then gives
    a uniform draw over the whole class without ever materialising its rows.
    """
    per_block = labels.block_counts()
    drawn = np.zeros_like(per_block)
    for c in np.flatnonzero(n_draw):
        in_class = per_block[:, c]
        if replacement:
            drawn[:, c] = rng.multinomial(int(n_draw[c]), in_class / in_class.sum())
        else:
            drawn[:, c] = rng.multivariate_hypergeometric(
                in_class, int(n_draw[c]), method="marginals"
            )
    return drawn


def under_sample_indices(
    labels: EncodedLabels,
    n_keep: np.ndarray,
    rng: np.random.Generator,
    *,
    replacement: bool = False,
    shuffle: bool = True,
) -> np.ndarray:
    """Keep ``n_keep[c]`` random rows of every class ``c``.

    Classes whose ``n_keep`` equals their count are kept whole. The draw walks
    the labels block by block (memory: one block plus the output). With
    ``shuffle=False`` the kept rows stay in their original order.
    """
    reduced = n_keep != labels.counts
    drawn = _spread_over_blocks(
        labels, np.where(reduced, n_keep, 0), rng, replacement=replacement
    )
    out = np.empty(int(n_keep.sum()), dtype=labels.dtype)
    filled = 0
    for block, (start, stop) in enumerate(labels.blocks()):
        codes = labels.codes[start:stop]
        keep = (~reduced)[codes]
        repeats = []
        for c in np.flatnonzero(drawn[block]):
            rows = np.flatnonzero(codes == c)
            if replacement:
                repeats.append(rows[rng.integers(0, rows.shape[0], drawn[block, c])])
            else:
                chosen = rng.choice(rows.shape[0], drawn[block, c], replace=False)
                keep[rows[chosen]] = True
        local = np.flatnonzero(keep)
        if repeats:
            local = np.sort(np.concatenate([local, *repeats]), kind="stable")
        out[filled : filled + local.shape[0]] = local + start
        filled += local.shape[0]
    return _shuffled(out, rng) if shuffle else out


def over_sample_indices(
    labels: EncodedLabels,
    n_add: np.ndarray,
    rng: np.random.Generator,
    *,
    shuffle: bool = True,
) -> np.ndarray:
    """Every row once, plus ``n_add[c]`` rows of class ``c`` drawn with replacement.

    The draw walks the labels block by block (memory: one block plus the
    output). With ``shuffle=False`` the copies of a row follow the row itself,
    so the output keeps the original row order.
    """
    drawn = _spread_over_blocks(labels, n_add, rng, replacement=True)
    out = np.empty(labels.n_samples + int(n_add.sum()), dtype=labels.dtype)
    filled = 0
    for block, (start, stop) in enumerate(labels.blocks()):
        codes = labels.codes[start:stop]
        copies = np.ones(stop - start, dtype=np.intp)
        for c in np.flatnonzero(drawn[block]):
            rows = np.flatnonzero(codes == c)
            picks = rows[rng.integers(0, rows.shape[0], drawn[block, c])]
            copies += np.bincount(picks, minlength=stop - start)
        local = np.repeat(np.arange(start, stop, dtype=labels.dtype), copies)
        out[filled : filled + local.shape[0]] = local
        filled += local.shape[0]
    return _shuffled(out, rng) if shuffle else out


def added_mask(indices: np.ndarray) -> np.ndarray:
    """Mark every occurrence of a row but one as an added copy."""
    is_added = np.ones(indices.shape[0], dtype=bool)
    _, first = np.unique(indices, return_index=True)
    is_added[first] = False
    return is_added


def class_balanced_indices(
    labels: EncodedLabels,
    n_samples: int,
    power: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw a class with probability proportional to ``count ** power``, then a row.

    ``power=0`` picks every class equally often, ``power=1`` follows the data's
    own class frequencies. Rows are drawn with replacement. Each output
    position draws its own class, so the output is in random order without a
    separate shuffle.
    """
    weights = labels.counts.astype(np.float64) ** power
    cumulative = np.cumsum(weights / weights.sum())[:-1]
    rows, bounds = labels.grouped_rows()
    out = np.empty(n_samples, dtype=labels.dtype)
    # Block by block: temporaries stay at one block, whatever n_samples is.
    for start in range(0, n_samples, BLOCK_ROWS):
        size = min(BLOCK_ROWS, n_samples - start)
        draws = rng.random(size)
        if labels.n_classes <= _GROUP_BY_SORT_ABOVE:
            # A few comparison passes beat a binary search per element.
            classes = np.zeros(size, dtype=np.intp)
            for edge in cumulative:
                classes += draws >= edge
        else:
            classes = np.searchsorted(cumulative, draws, side="right")
        counts = labels.counts[classes]
        # floor(u * n_c) is uniform on 0..n_c-1; the minimum guards round-off.
        offsets = (rng.random(size) * counts).astype(np.intp)
        np.minimum(offsets, counts - 1, out=offsets)
        np.take(rows, bounds[classes] + offsets, out=out[start : start + size])
    return out


def class_balanced_counts(labels: EncodedLabels, n_samples: int, power: float):
    """Expected rows per class of :func:`class_balanced_indices`."""
    weights = labels.counts.astype(np.float64) ** power
    return n_samples * weights / weights.sum()


def label_shuffle_indices(
    labels: EncodedLabels, rng: np.random.Generator
) -> np.ndarray:
    """Hikvision label shuffle: every class brought to the largest class's size M.

    For a class of ``n_c`` rows, each row appears ``M // n_c`` times and
    ``M % n_c`` of them, picked at random, once more; so every row appears
    ⌊M/n_c⌋ or ⌈M/n_c⌉ times. This is the multiset that the original recipe
    (a random permutation of ``range(M)`` taken modulo ``n_c``) produces, with
    the extra copies going to random rows instead of always the first ones.
    The concatenation of all classes is returned in random order.
    """
    rows = labels.class_rows()
    largest = int(labels.counts.max())
    parts = []
    for c in range(labels.n_classes):
        class_rows = rows[c]
        n_c = class_rows.shape[0]
        whole, extra = divmod(largest, n_c)
        parts.append(np.tile(class_rows, whole))
        if extra:
            parts.append(class_rows[rng.choice(n_c, size=extra, replace=False)])
    return _shuffled(np.concatenate(parts).astype(labels.dtype, copy=False), rng)
