"""Review 81, torchstats: statistical laws of the torch samplers.

Small seeded versions of the checks run over many seeds and epochs in
/tmp/review81/torchstats/ (no bug found there). Each test compares counts
against the documented law with a chi-square or KS test at a
Bonferroni-corrected level, so a silent bias (a class clustered at an
epoch's start, the same rows always dropped or replayed, a rank favoured)
fails it.
"""

import numpy as np
import pytest
from scipy import stats

pytest.importorskip("torch")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    RebalanceSampler,
    TensorBatchLoader,
)

N_TESTS = 8
ALPHA = 1e-3 / N_TESTS
LABELS = np.array([0] * 60 + [1] * 25 + [2] * 15)


def _epochs(sampler, n_epochs):
    out = []
    for epoch in range(n_epochs):
        sampler.set_epoch(epoch)
        out.append(np.array([int(i) for i in sampler]))
    return out


@pytest.mark.parametrize("estimator", [RandomUnderSampler(), RandomOverSampler()])
def test_class_positions_uniform_within_epoch(estimator):
    # A class's positions, pooled over epochs, are uniform over the epoch.
    epochs = _epochs(RebalanceSampler(LABELS, estimator, seed=3), 60)
    table = np.zeros((4, 3))
    for idx in epochs:
        quarter = np.arange(idx.shape[0]) * 4 // idx.shape[0]
        np.add.at(table, (quarter, LABELS[idx]), 1)
    assert stats.chi2_contingency(table).pvalue > ALPHA


def test_under_sampler_row_inclusion_uniform():
    # Every majority row is kept equally often across epochs.
    epochs = _epochs(RebalanceSampler(LABELS, RandomUnderSampler(), seed=1), 80)
    counts = np.bincount(np.concatenate(epochs), minlength=LABELS.shape[0])
    assert stats.chisquare(counts[LABELS == 0]).pvalue > ALPHA


def test_rank_slices_no_rank_favoured():
    mixes = np.zeros((3, 3))
    for rank in range(3):
        sampler = RebalanceSampler(
            LABELS, RandomUnderSampler(), seed=5, num_replicas=3, rank=rank
        )
        for idx in _epochs(sampler, 40):
            mixes[rank] += np.bincount(LABELS[idx], minlength=3)
    assert stats.chi2_contingency(mixes).pvalue > ALPHA


def test_balanced_batches_exact_and_rows_uniform():
    batches = BalancedBatchSampler(LABELS, 6, class_counts={0: 3, 1: 2, 2: 1}, seed=2)
    counts = np.zeros(LABELS.shape[0])
    slots = np.zeros((6, 3))
    for epoch in range(20):
        batches.set_epoch(epoch)
        for batch in batches:
            batch = np.asarray(batch)
            assert np.bincount(LABELS[batch], minlength=3).tolist() == [3, 2, 1]
            counts += np.bincount(batch, minlength=LABELS.shape[0])
            np.add.at(slots, (np.arange(6), LABELS[batch]), 1)
    for c in range(3):
        assert stats.chisquare(counts[LABELS == c]).pvalue > ALPHA
    # Classes are shuffled inside each batch, not laid out by class.
    assert stats.chi2_contingency(slots).pvalue > ALPHA


def test_hard_example_replays_uniform_positions_and_pool():
    base = RebalanceSampler(LABELS, seed=0)
    hard = HardExampleSampler(base, pool_size=5, replay_ratio=0.3)
    hard.update(np.arange(5), np.ones(5))
    positions, replayed = [], []
    for epoch in range(1, 40):
        hard.set_epoch(epoch)
        got = np.array([int(i) for i in hard])
        base.set_epoch(epoch)
        changed = got != np.array(list(base))
        positions.append((np.flatnonzero(changed) + 0.5) / got.shape[0])
        replayed.append(got[changed])
    replayed = np.concatenate(replayed)
    assert set(replayed.tolist()) <= set(range(5))
    assert stats.kstest(np.concatenate(positions), "uniform").pvalue > ALPHA
    assert stats.chisquare(np.bincount(replayed, minlength=5)).pvalue > ALPHA


def test_tensor_loader_drop_last_drops_varying_rows():
    torch = pytest.importorskip("torch")
    sampler = RebalanceSampler(LABELS, RandomOverSampler(), seed=4)
    loader = TensorBatchLoader(
        torch.arange(LABELS.shape[0]), sampler=sampler, batch_size=7, drop_last=True
    )
    dropped = []
    for epoch in range(30):
        loader.set_epoch(epoch)
        kept = torch.cat([b for (b,) in loader]).numpy()
        sampler.set_epoch(epoch)
        full = np.array(list(sampler))
        np.testing.assert_array_equal(kept, full[: kept.shape[0]])
        dropped.append(full[kept.shape[0] :])
    dropped = np.concatenate(dropped)
    # Not the same rows, nor the same class, every epoch.
    assert np.unique(dropped).shape[0] > 20
    assert np.unique(LABELS[dropped]).shape[0] == 3
