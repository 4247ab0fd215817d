"""Review 116 (torchsamplers4): white-box audit of the distributed and resume
machinery of ``rebalance/torch/samplers.py`` other than RebalancedLoader's label
reading and BalancedBatchSampler's walk: RebalanceSampler's and
HardExampleSampler's rank split (explicit ``num_replicas``/``rank``, no process
group) with and without ``drop_last`` for world sizes 1..4, ``len`` against the
indices yielded, ``set_epoch`` ordering (before the first ``next()``, while an
older iterator still runs), ``state_dict``/``load_state_dict`` and pickling at
every position of every rank, the previous-finished state, and the hard-example
replay across a chunk boundary. Every property checked held: these are pins.
"""

import pickle
import warnings
from collections import Counter

import numpy as np
import pytest

pytest.importorskip("torch")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402

Y = np.array([0] * 7 + [1] * 3 + [2] * 1)
SAMPLERS = [None, RandomOverSampler(), RandomUnderSampler()]


def _epoch(sampler, epoch):
    sampler.set_epoch(epoch)
    return list(sampler)


def _expected(single, per_rank, world, drop_last):
    # documented: drop_last drops the tail, else the epoch wraps to its start
    return single[: per_rank * world] if drop_last else (single * 2)[: per_rank * world]


@pytest.mark.parametrize("kind", range(3), ids=["shuffle", "over", "under"])
@pytest.mark.parametrize("drop_last", [False, True])
def test_ranks_union_len_and_resume_at_every_position(kind, drop_last):
    samp = SAMPLERS[kind]
    single = _epoch(RebalanceSampler(Y, samp, seed=3), 2)
    for world in range(1, 5):
        if drop_last and len(single) < world:  # documented refusal
            with pytest.raises(ValueError, match="drop_last=False"):
                RebalanceSampler(Y, samp, num_replicas=world, rank=0, drop_last=True)
            continue
        ranks = [
            RebalanceSampler(
                Y, samp, seed=3, num_replicas=world, rank=r, drop_last=drop_last
            )
            for r in range(world)
        ]
        outs = [_epoch(s, 2) for s in ranks]
        assert all(len(o) == len(s) for o, s in zip(outs, ranks))
        merged = [None] * (len(ranks[0]) * world)
        for r, out in enumerate(outs):
            merged[r::world] = out
        assert merged == _expected(single, len(ranks[0]), world, drop_last)
        for r, s in enumerate(ranks):
            for pos in range(len(s)):
                s.set_epoch(2)
                it = iter(s)
                got = [next(it) for _ in range(pos)]
                copy = pickle.loads(pickle.dumps(s))
                fresh = RebalanceSampler(
                    Y, samp, seed=3, num_replicas=world, rank=r, drop_last=drop_last
                )
                fresh.load_state_dict(s.state_dict())
                assert got + list(fresh) == outs[r]
                assert got + list(copy) == outs[r]


@pytest.mark.parametrize("drop_last", [False, True])
def test_hard_example_ranks_union_and_len_every_world(drop_last):
    def make(world, rank):
        inner = RebalanceSampler(
            Y, seed=1, num_replicas=world, rank=rank, drop_last=drop_last
        )
        h = HardExampleSampler(inner, pool_size=3, replay_ratio=0.5)
        h.update([1, 8, 10], [5.0, 4.0, 3.0])
        return h

    single = _epoch(make(1, 0), 1)
    for world in range(2, 5):
        samplers = [make(world, r) for r in range(world)]
        outs = [_epoch(h, 1) for h in samplers]
        assert all(len(o) == len(h) for o, h in zip(outs, samplers))
        expected = _expected(single, len(samplers[0]), world, drop_last)
        assert Counter(sum(outs, [])) == Counter(expected)


def test_hard_example_pool_change_mid_epoch_not_seen_by_resume_or_copy():
    def make():
        inner = RebalanceSampler(Y, seed=1, num_replicas=3, rank=2)
        h = HardExampleSampler(inner, pool_size=3, replay_ratio=0.5)
        h.update([1, 8, 10], [5.0, 4.0, 3.0])
        h.set_epoch(2)
        return h

    full = list(make())
    for pos in range(1, len(full)):
        h = make()
        it = iter(h)
        got = [next(it) for _ in range(pos)]
        h.update([0, 2], [9.0, 9.0])  # the epoch keeps the pool it started with
        resumed = HardExampleSampler(
            RebalanceSampler(Y, seed=1, num_replicas=3, rank=2),
            pool_size=3,
            replay_ratio=0.5,
        )
        resumed.load_state_dict(h.state_dict())
        assert got + list(resumed) == full
        assert got + list(pickle.loads(pickle.dumps(h))) == full


