"""Review 92 (accel2): distributed interop of the PyTorch samplers.

Multi-process runs (Accelerate, Lightning ddp on CPU/gloo, DDP by hand, fork
and spawn workers) found no bug; these pins repeat the cheapest pure-Python
versions of what was checked.
"""

import collections
import warnings

import pytest

torch = pytest.importorskip("torch")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import BalancedBatchSampler, RebalanceSampler  # noqa: E402

LABELS = [0] * 13 + [1] * 4


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("world", [2, 3])
@pytest.mark.parametrize("base", [RandomOverSampler, RandomUnderSampler])
def test_rank_shards_cover_the_single_process_draw(base, world, drop_last):
    labels = torch.tensor(LABELS)
    for epoch in (0, 1):
        one = RebalanceSampler(labels, base(), seed=5, num_replicas=1, rank=0)
        one.set_epoch(epoch)
        full = collections.Counter(one)
        n = sum(full.values())
        per_rank = n // world if drop_last else -(-n // world)
        parts = []
        for rank in range(world):
            s = RebalanceSampler(
                labels,
                base(),
                seed=5,
                num_replicas=world,
                rank=rank,
                drop_last=drop_last,
            )
            s.set_epoch(epoch)
            parts.append(list(s))
            assert len(parts[-1]) == len(s) == per_rank
        union = collections.Counter(x for p in parts for x in p)
        if drop_last:
            assert not union - full
            assert sum((full - union).values()) == n - per_rank * world
        else:
            assert not full - union
            assert sum((union - full).values()) == per_rank * world - n


def test_epochs_differ_and_repeat():
    labels = torch.tensor(LABELS)
    s = RebalanceSampler(labels, RandomOverSampler(), seed=3, num_replicas=2, rank=1)
    draws = []
    for epoch in (0, 1, 0):
        s.set_epoch(epoch)
        draws.append(list(s))
    assert draws[0] != draws[1]
    assert draws[0] == draws[2]


@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_ranks_split_the_batches(drop_last):
    labels = torch.tensor(LABELS)
    kw = dict(class_counts={0: 3, 1: 1}, drop_last=drop_last, seed=1)
    one = list(BalancedBatchSampler(labels, 4, num_replicas=1, rank=0, **kw))
    parts = [
        list(BalancedBatchSampler(labels, 4, num_replicas=2, rank=r, **kw))
        for r in range(2)
    ]
    assert len(parts[0]) == len(parts[1])
    # rounded down (drop_last) or up to a multiple of the ranks
    assert len(parts[0]) * 2 == (4 if drop_last else 6)
    assert len(one) == (4 if drop_last else 5)
    for batch in parts[0] + parts[1]:
        assert collections.Counter(LABELS[i] for i in batch) == {0: 3, 1: 1}


@pytest.mark.parametrize("batch_form", [False, True])
def test_stateful_dataloader_resume_mid_epoch(batch_form):
    sdl = pytest.importorskip("torchdata.stateful_dataloader")
    labels = torch.tensor(LABELS)
    ds = torch.utils.data.TensorDataset(torch.arange(len(LABELS)))

    def make():
        if batch_form:
            bs = BalancedBatchSampler(
                labels, 4, class_counts={0: 3, 1: 1}, num_replicas=1, rank=0
            )
            return sdl.StatefulDataLoader(ds, batch_sampler=bs), bs
        s = RebalanceSampler(labels, RandomOverSampler(), num_replicas=1, rank=0)
        return sdl.StatefulDataLoader(ds, batch_size=3, sampler=s), s

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*set_vital")
        loader, s = make()
        s.set_epoch(1)
        ref = [b.tolist() for (b,) in loader]
        loader, s = make()
        s.set_epoch(1)
        it = iter(loader)
        head = [next(it)[0].tolist() for _ in range(2)]
        state = loader.state_dict()
        loader2, s2 = make()
        loader2.load_state_dict(state)
        s2.set_epoch(1)
        rest = [b.tolist() for (b,) in loader2]
    assert head + rest == ref
