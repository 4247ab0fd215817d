"""Review 2 of the torch front end in real training code (Lightning, torchdata,
skorch, losses). Each test reproduces one bug and fails on the code as reviewed.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalanceSampler,
)

LABELS = torch.tensor([0] * 30 + [1] * 10)
DATASET = TensorDataset(torch.arange(40), LABELS)


def _batches(loader):
    return [batch[0].tolist() for batch in loader]


# --- PyTorch Lightning ------------------------------------------------------------


def test_lightning_sets_the_epoch_of_a_balanced_batch_sampler():
    # Lightning (Trainer and Fabric) moves every loader to the epoch it runs
    # through lightning.fabric.utilities.data._set_sampler_epoch, which calls
    # set_epoch on loader.sampler and on loader.batch_sampler.sampler, never on
    # the batch sampler itself. A BalancedBatchSampler given as batch_sampler
    # (the documented way) has .sampler None on one device, or with
    # use_distributed_sampler=False, so it never hears of the epoch: a run
    # resumed from an end-of-epoch checkpoint, or one with
    # reload_dataloaders_every_n_epochs=1 and the sampler built in
    # train_dataloader(), draws epoch 0 again and again (every epoch the same
    # batches). RebalanceSampler and IndexBatchSampler get the epoch.
    data = pytest.importorskip("lightning.fabric.utilities.data")
    batches = BalancedBatchSampler(LABELS, 4, seed=0)
    expected = BalancedBatchSampler(LABELS, 4, seed=0)
    expected.set_epoch(2)
    loader = DataLoader(DATASET, batch_sampler=batches)
    data._set_sampler_epoch(loader, 2)  # what Lightning does at epoch 2
    assert _batches(loader) == [list(map(int, b)) for b in expected]


# --- torchdata StatefulDataLoader in Lightning's order ----------------------------


def test_set_epoch_after_workers_started_the_epoch_keeps_its_position():
    # Lightning's fit loop calls iter(loader) in FitLoop.setup_data and only
    # then set_epoch(epoch) in FitLoop.on_advance_start. With num_workers > 0
    # iter() already pulls indices (prefetch), so the epoch is running when
    # set_epoch(0) comes; the sampler treats that as an abandoned iteration and
    # from then on its state_dict says (epoch 0, position 0) while the loader
    # goes on through epoch 0. A mid-epoch checkpoint of a StatefulDataLoader
    # then resumes from the start of the epoch: the batches already trained on
    # come again (here 18 batches for an epoch of 15).
    sdl = pytest.importorskip("torchdata.stateful_dataloader")

    def make():
        sampler = RebalanceSampler(LABELS, seed=0)
        loader = sdl.StatefulDataLoader(
            DATASET, batch_size=4, sampler=sampler, num_workers=1
        )
        return sampler, loader

    sampler, loader = make()
    sampler.set_epoch(0)
    epoch0 = _batches(loader)

    sampler, loader = make()
    iterator = iter(loader)  # FitLoop.setup_data
    sampler.set_epoch(0)  # FitLoop.on_advance_start
    seen = [next(iterator)[0].tolist() for _ in range(3)]
    state = loader.state_dict()  # a mid-epoch checkpoint
    del iterator

    sampler, loader = make()
    loader.load_state_dict(state)
    sampler.set_epoch(0)
    rest = _batches(loader)
    assert seen + rest == epoch0