def test_hard_example_padded_split_and_resume_across_a_chunk_boundary():
    y = np.array([0] * 35001 + [1] * 35000)  # 70002 indices: two chunks

    def make(world, rank):
        inner = RebalanceSampler(y, seed=0, num_replicas=world, rank=rank)
        h = HardExampleSampler(inner, pool_size=50, replay_ratio=0.3)
        h.update(np.arange(50), np.arange(50.0))
        h.set_epoch(1)
        return h

    single = list(make(1, 0))
    outs = [list(make(4, r)) for r in range(4)]
    merged = [None] * (len(outs[0]) * 4)
    for r, out in enumerate(outs):
        merged[r::4] = out
    assert merged == (single * 2)[: len(merged)]
    h = make(4, 3)
    it = iter(h)
    got = [next(it) for _ in range(65536 // 4 + 5)]
    resumed = make(4, 3)
    resumed.load_state_dict(h.state_dict())
    assert got + list(resumed) == outs[3]


def _ref(epoch, world=2, rank=1):
    return _epoch(RebalanceSampler(Y, seed=0, num_replicas=world, rank=rank), epoch)


def test_set_epoch_after_iter_before_first_next_draws_the_asked_epoch():
    s = RebalanceSampler(Y, seed=0, num_replicas=2, rank=1)
    it = iter(s)
    s.set_epoch(3)
    assert list(it) == _ref(3)


def test_old_iterator_keeps_its_epoch_after_set_epoch_of_another():
    s = RebalanceSampler(Y, seed=0, num_replicas=2, rank=1)
    s.set_epoch(0)
    it = iter(s)
    head = [next(it) for _ in range(3)]
    s.set_epoch(1)
    with pytest.warns(UserWarning, match="that iteration went on"):
        rest = list(it)
    assert head + rest == _ref(0)
    assert list(s) == _ref(1)


def test_broken_off_epoch_restarted_with_same_set_epoch_then_moves_on():
    s = RebalanceSampler(Y, seed=0, num_replicas=2, rank=1)
    s.set_epoch(0)
    it = iter(s)
    [next(it) for _ in range(3)]
    s.set_epoch(0)
    assert list(s) == _ref(0)
    assert list(s) == _ref(1)  # no set_epoch: the next epoch


@pytest.mark.parametrize("order", ["load_then_set", "set_then_load"])
def test_mid_epoch_state_with_set_epoch_of_that_epoch_either_order(order):
    s = RebalanceSampler(Y, seed=0, num_replicas=2, rank=0)
    s.set_epoch(2)
    it = iter(s)
    head = [next(it) for _ in range(4)]
    state = s.state_dict()
    t = RebalanceSampler(Y, seed=0, num_replicas=2, rank=0)
    if order == "load_then_set":
        t.load_state_dict(state)
        t.set_epoch(2)
    else:
        t.set_epoch(2)
        t.load_state_dict(state)
    assert head + list(t) == _ref(2, 2, 0)


def test_state_after_a_finished_epoch_resumes_on_the_next():
    s = RebalanceSampler(Y, seed=0)
    s.set_epoch(0)
    list(s)
    state = s.state_dict()
    assert (state["epoch"], state["position"], state["previous_finished"]) == (
        1,
        0,
        True,
    )
    expected = _epoch(RebalanceSampler(Y, seed=0), 1)
    t = RebalanceSampler(Y, seed=0)
    t.load_state_dict(state)
    assert list(t) == expected
    t = RebalanceSampler(Y, seed=0)
    t.load_state_dict(state)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.set_epoch(0)  # the loop goes back to the epoch that ran out
    assert list(t) == []


def test_num_samples_total_size_and_numpy_int_replicas():
    s = RebalanceSampler(Y, num_replicas=np.int64(3), rank=np.int32(2))
    assert (s.num_replicas, s.rank) == (3, 2)
    assert s.num_samples == len(s) == 7 and s.total_size == 21
    h = HardExampleSampler(RebalanceSampler(Y, num_replicas=4, rank=3, drop_last=True))
    assert (len(h), h.num_samples, h.total_size) == (5, 5, 20)
    assert len(list(h)) == 5
