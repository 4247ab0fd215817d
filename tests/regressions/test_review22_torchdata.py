"""Review 22 (torchdata): the torch samplers against PyTorch's own
conventions for samplers and loaders (DistributedSampler, torchdata's
StatefulDataLoader, skorch, DDP with gloo)."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
)

LABELS = torch.tensor([0] * 20 + [1] * 6)
N_ROWS = len(LABELS)


def _hard(rank: int, num_replicas: int = 2) -> HardExampleSampler:
    sampler = RebalanceSampler(
        LABELS, RandomOverSampler(), seed=3, num_replicas=num_replicas, rank=rank
    )
    return HardExampleSampler(sampler, pool_size=4, replay_ratio=0.5)


def _rest(sampler, epoch: int) -> list[int]:
    sampler.set_epoch(epoch)
    return list(sampler)


# --- HardExampleSampler: a pool saved on another rank ------------------------


def test_hard_example_state_of_another_rank_is_refused():
    # Each rank keeps the pool of the losses it reports. Before: rank 1
    # restoring rank 0's state silently replayed rank 0's hard examples.
    saved = _hard(rank=0)
    saved.update(torch.arange(0, 8), torch.arange(8.0))  # rank 0's rows
    saved.set_epoch(1)
    it = iter(saved)
    [next(it) for _ in range(5)]
    state = saved.state_dict()
    assert state["rank"] == 0
    other = _hard(rank=1)
    other.update(torch.arange(10, 18), torch.arange(8.0))  # rank 1's own pool
    before = other.pool_ids.copy()
    with pytest.raises(ValueError, match="saved on rank 0 but this sampler is rank 1"):
        other.load_state_dict(state)
    np.testing.assert_array_equal(other.pool_ids, before)  # nothing changed
    # Through the batch wrapper too.
    with pytest.raises(ValueError, match="saved on rank 0"):
        IndexBatchSampler(_hard(rank=1), 4).load_state_dict(state)


def test_hard_example_state_of_its_own_rank_resumes_exactly():
    saved = _hard(rank=1)
    saved.update(torch.arange(10, 18), torch.arange(8.0))
    saved.set_epoch(1)
    it = iter(saved)
    head = [next(it) for _ in range(5)]
    state = saved.state_dict()
    rest = list(it)
    fresh = _hard(rank=1)
    fresh.load_state_dict(state)
    assert head + _rest(fresh, 1) == head + rest


def test_hard_example_state_without_a_pool_or_without_rank_loads_anywhere():
    # An empty pool holds nothing of the rank: the state fits every rank.
    empty = _hard(rank=0).state_dict()
    fresh = _hard(rank=1)
    fresh.load_state_dict(empty)
    assert _rest(fresh, 0) == _rest(_hard(rank=1), 0)
    # Ranks sharing one pool (losses gathered first): the 'rank' entry removed
    # (as in states saved before it existed), any rank's state loads.
    shared = [_hard(rank=r) for r in range(2)]
    for sampler in shared:
        sampler.update(torch.arange(8), torch.arange(8.0))
    state = dict(shared[0].state_dict())
    del state["rank"]
    fresh = _hard(rank=1)
    fresh.load_state_dict(state)
    assert _rest(fresh, 1) == _rest(shared[1], 1)


def test_hard_example_saved_rank_must_be_a_rank():
    saved = _hard(rank=0)
    saved.update(torch.arange(4), torch.arange(4.0))
    state = dict(saved.state_dict(), rank=-1)
    with pytest.raises(ValueError, match=r"state_dict\['rank'\]"):
        _hard(rank=0).load_state_dict(state)


# --- A checkpoint at an epoch's last batch, resumed with workers -------------


def _epoch_end_makers():
    dataset = TensorDataset(torch.arange(N_ROWS))

    def index():
        sampler = RebalanceSampler(LABELS, RandomOverSampler(), seed=1)
        return sampler, dataset, {"sampler": sampler, "batch_size": 4}

    def hard():
        sampler = HardExampleSampler(
            RebalanceSampler(LABELS, RandomOverSampler(), seed=1),
            pool_size=3,
            replay_ratio=0.5,
        )
        sampler.update(torch.arange(3), torch.arange(3.0))
        return sampler, dataset, {"sampler": sampler, "batch_size": 4}

    def batch():
        sampler = BalancedBatchSampler(LABELS, 4, seed=1)
        return sampler, dataset, {"batch_sampler": sampler}

    def index_batches():
        sampler = IndexBatchSampler(RebalanceSampler(LABELS, seed=1), 4)
        return sampler, dataset, {"sampler": sampler, "batch_size": None}

    return [index, hard, batch, index_batches]


@pytest.mark.parametrize("make", _epoch_end_makers(), ids=lambda f: f.__name__)
def test_stateful_loader_with_workers_resumed_at_an_epochs_last_batch(make):
    # A checkpoint at the last batch of epoch 0 (every index handed out, the
    # loader not yet told it ran out: 40 indices, 4 per batch), resumed as
    # Lightning does: iter(loader) first, whose workers draw at once, then
    # set_epoch(1). Before: that iteration was the empty rest of epoch 0, and
    # epoch 1 silently yielded nothing (Lightning trained an empty epoch).
    sdl = pytest.importorskip("torchdata.stateful_dataloader")

    def loader():
        sampler, dataset, kwargs = make()
        return sampler, sdl.StatefulDataLoader(dataset, num_workers=1, **kwargs)

    def ids(batches):
        return [b[0].tolist() for b in batches]

    sampler, reference = loader()
    sampler.set_epoch(0)
    iterator = iter(reference)
    head = [next(iterator)[0].tolist() for _ in range(len(reference))]
    if isinstance(sampler, HardExampleSampler):
        sampler.update(torch.arange(20, 23), torch.arange(3.0))  # last losses
    state = reference.state_dict()
    assert ids(iterator) == []  # epoch 0 had no more
    sampler.set_epoch(1)
    epoch1 = ids(reference)

    sampler, resumed = loader()
    resumed.load_state_dict(state)
    iterator = iter(resumed)
    sampler.set_epoch(1)
    assert ids(iterator) == epoch1
    assert head  # the checkpoint came after a whole epoch


def test_epoch_end_state_resumed_in_the_saved_epoch_yields_nothing_more():
    # The loop that resumes in the epoch it saved in (set_epoch(0) first)
    # still gets nothing more of epoch 0, then all of epoch 1.
    sampler = RebalanceSampler(LABELS, seed=2)
    sampler.set_epoch(0)
    iterator = iter(sampler)
    [next(iterator) for _ in range(len(sampler))]
    state = sampler.state_dict()
    for set_first in (True, False):
        fresh = RebalanceSampler(LABELS, seed=2)
        if set_first:
            fresh.set_epoch(0)
        fresh.load_state_dict(state)
        fresh.set_epoch(0)
        assert list(fresh) == []
        assert _rest(fresh, 1) == _rest(RebalanceSampler(LABELS, seed=2), 1)


# --- A DataLoader over a dataset of another length than the labels ----------


def _loaders():
    def index(ds, loader):
        return loader(ds, sampler=RebalanceSampler(LABELS), batch_size=4)

    def hard(ds, loader):
        sampler = HardExampleSampler(RebalanceSampler(LABELS))
        return loader(ds, sampler=sampler, batch_size=4)

    def batch(ds, loader):
        return loader(ds, batch_sampler=BalancedBatchSampler(LABELS, 4))

    def index_batches(ds, loader):
        batches = IndexBatchSampler(RebalanceSampler(LABELS), 4)
        return loader(ds, sampler=batches, batch_size=None)

    def index_batch_sampler(ds, loader):
        batches = IndexBatchSampler(RebalanceSampler(LABELS), 4)
        return loader(ds, batch_sampler=batches)

    return [index, hard, batch, index_batches, index_batch_sampler]


@pytest.mark.parametrize("make", _loaders(), ids=lambda f: f.__name__)
@pytest.mark.parametrize("n_rows", [N_ROWS - 6, N_ROWS + 4])
def test_loader_over_a_dataset_of_another_length_is_refused(make, n_rows):
    # Before: a longer dataset silently read rows other than the ones
    # balanced (e.g. a sampler built on a split's labels, the loader on the
    # full data); a shorter one raised an IndexError deep in the dataset.
    dataset = TensorDataset(torch.arange(n_rows))
    loader = make(dataset, DataLoader)
    with pytest.raises(ValueError, match=f"has {n_rows} rows.*RebalancedLoader"):
        next(iter(loader))
    # The right length still works, and nothing was consumed by the refusal.
    assert len(list(make(TensorDataset(torch.arange(N_ROWS)), DataLoader))) > 0


def test_stateful_loader_over_a_dataset_of_another_length_is_refused():
    stateful = pytest.importorskip("torchdata.stateful_dataloader")
    loader = stateful.StatefulDataLoader(
        TensorDataset(torch.arange(N_ROWS + 4)),
        sampler=RebalanceSampler(LABELS),
        batch_size=4,
    )
    with pytest.raises(ValueError, match="has 30 rows"):
        next(iter(loader))


def test_refused_loader_leaves_the_sampler_where_it_was():
    sampler = RebalanceSampler(LABELS, RandomUnderSampler(), seed=1)
    with pytest.raises(ValueError, match="DataLoader's dataset"):
        next(iter(DataLoader(TensorDataset(torch.arange(5)), sampler=sampler)))
    assert sampler.epoch == 0
    expected = _rest(RebalanceSampler(LABELS, RandomUnderSampler(), seed=1), 0)
    assert list(sampler) == expected


# --- DDP with gloo: each rank restores its own state -------------------------

_WORKER = textwrap.dedent(
    """
    import datetime, json, sys
    import torch
    import torch.distributed as dist
    from torch.utils.data import TensorDataset
    from torchdata.stateful_dataloader import StatefulDataLoader
    from rebalance import RandomOverSampler
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
    rank = dist.get_rank()
    labels = torch.tensor(json.loads(sys.argv[2]))
    dataset = TensorDataset(torch.arange(len(labels)))

    def make():
        # Ranks from the process group; each rank its own pool.
        sampler = HardExampleSampler(
            RebalanceSampler(labels, RandomOverSampler(), seed=2),
            pool_size=4, replay_ratio=0.5,
        )
        sampler.update(torch.arange(4) + 10 * rank, torch.arange(4.0))
        return sampler, StatefulDataLoader(dataset, sampler=sampler, batch_size=3)

    sampler, loader = make()
    sampler.set_epoch(1)
    it = iter(loader)
    head = [next(it)[0].tolist() for _ in range(2)]
    state = loader.state_dict()
    rest = [b[0].tolist() for b in it]
    torch.save(state, f"{sys.argv[1]}/rank{rank}.pt")
    dist.barrier()
    out = {"rank": rank}
    # Its own state: exactly the rest of the epoch.
    sampler, loader = make()
    loader.load_state_dict(torch.load(f"{sys.argv[1]}/rank{rank}.pt"))
    sampler.set_epoch(1)
    out["own"] = [b[0].tolist() for b in loader] == rest
    # Rank 0's state on every rank: refused on the others.
    sampler, loader = make()
    loader.load_state_dict(torch.load(f"{sys.argv[1]}/rank0.pt"))
    sampler.set_epoch(1)
    try:
        out["rank0"] = [b[0].tolist() for b in loader] == rest
    except ValueError as exc:
        out["rank0"] = str(exc)
    with open(f"{sys.argv[1]}/out{rank}.json", "w") as f:
        json.dump(out, f)
    dist.barrier()
    dist.destroy_process_group()
    """
)


@pytest.mark.slow
def test_ddp_each_rank_restores_its_own_hard_example_state(tmp_path, launch_ranks):
    pytest.importorskip("torchdata.stateful_dataloader")
    if not torch.distributed.is_available():  # pragma: no cover
        pytest.skip("torch.distributed is not available")
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    ranks = launch_ranks(script, 2, [str(tmp_path), json.dumps(LABELS.tolist())])
    assert [code for code, _ in ranks] == [0, 0], [out[-3000:] for _, out in ranks]
    outs = [json.loads((tmp_path / f"out{r}.json").read_text()) for r in range(2)]
    assert outs[0] == {"rank": 0, "own": True, "rank0": True}
    assert outs[1]["own"] is True
    assert "saved on rank 0 but this sampler is rank 1" in outs[1]["rank0"]


def test_ragged_sampler_labels_are_refused_naming_labels():
    # Before: numpy's bare "setting an array element with a sequence".
    from rebalance.torch import RebalanceSampler

    with pytest.raises(ValueError, match="labels could not be read"):
        RebalanceSampler([(1, 2), (1,), (0, 1)])
