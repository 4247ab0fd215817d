"""Index generators: labels in, row indices out (never touches X, never torch).

Every sampler front end (``fit_resample``, the torch ``RebalanceSampler``, the
distributed slices, the Dask path) draws its rows through the functions in this
module, so that there is one implementation of each sampling method. Each takes
a ``numpy.random.Generator``; the inner loops are the compiled kernels of
:mod:`rebalance._kernels`, keyed from that Generator.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import NamedTuple

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
    _rows: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def n_samples(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_classes(self) -> int:
        return int(self.classes.shape[0])

    @property
    def dtype(self) -> np.dtype:
        return index_dtype(self.n_samples, self.compact)

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


def _kernels():
    # numba is imported on the first draw, not with ``import rebalance``.
    from rebalance import _kernels

    return _kernels


def _key(rng: np.random.Generator) -> np.uint64:
    return _kernels().draw_key(rng)


# Arrays up to this many elements are shuffled in one Fisher-Yates pass (they
# fit in L2); larger ones are cut into buckets of about this size.
SMALL_SHUFFLE = 1 << 16
# Draws of fewer elements run in the calling thread only.
PARALLEL_ABOVE = 1 << 20
_MAX_THREADS = 8  # default cap
_MAX_THREADS_ASKED = 64  # cap on REBALANCE_NUM_THREADS (scratch grows with it)


def n_threads() -> int:
    """Threads a large draw uses: ``REBALANCE_NUM_THREADS`` (at most 64) or the
    usable CPUs (at most 8).

    The drawn indices never depend on it: every thread computes its share of
    the same counter-based random streams.
    """
    value = os.environ.get("REBALANCE_NUM_THREADS")
    if value:
        try:
            return max(1, min(int(value), _MAX_THREADS_ASKED))
        except ValueError:
            raise ValueError(
                f"REBALANCE_NUM_THREADS={value!r} is not an integer: set it to the "
                "number of threads for large draws, e.g. 1, or unset it."
            ) from None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(usable, _MAX_THREADS))


def _in_threads(task, n_tasks: int) -> None:
    """Run ``task(0)``, ..., ``task(n_tasks - 1)``, one thread each.

    Threads are started per call (a few tens of microseconds, paid only by
    draws above ``PARALLEL_ABOVE``) rather than kept in a pool, so nothing
    breaks in a process forked later (e.g. a DataLoader worker).
    """
    if n_tasks == 1:
        task(0)
        return
    errors: list[BaseException] = []

    def run(t: int) -> None:
        try:
            task(t)
        except BaseException as exc:  # re-raised in the caller below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(1, n_tasks)]
    for thread in threads:
        thread.start()
    run(0)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _split(n: int, parts: int, align: int = 1) -> np.ndarray:
    """``parts + 1`` boundaries cutting ``range(n)`` at multiples of ``align``."""
    edges = (np.arange(parts + 1, dtype=np.int64) * n // parts) // align * align
    edges[-1] = n
    return edges


class _SegmentList:
    """Builds a :class:`rebalance._kernels.Segments` one segment at a time."""

    def __init__(self, dtype: np.dtype, pools: tuple = ()):
        empty = np.empty(0, dtype=dtype)
        # Always two pools, so the kernels compile once per index dtype.
        self.pools = tuple(np.asarray(p, dtype=dtype) for p in pools)
        self.pools += (empty,) * (2 - len(self.pools))
        self.rows: list[tuple[int, int, int, int, int, int]] = []

    def copy(self, pool: int, start: int, stop: int, repeats: int = 1) -> None:
        """``pools[pool][start:stop]``, ``repeats`` times."""
        length = (stop - start) * repeats
        if length:
            self.rows.append((_kernels().COPY, pool, start, stop, length, 0))

    def range(self, start: int, stop: int) -> None:
        """The row numbers ``start`` to ``stop - 1``."""
        if stop > start:
            self.rows.append((_kernels().RANGE, 0, start, stop, stop - start, 0))

    def pick(self, pool, start, stop, k, rng: np.random.Generator) -> None:
        """``k`` rows drawn with replacement from ``pools[pool][start:stop]``."""
        if k:
            key = int(_key(rng))
            self.rows.append((_kernels().PICK, pool, start, stop, k, key))

    def build(self):
        table = np.array(self.rows, dtype=np.uint64).reshape(-1, 6)
        columns = [table[:, i].astype(np.int64) for i in range(5)]
        return _kernels().Segments(self.pools, *columns, table[:, 5].copy())


def _draw(segments, rng: np.random.Generator, shuffle: bool) -> np.ndarray:
    """The rows of ``segments`` in uniformly random order, or sorted."""
    kernels = _kernels()
    n = segments.total
    out = np.empty(n, dtype=segments.pools[0].dtype)
    fields = tuple(segments)
    if not shuffle:
        kernels.write_segments(*fields, out)
        out.sort()
        return out
    key = _key(rng)
    if n <= SMALL_SHUFFLE:
        kernels.write_segments(*fields, out)
        kernels.shuffle_buckets(out, np.array([0, n], dtype=np.int64), key, 0, 1)
        return out
    # ceil(log2(n / SMALL_SHUFFLE)) in integers: the same on every platform.
    log_buckets = min(16, ((n - 1) // SMALL_SHUFFLE).bit_length())
    n_buckets = 1 << log_buckets
    threads = n_threads() if n > PARALLEL_ABOVE else 1
    # Element chunks start at whole draws of the bucket stream.
    chunks = _split(n, threads, align=64 // log_buckets)
    counts = np.zeros((threads, n_buckets), dtype=np.int64)
    _in_threads(
        lambda t: kernels.count_buckets(
            key, log_buckets, chunks[t], chunks[t + 1], counts[t]
        ),
        threads,
    )
    bounds = np.zeros(n_buckets + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=bounds[1:])
    # Chunk t writes its share of bucket b after the shares of chunks < t, so
    # the layout is the single-threaded one.
    fill = bounds[:-1] + np.cumsum(counts, axis=0) - counts
    _in_threads(
        lambda t: kernels.scatter_segments(
            *fields, key, log_buckets, chunks[t], chunks[t + 1], fill[t], out
        ),
        threads,
    )
    bucket_chunks = _split(n_buckets, threads)
    _in_threads(
        lambda t: kernels.shuffle_buckets(
            out, bounds, key, bucket_chunks[t], bucket_chunks[t + 1]
        ),
        threads,
    )
    return out


def shuffled(indices: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random permutation of ``indices`` (a new array).

    Cache-blocked (see :mod:`rebalance._kernels`): ~3-5 ns per element where
    ``Generator.shuffle`` takes ~30.
    """
    segments = _SegmentList(indices.dtype, (indices,))
    segments.copy(0, 0, indices.shape[0])
    return _draw(segments.build(), rng, shuffle=True)


