"""Review 46: the torch samplers against their peers' own test suites.

Ports of PyTorch's ``test/test_dataloader.py`` sampler cases and torchdata's
``test/stateful_dataloader`` cases (``StatefulDataLoader`` resume with a
custom sampler) onto ``rebalance.torch``, and the regressions they found.
"""

from __future__ import annotations

import contextlib
import json
import math
import signal

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sdl = pytest.importorskip("torchdata.stateful_dataloader")

from torch.utils.data import DataLoader, Dataset  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
)

LABELS = np.random.default_rng(0).permutation([0] * 30 + [1] * 12 + [2] * 6)
N_ROWS = LABELS.shape[0]
KINDS = ("under", "over", "class_balanced", "shuffle", "batches", "hard")


def _make(kind, **kwargs):
    """A fresh sampler of ``kind`` over LABELS."""
    if kind == "batches":
        return BalancedBatchSampler(LABELS, 6, **kwargs)
    if kind == "index_batches":
        return IndexBatchSampler(
            RebalanceSampler(LABELS, **kwargs), 4, index_type="list"
        )
    if kind == "hard":
        sampler = RebalanceSampler(LABELS, **kwargs)
        return HardExampleSampler(sampler, pool_size=4, replay_ratio=0.5)
    estimator = {
        "under": RandomUnderSampler(),
        "over": RandomOverSampler(),
        "class_balanced": ClassBalancedSampler(n_samples=41),
        "shuffle": LabelShuffleSampler(),
    }[kind]
    return RebalanceSampler(LABELS, estimator, **kwargs)


def _epoch(kind, epoch, **kwargs):
    """Epoch ``epoch`` of a fresh sampler, as a list."""
    sampler = _make(kind, **kwargs)
    sampler.set_epoch(epoch)
    return list(sampler)


class _Rows(Dataset):
    """Row ``i`` is ``i`` (a Python int, as torchdata's DummyMapDataset)."""

    def __len__(self):
        return N_ROWS

    def __getitem__(self, i):
        assert isinstance(i, int), type(i)
        return i


def _identity(batch):
    return batch


class _BulkRows(Dataset):
    """test_bulk_loading_nobatch's dataset: reads a list of indices at once."""

    def __len__(self):
        return N_ROWS

    def __getitem__(self, indices):
        assert isinstance(indices, (list, tuple))
        return torch.as_tensor(indices)


def _flat(items):
    """Items, batches (lists or tensors) flattened, as Python ints."""
    flat = []
    for item in items:
        if isinstance(item, torch.Tensor):
            item = item.tolist()
        flat.extend(item if isinstance(item, list) else [item])
    return flat


