"""Review 78 (diff7): the changes of 2cb2381 (and ea1d857's sampler part).

A state saved after an epoch ran out inside a plain ``DataLoader``'s worker
read-ahead, ``HardExampleSampler``'s empty-pool warning, and
``ComparisonResult.within_noise``'s alpha conversion.
"""

import copy
import decimal
import fractions
import pickle
import warnings

import numpy as np
import pytest

from rebalance.compare import ComparisonResult

torch = pytest.importorskip("torch")

LABELS = np.array([0] * 12 + [1] * 12)


def _make(kind, replicas=1):
    from rebalance.torch import (
        BalancedBatchSampler,
        HardExampleSampler,
        IndexBatchSampler,
        RebalanceSampler,
    )

    if kind == "balanced":
        return BalancedBatchSampler(LABELS, 4, seed=1, num_replicas=replicas, rank=0)
    base = RebalanceSampler(LABELS, seed=1, num_replicas=replicas, rank=0)
    if kind == "hard":
        hard = HardExampleSampler(base, pool_size=4, replay_ratio=0.5)
        hard.update(torch.arange(24), torch.linspace(0, 1, 24))
        return hard
    if kind == "index":
        return IndexBatchSampler(base, 4, index_type="list")
    return base


def _loader(sampler, kind):
    data = list(range(24))
    if kind in ("balanced", "index"):
        return torch.utils.data.DataLoader(data, batch_sampler=sampler, num_workers=1)
    return torch.utils.data.DataLoader(
        data, batch_size=4, sampler=sampler, num_workers=1
    )