def shuffle_runs(values: np.ndarray, run: int, rng: np.random.Generator) -> None:
    """Shuffle every run of ``run`` consecutive entries of ``values``, in place.

    Runs are shuffled independently and uniformly (the last may be shorter):
    e.g. each row of a C-contiguous 2-D array, ``run = shape[1]``. Runs longer
    than ``SMALL_SHUFFLE`` do not fit in cache: pass them to :func:`shuffled`.
    """
    flat = values.reshape(-1)
    bounds = np.append(np.arange(0, flat.shape[0], run, dtype=np.int64), flat.shape[0])
    _kernels().shuffle_buckets(flat, bounds, _key(rng), 0, bounds.shape[0] - 1)


def _class_pool(labels: EncodedLabels, classes) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``classes`` as ``(pool, bounds)``: class ``c`` is
    ``pool[bounds[c]:bounds[c + 1]]``.

    The cached rows of every class when they are cached (torch samplers),
    else the rows of ``classes`` only, found by a scan (memory stays at the
    rows actually sampled from).
    """
    if labels._rows is not None or len(classes) > _GROUP_BY_SORT_ABOVE:
        # Cached, or so many classes that one argsort beats a scan per class.
        return labels.grouped_rows()
    bounds = np.zeros(labels.n_classes + 1, dtype=np.int64)
    sizes = np.zeros(labels.n_classes, dtype=np.int64)
    sizes[classes] = labels.counts[classes]
    np.cumsum(sizes, out=bounds[1:])
    pool = np.empty(int(bounds[-1]), dtype=labels.dtype)
    for c in classes:
        pool[bounds[c] : bounds[c + 1]] = np.flatnonzero(labels.codes == c)
    return pool, bounds


# Ranks per marking task: the task's bitmap (128 KiB) stays in the L2 cache.
# A multiple of 64, so that every block starts at a whole bitmap word.
RANK_BLOCK = 1 << 20
# numpy's multivariate hypergeometric ("marginals") needs fewer rows than this;
# a larger class is marked as one block.
_HYPERGEOMETRIC_BELOW = 10**9


class _RankBlock(NamedTuple):
    """One marking task of an under-sampling draw."""

    cls: int  # class code
    first: int  # first rank (position within the class) of the block
    last: int  # one past its last rank
    keep: int  # rows of the block to keep
    key: np.uint64  # random stream
    word: int  # first bitmap word of the block
    out: int  # output position of its first kept row

    def bitmap(self, bitmap: np.ndarray) -> np.ndarray:
        return bitmap[self.word : self.word + (self.last - self.first + 63) // 64]


def _rank_blocks(labels, n_keep, reduced, out_offset, word_offset, rng) -> list:
    """Marking tasks of an under-sampling draw, independent of the thread count.

    Each reduced class is cut into blocks of ``RANK_BLOCK`` ranks; how many of
    its ``n_keep`` rows each block keeps is multivariate hypergeometric, so
    marking every block uniformly gives a uniform subset of the class.
    """
    assert RANK_BLOCK % 64 == 0, "rank blocks must start at whole bitmap words"
    blocks = []
    for c in np.flatnonzero(reduced):
        n_c = int(labels.counts[c])
        assert 0 <= n_keep[c] <= n_c, "checked by the sampling strategy"
        block = RANK_BLOCK if n_c < _HYPERGEOMETRIC_BELOW else n_c
        firsts = np.arange(0, n_c, block)
        sizes = np.minimum(block, n_c - firsts)
        keep = np.array([n_keep[c]])
        if sizes.shape[0] > 1:
            keep = rng.multivariate_hypergeometric(
                sizes, int(n_keep[c]), method="marginals"
            )
        outs = out_offset[c] + np.cumsum(keep) - keep
        for first, size, k, out in zip(firsts, sizes, keep, outs):
            word = int(word_offset[c] + first // 64)
            blocks.append(
                _RankBlock(
                    int(c),
                    int(first),
                    int(first + size),
                    int(k),
                    _key(rng),
                    word,
                    int(out),
                )  # fmt: skip
            )
    return blocks


def _distinct_rows(
    labels: EncodedLabels, n_keep: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``n_keep[c]`` distinct random rows of every class ``c``, class after class.

    Classes whose ``n_keep`` equals their count are kept whole. Each other
    class marks the ranks (positions within the class) it keeps in a bitmap,
    block by block (in threads for large classes), and the kept rows are read
    off the cached rows of each class or, when they are not cached, found in
    one pass over the labels; both give the same rows, in row order within a
    class, so memory stays at the bitmaps plus the output.
    """
    kernels = _kernels()
    counts = labels.counts
    reduced = n_keep != counts
    out_offset = np.zeros(labels.n_classes, dtype=np.int64)
    np.cumsum(n_keep[:-1], out=out_offset[1:])
    kept = np.empty(int(n_keep.sum()), dtype=labels.dtype)
    words = np.where(reduced, (counts + 63) // 64, 0)
    word_offset = np.zeros(labels.n_classes, dtype=np.int64)
    np.cumsum(words[:-1], out=word_offset[1:])
    bitmap = np.zeros(int(words.sum()), dtype=np.uint64)
    blocks = _rank_blocks(labels, n_keep, reduced, out_offset, word_offset, rng)
    threads = n_threads() if counts[reduced].sum() > PARALLEL_ABOVE else 1

    def mark(t: int) -> None:
        for block in blocks[t::threads]:
            size = block.last - block.first
            kernels.mark_ranks(block.bitmap(bitmap), size, block.keep, block.key)

    _in_threads(mark, threads)
    if labels._rows is None:
        kernels.scan_marked(
            labels.codes, ~reduced, bitmap, word_offset, out_offset, kept
        )
    else:
        rows = labels.class_rows()

        def take(t: int) -> None:
            for block in blocks[t::threads]:
                kernels.take_marked(
                    rows[block.cls][block.first : block.last],
                    block.bitmap(bitmap),
                    kept[block.out : block.out + block.keep],
                )

        _in_threads(take, threads)
        for c in np.flatnonzero(~reduced):
            kept[out_offset[c] : out_offset[c] + n_keep[c]] = rows[c]
    return kept


def under_sample_indices(
    labels: EncodedLabels,
    n_keep: np.ndarray,
    rng: np.random.Generator,
    *,
    replacement: bool = False,
    shuffle: bool = True,
) -> np.ndarray:
    """Keep ``n_keep[c]`` random rows of every class ``c``.

    Classes whose ``n_keep`` equals their count are kept whole. Without
    replacement the rows come from :func:`_distinct_rows` (memory: bitmaps
    plus the output); with replacement the rows of every class are grouped
    first. With ``shuffle=False`` the kept rows stay in their original order.
    """
    if replacement:
        reduced = n_keep != labels.counts
        rows, bounds = labels.grouped_rows()
        segments = _SegmentList(labels.dtype, (rows,))
        for c in range(labels.n_classes):
            if reduced[c]:
                segments.pick(0, bounds[c], bounds[c + 1], int(n_keep[c]), rng)
            else:
                segments.copy(0, bounds[c], bounds[c + 1])
        return _draw(segments.build(), rng, shuffle)
    kept = _distinct_rows(labels, n_keep, rng)
    if not shuffle:
        kept.sort()
        return kept
    return shuffled(kept, rng)


def over_sample_indices(
    labels: EncodedLabels,
    n_add: np.ndarray,
    rng: np.random.Generator,
    *,
    shuffle: bool = True,
) -> np.ndarray:
    """Every row once, plus ``n_add[c]`` rows of class ``c`` drawn with replacement.

    The rows are generated while they are shuffled (no intermediate copy).
    With ``shuffle=False`` the copies of a row follow the row itself, so the
    output keeps the original row order.
    """
    added = np.flatnonzero(n_add)
    pool, bounds = _class_pool(labels, added)
    segments = _SegmentList(labels.dtype, (pool,))
    if shuffle:
        segments.range(0, labels.n_samples)
    for c in added:
        segments.pick(0, bounds[c], bounds[c + 1], int(n_add[c]), rng)
    if shuffle:
        return _draw(segments.build(), rng, shuffle=True)
    # Sorting only the added rows and merging them in beats sorting it all.
    copies = _draw(segments.build(), rng, shuffle=False)
    out = np.empty(labels.n_samples + copies.shape[0], dtype=labels.dtype)
    _kernels().merge_with_range(copies, out)
    return out


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
    kernels = _kernels()
    weights = labels.counts.astype(np.float64) ** power
    edges = np.cumsum(weights / weights.sum())[:-1]
    rows, bounds = labels.grouped_rows()
    out = np.empty(n_samples, dtype=labels.dtype)
    key = _key(rng)
    threads = n_threads() if n_samples > PARALLEL_ABOVE else 1
    chunks = _split(n_samples, threads)
    _in_threads(
        lambda t: kernels.class_balanced_fill(
            rows, bounds, edges, key, chunks[t], out[chunks[t] : chunks[t + 1]]
        ),
        threads,
    )
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
    The concatenation of all classes is returned in random order, generated
    while it is shuffled (no intermediate copy).
    """
    rows, bounds = labels.grouped_rows()
    largest = int(labels.counts.max())
    whole, extra = np.divmod(largest, labels.counts)
    extra_bounds = np.zeros(labels.n_classes + 1, dtype=np.int64)
    np.cumsum(extra, out=extra_bounds[1:])
    extras = _distinct_rows(labels, extra, rng)
    segments = _SegmentList(labels.dtype, (rows, extras))
    for c in range(labels.n_classes):
        segments.copy(0, bounds[c], bounds[c + 1], int(whole[c]))
        segments.copy(1, extra_bounds[c], extra_bounds[c + 1])
    return _draw(segments.build(), rng, shuffle=True)
