"""Review 143, area torchloop8: rebalance.torch samplers in a training loop.

Reviewed RebalanceSampler, BalancedBatchSampler, HardExampleSampler and
IndexBatchSampler as a user drives them: DataLoader with sampler=/batch_sampler=,
num_workers=2 (fork) with persistent_workers and set_epoch, drop_last and
len(loader) against what the loop yields, datasets with __getitems__, Subset and
ConcatDataset, labels as list/tensor/numpy/pandas/polars/one-hot/strings,
torchdata StatefulDataLoader saved mid-epoch and resumed (0 and 2 workers),
pickling mid-iteration, two iterators of one sampler, DDP rank splits, class
proportions, and the errors for bad arguments.

Found no bug: every case above behaved as documented (indices in range, exact
class counts, resumes identical to an uninterrupted run, errors naming the
argument and the fix). The tests below pin the loop-level guarantees most
likely to regress.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
stateful = pytest.importorskip("torchdata.stateful_dataloader")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import RandomOverSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    RebalanceSampler,
)

Y = np.array([0] * 90 + [1] * 10)
DS = TensorDataset(torch.arange(100), torch.from_numpy(Y))


def _ids(loader):
    return torch.cat([batch[0] for batch in loader]).tolist()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_stateful_dataloader_resume_with_workers_matches_uninterrupted():
    def make():
        sampler = RebalanceSampler(Y, RandomOverSampler(), seed=0)
        return stateful.StatefulDataLoader(
            DS,
            batch_size=8,
            sampler=sampler,
            num_workers=2,
            multiprocessing_context=mp.get_context("fork"),
        )

    full = _ids(make())
    loader = make()
    it = iter(loader)
    got = []
    for _ in range(3):
        got += next(it)[0].tolist()
    state = loader.state_dict()
    resumed = make()
    resumed.load_state_dict(state)
    got += _ids(resumed)
    assert got == full
    assert len(full) == 180 and min(full) >= 0 and max(full) < 100


def test_pickle_mid_iteration_continues_where_original_is():
    sampler = RebalanceSampler(Y, seed=0)
    full = list(RebalanceSampler(Y, seed=0))
    it = iter(sampler)
    first = [next(it) for _ in range(50)]
    copy = pickle.loads(pickle.dumps(sampler))
    assert first + list(copy) == full
    assert first + list(it) == full


def test_hard_example_sampler_pickle_mid_iteration():
    h = HardExampleSampler(RebalanceSampler(Y, seed=0), pool_size=5)
    h.update([1, 2, 3, 4, 5], [5.0, 4.0, 3.0, 2.0, 1.0])
    h.set_epoch(1)
    full = list(pickle.loads(pickle.dumps(h)))
    it = iter(h)
    first = [next(it) for _ in range(20)]
    copy = pickle.loads(pickle.dumps(h))
    assert first + list(copy) == full


def test_balanced_batch_sampler_counts_and_len_in_loader():
    batches = BalancedBatchSampler(Y, 8, class_counts=[6, 2])
    loader = DataLoader(DS, batch_sampler=batches)
    counts = [yb.bincount(minlength=2).tolist() for _, yb in loader]
    assert len(counts) == len(loader) == 15
    assert all(c == [6, 2] for c in counts)


def test_loader_generator_and_manual_seed_change_nothing():
    def draw(gen_seed):
        torch.manual_seed(gen_seed)
        gen = torch.Generator().manual_seed(gen_seed)
        sampler = RebalanceSampler(Y, seed=0)
        return _ids(DataLoader(DS, batch_size=10, sampler=sampler, generator=gen))

    assert draw(1) == draw(2)
