"""White-box audit of the batch paths of ``rebalance.torch`` (review 122,
area torchloaders5): ``IndexBatchSampler``, ``TensorBatchLoader`` and
``RebalancedLoader`` over ``RebalanceSampler``, ``HardExampleSampler`` and
``BalancedBatchSampler``. Pins that every batch's labels are those of its
indices, that the batches equal the per-index ``DataLoader`` path (order,
``len()`` for drop_last True/False and 1-3 explicit ranks), class quotas per
batch, label-shuffle epochs, ``set_epoch`` reproducibility, mid-epoch resume
across paths and chunk boundaries, DataLoader workers (fork, persistent),
``__getitems__`` datasets with and without a custom ``collate_fn``,
``Subset`` index types, int32 labels, oversized batches and the clear
refusal of one-class and empty label sets.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset  # noqa: E402

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    TensorBatchLoader,
)
from rebalance.torch import samplers as _samplers  # noqa: E402

Y = torch.tensor([0] * 13 + [1] * 4 + [2] * 3, dtype=torch.int32)
X = torch.arange(20.0)
IDS = torch.arange(20)


def _per_index(sampler, batch_size, drop_last):
    sampler.set_epoch(0)
    loader = DataLoader(
        TensorDataset(IDS), sampler=sampler, batch_size=batch_size, drop_last=drop_last
    )
    return [ids.tolist() for (ids,) in loader]


@pytest.mark.parametrize("world", [1, 2, 3])
@pytest.mark.parametrize("split_drop", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_index_batches_equal_per_index_path_and_len(world, split_drop, drop_last):
    for rank in range(world):
        sampler = RebalanceSampler(
            Y,
            RandomOverSampler(),
            seed=1,
            num_replicas=world,
            rank=rank,
            drop_last=split_drop,
        )
        for batch_size in (1, 3, 7):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                batches = IndexBatchSampler(sampler, batch_size, drop_last=drop_last)
                sampler.set_epoch(0)
                got = [b.tolist() for b in batches]
                assert len(batches) == len(got)
                assert got == _per_index(sampler, batch_size, drop_last)
                sampler.set_epoch(0)
                loader = TensorBatchLoader(
                    X,
                    Y,
                    IDS,
                    sampler=sampler,
                    batch_size=batch_size,
                    drop_last=drop_last,
                )
                rows = list(loader)
            assert len(loader) == len(rows)
            assert [ids.tolist() for _, _, ids in rows] == got
            for xb, yb, ids in rows:
                assert yb.dtype == torch.int32
                assert torch.equal(Y[ids], yb)
                assert torch.equal(X[ids], xb)


def test_label_shuffle_epoch_counts_and_set_epoch_reproducible():
    sampler = RebalanceSampler(Y, seed=0)
    batches = IndexBatchSampler(sampler, 4)
    epoch0 = torch.cat(list(batches))
    assert len(epoch0) == len(sampler) == 39
    assert torch.bincount(Y[epoch0].long()).tolist() == [13, 13, 13]
    # every row of the largest class exactly once
    majority = epoch0[Y[epoch0] == 0]
    assert sorted(majority.tolist()) == list(range(13))
    batches.set_epoch(0)
    assert torch.equal(torch.cat(list(batches)), epoch0)
    batches.set_epoch(1)
    assert not torch.equal(torch.cat(list(batches)), epoch0)


@pytest.mark.parametrize("world", [1, 2, 3])
@pytest.mark.parametrize("drop_last", [True, False])
def test_balanced_batches_quota_and_per_index_equality(world, drop_last):
    for rank in range(world):
        sampler = BalancedBatchSampler(
            Y, 3, seed=0, num_replicas=world, rank=rank, drop_last=drop_last
        )
        batches = IndexBatchSampler(sampler)
        got = [b.tolist() for b in batches]
        assert len(got) == len(batches)
        sampler.set_epoch(0)
        loader = DataLoader(TensorDataset(IDS), batch_sampler=sampler)
        assert got == [ids.tolist() for (ids,) in loader]
        for batch in got:
            assert torch.bincount(Y[batch].long(), minlength=3).tolist() == [1, 1, 1]
    quota = BalancedBatchSampler(Y, 6, class_counts={0: 4, 1: 1, 2: 1}, seed=0)
    tl = TensorBatchLoader(X, Y, sampler=quota)
    assert len(tl) == 4
    for xb, yb in tl:
        assert torch.bincount(yb.long(), minlength=3).tolist() == [4, 1, 1]
        assert torch.equal(Y[xb.long()], yb)


@pytest.mark.parametrize("world", [1, 3])
def test_hard_example_batches_equal_per_index(world):
    for rank in range(world):
        made = []
        for _ in range(2):
            hard = HardExampleSampler(
                RebalanceSampler(Y, seed=3, num_replicas=world, rank=rank),
                pool_size=3,
                replay_ratio=0.5,
            )
            hard.update(IDS, IDS.float())
            hard.set_epoch(1)
            made.append(hard)
        batches = IndexBatchSampler(made[0], 4)
        got = [b.tolist() for b in batches]
        assert len(got) == len(batches)
        loader = DataLoader(TensorDataset(IDS), sampler=made[1], batch_size=4)
        assert got == [ids.tolist() for (ids,) in loader]
        assert set(made[0].pool_ids.tolist()) <= set(range(20))


@pytest.mark.parametrize("world", [1, 2, 3])
def test_mid_epoch_resume_gives_exactly_the_rest_across_paths(world):
    for rank in range(world):
        sampler = RebalanceSampler(Y, seed=0, num_replicas=world, rank=rank)
        full = torch.cat(list(IndexBatchSampler(sampler, 4))).tolist()
        sampler.set_epoch(0)
        it = iter(IndexBatchSampler(sampler, 4))
        next(it)
        state = sampler.state_dict()
        assert state["position"] == 4
        per_index = RebalanceSampler(Y, seed=0, num_replicas=world, rank=rank)
        per_index.load_state_dict(state)
        assert list(per_index) == full[4:]
        other = RebalanceSampler(Y, seed=0, num_replicas=world, rank=rank)
        loader = TensorBatchLoader(IDS, sampler=other, batch_size=3)
        loader.load_state_dict(state)
        assert torch.cat([ids for (ids,) in loader]).tolist() == full[4:]


def test_balanced_resume_counts_batches():
    sampler = BalancedBatchSampler(Y, 3, seed=0)
    full = [b.tolist() for b in IndexBatchSampler(sampler)]
    sampler.set_epoch(0)
    it = iter(IndexBatchSampler(sampler))
    next(it)
    next(it)
    state = sampler.state_dict()
    assert state["position"] == 2
    again = BalancedBatchSampler(Y, 3, seed=0)
    again.load_state_dict(state)
    assert [b.tolist() for b in IndexBatchSampler(again)] == full[2:]


def test_batch_carry_across_chunks_and_resume_there():
    n = _samplers._CHUNK_INDICES * 2 + 5
    y = torch.from_numpy((np.arange(n) % 3 == 0).astype(np.int32))
    sampler = RebalanceSampler(y, seed=0, num_replicas=2, rank=1)
    full = torch.cat(list(IndexBatchSampler(sampler, 7))).tolist()
    sampler.set_epoch(0)
    assert list(sampler) == full
    sampler.set_epoch(0)
    it = iter(IndexBatchSampler(sampler, 7))
    k = _samplers._CHUNK_INDICES // 7 + 1  # a batch cut by the first chunk's end
    for _ in range(k):
        next(it)
    state = sampler.state_dict()
    assert state["position"] == 7 * k
    again = RebalanceSampler(y, seed=0, num_replicas=2, rank=1)
    again.load_state_dict(state)
    assert list(again) == full[7 * k :]


def _check_loader(loader, expected):
    got = []
    for xb, yb, ids in loader:
        assert torch.equal(Y[ids], yb)
        assert torch.equal(X[ids], xb)
        got.append(ids.tolist())
    assert got == expected
    assert len(loader) == len(expected)


def test_dataloader_workers_fork_and_persistent():
    sampler = RebalanceSampler(Y, seed=0)
    expected = [b.tolist() for b in IndexBatchSampler(sampler, 6)]
    sampler.set_epoch(1)
    expected1 = [b.tolist() for b in IndexBatchSampler(sampler, 6)]
    dataset = TensorDataset(X, Y, IDS)
    for as_sampler in (True, False):
        batches = IndexBatchSampler(sampler, 6)
        kwargs = (
            {"sampler": batches, "batch_size": None}
            if as_sampler
            else {"batch_sampler": batches}
        )
        loader = DataLoader(
            dataset,
            num_workers=2,
            persistent_workers=True,
            multiprocessing_context="fork",
            pin_memory=False,
            **kwargs,
        )
        sampler.set_epoch(0)
        _check_loader(loader, expected)
        sampler.set_epoch(1)
        _check_loader(loader, expected1)


class _Batched(Dataset):
    def __len__(self):
        return 20

    def __getitem__(self, i):
        return int(i), int(Y[i])

    def __getitems__(self, indices):
        return [(int(i), int(Y[i])) for i in indices]


@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
def test_getitems_dataset_with_and_without_custom_collate(index_type):
    sampler = RebalanceSampler(Y, seed=0)
    expected = [b.tolist() for b in IndexBatchSampler(sampler, 6)]
    batches = IndexBatchSampler(sampler, 6, index_type=index_type)
    sampler.set_epoch(0)
    raw = DataLoader(_Batched(), batch_sampler=batches, collate_fn=lambda b: b)
    got = [[row[0] for row in batch] for batch in raw]
    assert got == expected
    for batch in raw:
        assert all(label == int(Y[i]) for i, label in batch)
    sampler.set_epoch(0)
    collated = DataLoader(_Batched(), batch_sampler=batches)
    assert [ids.tolist() for ids, _ in collated] == expected


def test_subset_index_types_read_right_rows_or_refuse():
    part_y = Y[2:]
    sampler = RebalanceSampler(part_y, seed=0)
    expected = [b.tolist() for b in IndexBatchSampler(sampler, 5)]
    dataset = TensorDataset(X, Y, IDS)
    cases = {
        "list": (Subset(dataset, list(range(2, 20))), ["list"], ["tensor", "numpy"]),
        "tensor": (Subset(dataset, torch.arange(2, 20)), ["tensor", "numpy"], ["list"]),
    }
    for part, good, bad in cases.values():
        for index_type in good:
            sampler.set_epoch(0)
            loader = DataLoader(
                part,
                sampler=IndexBatchSampler(sampler, 5, index_type=index_type),
                batch_size=None,
            )
            got = []
            for _, yb, ids in loader:
                assert torch.equal(Y[ids], yb)
                got.append((ids - 2).tolist())
            assert got == expected
        for index_type in bad:
            loader = DataLoader(
                part,
                sampler=IndexBatchSampler(sampler, 5, index_type=index_type),
                batch_size=None,
            )
            with pytest.raises(TypeError, match="index_type"):
                next(iter(loader))


def test_rebalanced_loader_subset_workers_and_balanced():
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    loader = make(Subset(TensorDataset(X, Y), list(range(5, 20))), batch_size=4)
    rows = list(loader)
    assert len(rows) == len(loader) == 3
    labels = torch.cat([yb for _, yb in rows])
    assert labels.bincount().tolist() == [3, 3, 3]
    for xb, yb in rows:
        assert torch.equal(Y[xb.long()], yb)
    balanced = RebalancedLoader(BalancedBatchSampler, seed=0)(
        TensorDataset(X, Y), batch_size=3
    )
    got = list(balanced)
    assert len(got) == len(balanced) == 13
    for xb, yb in got:
        assert torch.equal(Y[xb.long()], yb)
        assert torch.bincount(yb.long(), minlength=3).tolist() == [1, 1, 1]


def test_batch_size_larger_than_epoch():
    sampler = RebalanceSampler(Y, seed=0)
    batches = IndexBatchSampler(sampler, 100)
    got = list(batches)
    assert len(batches) == len(got) == 1
    assert len(got[0]) == 39
    with pytest.warns(UserWarning, match="batch_size=100"):
        empty = IndexBatchSampler(sampler, 100, drop_last=True)
    assert len(empty) == 0
    with pytest.warns(UserWarning):
        assert list(empty) == []


@pytest.mark.parametrize(
    "labels, match",
    [
        (torch.zeros(5, dtype=torch.int32), "one class"),
        (torch.zeros(0, dtype=torch.int64), "empty"),
    ],
)
def test_one_class_and_empty_refused_clearly(labels, match):
    with pytest.raises(ValueError, match=match):
        RebalanceSampler(labels)
    with pytest.raises(ValueError, match=match):
        BalancedBatchSampler(labels, 2)
    dataset = TensorDataset(torch.zeros(len(labels), 2), labels)
    with pytest.raises(ValueError, match=match):
        RebalancedLoader()(dataset, batch_size=2)