def _same_state(a, b):
    """Whether two (nested) loader states are equal, tensors included."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return torch.equal(torch.as_tensor(a), torch.as_tensor(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_state(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(map(_same_state, a, b))
    return a == b


@contextlib.contextmanager
def _kill_after(seconds):
    """Fail instead of hanging when worker processes stall."""

    def stalled(signum, frame):
        raise TimeoutError(f"stalled for {seconds} s")

    previous = signal.signal(signal.SIGALRM, stalled)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _stateful_loader(kind, sampler, *, workers, persistent, batch_size=4):
    common = {
        "num_workers": workers,
        "persistent_workers": persistent,
        "collate_fn": _identity,
        "multiprocessing_context": "fork" if workers else None,
        "timeout": 30 if workers else 0,
    }
    if kind == "batches":
        return sdl.StatefulDataLoader(_Rows(), batch_sampler=sampler, **common)
    if kind == "index_batches":
        return sdl.StatefulDataLoader(
            _BulkRows(), sampler=sampler, batch_size=None, **common
        )
    return sdl.StatefulDataLoader(
        _Rows(), sampler=sampler, batch_size=batch_size, **common
    )


# --- Fixed: persistent workers resumed at an epoch's end skipped an epoch ------


@pytest.mark.parametrize("kind", ["shuffle", "batches", "hard", "index_batches"])
def test_persistent_workers_resumed_at_an_epoch_end_skip_no_epoch(kind):
    # torchdata's TestSnapshotEnd with persistent_workers=True: a state taken
    # after an epoch ran out, loaded into a new StatefulDataLoader, must give
    # the epoch the original loader gives next. The loader restores into an
    # iterator, prefetches from it and, its state saying the epoch had run
    # out, resets it: with persistent workers the restored iteration was
    # dropped before the reset's first draw, so the sampler took the reset
    # for a new iteration and silently skipped to the epoch after.
    with _kill_after(120):
        loader = _stateful_loader(kind, _make(kind), workers=2, persistent=True)
        list(loader)
        state = loader.state_dict()
        expected = list(loader)  # epoch 1
        resumed = _stateful_loader(kind, _make(kind), workers=2, persistent=True)
        resumed.load_state_dict(state)
        assert _flat(list(resumed)) == _flat(expected)
        assert _flat(list(resumed)) == _flat(list(loader))  # epoch 2 on both


@pytest.mark.parametrize("set_first", [True, False])
def test_persistent_workers_resumed_at_an_epoch_end_honour_set_epoch(set_first):
    # The same resume in a loop that calls set_epoch(2) (before or after
    # load_state_dict): the loop asked for epoch 2 and silently got epoch 3.
    with _kill_after(120):
        loader = _stateful_loader(
            "shuffle", _make("shuffle"), workers=2, persistent=True
        )
        for epoch in range(2):
            loader.sampler.set_epoch(epoch)
            list(loader)
        state = loader.state_dict()
        sampler = _make("shuffle")
        resumed = _stateful_loader("shuffle", sampler, workers=2, persistent=True)
        if set_first:
            sampler.set_epoch(2)
        resumed.load_state_dict(state)
        if not set_first:
            sampler.set_epoch(2)
        got = [i for batch in resumed for i in batch]
        assert got == _epoch("shuffle", 2)


@pytest.mark.parametrize(
    "make_loader",
    [
        lambda s: sdl.StatefulDataLoader(
            _Rows(), sampler=s, batch_size=None, num_workers=2, timeout=30
        ),
        lambda s: sdl.StatefulDataLoader(
            _Rows(),
            sampler=s,
            batch_size=None,
            num_workers=2,
            timeout=30,
            persistent_workers=True,
        ),
        lambda s: sdl.StatefulDataLoader(_Rows(), sampler=s, batch_size=None),
        lambda s: DataLoader(
            _Rows(),
            sampler=s,
            batch_size=None,
            num_workers=2,
            timeout=30,
            persistent_workers=True,
        ),
    ],
    ids=["stateful-workers", "stateful-persistent", "stateful", "persistent"],
)
def test_restored_epoch_broken_off_is_followed_by_the_next_epoch(make_loader):
    # A loop restored at the start of epoch 1 breaks off that epoch; its next
    # iteration draws epoch 2, whatever the loader (before: epoch 1 again
    # from its start with some loaders, epoch 2 with others).
    with _kill_after(120):
        reference = _make("shuffle")
        reference.set_epoch(1)
        state = reference.state_dict()
        sampler = _make("shuffle")
        sampler.load_state_dict(state)
        loader = make_loader(sampler)
        first = []
        for i, row in enumerate(loader):
            first.append(row)
            if i == 5:
                break
        assert first == _epoch("shuffle", 1)[:6]
        assert list(loader) == _epoch("shuffle", 2)


# --- Ported: PyTorch test/test_dataloader.py ---------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_port_len_matches_iteration_and_loader_lengths(kind):
    # test_random_sampler_len_with(out)_replacement, test_len
    sampler = _make(kind)
    n = len(sampler)
    assert sum(1 for _ in sampler) == n
    if kind == "batches":
        assert len(DataLoader(_Rows(), batch_sampler=sampler)) == n
        return
    for batch_size, drop_last in ((1, False), (6, False), (6, True)):
        loader = DataLoader(
            _Rows(), sampler=sampler, batch_size=batch_size, drop_last=drop_last
        )
        expected = n // batch_size if drop_last else math.ceil(n / batch_size)
        assert len(loader) == expected == sum(1 for _ in loader)


@pytest.mark.parametrize("kind", KINDS)
def test_port_draws_stay_in_range_and_without_replacement_repeat_nothing(kind):
    # test_random_sampler: indices in [0, n), count_total == len
    items = _flat(_make(kind))
    assert 0 <= min(items) and max(items) < N_ROWS
    if kind == "under":
        assert len(set(items)) == len(items)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rank", [3, -1])
def test_port_invalid_rank(kind, rank):
    # test_distributed_sampler_invalid_rank
    with pytest.raises(ValueError, match="rank"):
        _make(kind, num_replicas=3, rank=rank)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("replicas", [2, 3, 4, 7, 13])
@pytest.mark.parametrize("drop_last", [False, True])
def test_port_distributed_padding(kind, replicas, drop_last):
    # test_DistributedSampler_padding and test_duplicating_data_with_drop_last:
    # equal lengths, num_samples / total_size as DistributedSampler's, rank r
    # takes positions r, r + W, ... of the single-process epoch, wrapped
    # (documented difference: a BalancedBatchSampler rounded up draws its
    # extra batches from its class walks instead of repeating batches).
    whole = _epoch(kind, 0)
    n = len(whole)
    per_rank = n // replicas if drop_last else math.ceil(n / replicas)
    if per_rank == 0:
        with pytest.raises(ValueError, match="num_replicas"):
            _make(kind, num_replicas=replicas, rank=0, drop_last=drop_last)
        return
    for rank in range(replicas):
        sampler = _make(kind, num_replicas=replicas, rank=rank, drop_last=drop_last)
        assert sampler.num_samples == len(sampler) == per_rank
        assert sampler.total_size == per_rank * replicas
        if kind == "batches" and not drop_last:
            continue
        sampler.set_epoch(0)
        assert list(sampler) == [
            whole[(rank + replicas * j) % n] for j in range(per_rank)
        ]


@pytest.mark.parametrize("kind", KINDS)
def test_port_sampler_reproducibility(kind):
    # test_sampler_reproducibility: same seed, same draws; two iterators of
    # one sampler interleaved each give a whole epoch (documented: each new
    # iteration draws the next epoch, not the same one again).
    assert list(_make(kind, seed=42)) == list(_make(kind, seed=42))
    assert list(_make(kind, seed=42)) != list(_make(kind, seed=43))
    sampler = _make(kind, seed=42)
    iterators = (iter(sampler), iter(sampler))
    seen = ([], [])
    for _ in range(len(sampler)):
        for i in range(2):
            seen[i].append(next(iterators[i]))
    assert seen == (_epoch(kind, 0, seed=42), _epoch(kind, 1, seed=42))


class _GetItems(Dataset):
    """A dataset with ``__getitems__`` (torch's batched fetching)."""

    def __len__(self):
        return N_ROWS

    def __getitem__(self, i):
        return 10 * i

    def __getitems__(self, indices):
        return (10 * torch.as_tensor(indices)).tolist()


@pytest.mark.parametrize("kind", ["under", "shuffle", "batches", "hard"])
def test_port_bulk_loading_and_getitems(kind):
    # test_bulk_loading_nobatch, StackDataset/__getitems__ batched fetching
    batch_size = None if kind == "batches" else 4
    expected = _flat(_epoch(kind, 0))
    batches = IndexBatchSampler(_make(kind), batch_size, index_type="list")
    loader = DataLoader(_BulkRows(), sampler=batches, batch_size=None)
    assert not loader._auto_collation
    assert torch.cat(list(loader)).tolist() == expected
    for index_type in ("tensor", "numpy", "list"):
        batches = IndexBatchSampler(_make(kind), batch_size, index_type=index_type)
        loader = DataLoader(_GetItems(), batch_sampler=batches, collate_fn=_identity)
        assert _flat(loader) == [10 * i for i in expected]


def test_port_workers_and_persistent_workers_give_the_same_epochs():
    # test_sampler / test_batch_sampler with workers, and
    # TestDataLoaderPersistentWorkers: epoch e, with or without set_epoch.
    with _kill_after(120):
        for kind in ("shuffle", "batches"):
            sampler = _make(kind, seed=5)
            loader = _stateful_loader(kind, sampler, workers=2, persistent=True)
            for epoch in range(2):
                assert _flat(loader) == _flat(_epoch(kind, epoch, seed=5))
            sampler.set_epoch(7)
            assert _flat(loader) == _flat(_epoch(kind, 7, seed=5))


# --- Ported: torchdata test/stateful_dataloader ------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("interrupt", [0, 1, 3])
def test_port_stateful_resume_mid_epoch(kind, interrupt):
    # test_dataloader_state_dict, TestStatefulSampler._run_and_checkpoint,
    # TestJsonSerDe (the state through JSON; HardExampleSampler's pool is
    # tensors: torch.save instead, as documented).
    loader = _stateful_loader(kind, _make(kind), workers=0, persistent=False)
    iterator = iter(loader)
    for _ in range(interrupt):
        next(iterator)
    state = loader.state_dict()
    if kind != "hard":
        state = json.loads(json.dumps(state))
    expected = list(iterator)
    resumed = _stateful_loader(kind, _make(kind), workers=0, persistent=False)
    resumed.load_state_dict(state)
    assert list(resumed) == expected
    assert _same_state(resumed.state_dict(), loader.state_dict())


@pytest.mark.parametrize("kind", KINDS)
def test_port_snapshot_zero_and_reloaded_states(kind):
    # TestSnapshotZero.test_map_iterrupted_shuffle, TestInitialState
    # (test_load_then_state, test_load_state_before_initial_state_dict).
    loader = _stateful_loader(kind, _make(kind), workers=0, persistent=False)
    state0 = loader.state_dict()
    iterator = iter(loader)
    expected = [next(iterator) for _ in range(3)]
    state1 = loader.state_dict()
    loader.load_state_dict(state1)
    expected += list(iter(loader))
    loader.load_state_dict(state0)
    assert _same_state(loader.state_dict(), state0)
    assert list(loader) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_port_multi_epoch_resume(kind):
    # TestMultiEpochSDL: 2 epochs, state, 2 more epochs in a new loader ==
    # 4 epochs of one loader; TestSnapshotEnd (adapted: the epoch after).
    loader = _stateful_loader(kind, _make(kind), workers=0, persistent=False)
    seen = list(loader) + list(loader)
    state = loader.state_dict()
    resumed = _stateful_loader(kind, _make(kind), workers=0, persistent=False)
    resumed.load_state_dict(state)
    seen += list(resumed) + list(resumed)
    reference = _stateful_loader(kind, _make(kind), workers=0, persistent=False)
    assert seen == sum((list(reference) for _ in range(4)), [])


def test_port_position_and_drop_last_of_a_state():
    # test_sampler_next_yielded, test_sampler_load_state_dict, test_drop_last_effect
    sampler = _make("shuffle", seed=42)
    iterator = iter(sampler)
    next(iterator)
    assert sampler.state_dict()["position"] == 1
    state = dict(sampler.state_dict(), position=5)
    sampler.load_state_dict(state)
    assert next(iter(sampler)) == _epoch("shuffle", 0, seed=42)[5]
    assert sampler.state_dict()["position"] == 6
    with pytest.raises(ValueError, match="position"):
        sampler.load_state_dict(dict(state, position=-1))
    n = len(_make("under"))
    for drop_last, expected in ((True, n // 3), (False, math.ceil(n / 3))):
        sampler = _make("under", num_replicas=3, rank=0, drop_last=drop_last)
        loader = sdl.StatefulDataLoader(_Rows(), sampler=sampler)
        assert sum(1 for _ in loader) == expected


def test_overlapping_iterators_after_a_restore_draw_the_next_epochs():
    # test_review14's strict xfail (left alone until now): a loop restored at
    # the start of epoch 1 that calls iter(loader) again while the previous
    # iterator is alive got epoch 1 twice. Only a torchdata iterator
    # restored as finished is replaced by the next one (see
    # test_persistent_workers_resumed_at_an_epoch_end_skip_no_epoch).
    with _kill_after(120):
        reference = _make("shuffle")
        reference.set_epoch(1)
        sampler = _make("shuffle")
        sampler.load_state_dict(reference.state_dict())
        loader = DataLoader(
            _Rows(), sampler=sampler, batch_size=None, num_workers=1, timeout=30
        )
        firsts = []
        iterator = None
        for _ in range(3):
            iterator = iter(loader)  # the previous one is alive until this returns
            firsts.append(next(iterator))
        del iterator
        assert firsts == [_epoch("shuffle", e)[0] for e in (1, 2, 3)]
