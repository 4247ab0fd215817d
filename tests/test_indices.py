"""The index engine: compiled shuffle and draws are uniform, exact and reproducible.

Uniformity is checked with chi-square tests on small cases where every outcome
can be counted; the seeds are fixed, so each test gives the same verdict on
every run (a p-value below 1e-4 would flag a biased draw).
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chisquare

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _indices,
)
from rebalance._validation import encode_labels

ESTIMATORS = [
    LabelShuffleSampler(),
    RandomUnderSampler(),
    RandomUnderSampler(replacement=True),
    RandomOverSampler(),
    RandomOverSampler(shuffle=False),
    RandomUnderSampler(shuffle=False),
    ClassBalancedSampler(),
]


def skewed(n: int = 3000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random(n) < 1 / 12.5).astype(np.int64) + (rng.random(n) < 0.05)


def assert_uniform(outcomes: list, n_possible: int) -> None:
    counts = np.array(list(Counter(outcomes).values()))
    assert counts.shape[0] == n_possible, "some outcome never occurred"
    assert chisquare(counts).pvalue > 1e-4


@pytest.fixture
def small_buckets(monkeypatch):
    """Send tiny arrays through the bucketed shuffle (threads on, but arrays
    this small fit in one chunk: see the chunk test below)."""
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 1)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "3")


def permutation_counts(n: int, draws: int) -> list:
    rng = np.random.default_rng(0)
    items = np.arange(n, dtype=np.int64)
    return [tuple(_indices.shuffled(items, rng)) for _ in range(draws)]


def test_fisher_yates_shuffle_gives_every_permutation_equally_often():
    assert_uniform(permutation_counts(4, 4800), 24)


@pytest.mark.slow
def test_bucketed_shuffle_gives_every_permutation_equally_often(small_buckets):
    assert_uniform(permutation_counts(5, 1200), 120)  # 10 of each expected


@pytest.mark.parametrize("log_buckets", [1, 3, 7])
def test_counting_and_scattering_in_chunks_equals_one_pass(log_buckets):
    from rebalance import _kernels

    rng = np.random.default_rng(0)
    rows = rng.permutation(50).astype(np.int64)
    segments = _indices._SegmentList(np.dtype(np.int64), (rows,))
    segments.copy(0, 10, 17, repeats=9)  # chunks start inside the repeats
    segments.range(0, 40)
    segments.pick(0, 0, 50, 300, rng)
    segments = segments.build()
    key, n, n_buckets = np.uint64(12345), segments.total, 1 << log_buckets

    def layout(edges):
        counts = np.zeros((len(edges) - 1, n_buckets), dtype=np.int64)
        for t in reversed(range(len(edges) - 1)):  # any order
            _kernels.count_buckets(key, log_buckets, edges[t], edges[t + 1], counts[t])
        bounds = np.concatenate([[0], np.cumsum(counts.sum(axis=0))])
        fill = bounds[:-1] + np.cumsum(counts, axis=0) - counts
        out = np.full(n, -1, dtype=np.int64)
        for t in range(len(edges) - 1):
            _kernels.scatter_segments(
                *segments, key, log_buckets, edges[t], edges[t + 1], fill[t], out
            )
            np.testing.assert_array_equal(fill[t], bounds[:-1] + counts[: t + 1].sum(0))
        return out

    single = layout([0, n])
    assert (single >= 0).all()
    per_draw = 64 // log_buckets
    draws = np.arange(1, -(-n // per_draw))  # chunks start at whole draws
    for n_cuts in (1, 3, 5):
        cuts = np.sort(rng.choice(draws, min(n_cuts, len(draws)), replace=False))
        cuts *= per_draw
        np.testing.assert_array_equal(layout([0, *cuts, n]), single)


@pytest.mark.parametrize("n", [1, 2, 65_536, 65_537, 3 * 65_536 + 5])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_shuffle_returns_a_permutation_and_leaves_its_input(n, dtype):
    items = np.arange(n, dtype=dtype)[::-1].copy()
    before = items.copy()
    out = _indices.shuffled(items, np.random.default_rng(1))
    assert out.dtype == dtype
    np.testing.assert_array_equal(np.sort(out), np.arange(n))
    np.testing.assert_array_equal(items, before)
    if n > 10:
        assert not np.array_equal(out, before)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_draws_do_not_depend_on_the_number_of_threads(estimator, monkeypatch):
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 64)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(_indices, "RANK_BLOCK", 128)
    plan = estimator.plan(skewed())
    draws = []
    for threads in ("1", "2", "5"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        draws.append(plan.draw(np.random.default_rng(7)))
    np.testing.assert_array_equal(draws[0], draws[1])
    np.testing.assert_array_equal(draws[0], draws[2])


@pytest.mark.parametrize("rank_block", [64, _indices.RANK_BLOCK])
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_cached_class_rows_and_int32_indices_give_the_same_draw(
    estimator, rank_block, monkeypatch
):
    monkeypatch.setattr(_indices, "RANK_BLOCK", rank_block)
    labels = skewed()
    scanned = estimator.plan(labels).draw(np.random.default_rng(3))
    plan = estimator.plan(labels, compact=True)
    plan.labels.grouped_rows()
    cached = plan.draw(np.random.default_rng(3))
    assert scanned.dtype == np.intp and cached.dtype == np.int32
    np.testing.assert_array_equal(scanned, cached)


def test_shuffle_false_is_the_sorted_shuffled_draw():
    labels = skewed()
    shuffled = RandomOverSampler().plan(labels).draw(np.random.default_rng(2))
    ordered = (
        RandomOverSampler(shuffle=False).plan(labels).draw(np.random.default_rng(2))
    )
    np.testing.assert_array_equal(np.sort(shuffled), ordered)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ranges", [0, 1, 2])
def test_sorted_draw_is_the_sort_of_the_draws_rows(seed, ranges):
    # The counting sort of shuffle=False: the rows write_segments gives
    # (copies, picks with replacement and ``ranges`` times every row, as an
    # over-sampling's draw has once), sorted.
    rng = np.random.default_rng(seed)
    n_rows = int(rng.integers(1, 400))
    sparse = seed % 2 == 0  # few rows drawn of many: sorted, not counted
    if sparse:
        n_rows *= 100
    pool = rng.permutation(n_rows).astype(np.int64)
    segments = _indices._SegmentList(pool.dtype, (pool,))
    for _ in range(ranges):
        segments.range(0, n_rows)
    for _ in range(int(rng.integers(1, 6))):
        start = int(rng.integers(0, n_rows))
        stop = int(
            rng.integers(start + 1, min(n_rows, start + 5 if sparse else n_rows) + 1)
        )
        segments.copy([0], [start], [stop], [int(rng.integers(1, 3))])
        segments.pick(
            0, [start], [stop], [int(rng.integers(0, 20 if sparse else 500))], rng
        )
    built = segments.build()
    counted = n_rows <= _indices._COUNT_ROWS_PER_DRAWN_ROW * built.total
    assert counted == (not sparse or ranges > 0)
    rows = np.empty(built.total, dtype=np.int64)
    _indices._kernels().write_segments(*built, rows)
    out = _indices._sorted_draw(built, n_rows)
    np.testing.assert_array_equal(out, np.sort(rows))


def test_counting_sort_kernels_refuse_rows_and_sizes_outside_their_arrays():
    kernels = _indices._kernels()
    pool = np.array([0, 5, 2], dtype=np.int64)
    segments = _indices._SegmentList(pool.dtype, (pool,))
    segments.copy([0], [0], [3], [1])
    counts = np.zeros(5, dtype=np.int32)  # row 5 is past it
    assert kernels.count_segments(*segments.build(), counts) == -1
    with pytest.raises(ValueError, match="internal error"):
        _indices._sorted_draw(segments.build(), 5)
    counts = np.zeros(6, dtype=np.int32)
    assert kernels.count_segments(*segments.build(), counts) == 0
    assert counts.tolist() == [1, 0, 1, 0, 0, 1]
    for out_size in (2, 4, 9):
        out = np.full(out_size, -7, dtype=np.int64)
        assert kernels.expand_counts(counts, out) == -1
        assert (out == -7).all()  # nothing written
    negative = np.array([2, -1, 1], dtype=np.int64)
    assert kernels.expand_counts(negative, np.empty(2, dtype=np.int64)) == -1
    out = np.empty(3, dtype=np.int64)
    assert kernels.expand_counts(counts, out) == 0
    assert out.tolist() == [0, 2, 5]
    out = np.empty(9, dtype=np.int64)
    assert kernels.expand_counts(counts + 1, out) == 0
    assert out.tolist() == [0, 0, 1, 2, 2, 3, 4, 5, 5]


@pytest.mark.parametrize("k", [2, 3])  # 2k <= n draws the kept rows, else the rest
def test_under_sampling_keeps_every_subset_equally_often(k):
    labels, _, _ = encode_labels(np.array([0] * 5 + [1] * 5))
    n_keep = np.array([k, 5])
    rng = np.random.default_rng(0)
    subsets = []
    for _ in range(3000):
        kept = _indices.under_sample_indices(labels, n_keep, rng, shuffle=False)
        assert kept.shape[0] == k + 5 and np.unique(kept).shape[0] == k + 5
        subsets.append(tuple(kept[kept < 5]))
    n_subsets = len(list(itertools.combinations(range(5), k)))
    assert_uniform(subsets, n_subsets)


def test_under_sampling_in_rank_blocks_keeps_every_row_equally_often(monkeypatch):
    monkeypatch.setattr(_indices, "RANK_BLOCK", 64)  # 130 rows: blocks 64, 64, 2
    labels, _, _ = encode_labels(np.array([0] * 130 + [1] * 3))
    rng = np.random.default_rng(0)
    kept = [
        _indices.under_sample_indices(labels, np.array([3, 3]), rng)
        for _ in range(2600)
    ]
    rows = np.concatenate(kept)
    assert all(np.unique(k).shape[0] == 6 for k in kept)
    assert chisquare(np.bincount(rows, minlength=133)[:130]).pvalue > 1e-4


def test_over_sampling_picks_every_minority_row_equally_often():
    y = np.array([0] * 400 + [1] * 7)
    indices = RandomOverSampler(random_state=0).plan(y).draw(np.random.default_rng(0))
    picks = np.bincount(indices, minlength=y.shape[0])[400:] - 1
    assert picks.sum() == 393
    assert chisquare(picks).pvalue > 1e-4


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("n", [3_000, 200_000])
def test_over_sampling_draws_the_same_rows_from_an_int32_pool(shuffle, n):
    # The pool of rows to pick from is int32 where the rows fit (it is read at
    # random: half the size stays in cache); the draw and its dtype must not
    # depend on it: the cached int64 rows of every class give the same rows.
    y = np.random.default_rng(n).integers(0, 3, n) ** 2
    n_add = np.array([n // 2, 0, n // 5])
    compact_pool, _, _ = encode_labels(y)
    cached_pool, _, _ = encode_labels(y)
    cached_pool.grouped_rows()
    pool, _ = _indices._class_pool(compact_pool, np.flatnonzero(n_add))
    assert pool.dtype == np.int32
    assert cached_pool.grouped_rows()[0].dtype == np.intp
    drawn = [
        _indices.over_sample_indices(
            labels, n_add, np.random.default_rng(7), shuffle=shuffle
        )
        for labels in (compact_pool, cached_pool)
    ]
    assert drawn[0].dtype == drawn[1].dtype == np.intp
    np.testing.assert_array_equal(drawn[0], drawn[1])
    assert np.bincount(drawn[0], minlength=n).min() >= 1


def test_label_shuffle_extra_copies_go_to_every_row_equally_often():
    y = np.array([0] * 10 + [1] * 4)  # 10 = 2 * 4 + 2: two rows get a third copy
    plan = LabelShuffleSampler().plan(y)
    rng = np.random.default_rng(0)
    thirds = []
    for _ in range(3000):
        copies = np.bincount(plan.draw(rng), minlength=14)[10:]
        assert sorted(copies.tolist()) == [2, 2, 3, 3]
        thirds.append(tuple(np.flatnonzero(copies == 3)))
    assert_uniform(thirds, 6)


def test_class_balanced_draws_classes_and_rows_uniformly():
    y = np.array([0] * 90 + [1] * 10)
    indices = (
        ClassBalancedSampler(n_samples=20_000).plan(y).draw(np.random.default_rng(0))
    )
    per_class = np.bincount(y[indices])
    assert chisquare(per_class).pvalue > 1e-4
    per_row = np.bincount(indices, minlength=100)
    assert chisquare(per_row[:90]).pvalue > 1e-4
    assert chisquare(per_row[90:]).pvalue > 1e-4


def test_bounded_draws_beyond_two_to_the_32_stay_in_range():
    from rebalance import _kernels

    bound = np.uint64(3 * 2**40 + 17)
    state, values = np.uint64(5), []
    for _ in range(4000):
        state, value = _kernels._below(np.uint64(state), bound)
        values.append(int(value))
    values = np.array(values, dtype=np.float64)
    assert values.min() >= 0 and values.max() < float(bound)
    # Uniform on [0, bound): mean bound/2, standard error bound/sqrt(12 * 4000).
    assert abs(values.mean() / float(bound) - 0.5) < 5 / np.sqrt(12 * 4000)


def test_bad_thread_count_names_the_variable(monkeypatch):
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "many")
    with pytest.raises(ValueError, match="REBALANCE_NUM_THREADS='many'"):
        _indices.n_threads()


def test_import_rebalance_does_not_compile_or_import_numba():
    code = "import sys, rebalance; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_shuffle_runs_permutes_each_run_on_its_own_uniformly():
    rng = np.random.default_rng(0)
    orders = []
    for _ in range(3000):
        values = np.arange(11, dtype=np.int32)  # runs of 3: 0-2, 3-5, 6-8, 9-10
        _indices.shuffle_runs(values, 3, rng)
        for first in range(0, 11, 3):
            run = values[first : first + 3]
            assert sorted(run.tolist()) == list(range(first, min(first + 3, 11)))
        orders.append(tuple(values[3:6]))
    assert_uniform(orders, 6)


def test_shuffle_runs_shuffles_the_rows_of_a_2d_array_in_place():
    batches = np.arange(40, dtype=np.int64).reshape(8, 5)
    _indices.shuffle_runs(batches, 5, np.random.default_rng(1))
    np.testing.assert_array_equal(np.sort(batches, axis=1), np.arange(40).reshape(8, 5))
    assert not np.array_equal(batches, np.arange(40).reshape(8, 5))
