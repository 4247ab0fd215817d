"""Tests of the batch-level paths: IndexBatchSampler and TensorBatchLoader.

Each batch path must yield exactly the batches of the per-index path
``DataLoader(dataset, sampler=s, batch_size=b, drop_last=d)``.
"""

from __future__ import annotations

import copy
import io
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import (  # noqa: E402
    DataLoader,
    DistributedSampler,
    TensorDataset,
)

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
    TensorBatchLoader,
)

KINDS = ["rebalance", "under", "hard_example", "balanced_batch"]


def skewed_labels(n_majority: int = 46, n_minority: int = 4, seed: int = 0):
    """1:11.5 labels in random order, as a tensor."""
    labels = np.array([0] * n_majority + [1] * n_minority)
    return torch.as_tensor(np.random.default_rng(seed).permutation(labels))


def make_sampler(kind: str, labels, seed: int = 0, **replicas):
    if kind == "rebalance":
        return RebalanceSampler(labels, seed=seed, **replicas)
    if kind == "under":
        return RebalanceSampler(labels, RandomUnderSampler(), seed=seed, **replicas)
    if kind == "balanced_batch":
        return BalancedBatchSampler(labels, 4, seed=seed, **replicas)
    inner = RebalanceSampler(labels, RandomOverSampler(), seed=seed, **replicas)
    hard = HardExampleSampler(inner, pool_size=3, replay_ratio=0.5)
    hard.update(torch.tensor([1, 2, 3]), torch.tensor([5.0, 4.0, 3.0]))
    return hard


def per_index_batches(sampler, labels, batch_size: int, drop_last: bool = False):
    """The index batches of the per-index path: a DataLoader over the sampler."""
    dataset = TensorDataset(torch.arange(len(labels)))
    if isinstance(sampler, BalancedBatchSampler):
        loader = DataLoader(dataset, batch_sampler=sampler)
    else:
        loader = DataLoader(
            dataset, sampler=sampler, batch_size=batch_size, drop_last=drop_last
        )
    return [ids.tolist() for (ids,) in loader]


def as_lists(batches) -> list[list[int]]:
    return [torch.as_tensor(batch).tolist() for batch in batches]


def _round_trip(obj, how: str):
    if how == "pickle":
        return pickle.loads(pickle.dumps(obj))
    if how == "deepcopy":
        return copy.deepcopy(obj)
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=False)


# --- Same batches as the per-index path -----------------------------------------


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [1, 7, 13, 200])
@pytest.mark.parametrize("kind", KINDS)
def test_batches_are_the_per_index_paths_batches(kind, batch_size, drop_last):
    labels = skewed_labels()
    reference = make_sampler(kind, labels)
    batches = IndexBatchSampler(
        make_sampler(kind, labels),
        None if kind == "balanced_batch" else batch_size,
        drop_last=drop_last,
    )
    for epoch in range(3):  # no set_epoch: each iteration moves on by itself
        expected = per_index_batches(reference, labels, batch_size, drop_last)
        got = list(batches)
        assert as_lists(got) == expected, epoch
        assert len(got) == len(batches)
        assert all(b.dtype == torch.int64 for b in got)
    reference.set_epoch(9)
    batches.set_epoch(9)
    assert batches.epoch == 9
    assert as_lists(batches) == per_index_batches(
        reference, labels, batch_size, drop_last
    )


def test_last_partial_batch_and_drop_last():
    labels = skewed_labels()  # label shuffle: 92 indices per epoch
    kept = IndexBatchSampler(RebalanceSampler(labels), 40)
    dropped = IndexBatchSampler(RebalanceSampler(labels), 40, drop_last=True)
    assert [len(b) for b in kept] == [40, 40, 12]
    assert [len(b) for b in dropped] == [40, 40]
    assert (len(kept), len(dropped)) == (3, 2)
    everything = torch.cat(list(IndexBatchSampler(RebalanceSampler(labels), 92)))
    assert everything.tolist() == list(RebalanceSampler(labels))


@pytest.mark.parametrize("batch_size", [1000, 4096])
def test_batches_across_chunk_ends_with_hard_example_replay(batch_size):
    # 2 * 40_000 indices: more than one 65_536-index chunk, each replayed.
    labels = torch.as_tensor(
        np.random.default_rng(3).permutation([0] * 40_000 + [1] * 3_000)
    )
    reference, sampler = (make_sampler("hard_example", labels) for _ in range(2))
    expected = torch.as_tensor(list(reference))
    got = list(IndexBatchSampler(sampler, batch_size))
    assert [len(b) for b in got[:-1]] == [batch_size] * (len(got) - 1)
    assert torch.equal(torch.cat(got), expected)
    assert np.isin(expected.numpy(), [1, 2, 3]).sum() > 0.4 * len(expected)


