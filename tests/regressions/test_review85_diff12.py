"""Review 85, diff12: review of 713ec44 (a copy of a sampler whose epoch ran
out is restored; a copy during a DataLoader's read-ahead warns)."""

import copy
import pickle
import warnings

import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    RebalanceSampler,
)

LABELS = torch.tensor([0] * 6 + [1] * 2)


def _make(kind, num_replicas=None):
    split = {"num_replicas": num_replicas, "rank": 1} if num_replicas else {}
    if kind == "batch":
        return BalancedBatchSampler(LABELS, 2, class_counts=[1, 1], seed=0, **split)
    base = RebalanceSampler(LABELS, seed=0, **split)
    return HardExampleSampler(base, pool_size=2) if kind == "hard" else base


def _items(sampler):
    return [item.tolist() if hasattr(item, "tolist") else item for item in sampler]


@pytest.mark.parametrize("kind", ["plain", "batch", "hard"])
@pytest.mark.parametrize("epoch", [None, 1, 5])
def test_copy_of_copy_after_run_out_follows_the_original(kind, epoch):
    original = _make(kind, num_replicas=2)
    original.set_epoch(0)
    _items(original)
    if kind == "hard":
        original.update(torch.tensor([0, 1]), torch.tensor([5.0, 1.0]))
    copied = copy.deepcopy(pickle.loads(pickle.dumps(original)))
    if epoch is not None:
        original.set_epoch(epoch)
        copied.set_epoch(epoch)
    assert _items(copied) == _items(original)


def test_copy_after_set_epoch_of_next_epoch_draws_it_whole():
    original = _make("plain")
    original.set_epoch(0)
    _items(original)
    original.set_epoch(1)
    copied = pickle.loads(pickle.dumps(original))
    copied.set_epoch(1)
    assert len(_items(copied)) == len(original) > 0


@pytest.mark.parametrize("kind", ["plain", "hard"])
def test_spawned_copy_trains_epoch_0_as_the_original(kind):
    sampler = _make(kind)
    loader = DataLoader(range(8), sampler=sampler, batch_size=16)
    next(iter(loader))  # a batch looked at before trainer.fit: epoch 0 ran out
    child = pickle.loads(pickle.dumps(sampler))  # ddp_spawn pickles it
    child.set_epoch(0)  # Lightning's first epoch in the child
    sampler.set_epoch(0)  # the same loop without spawn
    assert _items(child) == _items(sampler)


@pytest.mark.parametrize("persistent", [True, False])
def test_no_copy_warning_between_epochs_or_without_workers(persistent):
    sampler = _make("plain")
    with_workers = DataLoader(
        range(8),
        sampler=sampler,
        batch_size=2,
        num_workers=1,
        persistent_workers=persistent,
        multiprocessing_context="fork",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch in range(2):
            sampler.set_epoch(epoch)
            for _ in with_workers:
                pass
            copy.deepcopy(sampler)  # a model holding it, between epochs
        for _ in DataLoader(range(8), sampler=sampler, batch_size=2):
            copy.deepcopy(sampler)  # num_workers=0, between steps
    assert not [w for w in caught if "copied while" in str(w.message)]


def test_copy_warning_during_read_ahead_fires_once():
    sampler = _make("batch")
    loader = DataLoader(
        range(8), batch_sampler=sampler, num_workers=1, multiprocessing_context="fork"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        it = iter(loader)
        next(it)
        copy.deepcopy(sampler)
        copy.deepcopy(sampler)
        list(it)
    assert len([w for w in caught if "copied while" in str(w.message)]) == 1
