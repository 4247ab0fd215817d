"""Review 79 (realstats): statistical checks of the samplers' draws on real data.

The big runs (300 seeds, four bundled data sets, against imbalanced-learn)
live in /tmp/review79/realstats/; these are the small, fixed-seed versions.
"""

import numpy as np
from scipy import stats
from sklearn.datasets import load_wine

from rebalance import RandomOverSampler, RandomUnderSampler


def _wine():
    return load_wine(return_X_y=True)


def _over_sample(seed, shrinkage=0.5, shuffle=True):
    X, y = _wine()
    sampler = RandomOverSampler(shrinkage=shrinkage, shuffle=shuffle, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    return X, y, X_res, y_res, sampler.sample_indices_


def test_shuffled_original_is_not_always_before_its_noisy_copies():
    first_is_exact, repeated = 0, 0
    for seed in range(12):
        X, _, X_res, _, indices = _over_sample(seed)
        exact = np.all(X_res == X[indices], axis=1)
        for row in np.unique(indices[~exact]):
            where = np.flatnonzero(indices == row)
            repeated += 1
            first_is_exact += bool(exact[where[0]])
    # A row seen k times: its unnoised copy is first with probability 1/k <= 1/2.
    assert repeated > 250
    assert first_is_exact / repeated < 0.7


def test_shuffled_noisy_rows_are_at_uniform_positions():
    positions = []
    for seed in range(20):
        X, _, X_res, y_res, indices = _over_sample(seed)
        noisy = ~np.all(X_res == X[indices], axis=1)
        positions.append(np.flatnonzero(noisy) / (len(y_res) - 1))
    assert stats.kstest(np.concatenate(positions), "uniform").pvalue > 1e-4


def test_smoothed_noise_has_the_documented_scale():
    X, y = _wine()
    n_samples, n_features = X.shape
    h = (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))
    z = []
    for seed in range(10):
        _, _, X_res, y_res, indices = _over_sample(seed)
        noise = X_res - X[indices]
        noisy = ~np.all(noise == 0, axis=1)
        for cls in np.unique(y_res[noisy]):
            scale = 0.5 * h * X[y == cls].std(axis=0)
            z.append((noise[noisy & (y_res == cls)] / scale).ravel())
    z = np.concatenate(z)
    assert stats.kstest(z, "norm").pvalue > 1e-4
    assert abs(z.std() - 1) < 0.05


def test_shuffle_false_keeps_originals_first_and_in_order():
    X, _, X_res, _, indices = _over_sample(0, shuffle=False)
    assert np.all(np.diff(indices) >= 0)
    first = np.r_[True, indices[1:] != indices[:-1]]
    np.testing.assert_array_equal(X_res[first], X)
    assert np.all(np.any(X_res[~first] != X[indices[~first]], axis=1))


def test_under_sampling_inclusion_is_uniform_within_class():
    X, y = _wine()
    totals = np.zeros(len(y))
    for seed in range(100):
        sampler = RandomUnderSampler(random_state=seed)
        sampler.fit_resample(X, y)
        totals += np.bincount(sampler.sample_indices_, minlength=len(y))
    for cls in (0, 1):  # the reduced classes
        counts = totals[y == cls]
        ranks = np.arange(counts.size)
        assert stats.spearmanr(ranks, counts).pvalue > 1e-4  # no position bias
        assert stats.chisquare(counts).pvalue > 1e-4
