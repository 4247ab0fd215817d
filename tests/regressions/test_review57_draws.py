"""Review 57 (draws): are the draws right, statistically and against
imbalanced-learn's semantics?

(a) Class counts, ``sampling_strategy_`` and refusals of RandomUnderSampler /
RandomOverSampler against imbalanced-learn's on the same y (binary,
multiclass up to 50 classes, count ties, string / bool / negative labels,
one-hot y) for every form of ``sampling_strategy``. Deliberate differences,
not compared: a float ratio that adds 0 rows (a no-op here, an error in
imbalanced-learn) and ``RandomUnderSampler(replacement=True)`` with a dict
count above the class's count (a bootstrap here, an error there).

(b) Statistics at fixed seeds (chi-square tests, p > 1e-4): uniform
inclusion, multinomial multiplicities, uniform copies and positions, the
class mixes ClassBalancedSampler and LabelShuffleSampler promise,
independence of the draws of different seeds, the same draw for 1-3 threads
and for numpy / pandas / CSR X, and the smoothed bootstrap's noise scale.

(c) Counts near the int32 and int64 limits, checked on zero-memory labels.

No bug was found in the draws; these tests pin the properties checked.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbOver
from imblearn.under_sampling import RandomUnderSampler as ImbUnder
from scipy import stats

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _indices,
)

P_MIN = 1e-4


def _ys() -> dict[str, np.ndarray]:
    counts = np.random.default_rng(0).integers(1, 12, size=50)
    return {
        "binary": np.array([0] * 10 + [1] * 4),
        "binary_tie": np.array([0] * 5 + [1] * 5),
        "strings": np.array(["b"] * 10 + ["a"] * 4),
        "bools": np.array([True] * 10 + [False] * 4),
        "negative": np.array([-1] * 10 + [-5] * 4 + [3] * 7),
        "tie_majority": np.array([0] * 6 + [1] * 6 + [2] * 3),
        "tie_minority": np.array([0] * 2 + [1] * 6 + [2] * 2),
        "fifty": np.repeat(np.arange(50), counts),
        "fifty_ties": np.repeat(np.arange(50), [3] * 25 + [7] * 25),
        "one_row_class": np.array([0] * 5 + [1]),
    }


def _strategies(y):
    classes, counts = np.unique(y, return_counts=True)
    low, high = int(counts.min()), int(counts.max())
    return [
        "auto", "majority", "minority", "not minority", "not majority", "all",
        1.0, 0.5, 0.3, 0.999, 1e-9,
        {classes[0]: 0},
        {classes[-1]: int(counts[-1])},
        {c: int(n) for c, n in zip(classes, counts)},
        {c: low for c in classes},
        {c: high for c in classes},
        {c: 1 for c in classes},
        lambda labels: {classes[0]: 1},
        lambda labels: {c: high for c in classes},
        {classes[0]: -1},
        {"not a class": 1},
    ]  # fmt: skip


def _outcome(sampler, X, y):
    try:
        _, y_res = sampler.fit_resample(X, y)
    except (ValueError, TypeError) as exc:
        return "refused", type(exc).__name__
    y_res = np.asarray(y_res)
    if y_res.ndim == 2:
        y_res = y_res.argmax(axis=1)
    classes, counts = np.unique(y_res, return_counts=True)
    report = {
        (k.item() if isinstance(k, np.generic) else k): int(v)
        for k, v in sampler.sampling_strategy_.items()
    }
    return dict(zip(classes.tolist(), counts.tolist())), report


def _deliberately_different(kind, strategy, y, replacement) -> bool:
    _, counts = np.unique(y, return_counts=True)
    if kind == "over" and isinstance(strategy, float) and counts.shape[0] == 2:
        return int(counts.max() * strategy) - int(counts.min()) == 0
    if kind == "under" and replacement and not isinstance(strategy, (str, float)):
        try:
            asked = strategy if isinstance(strategy, dict) else strategy(y)
        except Exception:
            return False
        classes = np.unique(y).tolist()
        return any(
            k in classes and v > counts[classes.index(k)] for k, v in asked.items()
        )
    return False


@pytest.mark.parametrize("name", list(_ys()))
def test_counts_report_and_refusals_match_imbalanced_learn(name):
    y = _ys()[name]
    X = np.arange(2 * y.shape[0], dtype=np.float64).reshape(-1, 2)
    compared = 0
    for strategy in _strategies(y):
        for kind, ours, theirs, options in (
            ("under", RandomUnderSampler, ImbUnder, {"replacement": False}),
            ("under", RandomUnderSampler, ImbUnder, {"replacement": True}),
            ("over", RandomOverSampler, ImbOver, {}),
        ):
            if _deliberately_different(
                kind, strategy, y, options.get("replacement", False)
            ):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = _outcome(
                    theirs(sampling_strategy=strategy, random_state=0, **options),
                    X,
                    y,
                )
            for shuffle in (True, False):
                got = _outcome(
                    ours(
                        sampling_strategy=strategy,
                        random_state=0,
                        shuffle=shuffle,
                        **options,
                    ),
                    X,
                    y,
                )
                if expected[0] == "refused":
                    assert got[0] == "refused", (strategy, kind, options, got)
                else:
                    assert got == expected, (strategy, kind, options, shuffle)
                compared += 1
    assert compared > 100


def test_one_hot_y_matches_imbalanced_learn():
    y = np.array([0] * 6 + [1] * 3 + [2] * 2)
    Y = np.eye(3, dtype=int)[y]
    X = np.arange(22.0).reshape(-1, 2)
    for strategy in ("auto", "all", "not minority", {0: 2}, {2: 6}, "majority"):
        for ours, theirs in (
            (RandomUnderSampler, ImbUnder),
            (RandomOverSampler, ImbOver),
        ):
            expected = _outcome(
                theirs(sampling_strategy=strategy, random_state=0), X, Y
            )
            got = _outcome(ours(sampling_strategy=strategy, random_state=0), X, Y)
            assert got == expected, (strategy, ours)


def test_refusals_name_the_argument():
    y = np.array([0] * 10 + [1] * 4)
    X = np.zeros((14, 1))
    cases = [
        (RandomUnderSampler, {"sampling_strategy": "minority"}),
        (RandomOverSampler, {"sampling_strategy": "majority"}),
        (RandomUnderSampler, {"sampling_strategy": 0.1}),
        (RandomOverSampler, {"sampling_strategy": 0.1}),
        (RandomUnderSampler, {"sampling_strategy": {1: 5}}),
        (RandomOverSampler, {"sampling_strategy": {0: 3}}),
        (RandomOverSampler, {"sampling_strategy": {0: -1}}),
        (RandomOverSampler, {"sampling_strategy": {7: 20}}),
        (RandomOverSampler, {"sampling_strategy": {1: 4.5}}),
        (RandomOverSampler, {"sampling_strategy": lambda labels: [1, 2]}),
        (ClassBalancedSampler, {"sampling_strategy": "majority"}),
        (LabelShuffleSampler, {"sampling_strategy": {1: 2}}),
    ]
    for sampler, params in cases:
        with pytest.raises((ValueError, TypeError), match="sampling_strategy"):
            sampler(**params).fit_resample(X, y)
    # The same cases imbalanced-learn refuses (the last two samplers are ours).
    for sampler, params in cases[:9]:
        peer = ImbUnder if sampler is RandomUnderSampler else ImbOver
        with pytest.raises((ValueError, TypeError)):
            peer(**params).fit_resample(X, y)


# --- (b) statistics ----------------------------------------------------------


def _rows(sampler, X, y) -> np.ndarray:
    return np.asarray(sampler.fit_resample(X, y)[0]).ravel()


def test_under_sampling_keeps_every_row_equally_often(monkeypatch):
    # Blocks of 64 ranks (several per class, the multivariate hypergeometric
    # split) and threads, as the draws of large classes are made.
    monkeypatch.setattr(_indices, "RANK_BLOCK", 64)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 16)
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "2")
    y = np.array([0] * 200 + [1] * 50)
    X = np.arange(250).reshape(-1, 1)
    kept = np.zeros(250)
    first_block = []
    for seed in range(400):
        rows = _rows(RandomUnderSampler(random_state=seed), X, y)
        assert np.unique(rows).shape[0] == 100  # no repeats
        kept[rows] += 1
        first_block.append(np.count_nonzero(rows < 64))
    assert (kept[200:] == 400).all()
    assert stats.chisquare(kept[:200]).pvalue > P_MIN
    # Rows kept among the first 64: hypergeometric(200, 64, 50).
    # Bins <= 11, 12, ..., 20, >= 21 (every expected count above 5).
    law = stats.hypergeom(200, 64, 50)
    edges = np.arange(12, 22)
    observed = np.bincount(np.searchsorted(edges, first_block, side="right"))
    expected = np.diff(np.concatenate([[0.0], law.cdf(edges - 1), [1.0]]))
    assert stats.chisquare(observed, expected * len(first_block)).pvalue > P_MIN


def test_under_sampling_with_replacement_is_multinomial():
    y = np.array([0] * 5 + [1] * 3)
    X = np.arange(8).reshape(-1, 1)
    totals = np.zeros(5)
    largest = np.zeros(4)
    for seed in range(500):
        counts = np.bincount(
            _rows(RandomUnderSampler(random_state=seed, replacement=True), X, y),
            minlength=8,
        )
        assert counts[:5].sum() == 3 and (counts[5:] == 1).all()
        totals += counts[:5]
        largest[counts[:5].max()] += 1
    assert stats.chisquare(totals).pvalue > P_MIN
    # 3 draws from 5 rows: the largest multiplicity is 1, 2 or 3 with
    # probabilities 12/25, 12/25 and 1/25.
    expected = np.array([12, 12, 1]) / 25 * 500
    assert stats.chisquare(largest[1:], expected).pvalue > P_MIN


def test_over_sampling_adds_uniform_copies_in_uniform_positions():
    y = np.array([0] * 10 + [1] * 3)
    X = np.arange(13).reshape(-1, 1)
    added = np.zeros(3)
    copies_of_row_10 = np.zeros(8)
    position_of_row_0 = np.zeros(20)
    for seed in range(600):
        rows = _rows(RandomOverSampler(random_state=seed), X, y)
        counts = np.bincount(rows, minlength=13)
        assert (counts[:10] == 1).all() and (counts[10:] >= 1).all()
        added += counts[10:] - 1
        copies_of_row_10[counts[10] - 1] += 1
        position_of_row_0[np.flatnonzero(rows == 0)[0]] += 1
    assert stats.chisquare(added).pvalue > P_MIN
    # Copies of one row: binomial(7 added rows, 1/3).
    law = stats.binom(7, 1 / 3).pmf(np.arange(8)) * 600
    observed = np.append(copies_of_row_10[:5], copies_of_row_10[5:].sum())
    expected = np.append(law[:5], law[5:].sum())
    assert stats.chisquare(observed, expected).pvalue > P_MIN
    assert stats.chisquare(position_of_row_0).pvalue > P_MIN


def test_bucketed_shuffle_gives_uniform_positions(monkeypatch):
    # The cache-blocked shuffle (buckets, then Fisher-Yates), in threads.
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 16)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 8)
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "2")
    first = np.zeros(64)
    last = np.zeros(64)
    before = 0
    for seed in range(640):
        rng = np.random.default_rng(seed)
        position = np.argsort(_indices.shuffled(np.arange(64), rng))
        first[position[0]] += 1
        last[position[63]] += 1
        before += position[0] < position[1]
    assert stats.chisquare(first).pvalue > P_MIN
    assert stats.chisquare(last).pvalue > P_MIN
    assert stats.binomtest(int(before), 640).pvalue > P_MIN


@pytest.mark.parametrize(
    ("params", "weights"),
    [
        ({}, [1, 1, 1]),
        ({"power": 0.5}, np.sqrt([20, 5, 2])),
        ({"power": 1.0}, [20, 5, 2]),
        ({"sampling_strategy": "minority"}, [20, 5, 20]),
        ({"sampling_strategy": {1: 10}, "power": 0.5}, np.sqrt([400, 50, 4])),
    ],
)
def test_class_balanced_mix_and_rows(params, weights):
    y = np.array([0] * 20 + [1] * 5 + [2] * 2)
    X = np.arange(27).reshape(-1, 1)
    per_row = np.zeros(27)
    for seed in range(150):
        sampler = ClassBalancedSampler(random_state=seed, n_samples=200, **params)
        per_row += np.bincount(_rows(sampler, X, y), minlength=27)
    per_class = np.add.reduceat(per_row, [0, 20, 25])
    weights = np.asarray(weights, dtype=np.float64)
    expected = weights / weights.sum() * per_class.sum()
    assert stats.chisquare(per_class, expected).pvalue > P_MIN
    for lo, hi in ((0, 20), (20, 25), (25, 27)):
        assert stats.chisquare(per_row[lo:hi]).pvalue > P_MIN


def test_label_shuffle_extra_copies_go_to_uniform_sets_of_rows():
    y = np.array([0] * 10 + [1] * 4)  # class 1: 10 rows from 4, 2 rows thrice
    X = np.arange(14).reshape(-1, 1)
    sets: dict[tuple, int] = {}
    position_of_row_0 = np.zeros(20)
    for seed in range(400):
        rows = _rows(LabelShuffleSampler(random_state=seed), X, y)
        counts = np.bincount(rows, minlength=14)
        assert (counts[:10] == 1).all() and sorted(counts[10:]) == [2, 2, 3, 3]
        key = tuple(np.flatnonzero(counts[10:] == 3))
        sets[key] = sets.get(key, 0) + 1
        position_of_row_0[np.flatnonzero(rows == 0)[0]] += 1
    assert len(sets) == 6
    assert stats.chisquare(list(sets.values())).pvalue > P_MIN
    assert stats.chisquare(position_of_row_0).pvalue > P_MIN


def test_draws_of_different_seeds_are_independent():
    y = np.array([0] * 100 + [1] * 50)
    X = np.arange(150).reshape(-1, 1)
    draws = [_rows(RandomUnderSampler(random_state=s), X, y) for s in range(201)]
    overlap = [
        np.intersect1d(a[a < 100], b[b < 100]).shape[0]
        for a, b in zip(draws[:-1], draws[1:])
    ]
    # Consecutive seeds: two independent 50-subsets of 100 rows.
    law = stats.hypergeom(100, 50, 50)
    assert stats.ttest_1samp(overlap, law.mean()).pvalue > P_MIN
    assert abs(np.var(overlap) / law.var() - 1) < 0.35
    # Seeds 0 and 1: the positions of the minority rows are uncorrelated.
    order = [np.argsort(d)[np.sort(d) >= 100] for d in draws[:2]]
    assert abs(stats.spearmanr(*order)[0]) < 0.5
    # An int seed is default_rng(seed); a RandomState is a seed source of its
    # own (the same RandomState seed repeats, but is not the int seed's draw).
    rows = _rows(RandomUnderSampler(random_state=7), X, y)
    generator = _rows(RandomUnderSampler(random_state=np.random.default_rng(7)), X, y)
    legacy = [
        _rows(RandomUnderSampler(random_state=np.random.RandomState(7)), X, y)
        for _ in range(2)
    ]
    assert np.array_equal(rows, generator)
    assert np.array_equal(*legacy)
    assert not np.array_equal(rows, legacy[0])


def test_same_seed_same_draw_for_threads_and_containers(monkeypatch):
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 64)
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 256)
    monkeypatch.setattr(_indices, "RANK_BLOCK", 128)
    y = np.repeat([0, 1, 2], [1500, 350, 75])
    X = np.arange(2 * y.shape[0], dtype=np.float64).reshape(-1, 2)
    samplers = [
        RandomUnderSampler(random_state=3),
        RandomUnderSampler(random_state=3, replacement=True),
        RandomOverSampler(random_state=3),
        RandomOverSampler(random_state=3, shuffle=False),
        RandomOverSampler(random_state=3, shrinkage=1.0),
        ClassBalancedSampler(random_state=3, power=0.5, n_samples=3000),
        LabelShuffleSampler(random_state=3),
    ]
    for sampler in samplers:
        drawn = []
        for threads in ("1", "2", "3"):
            monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
            for given in (X, pd.DataFrame(X), sp.csr_matrix(X)):
                X_res = sampler.fit_resample(given, y)[0]
                X_res = X_res.toarray() if sp.issparse(X_res) else np.asarray(X_res)
                drawn.append((sampler.sample_indices_.copy(), X_res))
        for indices, X_res in drawn[1:]:
            assert np.array_equal(indices, drawn[0][0]), sampler
            np.testing.assert_allclose(X_res, drawn[0][1], rtol=1e-12)


def _smoothing_noise(sampler_class, X, y, shrinkage, n_seeds=60):
    noise = []
    for seed in range(n_seeds):
        sampler = sampler_class(shrinkage=shrinkage, random_state=seed)
        X_res = sampler.fit_resample(X, y)[0]
        X_res = X_res.toarray() if sp.issparse(X_res) else np.asarray(X_res)
        indices = sampler.sample_indices_
        dense = X.toarray() if sp.issparse(X) else X
        # (which occurrence of a row is the original: random when shuffled)
        added = _indices.added_mask(indices, getattr(sampler, "shuffle", False))
        noise.append((X_res - dense[indices])[added])
    return np.concatenate(noise)


@pytest.mark.parametrize("sparse", [False, True])
def test_shrinkage_noise_has_imbalanced_learns_scale(sparse):
    rng = np.random.default_rng(0)
    y = np.array([0] * 40 + [1] * 10)
    X = rng.normal(size=(50, 3)) * [1.0, 5.0, 0.1] + [0.0, 10.0, -3.0]
    X[40:, 2] = 0.0  # no spread in the minority: no noise
    X_in = sp.csr_matrix(X) if sparse else X
    h = (4 / (5 * 50)) ** (1 / 7)  # the rule of thumb, all rows, 3 features
    scale = 0.5 * h * X[40:].std(axis=0)
    ours = _smoothing_noise(RandomOverSampler, X_in, y, {1: 0.5})
    theirs = _smoothing_noise(ImbOver, X_in, y, {1: 0.5})
    for noise in (ours, theirs):
        assert noise.shape == (60 * 30, 3)
        assert (noise[:, 2] == 0).all()
        np.testing.assert_allclose(noise[:, :2].std(axis=0), scale[:2], rtol=0.06)
        assert (np.abs(noise[:, :2].mean(axis=0)) < 4 * scale[:2] / np.sqrt(1800)).all()
        for j in range(2):
            assert stats.kstest(noise[:, j] / scale[j], "norm").pvalue > P_MIN


# --- (c) large counts ----------------------------------------------------------


def _huge_labels(counts, compact=True) -> _indices.EncodedLabels:
    """Labels of sum(counts) rows whose codes take no memory (only the size
    checks read them)."""
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    return _indices.EncodedLabels(
        classes=np.arange(counts.shape[0]),
        codes=np.broadcast_to(np.int8(0), (n,)),
        counts=counts,
        compact=compact,
    )


def test_counts_near_the_int32_and_int64_limits(monkeypatch):
    i32 = int(np.iinfo(np.int32).max)
    # int32 indices only where every row position fits.
    assert _huge_labels([i32 - 3, 1]).dtype == np.int32
    assert _huge_labels([i32 - 1, 1]).dtype == np.intp
    labels = _huge_labels([i32 - 3, 1])
    # Enough memory: the exact sizes, in Python ints.
    monkeypatch.setattr(_indices, "available_memory", lambda: 1 << 62)
    assert _indices.over_sample_size(labels, [0, i32 - 4]) == 2 * i32 - 6
    assert _indices.under_sample_size(labels, [1, i32], replacement=True) == i32 + 1
    assert _indices.label_shuffle_size(labels) == 2 * (i32 - 3)
    assert _indices.class_balanced_size(labels, 2**40, 0.0) == 2**40
    # Too little memory, or more rows than an index array holds: refused
    # before any work, with a message naming the argument.
    monkeypatch.setattr(_indices, "available_memory", lambda: 1 << 30)
    with pytest.raises(ValueError, match="sampling_strategy asks for"):
        _indices.over_sample_size(labels, [0, i32 - 4])
    with pytest.raises(ValueError, match="n_samples asks for"):
        _indices.class_balanced_size(labels, i32 + 1, 0.0)
    with pytest.raises(ValueError, match="rows an index array can hold"):
        _indices.over_sample_size(labels, [2**63 - 1, 0])
    with pytest.raises(ValueError, match="without replacement"):
        _indices.under_sample_size(labels, [1, 2])
    X, y = np.zeros((7, 1)), np.array([0] * 5 + [1] * 2)
    for sampler in (RandomOverSampler, LabelShuffleSampler, ClassBalancedSampler):
        with pytest.raises(ValueError, match=r"sampling_strategy\[1\]"):
            sampler(sampling_strategy={1: 2**63}).fit(X, y)


def test_one_row_classes():
    X = np.arange(12.0).reshape(-1, 2)
    y = np.array([0] * 5 + [1])
    for replacement in (False, True):
        sampler = RandomUnderSampler(
            sampling_strategy="all", replacement=replacement, random_state=0
        )
        X_res, y_res = sampler.fit_resample(X, y)
        assert sorted(y_res.tolist()) == [0, 1]
        assert sampler.sampling_strategy_ == {0: 1, 1: 1}
        assert X_res[y_res == 1].tolist() == [[10.0, 11.0]]
    sampler = RandomOverSampler(sampling_strategy="all", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == {0: 0, 1: 4}
    assert (X_res[y_res == 1] == [10.0, 11.0]).all()
    X_res, y_res = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)
    assert (X_res[y_res == 1] == [10.0, 11.0]).all()  # a class of one row: std 0
    y_res = ClassBalancedSampler(n_samples=1, random_state=0).fit_resample(X, y)[1]
    assert y_res.shape == (1,)
    y_res = LabelShuffleSampler(random_state=0).fit_resample(X, y)[1]
    assert np.bincount(y_res).tolist() == [5, 5]