@pytest.mark.parametrize("index_type", ["numpy", "list"])
def test_index_types(index_type):
    labels = skewed_labels()
    batches = list(IndexBatchSampler(RebalanceSampler(labels), 10))
    other = list(IndexBatchSampler(RebalanceSampler(labels), 10, index_type=index_type))
    kind = np.ndarray if index_type == "numpy" else list
    assert all(isinstance(b, kind) for b in other)
    assert as_lists(other) == as_lists(batches)


@pytest.mark.parametrize("kind", ["rebalance", "hard_example", "balanced_batch"])
def test_writing_into_a_batch_changes_nothing_in_the_sampler(kind):
    labels = skewed_labels()
    sampler = make_sampler(kind, labels)
    batches = IndexBatchSampler(sampler, None if kind == "balanced_batch" else 8)
    batches.set_epoch(1)
    for batch in batches:
        batch.fill_(0)
    fresh = make_sampler(kind, labels)
    fresh.set_epoch(1)
    batches.set_epoch(1)
    assert as_lists(batches) == per_index_batches(fresh, labels, 8)
    if kind == "hard_example":
        assert sampler.pool_ids.tolist() == fresh.pool_ids.tolist()


# --- Ranks ------------------------------------------------------------------------


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_rank_batches_are_the_rank_samplers_batches(kind, drop_last):
    labels = skewed_labels(47, 4)  # odd epochs: padding or trimming at the end
    per_rank = []
    for rank in range(2):
        replicas = {"num_replicas": 2, "rank": rank}
        reference = make_sampler(kind, labels, **replicas)
        batches = IndexBatchSampler(
            make_sampler(kind, labels, **replicas),
            None if kind == "balanced_batch" else 6,
            drop_last=drop_last,
        )
        assert (batches.num_replicas, batches.rank) == (2, rank)
        for epoch in (0, 4):
            reference.set_epoch(epoch)
            batches.set_epoch(epoch)
            expected = per_index_batches(reference, labels, 6, drop_last)
            assert as_lists(batches) == expected
        per_rank.append([i for batch in expected for i in batch])
    if kind in ("rebalance", "under"):
        # Ranks interleave the single-process draw (padded by wrapping).
        whole = make_sampler(kind, labels)
        whole.set_epoch(4)
        draw = list(whole)
        n = len(per_rank[0])
        for rank in range(2):
            assert per_rank[rank][: len(draw[rank::2])] == draw[rank::2][:n]


# --- Resume -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_resume_mid_epoch_yields_the_rest_in_batches(kind):
    labels = skewed_labels()
    batch_size = None if kind == "balanced_batch" else 3
    batches = IndexBatchSampler(make_sampler(kind, labels), batch_size)
    batches.set_epoch(3)
    iterator = iter(batches)
    done = [next(iterator) for _ in range(2)]
    state = batches.state_dict()
    unit = 1 if kind == "balanced_batch" else 3
    assert (state["epoch"], state["position"]) == (3, 2 * unit)
    rest = as_lists(iterator)
    resumed = IndexBatchSampler(make_sampler(kind, labels), batch_size)
    resumed.load_state_dict(state)
    assert as_lists(resumed) == rest
    assert len(done) + len(rest) == len(batches)
    assert resumed.state_dict()["epoch"] == 4
    assert torch.save(state, io.BytesIO()) is None  # plain, saveable values


@pytest.mark.parametrize("kind", ["rebalance", "hard_example"])
def test_per_index_checkpoint_resumes_the_batch_path_and_back(kind):
    labels = skewed_labels()
    per_index = make_sampler(kind, labels)
    per_index.set_epoch(2)
    iterator = iter(per_index)
    [next(iterator) for _ in range(11)]  # not a multiple of the batch size
    rest = list(iterator)
    batches = IndexBatchSampler(make_sampler(kind, labels), 8)
    batches.load_state_dict(per_index.state_dict() | {"epoch": 2, "position": 11})
    got = list(batches)
    assert [len(b) for b in got[:-1]] == [8] * (len(got) - 1)
    assert torch.cat(got).tolist() == rest
    # Back: a batch path checkpoint resumes the per-index sampler.
    batches.set_epoch(5)
    iterator = iter(batches)
    next(iterator)
    other = make_sampler(kind, labels)
    other.load_state_dict(batches.state_dict())
    assert list(other) == torch.cat(list(iterator)).tolist()


