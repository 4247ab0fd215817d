"""Review 17 (statistics): are the draws statistically right?

Each test draws with fixed seeds and compares the draws with what a uniform
(or the documented) distribution gives, by chi-square or exact counts. The
expected values come from formulas (hypergeometric, occupancy, multinomial)
or from imbalanced-learn, never from this package's own output; thresholds
are generous (p > 1e-4, or several standard errors) but each test fails on a
biased draw of the kind its comment names.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import chi2_contingency, chisquare, hypergeom

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _indices,
)
from rebalance._indices import added_mask
from rebalance._validation import encode_labels

P_MIN = 1e-4


def _positions(indices: np.ndarray, row: int) -> int:
    (where,) = np.flatnonzero(indices == row)  # the row appears exactly once
    return int(where)


def _pair_table_pvalue(first, second, n: int, bins: int) -> float:
    """Chi-square p-value of the positions of two distinct items of a uniform
    permutation of ``n``, binned: cell (A, B) has probability
    ``(|A| |B| - |A & B|) / (n (n - 1))``."""
    edges = np.linspace(0, n, bins + 1).astype(int)
    sizes = np.diff(edges)
    observed = np.zeros((bins, bins))
    a = np.searchsorted(edges, first, side="right") - 1
    b = np.searchsorted(edges, second, side="right") - 1
    np.add.at(observed, (a, b), 1)
    expected = (np.outer(sizes, sizes) - np.diag(sizes)) / (n * (n - 1))
    return chisquare(observed.ravel(), expected.ravel() * len(first)).pvalue


def _occupancy_pmf(n_bins: int, n_balls: int) -> np.ndarray:
    """P(exactly d distinct bins) for n_balls uniform independent balls:
    C(n, d) * S(k, d) * d! / n**k (Stirling numbers of the second kind)."""

    def stirling(k: int, d: int) -> int:
        return sum(
            (-1) ** j * math.comb(d, j) * (d - j) ** k for j in range(d + 1)
        ) // math.factorial(d)

    return np.array(
        [
            math.comb(n_bins, d) * stirling(n_balls, d) * math.factorial(d)
            for d in range(n_bins + 1)
        ],
        dtype=np.float64,
    ) / float(n_bins**n_balls)


# --- RandomUnderSampler ------------------------------------------------------


def test_under_sampling_keeps_pairs_across_rank_blocks_equally_often(monkeypatch):
    # 130 rows in rank blocks of 64, 64 and 2: how many rows each block keeps
    # is multivariate hypergeometric. A block allocation by rounding (or one
    # stream shared by the blocks) would skew the pairs that straddle a block
    # boundary and the counts of the small last block.
    monkeypatch.setattr(_indices, "RANK_BLOCK", 64)
    n, k, draws = 130, 40, 1200
    y = np.array([0] * n + [1] * k)
    plan = RandomUnderSampler().plan(y)
    rng = np.random.default_rng(0)
    kept = np.zeros((draws, n), dtype=bool)
    for d in range(draws):
        indices = plan.draw(rng)
        assert np.unique(indices).shape[0] == 2 * k
        kept[d, indices[indices < n]] = True
    assert kept.sum(axis=1).tolist() == [k] * draws
    # Every row equally often.
    assert chisquare(kept.sum(axis=0)).pvalue > P_MIN
    # Pairs: P(both kept) = k (k - 1) / (n (n - 1)) for every pair.
    p_pair = k * (k - 1) / (n * (n - 1))
    for a, b in [(63, 64), (127, 128), (0, 129), (64, 129), (128, 129), (5, 6)]:
        together = int((kept[:, a] & kept[:, b]).sum())
        z = (together - draws * p_pair) / math.sqrt(draws * p_pair * (1 - p_pair))
        assert abs(z) < 4.5, (a, b, together, draws * p_pair)
    # Averaged over all pairs within one block vs all pairs across blocks.
    both = kept.T.astype(np.float64) @ kept.astype(np.float64)
    block = np.arange(n) // 64
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    same = upper & (block[:, None] == block[None, :])
    for pairs in (same, upper & ~same):
        rate = both[pairs].mean() / draws
        assert abs(rate / p_pair - 1) < 0.02
    # The last block (2 rows) keeps a hypergeometric number of rows.
    last = kept[:, 128:].sum(axis=1)
    expected = hypergeom(n, 2, k).pmf([0, 1, 2]) * draws
    assert chisquare(np.bincount(last, minlength=3), expected).pvalue > P_MIN


def test_under_sampling_past_the_real_rank_block_keeps_the_last_row_at_random(
    monkeypatch,
):
    # One row past RANK_BLOCK (2**20): the class is marked as two blocks, of
    # 2**20 rows and of 1 row. Keeping half the class, the lone row must be
    # kept in about half of the draws (a rounded allocation keeps it always
    # or never), and the draw must not depend on the thread count.
    n = _indices.RANK_BLOCK + 1
    y = np.zeros(n + 10, dtype=np.int64)
    y[n:] = 1
    plan = RandomUnderSampler(sampling_strategy={0: n // 2}, shuffle=False).plan(y)
    rng = np.random.default_rng(0)
    last_kept = []
    for _ in range(16):
        indices = plan.draw(rng)
        assert indices.shape[0] == n // 2 + 10
        last_kept.append(bool(indices[-11] == n - 1))
    assert 2 <= sum(last_kept) <= 14  # Binomial(16, 1/2): P(outside) < 0.005
    draws = []
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        draws.append(plan.draw(np.random.default_rng(5)))
    np.testing.assert_array_equal(draws[0], draws[1])
    np.testing.assert_array_equal(draws[0], draws[2])


def test_under_sampling_with_replacement_picks_independent_uniform_rows():
    # 5 picks from a class of 5 rows, with replacement: the number of distinct
    # rows follows the occupancy distribution (picks that repeat or avoid one
    # another, e.g. correlated streams, change it), every row equally often.
    y = np.array([0] * 5 + [1] * 9)
    plan = RandomUnderSampler(sampling_strategy={0: 5}, replacement=True).plan(y)
    rng = np.random.default_rng(0)
    distinct, per_row = [], np.zeros(5)
    for _ in range(4000):
        indices = plan.draw(rng)
        picks = indices[indices < 5]
        assert (
            picks.shape[0] == 5
            and (np.sort(indices[indices >= 5]) == np.arange(5, 14)).all()
        )
        distinct.append(np.unique(picks).shape[0])
        per_row += np.bincount(picks, minlength=5)
    expected = _occupancy_pmf(5, 5)[1:] * 4000
    assert chisquare(np.bincount(distinct, minlength=6)[1:], expected).pvalue > P_MIN
    assert chisquare(per_row).pvalue > P_MIN


def test_under_sampling_output_order_is_a_uniform_permutation():
    y = np.array([0] * 30 + [1] * 6)
    plan = RandomUnderSampler().plan(y)  # 6 + 6 rows, minority kept whole
    rng = np.random.default_rng(1)
    first, second = [], []
    for _ in range(3000):
        indices = plan.draw(rng)
        first.append(_positions(indices, 30))
        second.append(_positions(indices, 35))
    assert chisquare(np.bincount(first, minlength=12)).pvalue > P_MIN
    assert _pair_table_pvalue(first, second, 12, 4) > P_MIN


# --- RandomOverSampler -------------------------------------------------------


@pytest.mark.parametrize(
    "small_shuffle, parallel_above",
    [(16, 1 << 20), (16, 32), (32, 0)],
    ids=["buckets", "buckets-above-parallel", "two-buckets-parallel"],
)
def test_over_sampling_output_is_a_uniform_permutation_across_buckets(
    small_shuffle, parallel_above, monkeypatch
):
    # 60 output rows, just above the (lowered) SMALL_SHUFFLE and PARALLEL_ABOVE:
    # the cache-blocked shuffle with 2 to 4 buckets. A row that appears once
    # (majority) must land at every position equally often, and two such rows
    # at every pair of positions; the draw must not depend on the threads.
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", small_shuffle)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", parallel_above)
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "1")
    y = np.array([0] * 30 + [1] * 5)
    plan = RandomOverSampler().plan(y)
    rng = np.random.default_rng(0)
    n_out, rows = 60, (0, 15, 29)
    positions = np.empty((3000, 3), dtype=np.int64)
    for d in range(3000):
        indices = plan.draw(rng)
        positions[d] = [_positions(indices, r) for r in rows]
    for j in range(3):
        assert chisquare(np.bincount(positions[:, j], minlength=n_out)).pvalue > P_MIN
    assert _pair_table_pvalue(positions[:, 0], positions[:, 1], n_out, 6) > P_MIN
    assert _pair_table_pvalue(positions[:, 1], positions[:, 2], n_out, 6) > P_MIN
    draws = []
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        draws.append(plan.draw(np.random.default_rng(9)))
    np.testing.assert_array_equal(draws[0], draws[1])
    np.testing.assert_array_equal(draws[0], draws[2])


def test_two_bucket_shuffle_gives_every_permutation_equally_often(monkeypatch):
    # 6 items, SMALL_SHUFFLE lowered to 3: two buckets of about 3, each
    # Fisher-Yates shuffled. Buckets shuffled from one shared stream (equal
    # sizes: the same permutation in both) would favour some permutations.
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 3)
    items = np.arange(6, dtype=np.int64)
    rng = np.random.default_rng(0)
    seen: dict = {}
    for _ in range(7_200):
        order = tuple(_indices.shuffled(items, rng).tolist())
        seen[order] = seen.get(order, 0) + 1
    assert len(seen) == math.factorial(6)
    assert chisquare(list(seen.values())).pvalue > P_MIN


def test_over_sampling_adds_independent_uniform_copies():
    # 6 copies added to a class of 4 rows: the rows that get copies follow the
    # occupancy distribution of 6 independent uniform picks.
    y = np.array([0] * 10 + [1] * 4)
    plan = RandomOverSampler().plan(y)
    rng = np.random.default_rng(0)
    distinct, per_row = [], np.zeros(4)
    for _ in range(4000):
        copies = np.bincount(plan.draw(rng), minlength=14)
        assert (copies[:10] == 1).all() and copies[10:].min() >= 1
        added = copies[10:] - 1
        assert added.sum() == 6
        distinct.append(int((added > 0).sum()))
        per_row += added
    expected = _occupancy_pmf(4, 6)[1:] * 4000
    assert chisquare(np.bincount(distinct, minlength=5)[1:], expected).pvalue > P_MIN
    assert chisquare(per_row).pvalue > P_MIN


@pytest.mark.parametrize("n", [65_537, 3 * 65_536 + 7, (1 << 20) + 1])
def test_shuffle_just_above_the_real_thresholds_is_uniform(n, monkeypatch):
    # Sizes just above SMALL_SHUFFLE (2 and 4 buckets) and PARALLEL_ABOVE
    # (threads): where an input row lands must not depend on where it was
    # (input block x output block table), neighbours in the input must land
    # independently (lag-1 correlation of positions ~ N(0, 1/n); runs kept
    # together: ~Poisson(1)), and the result must not depend on the threads.
    assert n > _indices.SMALL_SHUFFLE
    items = np.arange(n, dtype=np.int64)
    outs = []
    for threads in ("1", "3") if n > _indices.PARALLEL_ABOVE else ("1",):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        outs.append(_indices.shuffled(items, np.random.default_rng(n)))
    for out in outs[1:]:
        np.testing.assert_array_equal(out, outs[0])
    out = outs[0]
    position = np.empty(n, dtype=np.int64)
    position[out] = np.arange(n)
    table = np.zeros((16, 16))
    np.add.at(table, (np.arange(n) * 16 // n, position * 16 // n), 1)
    assert chi2_contingency(table).pvalue > P_MIN
    lag1 = np.corrcoef(position[:-1], position[1:])[0, 1]
    assert abs(lag1) < 4.5 / math.sqrt(n)
    assert int((np.diff(out) == 1).sum()) <= 8  # Poisson(1): P(> 8) ~ 1e-6
    # Positions of consecutive input rows in the same output half: 1/2.
    same_half = np.mean(position[:-1] * 2 // n == position[1:] * 2 // n)
    assert abs(same_half - 0.5) < 4.5 * 0.5 / math.sqrt(n)


def test_consecutive_picks_of_neighbouring_streams_are_independent():
    # Pick i uses element stream (key, i): the pairs (pick i, pick i + 1),
    # including across the 256-pick blocks of the kernel, must be uniform on
    # the 3 x 3 grid, for several keys.
    from rebalance import _kernels

    for seed in range(4):
        rng = np.random.default_rng(seed)
        segments = _indices._SegmentList(np.dtype(np.int64), (np.arange(3),))
        segments.pick(0, 0, 3, 30_000, rng)
        segments = segments.build()
        picks = np.empty(30_000, dtype=np.int64)
        _kernels.write_segments(*segments, picks)
        pairs = np.zeros((3, 3))
        np.add.at(pairs, (picks[:-1], picks[1:]), 1)
        assert chisquare(pairs.ravel()).pvalue > P_MIN
        boundary = picks[255::256], picks[256::256]  # last of a block, next
        m = min(len(boundary[0]), len(boundary[1]))
        edge = np.zeros((3, 3))
        np.add.at(edge, (boundary[0][:m], boundary[1][:m]), 1)
        assert chisquare(edge.ravel()).pvalue > P_MIN
        assert abs(np.corrcoef(picks[:-1], picks[1:])[0, 1]) < 4.5 / math.sqrt(30_000)


def _smoothing_noise(sampler, X, y) -> tuple[np.ndarray, np.ndarray]:
    """Noise added to the copies (every occurrence of a row but the original)."""
    X_res, y_res = sampler.fit_resample(X, y)
    indices = sampler.sample_indices_
    added = added_mask(indices, getattr(sampler, "shuffle", False))
    noise = np.asarray(X_res, dtype=np.float64) - X[indices]
    assert (noise[~added] == 0).all()
    return noise[added], np.asarray(y_res)[added]


def test_shrinkage_noise_has_imbalanced_learns_variance():
    # imbalanced-learn's smoothed bootstrap: noise ~ N(0, (shrinkage * h *
    # std_c)**2) per feature, h of the whole input, std_c the class's
    # population std. Compared with the formula and with imbalanced-learn's own
    # noise (a bandwidth from the class's row count instead of all rows would
    # give 1.7 times the variance here).
    from imblearn.over_sampling import RandomOverSampler as ImbRandomOverSampler

    rng = np.random.default_rng(0)
    X = np.column_stack(
        [rng.normal(0, 1, 300), rng.normal(5, 10, 300), rng.exponential(2, 300)]
    )
    y = np.array([0] * 240 + [1] * 45 + [2] * 15)
    X[240:285] *= 3
    shrinkage = {1: 2.0, 2: 0.3}
    ours, theirs = [], []
    for seed in range(15):
        ours.append(
            _smoothing_noise(
                RandomOverSampler(shrinkage=shrinkage, random_state=seed), X, y
            )
        )
        theirs.append(
            _smoothing_noise(
                ImbRandomOverSampler(shrinkage=shrinkage, random_state=seed), X, y
            )
        )
    h = (4 / (5 * 300)) ** (1 / 7)
    for c in (1, 2):
        a = np.concatenate([noise[labels == c] for noise, labels in ours])
        b = np.concatenate([noise[labels == c] for noise, labels in theirs])
        assert a.shape == b.shape
        formula = (shrinkage[c] * h * X[y == c].std(axis=0)) ** 2
        # Sample variances of ~3000 normals: relative standard error 2.6%.
        np.testing.assert_allclose(a.var(axis=0) / formula, 1, atol=0.12)
        np.testing.assert_allclose(a.var(axis=0) / b.var(axis=0), 1, atol=0.15)
        np.testing.assert_allclose(a.mean(axis=0) / np.sqrt(formula), 0, atol=0.1)


# --- ClassBalancedSampler ----------------------------------------------------


@pytest.mark.parametrize("power", [0.0, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("n_classes", [5, 40])  # 40: the kernel's binary search
def test_class_balanced_class_frequencies_follow_count_to_the_power(power, n_classes):
    counts = (np.arange(n_classes) % 7 + 1) ** 2 + np.arange(n_classes)
    y = np.repeat(np.arange(n_classes), counts)
    n_samples = 60_000
    sampler = ClassBalancedSampler(power=power, n_samples=n_samples, random_state=0)
    X_res, y_res = sampler.fit_resample(np.zeros((y.shape[0], 1)), y)
    assert y_res.shape[0] == n_samples
    weights = counts.astype(np.float64) ** power
    expected = weights / weights.sum() * n_samples
    observed = np.bincount(y_res, minlength=n_classes)
    assert chisquare(observed, expected).pvalue > P_MIN
    assert sampler.sampling_strategy_ == dict(enumerate(observed.tolist()))
    # Rows within a class uniform, and consecutive classes independent.
    indices = sampler.sample_indices_
    largest = int(np.argmax(counts))
    rows = np.bincount(indices[y_res == largest], minlength=y.shape[0])[y == largest]
    assert chisquare(rows).pvalue > P_MIN
    if n_classes == 5:
        table = np.zeros((5, 5))
        np.add.at(table, (y_res[:-1], y_res[1:]), 1)
        assert chi2_contingency(table).pvalue > P_MIN


def test_class_balanced_row_and_next_class_come_from_separate_streams():
    # Entry i draws its class, then its row, from its own stream; entry i + 1
    # from the next one. A row drawn with the random number that picks the
    # next entry's class (overlapping streams) would tie the two together.
    y = np.repeat([0, 1], [64, 64])
    indices = (
        ClassBalancedSampler(n_samples=40_000).plan(y).draw(np.random.default_rng(0))
    )
    upper_half = (indices % 64) >= 32  # the row's place within its class
    table = np.zeros((2, 2))
    np.add.at(table, (upper_half[:-1].astype(int), y[indices[1:]]), 1)
    assert chi2_contingency(table).pvalue > P_MIN
    same = np.zeros((2, 2))
    np.add.at(same, (upper_half.astype(int), y[indices]), 1)
    assert chi2_contingency(same).pvalue > P_MIN


def test_class_balanced_with_a_sampling_strategy_dict_and_power():
    counts = np.array([500, 120, 30, 7])
    y = np.repeat(np.arange(4), counts)
    sampler = ClassBalancedSampler(
        sampling_strategy={2: 200, 3: 50}, power=0.5, n_samples=50_000, random_state=1
    )
    _, y_res = sampler.fit_resample(np.zeros((y.shape[0], 1)), y)
    totals = np.array([500, 120, 200, 50], dtype=np.float64)
    weights = totals**0.5 * counts**0.5  # documented: T_c ** (1 - q) n_c ** q
    expected = weights / weights.sum() * 50_000
    assert chisquare(np.bincount(y_res, minlength=4), expected).pvalue > P_MIN


# --- LabelShuffleSampler -----------------------------------------------------


def test_label_shuffle_follows_the_hikvision_recipe():
    # M = 10: each class contributes 10 rows; rows of a class of n_c appear
    # floor(10 / n_c) or ceil times, the extra copies on uniformly random rows
    # (all C(n_c, 10 % n_c) sets equally often), the whole list in uniform
    # random order.
    y = np.array([0] * 10 + [1] * 4 + [2] * 3)
    plan = LabelShuffleSampler().plan(y)
    rng = np.random.default_rng(0)
    extra_1, extra_2, first, second = [], [], [], []
    for _ in range(2000):
        indices = plan.draw(rng)
        assert indices.shape[0] == 30
        np.testing.assert_array_equal(np.bincount(y[indices]), [10, 10, 10])
        copies = np.bincount(indices, minlength=17)
        assert (copies[:10] == 1).all()
        assert sorted(copies[10:14].tolist()) == [2, 2, 3, 3]
        assert sorted(copies[14:].tolist()) == [3, 3, 4]
        extra_1.append(tuple(np.flatnonzero(copies[10:14] == 3)))
        extra_2.append(int(np.flatnonzero(copies[14:] == 4)[0]))
        first.append(_positions(indices, 0))
        second.append(_positions(indices, 9))
    subsets = {s: i for i, s in enumerate(sorted(set(extra_1)))}
    assert len(subsets) == math.comb(4, 2)
    assert chisquare(np.bincount([subsets[s] for s in extra_1])).pvalue > P_MIN
    assert chisquare(np.bincount(extra_2, minlength=3)).pvalue > P_MIN
    assert chisquare(np.bincount(first, minlength=30)).pvalue > P_MIN
    assert _pair_table_pvalue(first, second, 30, 5) > P_MIN


# --- the bounded integer generator ------------------------------------------


@pytest.mark.parametrize(
    "bound",
    [3 * 2**30, 2**32 - 1, 2**32, 2**32 + 1, 3 * 2**31, 3 * 2**32, 2**63 + 1],
    ids=hex,
)
def test_bounded_integers_near_and_above_two_to_the_32_are_unbiased(bound):
    # 3 * 2**30 (multiply-and-reject branch): without the rejection, values
    # that are multiples of 3 come out half the time instead of a third.
    # Above 2**32 (mask-and-reject): a too-small mask leaves the top of the
    # range empty, a modulo instead of the rejection doubles the bottom.
    from rebalance import _kernels

    state, values = 12345, []
    for _ in range(20_000):
        # The state stays a uint64, as in the kernels: a Python int would
        # compile _below for an int64 state, where `state + gamma` is a float.
        state, value = _kernels._below(np.uint64(state), np.uint64(bound))
        values.append(int(value))
    values = np.array(values, dtype=object)
    assert all(0 <= v < bound for v in values)
    residues = np.bincount((values % 3).astype(np.int64), minlength=3)
    expected = np.array([len(range(r, bound, 3)) for r in range(3)]) / bound
    assert chisquare(residues, expected * 20_000).pvalue > P_MIN
    sixteenths = np.bincount((values * 16 // bound).astype(np.int64), minlength=16)
    assert chisquare(sixteenths).pvalue > P_MIN


# --- sampling_strategy counts vs imbalanced-learn ----------------------------


@pytest.mark.parametrize(
    "kind, counts, ratio",
    [
        ("over-sampling", (90, 1), Fraction(7, 10)),
        ("over-sampling", (100, 28), Fraction(29, 100)),
        ("under-sampling", (130, 99), Fraction(9, 11)),
        ("under-sampling", (70, 35), Fraction(7, 12)),
        ("over-sampling", (100, 28), 0.37),
        ("under-sampling", (130, 99), 0.81),
        ("over-sampling", (100, 20), np.float32(0.29)),
    ],
)
def test_float_sampling_strategy_counts_as_imbalanced_learn(kind, counts, ratio):
    # A Fraction is a Real that parameter validation accepts; imbalanced-learn
    # computes int(n_majority * ratio - n_minority) / int(n_minority / ratio)
    # with it exactly. Read as a float first, 7/10 of 90 became 62.999... -> 62.
    from imblearn.utils import check_sampling_strategy

    y = np.array([0] * counts[0] + [1] * counts[1])
    expected = {
        int(k): int(v) for k, v in check_sampling_strategy(ratio, y, kind).items()
    }
    sampler = (
        RandomOverSampler(sampling_strategy=ratio, random_state=0)
        if kind == "over-sampling"
        else RandomUnderSampler(sampling_strategy=ratio, random_state=0)
    )
    X = np.zeros((y.shape[0], 1))
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == expected
    ((cls, count),) = expected.items()
    final = count + (counts[cls] if kind == "over-sampling" else 0)
    assert int((y_res == cls).sum()) == final


def test_float_sampling_strategy_matches_imbalanced_learn_on_many_cases():
    from imblearn.utils import check_sampling_strategy

    from rebalance._strategy import resolve_targets

    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(400):
        counts = rng.integers(1, 300, 2)
        y = np.repeat([0, 1], counts)
        labels, _, _ = encode_labels(y)
        ratio = float(rng.integers(1, 100)) / float(rng.integers(100, 130))
        for kind in ("under-sampling", "over-sampling"):
            try:
                expected = dict(check_sampling_strategy(ratio, y, kind))
            except ValueError:
                expected = None
            try:
                _, ours = resolve_targets(ratio, labels, kind)
            except ValueError:
                ours = None
            if expected is None:
                # imbalanced-learn refuses "add 0 rows" too; rebalance keeps
                # the data as it is then.
                assert ours is None or set(ours.values()) == {0}
            else:
                assert ours == {int(k): int(v) for k, v in expected.items()}
                checked += 1
    assert checked > 300
