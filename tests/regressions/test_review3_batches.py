"""Review 3: the batch-level and loader paths of the torch front end.

IndexBatchSampler / RebalancedLoader used the way people combine them with
HF Accelerate, skorch and plain DataLoaders. Each test reproduces one bug.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import (  # noqa: E402
    DataLoader,
    IterableDataset,
    TensorDataset,
)

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)

LABELS = torch.tensor([0] * 40 + [1] * 8)


def _index_batches_loader():
    """The README's 'inside a DataLoader' form, built for Accelerate
    (num_replicas=1, rank=0: Accelerate shards the batches itself)."""
    sampler = RebalanceSampler(LABELS, seed=1, num_replicas=1, rank=0)
    dataset = TensorDataset(torch.arange(len(LABELS)), LABELS)
    return DataLoader(dataset, sampler=IndexBatchSampler(sampler, 10), batch_size=None)


def test_accelerate_shards_index_batches_given_as_the_loaders_sampler():
    # README: inside a DataLoader use sampler=IndexBatchSampler(...),
    # batch_size=None; under HF Accelerate build the sampler with
    # num_replicas=1, rank=0 and let accelerator.prepare(loader) split it.
    # Accelerate only keeps a batch-yielding `sampler` when it is a
    # torch BatchSampler; IndexBatchSampler is not one, so prepare() drops it:
    # with 2 processes prepare_data_loader fails inside Accelerate
    # ("'NoneType' object is not iterable"), and with 1 process (below, in the
    # report) the prepared loader silently yields single rows 0, 1, 2, ... in
    # order, no rebalancing at all.
    pytest.importorskip("accelerate")
    from accelerate.data_loader import prepare_data_loader

    expected = [xb.tolist() for xb, _ in _index_batches_loader()]
    ranks = []
    for rank in range(2):
        prepared = prepare_data_loader(
            _index_batches_loader(), num_processes=2, process_index=rank
        )
        ranks.append([xb.tolist() for xb, _ in prepared])
    assert [len(batch) for batch in ranks[0]] == [10] * 4
    assert [len(batch) for batch in ranks[1]] == [10] * 4
    # The two ranks share the single-process epoch's batches between them.
    assert sorted(ranks[0] + ranks[1]) == sorted(expected)


def test_rebalanced_loader_of_balanced_batches_takes_the_loaders_drop_last():
    # skorch hands iterator_train every iterator_train__* parameter; users
    # with BatchNorm routinely set iterator_train__drop_last=True. The loader
    # drops `shuffle` and takes `batch_size` for a BalancedBatchSampler, but
    # passes `drop_last` on to DataLoader next to batch_sampler=, where torch
    # refuses it ("batch_sampler option is mutually exclusive with ...").
    # Balanced batches are always full, so drop_last=True is already met (or
    # it is the sampler's own drop_last: the epoch-length rounding).
    dataset = TensorDataset(torch.arange(len(LABELS)), LABELS)
    make_loader = RebalancedLoader(BalancedBatchSampler, class_counts=[3, 1], seed=0)
    loader = make_loader(dataset, batch_size=4, shuffle=True, drop_last=True)
    counts = [yb.bincount(minlength=2).tolist() for _, yb in loader]
    assert counts and all(c == [3, 1] for c in counts)


class _Stream(IterableDataset):
    """A streaming dataset with torchvision-style targets."""

    targets = [0] * 8 + [1] * 2

    def __iter__(self):
        return iter(zip(range(10), self.targets))


def test_rebalanced_loader_refuses_an_iterable_dataset_by_name():
    # An IterableDataset cannot be rebalanced by a sampler (torch refuses any
    # sampler for it). RebalancedLoader first reads all its labels, then
    # fails in len(dataset) with "object of type '_Stream' has no len()";
    # without .targets it says "Pass labels_from=...", a fix that only leads
    # to that same error. Expected: a TypeError naming IterableDataset, before
    # the labels are read.
    calls = []

    def labels_from(dataset):
        calls.append(dataset)
        return np.asarray(dataset.targets)

    with pytest.raises(TypeError, match="IterableDataset"):
        RebalancedLoader(labels_from=labels_from)(_Stream(), batch_size=2)
    assert calls == []