@pytest.mark.parametrize("how", ["pickle", "torch.save", "deepcopy"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_copy_made_mid_epoch_yields_the_rest(kind, how):
    labels = skewed_labels()
    batch_size = None if kind == "balanced_batch" else 2
    batches = IndexBatchSampler(make_sampler(kind, labels), batch_size)
    batches.set_epoch(1)
    iterator = iter(batches)
    [next(iterator) for _ in range(2)]
    clone = _round_trip(batches, how)
    assert as_lists(clone) == as_lists(iterator)
    assert as_lists(clone) == as_lists(batches)  # both on epoch 2 now


# --- DataLoader use ------------------------------------------------------------------


class BatchReadingDataset(TensorDataset):
    """A dataset reading whole batches; records each request."""

    def __init__(self, *tensors):
        super().__init__(*tensors)
        self.requests = []

    def __getitems__(self, indices):
        self.requests.append(indices)
        return tuple(t.index_select(0, indices) for t in self.tensors)


def _unchanged(batch):
    return batch


def test_dataloader_batch_sampler_hands_getitems_whole_batches():
    labels = skewed_labels()
    dataset = BatchReadingDataset(torch.arange(len(labels)), labels)
    batches = IndexBatchSampler(RebalanceSampler(labels, seed=4), 16)
    loader = DataLoader(dataset, batch_sampler=batches, collate_fn=_unchanged)
    got = [ids.tolist() for ids, _ in loader]
    assert len(dataset.requests) == len(loader) == 6
    assert all(isinstance(r, torch.Tensor) for r in dataset.requests)
    assert got == per_index_batches(RebalanceSampler(labels, seed=4), labels, 16)


@pytest.mark.parametrize("num_workers", [0, 1])
def test_dataloader_sampler_with_batch_size_none_on_a_tensor_dataset(num_workers):
    labels = skewed_labels()
    X = torch.arange(len(labels) * 2.0).reshape(-1, 2)
    dataset = TensorDataset(X, labels)
    reference = DataLoader(
        dataset, sampler=RebalanceSampler(labels, seed=1), batch_size=16
    )
    batches = IndexBatchSampler(RebalanceSampler(labels, seed=1), 16)
    loader = DataLoader(
        dataset, sampler=batches, batch_size=None, num_workers=num_workers
    )
    assert len(loader) == len(reference)
    for _ in range(2):  # two epochs
        for (xb, yb), (xr, yr) in zip(loader, reference, strict=True):
            assert torch.equal(xb, xr) and torch.equal(yb, yr)


def test_lightning_keeps_it_and_sets_its_epoch():
    data = pytest.importorskip("lightning.fabric.utilities.data")
    labels = skewed_labels()
    batches = IndexBatchSampler(RebalanceSampler(labels), 8)
    assert isinstance(batches, DistributedSampler)  # not re-sharded by Lightning
    loader = DataLoader(TensorDataset(labels), sampler=batches, batch_size=None)
    data._set_sampler_epoch(loader, 6)
    assert batches.epoch == batches.sampler.epoch == 6
    # As a batch_sampler, Lightning would rebuild it around its own sampler.
    injected = DistributedSampler(range(len(labels)), num_replicas=2, rank=0)
    loader = DataLoader(TensorDataset(labels), batch_sampler=batches)
    with pytest.raises(TypeError, match="as sampler=... with batch_size=None"):
        data._dataloader_init_kwargs_resolve_sampler(loader, injected)


# --- TensorBatchLoader --------------------------------------------------------------


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_tensor_loader_gathers_the_dataloaders_rows(kind, drop_last):
    labels = skewed_labels()
    X = torch.randn(len(labels), 3, generator=torch.Generator().manual_seed(0))
    ids = torch.arange(len(labels))
    batch_size = None if kind == "balanced_batch" else 12
    loader = TensorBatchLoader(
        X,
        labels,
        ids,
        sampler=make_sampler(kind, labels),
        batch_size=batch_size,
        drop_last=drop_last and kind != "balanced_batch",
    )
    reference = make_sampler(kind, labels)
    dataset = TensorDataset(X, labels, ids)
    for epoch in (0, 2):
        loader.set_epoch(epoch)
        reference.set_epoch(epoch)
        if kind == "balanced_batch":
            expected = DataLoader(dataset, batch_sampler=reference)
        else:
            expected = DataLoader(
                dataset, sampler=reference, batch_size=12, drop_last=drop_last
            )
        got = list(loader)
        assert len(got) == len(loader) == len(expected)
        for batch, want in zip(got, expected, strict=True):
            assert all(torch.equal(a, b) for a, b in zip(batch, want, strict=True))


def test_tensor_loader_state_resume_and_pickle():
    labels = skewed_labels()
    X = torch.randn(len(labels), 2, generator=torch.Generator().manual_seed(1))
    loader = TensorBatchLoader(
        X, labels, sampler=RebalanceSampler(labels), batch_size=10
    )
    loader.set_epoch(1)
    iterator = iter(loader)
    next(iterator)
    state = loader.state_dict()
    assert (state["epoch"], state["position"]) == (1, 10)
    clone = _round_trip(loader, "pickle")
    rest = [yb.tolist() for _, yb in iterator]
    assert [yb.tolist() for _, yb in clone] == rest
    fresh = TensorBatchLoader(
        X, labels, sampler=RebalanceSampler(labels), batch_size=10
    )
    fresh.load_state_dict(state)
    assert [yb.tolist() for _, yb in fresh] == rest
    assert loader.epoch == 2 and loader.batch_size == 10


def test_tensor_loader_takes_an_index_batch_sampler_and_leaves_inputs_alone():
    labels = skewed_labels()
    X = torch.randn(len(labels), 2, generator=torch.Generator().manual_seed(2))
    before = X.clone()
    batches = IndexBatchSampler(RebalanceSampler(labels), 16, drop_last=True)
    loader = TensorBatchLoader(X, sampler=batches)
    assert loader.batches is batches and len(loader) == 5
    for (xb,) in loader:
        xb.zero_()
    assert torch.equal(X, before)


# --- Bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda y: IndexBatchSampler(list(range(5)), 2), TypeError, "sampler must be"),
        (
            lambda y: IndexBatchSampler(DistributedSampler(range(5), 2, 0), 2),
            TypeError,
            "Lightning",
        ),
        (lambda y: IndexBatchSampler(RebalanceSampler(y)), TypeError, "batch_size"),
        (lambda y: IndexBatchSampler(RebalanceSampler(y), 0), ValueError, "batch_size"),
        (
            lambda y: IndexBatchSampler(RebalanceSampler(y), 2.0),
            TypeError,
            "batch_size",
        ),
        (
            lambda y: IndexBatchSampler(BalancedBatchSampler(y, 4), 8),
            ValueError,
            "leave batch_size=None",
        ),
        (
            lambda y: IndexBatchSampler(RebalanceSampler(y), 2, drop_last="yes"),
            TypeError,
            "drop_last",
        ),
        (
            lambda y: IndexBatchSampler(RebalanceSampler(y), 2, index_type="torch"),
            ValueError,
            "index_type",
        ),
        (
            lambda y: TensorBatchLoader(sampler=RebalanceSampler(y), batch_size=2),
            TypeError,
            "at least one tensor",
        ),
        (
            lambda y: TensorBatchLoader(
                y.numpy(), sampler=RebalanceSampler(y), batch_size=2
            ),
            TypeError,
            r"tensors\[0\] is a ndarray",
        ),
        (
            lambda y: TensorBatchLoader(
                y, y[:-1], sampler=RebalanceSampler(y), batch_size=2
            ),
            ValueError,
            r"tensors\[1\] has shape \(49,\)",
        ),
        (
            lambda y: TensorBatchLoader(y, sampler=RebalanceSampler(y)),
            TypeError,
            "batch_size is required",
        ),
        (
            lambda y: TensorBatchLoader(
                y, sampler=IndexBatchSampler(RebalanceSampler(y), 4), batch_size=8
            ),
            ValueError,
            "leave batch_size=None",
        ),
        (
            lambda y: TensorBatchLoader(
                y,
                sampler=IndexBatchSampler(RebalanceSampler(y), 4, index_type="list"),
            ),
            ValueError,
            "index_type='tensor'",
        ),
    ],
)
def test_bad_arguments_name_the_argument(make, error, match):
    with pytest.raises(error, match=match):
        make(skewed_labels())
