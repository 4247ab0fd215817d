"""Review 13: rebalance inside the tools users combine it with (scikit-learn
meta-estimators, Lightning, skorch, torchdata). Each test fails on a real bug."""

import copy

import pytest
import torch
from torch.utils.data import TensorDataset

from rebalance.torch import RebalanceSampler

LABELS = torch.tensor([0] * 90 + [1] * 10)
DATASET = TensorDataset(torch.arange(100), LABELS)


def _ids(loader):
    return [int(i) for ids, _ in loader for i in ids]


def test_stateful_dataloader_with_workers_resumed_at_epoch_end_does_not_skip_an_epoch():
    # The usual "save at the end of each epoch" loop: for epoch ...:
    # sampler.set_epoch(epoch); for batch in loader: ...; save loader.state_dict().
    # Label shuffle gives 180 indices per epoch; batch_size=16 leaves a short
    # last batch, so the loader pulls past the end and the sampler's epoch
    # generator finishes. Expected: after load_state_dict, set_epoch(1) yields
    # epoch 1's draw (as with num_workers=0, as with batch_size=20, and as
    # torchdata's own StatefulDistributedSampler does with workers). Observed
    # with num_workers=1: epoch 2's draw, so epoch 1 is never trained on and
    # epoch 2 is seen twice.
    sdl = pytest.importorskip("torchdata.stateful_dataloader")

    def make():
        sampler = RebalanceSampler(LABELS, seed=0)
        loader = sdl.StatefulDataLoader(
            DATASET, batch_size=16, sampler=sampler, num_workers=1
        )
        return sampler, loader

    reference = RebalanceSampler(LABELS, seed=0)
    reference.set_epoch(1)
    epoch1 = list(reference)

    sampler, loader = make()
    sampler.set_epoch(0)
    _ids(loader)  # the whole of epoch 0
    state = copy.deepcopy(loader.state_dict())  # checkpoint at epoch end

    sampler, loader = make()
    loader.load_state_dict(state)
    sampler.set_epoch(1)
    assert _ids(loader) == epoch1
