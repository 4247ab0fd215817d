"""Review 106, area "ddp2": rebalance's torch samplers under data-parallel
training, ranks simulated with explicit ``num_replicas``/``rank`` (and one
single-process gloo group of world size 1)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)

Y = np.array([0] * 17 + [1] * 5 + [2] * 3)
ESTIMATORS = {
    "shuffle": None,
    "under": RandomUnderSampler(),
    "over": RandomOverSampler(),
    "class_balanced": ClassBalancedSampler(),
}


def _single(labels, est, seed, epoch):
    s = RebalanceSampler(labels, est, seed=seed, num_replicas=1, rank=0)
    s.set_epoch(epoch)
    return np.array(list(s))


def _ranks(labels, est, seed, epoch, world, drop_last):
    out = []
    for rank in range(world):
        s = RebalanceSampler(
            labels, est, seed=seed, num_replicas=world, rank=rank, drop_last=drop_last
        )
        s.set_epoch(epoch)
        got = list(s)
        assert len(got) == len(s)
        out.append(got)
    return out


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@pytest.mark.parametrize("drop_last", [False, True])
def test_rank_shards_are_the_documented_slices_of_the_single_process_epoch(
    name, drop_last
):
    est = ESTIMATORS[name]
    for world in (1, 2, 3, 4):
        for epoch in (0, 1, 6):
            full = _single(Y, est, 3, epoch)
            parts = _ranks(Y, est, 3, epoch, world, drop_last)
            # Every rank the same length: DDP hangs otherwise.
            assert len({len(p) for p in parts}) == 1
            n = len(full)
            per = n // world if drop_last else -(-n // world)
            assert len(parts[0]) == per
            for rank, part in enumerate(parts):
                wanted = full[(rank + world * np.arange(per)) % n]
                assert part == wanted.tolist()
            union = Counter(i for p in parts for i in p)
            if drop_last:
                # Disjoint positions: the union is the draw minus the tail.
                assert union == Counter(full[: per * world].tolist())
            else:
                # The whole draw, plus the wrapped padding from its start.
                assert union == Counter(full.tolist()) + Counter(
                    full[: per * world - n].tolist()
                )


def test_set_epoch_changes_the_draw_identically_on_every_rank():
    world = 3
    seen = []
    for epoch in (0, 1, 2):
        parts = _ranks(Y, RandomOverSampler(), 5, epoch, world, False)
        full = _single(Y, RandomOverSampler(), 5, epoch)
        interleaved = [parts[i % world][i // world] for i in range(len(full))]
        assert interleaved == full.tolist()
        seen.append(tuple(full.tolist()))
    assert len(set(seen)) == 3  # each epoch a new draw


def test_without_set_epoch_every_rank_moves_on_alike():
    world = 2
    samplers = [
        RebalanceSampler(Y, seed=1, num_replicas=world, rank=r) for r in range(world)
    ]
    for epoch in range(3):
        full = _single(Y, None, 1, epoch)
        parts = [list(s) for s in samplers]
        assert parts[0] + parts[1] != []
        assert [parts[i % 2][i // 2] for i in range(len(full))] == full.tolist()


def test_two_constructions_with_one_seed_give_the_same_epoch():
    a = _ranks(Y, RandomUnderSampler(), 11, 4, 3, False)
    b = _ranks(Y, RandomUnderSampler(), 11, 4, 3, False)
    assert a == b
    c = _ranks(Y, RandomUnderSampler(), 12, 4, 3, False)
    assert a != c


def test_class_balance_exact_overall_and_approximate_per_rank():
    y = np.array([0] * 300 + [1] * 60 + [2] * 40)
    world = 4
    parts = _ranks(y, None, 0, 2, world, True)
    overall = np.bincount(y[np.concatenate(parts)], minlength=3)
    # Label shuffle: 900 rows, 300 of each class, 225 per rank.
    assert overall.tolist() == [300, 300, 300]
    for part in parts:
        counts = np.bincount(y[part], minlength=3)
        assert counts.sum() == 225
        assert np.all(np.abs(counts - 75) <= 30), counts


def test_gloo_world_of_one_is_the_single_process_epoch(tmp_path):
    dist = pytest.importorskip("torch.distributed")
    if not dist.is_available():
        pytest.skip("torch.distributed unavailable")
    dist.init_process_group(
        "gloo",
        init_method=f"file://{tmp_path / 'pg'}",
        rank=0,
        world_size=1,
    )
    try:
        s = RebalanceSampler(Y, RandomOverSampler(), seed=2)
        assert (s.num_replicas, s.rank) == (1, 0)
        s.set_epoch(3)
        assert list(s) == _single(Y, RandomOverSampler(), 2, 3).tolist()
    finally:
        dist.destroy_process_group()


def test_rank_without_num_replicas_outside_a_group_is_refused_at_build():
    with pytest.raises(ValueError, match="rank=1 is out of range for num_replicas=1"):
        RebalanceSampler(Y, seed=0, rank=1)


def test_too_few_indices_for_the_ranks_with_drop_last_is_refused_at_build():
    with pytest.raises(ValueError, match="num_replicas=8.*drop_last=False"):
        RebalanceSampler(
            [0, 1, 0, 1], RandomUnderSampler(), num_replicas=8, rank=0, drop_last=True
        )


@pytest.mark.parametrize("drop_last", [True, False])
def test_balanced_batches_per_rank_equal_counts_and_balanced(drop_last):
    ref = BalancedBatchSampler(
        Y, 6, seed=1, num_replicas=1, rank=0, drop_last=drop_last
    )
    ref.set_epoch(2)
    full = list(ref)
    for world in (1, 2, 3, 4):
        parts = []
        for rank in range(world):
            s = BalancedBatchSampler(
                Y, 6, seed=1, num_replicas=world, rank=rank, drop_last=drop_last
            )
            s.set_epoch(2)
            batches = list(s)
            assert len(batches) == len(s)
            for b in batches:
                assert np.bincount(Y[b], minlength=3).tolist() == [2, 2, 2]
            parts.append(batches)
        n = len(parts[0])
        assert all(len(p) == n for p in parts)
        if drop_last:
            assert n == len(full) // world
        else:
            assert n == -(-len(full) // world)
        interleaved = [parts[i % world][i // world] for i in range(n * world)]
        common = min(len(full), n * world)
        assert interleaved[:common] == full[:common]


def test_pk_batches_per_rank_equal_counts():
    y = np.repeat(np.arange(5), [9, 7, 5, 4, 3])
    for world in (2, 3):
        parts = [
            list(
                BalancedBatchSampler(
                    y, 6, classes_per_batch=3, seed=0, num_replicas=world, rank=r
                )
            )
            for r in range(world)
        ]
        assert len({len(p) for p in parts}) == 1
        for part in parts:
            for b in part:
                counts = np.bincount(y[b])
                assert sorted(counts[counts > 0].tolist()) == [2, 2, 2]


def _lightning_rebuild(batch_sampler, dataset, world, rank):
    pytest.importorskip("lightning")
    from lightning.pytorch.trainer.connectors.data_connector import (
        _get_distributed_sampler,
    )
    from lightning.pytorch.trainer.states import RunningStage
    from lightning.pytorch.utilities.data import _update_dataloader

    loader = DataLoader(dataset, batch_sampler=batch_sampler)
    injected = _get_distributed_sampler(
        loader,
        shuffle=True,
        overfit_batches=0,
        mode=RunningStage.TRAINING,
        num_replicas=world,
        rank=rank,
    )
    return _update_dataloader(loader, injected, mode=RunningStage.TRAINING)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"drop_last": False}, {"class_counts": {0: 4, 1: 1, 2: 1}}],
    ids=["default", "pad", "quotas"],
)
def test_lightning_rebuilt_balanced_batch_sampler_splits_like_explicit_ranks(kwargs):
    dataset = TensorDataset(torch.arange(25), torch.as_tensor(Y))
    for world in (2, 3):
        for rank in range(world):
            rebuilt = _lightning_rebuild(
                BalancedBatchSampler(Y, 6, seed=4, **kwargs), dataset, world, rank
            )
            assert rebuilt.batch_sampler.drop_last == kwargs.get("drop_last", True)
            rebuilt.batch_sampler.sampler.set_epoch(1)  # as Lightning does
            got = [b.tolist() for b, _ in rebuilt]
            explicit = BalancedBatchSampler(
                Y, 6, seed=4, num_replicas=world, rank=rank, **kwargs
            )
            explicit.set_epoch(1)
            assert got == list(explicit)


def test_lightning_injection_conflicting_with_explicit_ranks_is_refused():
    dataset = TensorDataset(torch.arange(25), torch.as_tensor(Y))
    with pytest.raises(ValueError, match="Leave num_replicas and rank as None"):
        _lightning_rebuild(
            BalancedBatchSampler(Y, 6, num_replicas=2, rank=1), dataset, 4, 3
        )


def test_lightning_leaves_our_index_sampler_alone_and_wrapper_keeps_the_epoch():
    pytest.importorskip("lightning")
    from lightning.fabric.utilities.distributed import DistributedSamplerWrapper
    from torch.utils.data import DistributedSampler

    # A DistributedSampler: Lightning's _requires_distributed_sampler is False.
    assert isinstance(RebalanceSampler(Y), DistributedSampler)
    # Wrapped anyway (a world-size-1 sampler), the ranks still share one draw.
    full = _single(Y, None, 2, 0)
    for world in (2, 3):
        parts = []
        for rank in range(world):
            base = RebalanceSampler(Y, seed=2, num_replicas=1, rank=0)
            wrapper = DistributedSamplerWrapper(
                base, num_replicas=world, rank=rank, shuffle=False
            )
            wrapper.set_epoch(0)
            parts.append([int(i) for i in wrapper])
        assert len({len(p) for p in parts}) == 1
        assert not Counter(full.tolist()) - Counter(i for p in parts for i in p)


def test_rebalanced_loader_per_rank_and_torch_distributed_sampler_on_its_dataset():
    from torch.utils.data import DistributedSampler

    dataset = TensorDataset(torch.arange(25), torch.as_tensor(Y))
    full = _single(Y, None, 0, 3)
    parts = []
    for rank in range(2):
        loader = RebalancedLoader(seed=0, num_replicas=2, rank=rank)(
            dataset, batch_size=4
        )
        assert loader.dataset is dataset
        assert (loader.sampler.num_replicas, loader.sampler.rank) == (2, rank)
        loader.sampler.set_epoch(3)
        parts.append(torch.cat([ids for ids, _ in loader]).tolist())
        # torch's own DistributedSampler over the same dataset: plain shards.
        plain = DistributedSampler(loader.dataset, num_replicas=2, rank=rank)
        assert len(plain) == 13
    assert len(parts[0]) == len(parts[1]) == 26
    assert [parts[i % 2][i // 2] for i in range(len(full))] == full.tolist()
    for world in (2, 3, 4):
        lens = {
            len(
                RebalancedLoader(
                    BalancedBatchSampler, seed=0, num_replicas=world, rank=r
                )(dataset, batch_size=6)
            )
            for r in range(world)
        }
        assert len(lens) == 1


@pytest.mark.parametrize("world", [2, 3])
def test_state_dict_resumes_each_rank_mid_epoch(world):
    for rank in range(world):
        s = RebalanceSampler(Y, seed=4, num_replicas=world, rank=rank)
        s.set_epoch(1)
        it = iter(s)
        for _ in range(3):
            next(it)
        state = s.state_dict()
        assert state["position"] == 3 and state["num_replicas"] == world
        rest = list(it)
        resumed = RebalanceSampler(Y, seed=4, num_replicas=world, rank=rank)
        resumed.load_state_dict(state)
        resumed.set_epoch(1)
        assert list(resumed) == rest

        b = BalancedBatchSampler(
            Y, 6, seed=4, num_replicas=world, rank=rank, drop_last=False
        )
        b.set_epoch(1)
        it = iter(b)
        next(it)
        state = b.state_dict()
        rest = list(it)
        resumed_b = BalancedBatchSampler(
            Y, 6, seed=4, num_replicas=world, rank=rank, drop_last=False
        )
        resumed_b.load_state_dict(state)
        resumed_b.set_epoch(1)
        assert list(resumed_b) == rest


def test_state_dict_from_another_world_size_is_refused():
    s = RebalanceSampler(Y, seed=4, num_replicas=2, rank=0)
    s.set_epoch(1)
    it = iter(s)
    next(it)
    state = s.state_dict()
    other = RebalanceSampler(Y, seed=4, num_replicas=4, rank=0)
    with pytest.raises(ValueError, match="saved with num_replicas=2"):
        other.load_state_dict(state)


@pytest.mark.parametrize("world", [2, 3])
def test_loader_resume_per_rank_with_lightning_order_iter_then_set_epoch(world):
    dataset = TensorDataset(torch.arange(25), torch.as_tensor(Y))
    for rank in range(world):
        s = RebalanceSampler(Y, seed=4, num_replicas=world, rank=rank)
        it = iter(DataLoader(dataset, batch_size=4, sampler=s))
        s.set_epoch(2)  # Lightning calls iter() before set_epoch
        head = [next(it)[0].tolist() for _ in range(2)]
        state = s.state_dict()
        assert state["position"] == 8
        rest = [ids.tolist() for ids, _ in it]
        ref = RebalanceSampler(Y, seed=4, num_replicas=world, rank=rank)
        ref.set_epoch(2)
        assert sum(head + rest, []) == list(ref)
        resumed = RebalanceSampler(Y, seed=4, num_replicas=world, rank=rank)
        resumed.load_state_dict(state)
        it2 = iter(DataLoader(dataset, batch_size=4, sampler=resumed))
        resumed.set_epoch(2)
        assert [ids.tolist() for ids, _ in it2] == rest