def _ran_out_in_flight(kind, replicas, keep=False):
    """State saved with one batch of epoch 1 still in the workers (the
    sampler ran out in their read-ahead), plus the old form of that state."""
    sampler = _make(kind, replicas)
    sampler.set_epoch(1)
    loader = _loader(sampler, kind)
    iterator = iter(loader)
    for _ in range(len(loader) - 1):
        batch = next(iterator)
        if kind == "hard":
            sampler.update(batch, torch.ones(len(batch)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        state = copy.deepcopy(sampler.state_dict())
    del iterator
    assert any("not received" in str(w.message) for w in caught)
    if keep:
        return sampler
    old = {**state, "epoch": 2, "position": 0, "previous_finished": True}
    if kind == "hard":
        old["epoch_pool_ids"] = old["pool_ids"].clone()  # the old next pool
    return state, old


def _flat(items):
    return [int(i) for item in items for i in np.ravel(np.asarray(item))]


def _resume(kind, replicas, state, how):
    sampler = _make(kind, replicas)
    if how == "set_before":
        sampler.set_epoch(1)
    sampler.load_state_dict(state)
    if how == "set_after":
        sampler.set_epoch(1)
    if how == "set_next":
        sampler.set_epoch(2)
    first = _flat(sampler)
    second = _flat(sampler)
    return first, second


@pytest.mark.parametrize(
    ("kind", "replicas"),
    [
        ("plain", 1),
        ("plain", 2),
        ("balanced", 1),
        ("hard", 1),
        ("hard", 2),
        ("index", 1),
    ],
)
def test_uncorrected_in_flight_state_resumes_as_the_old_one(kind, replicas):
    state, old = _ran_out_in_flight(kind, replicas)
    assert (state["epoch"], state["previous_finished"]) == (1, False)
    for how in ("set_before", "set_after", "set_next", "none"):
        assert _resume(kind, replicas, state, how) == _resume(
            kind, replicas, old, how
        ), how
    if kind == "hard":
        # The next epoch replays from the pool of the updates the loop made,
        # as the sampler that saved the state does when it goes on.
        live = _ran_out_in_flight(kind, replicas, keep=True)
        live.set_epoch(2)
        expected = _flat(live)
        assert _resume(kind, replicas, state, "set_next")[0] == expected
        assert _resume(kind, replicas, state, "none")[0] == expected
    else:
        # set_epoch(1) leaves nothing of epoch 1; no set_epoch: epoch 2 whole.
        fresh = _make(kind, replicas)
        fresh.set_epoch(2)
        assert _resume(kind, replicas, state, "set_after")[0] == []
        assert _resume(kind, replicas, state, "none")[0] == _flat(fresh)


def test_corrected_in_flight_state_resumes_exactly_hard_two_ranks():
    expected_sampler = _make("hard", 2)
    expected_sampler.set_epoch(1)
    expected = _flat(expected_sampler)
    sampler = _make("hard", 2)
    sampler.set_epoch(1)
    loader = _loader(sampler, "hard")
    iterator = iter(loader)
    consumed = []
    for _ in range(len(loader) - 1):
        batch = next(iterator)
        consumed += batch.tolist()
        sampler.update(batch, torch.ones(len(batch)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        state = sampler.state_dict()
    del iterator
    restored = _make("hard", 2)
    restored.load_state_dict({**state, "position": len(consumed)})
    restored.set_epoch(1)
    assert consumed + _flat(restored) == expected


def _pool_warnings(action):
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    sampler = HardExampleSampler(RebalanceSampler(LABELS, seed=1), pool_size=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action(sampler)
    return [w for w in caught if "empty pool" in str(w.message)]


def _fed_copies(sampler):
    sampler.update(torch.arange(4), torch.ones(4))
    for copied in (copy.deepcopy(sampler), pickle.loads(pickle.dumps(sampler))):
        copied.set_epoch(2)
        list(copied)


def _empty_state_loaded(sampler):
    sampler.load_state_dict(sampler.state_dict())  # an empty pool, on purpose
    sampler.set_epoch(3)
    list(sampler)


def _epoch_zero_twice(sampler):
    for _ in range(2):
        sampler.set_epoch(0)
        list(sampler)


@pytest.mark.parametrize(
    "action", [_fed_copies, _empty_state_loaded, _epoch_zero_twice]
)
def test_no_false_pool_lost_warning(action):
    assert _pool_warnings(action) == []


def test_fresh_sampler_of_resumed_run_warns_once():
    def resumed(sampler):
        for epoch in (3, 4):
            sampler.set_epoch(epoch)
            list(sampler)

    assert len(_pool_warnings(resumed)) == 1


def test_within_noise_alpha_accepted_kinds_reach_the_comparison():
    for alpha in (np.float32(0.05), decimal.Decimal("0.05"), fractions.Fraction(1, 20)):
        with pytest.raises(AttributeError, match="p_vs_best"):
            ComparisonResult.within_noise(object(), alpha=alpha)
    for alpha in (decimal.Decimal("NaN"), np.int64(2), 0, 1.0, True):
        with pytest.raises(ValueError, match="alpha should be"):
            ComparisonResult.within_noise(object(), alpha=alpha)


@pytest.mark.parametrize(
    "alpha",
    [10**400, fractions.Fraction(10**400, 3), decimal.Decimal("sNaN")],
    ids=["huge-int", "huge-fraction", "decimal-snan"],
)
def test_within_noise_unconvertible_alpha_clear_error(alpha):
    with pytest.raises(ValueError, match="alpha should be"):
        ComparisonResult.within_noise(object(), alpha=alpha)


def test_no_pool_lost_warning_for_a_loop_counting_epochs_from_one():
    def one_based(sampler):
        for epoch in (1, 2):
            sampler.set_epoch(epoch)
            for index in sampler:
                sampler.update(torch.tensor([index]), torch.rand(1))

    assert _pool_warnings(one_based) == []


def test_copy_saves_as_its_original_after_running_out_in_flight():
    # CI at caf904d: a copy (pickle) of a sampler whose epoch ran out inside a
    # DataLoader's read-ahead saved (epoch + 1, 0, previous_finished) where
    # the original saved (epoch, length): state dicts of equal samplers differed.
    import pickle

    from rebalance.torch import RebalanceSampler

    labels = torch.tensor([0] * 8 + [1] * 4)
    sampler = RebalanceSampler(labels, seed=0)
    loader = torch.utils.data.DataLoader(
        torch.arange(12), batch_size=4, sampler=sampler, num_workers=1,
        prefetch_factor=4,
    )  # fmt: skip
    iterator = iter(loader)
    next(iterator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        state = sampler.state_dict()
        copy = pickle.loads(pickle.dumps(sampler))
        assert copy.state_dict() == state
    assert (state["position"], state["previous_finished"]) == (len(sampler), False)
    del iterator
    copy.load_state_dict({**state, "position": 4})
    copy.set_epoch(state["epoch"])
    fresh = RebalanceSampler(labels, seed=0)
    fresh.set_epoch(state["epoch"])
    assert list(copy) == list(fresh)[4:]
