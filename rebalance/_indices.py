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
    _rows: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def n_samples(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_classes(self) -> int:
        return int(self.classes.shape[0])

    @property
    def dtype(self) -> np.dtype:
        return index_dtype(self.n_samples, self.compact)

    def class_rows(self) -> list[np.ndarray]:
        """Row indices of every class, each in increasing order."""
        if self._rows is None:
            dtype = self.dtype
            if self.n_classes <= _GROUP_BY_SORT_ABOVE:
                rows = [
                    np.flatnonzero(self.codes == c).astype(dtype, copy=False)
                    for c in range(self.n_classes)
                ]
            else:
                order = np.argsort(self.codes, kind="stable").astype(dtype, copy=False)
                bounds = np.concatenate([[0], np.cumsum(self.counts)])
                rows = [order[bounds[c] : bounds[c + 1]] for c in range(self.n_classes)]
            self._rows = rows
        return self._rows


def _shuffled(indices: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    rng.shuffle(indices)
    return indices


def under_sample_indices(
    labels: EncodedLabels,
    n_keep: np.ndarray,
    rng: np.random.Generator,
    *,
    replacement: bool = False,
    shuffle: bool = True,
) -> np.ndarray:
    """Keep ``n_keep[c]`` random rows of every class ``c``.

    Classes whose ``n_keep`` equals their count are kept whole. With
    ``shuffle=False`` the kept rows stay in their original order.
    """
    reduced = np.flatnonzero(n_keep != labels.counts)
    if replacement:
        parts = []
        rows = labels.class_rows()
        for c in range(labels.n_classes):
            if c in reduced:
                parts.append(rows[c][rng.integers(0, rows[c].shape[0], n_keep[c])])
            else:
                parts.append(rows[c])
        indices = np.concatenate(parts).astype(labels.dtype, copy=False)
        if shuffle:
            return _shuffled(indices, rng)
        return np.sort(indices, kind="stable")
    keep_whole = n_keep == labels.counts
    mask = keep_whole[labels.codes]
    rows = labels.class_rows() if reduced.size else []
    for c in reduced:
        chosen = rng.choice(rows[c].shape[0], size=int(n_keep[c]), replace=False)
        mask[rows[c][chosen]] = True
    indices = np.flatnonzero(mask).astype(labels.dtype, copy=False)
    return _shuffled(indices, rng) if shuffle else indices


def over_sample_indices(
    labels: EncodedLabels,
    n_add: np.ndarray,
    rng: np.random.Generator,
    *,
    shuffle: bool = True,
) -> np.ndarray:
    """Every row once, plus ``n_add[c]`` rows of class ``c`` drawn with replacement.

    With ``shuffle=False`` the copies of a row follow the row itself, so the
    output keeps the original row order.
    """
    rows = labels.class_rows()
    n = labels.n_samples
    dtype = labels.dtype
    added = [
        rows[c][rng.integers(0, rows[c].shape[0], int(n_add[c]))]
        for c in range(labels.n_classes)
        if n_add[c] > 0
    ]
    added_rows = np.concatenate(added) if added else np.empty(0, dtype=dtype)
    if shuffle:
        indices = np.concatenate([np.arange(n, dtype=dtype), added_rows.astype(dtype)])
        return _shuffled(indices, rng)
    copies = np.bincount(added_rows, minlength=n) + 1
    return np.repeat(np.arange(n, dtype=dtype), copies)


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
    own class frequencies. Rows are drawn with replacement, in random order.
    """
    weights = labels.counts.astype(np.float64) ** power
    per_class = rng.multinomial(n_samples, weights / weights.sum())
    rows = labels.class_rows()
    parts = [
        rows[c][rng.integers(0, rows[c].shape[0], int(per_class[c]))]
        for c in range(labels.n_classes)
    ]
    return _shuffled(np.concatenate(parts).astype(labels.dtype, copy=False), rng)


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
