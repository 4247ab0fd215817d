"""Tests of the torch samplers: DataLoader use, epochs, ranks, resume, errors."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    RebalanceSampler,
)

ESTIMATORS = [
    LabelShuffleSampler(),
    RandomUnderSampler(),
    RandomOverSampler(),
    ClassBalancedSampler(),
]


def skewed_labels(n_majority: int = 46, n_minority: int = 4, seed: int = 0):
    """1:11.5 labels in random order, as a tensor."""
    labels = np.array([0] * n_majority + [1] * n_minority)
    return torch.as_tensor(np.random.default_rng(seed).permutation(labels))


def three_class_labels():
    return torch.as_tensor(
        np.random.default_rng(1).permutation([0] * 40 + [1] * 10 + [2] * 6)
    )


def epoch_of(sampler, epoch: int) -> list:
    sampler.set_epoch(epoch)
    return list(sampler)


def make_sampler(kind: str, labels, seed: int = 0):
    if kind == "rebalance":
        return RebalanceSampler(labels, seed=seed)
    if kind == "balanced_batch":
        return BalancedBatchSampler(labels, 4, seed=seed)
    hard = HardExampleSampler(RebalanceSampler(labels, seed=seed), pool_size=3)
    hard.update(torch.tensor([1, 2, 3]), torch.tensor([5.0, 4.0, 3.0]))
    return hard


def loader_epoch(kind: str, sampler, labels, num_workers: int) -> list[int]:
    """Dataset indices a DataLoader yields for one epoch, in order."""
    dataset = TensorDataset(torch.arange(len(labels)), labels)
    if kind == "balanced_batch":
        loader = DataLoader(dataset, batch_sampler=sampler, num_workers=num_workers)
    else:
        loader = DataLoader(
            dataset, batch_size=5, sampler=sampler, num_workers=num_workers
        )
    return torch.cat([ids for ids, _ in loader]).tolist()


def flat(items) -> list[int]:
    return [i for item in items for i in (item if isinstance(item, list) else [item])]


# --- DataLoader, epochs and seeds -------------------------------------------


@pytest.mark.parametrize("num_workers", [0, 2])
@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
def test_dataloader_yields_the_samplers_epochs(kind, num_workers):
    labels = skewed_labels()
    sampler = make_sampler(kind, labels)
    got = [loader_epoch(kind, sampler, labels, num_workers) for _ in range(2)]
    reference = make_sampler(kind, labels)
    expected = [flat(epoch_of(reference, e)) for e in range(2)]
    assert got == expected
    assert got[0] != got[1]
    assert len(got[0]) == len(flat(list(make_sampler(kind, labels))))


@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
def test_same_seed_reproduces_and_other_seed_differs(kind):
    labels = skewed_labels()
    first = flat(epoch_of(make_sampler(kind, labels, seed=3), 2))
    assert first == flat(epoch_of(make_sampler(kind, labels, seed=3), 2))
    assert first != flat(epoch_of(make_sampler(kind, labels, seed=4), 2))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_each_epoch_is_fit_resamples_draw(estimator):
    labels = skewed_labels()
    X = np.zeros((len(labels), 1))
    sampler = RebalanceSampler(labels, estimator, seed=7)
    for epoch in range(2):
        fitted = estimator.set_params(random_state=np.random.default_rng([7, epoch]))
        fitted.fit_resample(X, labels.numpy())
        assert list(sampler) == fitted.sample_indices_.tolist()
        assert len(sampler) == len(fitted.sample_indices_)


def test_each_iteration_moves_to_the_next_epoch_without_set_epoch():
    labels = skewed_labels()
    sampler = RebalanceSampler(labels)
    draws = [list(sampler) for _ in range(3)]
    reference = RebalanceSampler(labels)
    assert draws == [epoch_of(reference, e) for e in range(3)]
    assert sampler.epoch == 3


def test_set_epoch_repeats_the_chosen_epoch():
    sampler = RebalanceSampler(skewed_labels())
    assert epoch_of(sampler, 5) == epoch_of(sampler, 5)
    assert epoch_of(sampler, 5) != epoch_of(sampler, 6)


def test_labels_as_list_array_and_tensor_give_the_same_draw():
    labels = skewed_labels()
    draws = [
        list(RebalanceSampler(form))
        for form in (labels, labels.numpy(), labels.tolist())
    ]
    assert draws[0] == draws[1] == draws[2]


def test_labels_are_not_modified():
    labels = skewed_labels()
    before = labels.clone()
    list(RebalanceSampler(labels))
    list(BalancedBatchSampler(labels, 4))
    assert torch.equal(labels, before)


# --- Label shuffle and balanced batches ---------------------------------------


def test_label_shuffle_epoch_covers_every_row_evenly():
    labels = three_class_labels()
    counts = Counter(RebalanceSampler(labels, seed=2))
    assert set(counts) == set(range(len(labels)))
    for cls, n_rows in ((0, 40), (1, 10), (2, 6)):
        rows = np.flatnonzero(labels == cls).tolist()
        assert sum(counts[r] for r in rows) == 40
        assert {counts[r] for r in rows} <= {40 // n_rows, -(-40 // n_rows)}


@pytest.mark.parametrize(
    ("batch_size", "class_counts", "expected"),
    [
        (6, None, [2, 2, 2]),
        (8, {0: 4, 1: 2, 2: 2}, [4, 2, 2]),
        (5, [3, 0, 2], [3, 0, 2]),
    ],
)
def test_every_batch_has_exactly_the_requested_counts(
    batch_size, class_counts, expected
):
    labels = three_class_labels()
    sampler = BalancedBatchSampler(labels, batch_size, class_counts=class_counts)
    batches = list(sampler)
    assert len(batches) == len(sampler) > 0
    for batch in batches:
        assert np.bincount(labels[batch].numpy(), minlength=3).tolist() == expected


def test_majority_is_walked_without_replacement_within_an_epoch():
    labels = skewed_labels()
    majority = set(np.flatnonzero(labels == 0).tolist())
    strict = BalancedBatchSampler(labels, 4, drop_last=True)  # 2 majority per batch
    seen = [i for batch in strict for i in batch if i in majority]
    assert len(seen) == len(set(seen)) == 46
    minority_seen = [i for batch in strict for i in batch if i not in majority]
    assert set(minority_seen) == set(range(50)) - majority  # recycled, all seen


def test_rounding_the_epoch_up_shows_every_majority_row():
    labels = skewed_labels(n_majority=45)
    majority = set(np.flatnonzero(labels == 0).tolist())
    sampler = BalancedBatchSampler(labels, 4, drop_last=False)
    seen = Counter(i for batch in sampler for i in batch if i in majority)
    assert len(sampler) == 23
    assert set(seen) == majority
    assert sorted(seen.values()) == [1] * 44 + [2]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"classes_per_batch": 2},
        {"samples_per_class": 3},
        {"classes_per_batch": 2, "samples_per_class": 3},
    ],
)
def test_p_by_k_batches_have_p_distinct_classes_of_k_rows(kwargs):
    labels = torch.as_tensor(np.repeat(np.arange(5), [30, 12, 8, 5, 5]))
    sampler = BalancedBatchSampler(labels, 6, seed=1, **kwargs)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 60 // 6
    for batch in batches:
        assert sorted(Counter(labels[batch].tolist()).values()) == [3, 3]
    used = Counter(c for b in batches for c in set(labels[b].tolist()))
    assert len(used) == 5


# --- Distributed --------------------------------------------------------------


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("num_replicas", [2, 3])
def test_rank_slices_partition_the_single_process_draw(num_replicas, drop_last):
    labels = skewed_labels(n_majority=45, n_minority=8)  # 37 indices: uneven
    estimator = RandomUnderSampler(sampling_strategy=0.5)
    single = epoch_of(RebalanceSampler(labels, estimator, seed=1), 1)
    ranks = [
        epoch_of(
            RebalanceSampler(
                labels,
                estimator,
                seed=1,
                num_replicas=num_replicas,
                rank=r,
                drop_last=drop_last,
            ),
            1,
        )
        for r in range(num_replicas)
    ]
    lengths = {len(r) for r in ranks}
    assert len(lengths) == 1
    per_rank = lengths.pop()
    interleaved = [ranks[r][k] for k in range(per_rank) for r in range(num_replicas)]
    if drop_last:
        assert interleaved == single[: per_rank * num_replicas]
    else:
        assert interleaved == (single + single)[: per_rank * num_replicas]
        assert set(interleaved) == set(single)
    if drop_last or len(single) % num_replicas == 0:
        assert sum(len(set(r)) for r in ranks) == len(set().union(*map(set, ranks)))


def test_balanced_batches_are_split_between_ranks():
    labels = skewed_labels()
    majority = set(np.flatnonzero(labels == 0).tolist())
    ranks = [
        epoch_of(BalancedBatchSampler(labels, 4, seed=2, num_replicas=2, rank=r), 0)
        for r in range(2)
    ]
    assert len(ranks[0]) == len(ranks[1]) == 11  # 23 batches, trimmed to 22
    seen = [i for batches in ranks for batch in batches for i in batch]
    seen_majority = [i for i in seen if i in majority]
    assert len(seen_majority) == len(set(seen_majority)) == 44


# Two gloo processes splitting each epoch: tests/regressions/test_review21_torch_ddp.py
# runs every sampler and batch path in real 2- and 3-rank jobs.


# --- Resume -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
def test_resume_mid_epoch_yields_exactly_the_rest(kind):
    labels = skewed_labels()
    sampler = make_sampler(kind, labels)
    sampler.set_epoch(3)
    expected = list(sampler)
    sampler.set_epoch(3)
    iterator = iter(sampler)
    half = len(expected) // 2
    consumed = [next(iterator) for _ in range(half)]
    buffer = io.BytesIO()
    torch.save(sampler.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    assert state["epoch"] == 3 and state["position"] == half
    restored = make_sampler(kind, labels)
    restored.load_state_dict(state)
    restored.set_epoch(3)  # a training loop's set_epoch keeps the position
    assert consumed + list(restored) == expected
    assert list(restored) == epoch_of(make_sampler(kind, labels), 4)


def test_resume_of_the_hard_example_pool_ignores_updates_after_the_save():
    labels = skewed_labels()
    sampler = make_sampler("hard_example", labels)
    iterator = iter(sampler)
    consumed = [next(iterator) for _ in range(30)]
    state = sampler.state_dict()
    sampler.update(torch.tensor([7, 8]), torch.tensor([9.0, 9.0]))  # after save
    rest = list(iterator)
    restored = make_sampler("hard_example", labels)
    restored.load_state_dict(state)
    assert consumed + list(restored) == consumed + rest


def test_state_after_a_full_epoch_points_to_the_next_epoch():
    sampler = RebalanceSampler(skewed_labels())
    list(sampler)
    assert sampler.state_dict()["epoch"] == 1
    assert sampler.state_dict()["position"] == 0


def test_resume_with_another_number_of_ranks_is_refused():
    labels = skewed_labels()
    state = RebalanceSampler(labels, num_replicas=2, rank=0).state_dict()
    with pytest.raises(ValueError, match="num_replicas=2"):
        RebalanceSampler(labels).load_state_dict(state)


# --- Hard example replay -----------------------------------------------------


def test_pool_keeps_the_highest_latest_losses():
    sampler = HardExampleSampler(RebalanceSampler(skewed_labels()), pool_size=2)
    sampler.update(np.array([1, 2, 3]), np.array([1.0, 5.0, 3.0]))
    sampler.update(torch.tensor([2, 4]), torch.tensor([0.5, 2.0]))
    assert sorted(sampler.pool_ids.tolist()) == [3, 4]


def test_replay_replaces_the_requested_fraction_with_pool_ids():
    labels = skewed_labels()
    base = RebalanceSampler(labels)
    sampler = HardExampleSampler(RebalanceSampler(labels), replay_ratio=0.25)
    assert list(sampler) == list(base)  # empty pool: the wrapped epoch
    sampler.update([10, 11], [3.0, 2.0])
    replayed, plain = list(sampler), list(base)
    changed = [i for i, (a, b) in enumerate(zip(replayed, plain)) if a != b]
    n_replay = round(0.25 * len(plain))
    assert len(replayed) == len(plain)
    assert len(changed) <= n_replay
    assert Counter(replayed)[10] + Counter(replayed)[11] >= n_replay


# --- Scale --------------------------------------------------------------------


def test_more_than_2_to_the_24_labels_with_int32_draws():
    labels = np.zeros(2**24 + 1, dtype=np.int8)
    labels[[3, 2**24]] = 1
    sampler = RebalanceSampler(labels, RandomUnderSampler())
    assert sampler.plan.draw(np.random.default_rng(0)).dtype == np.int32
    indices = list(sampler)
    assert len(indices) == len(sampler) == 4
    assert 2**24 in indices


# --- Bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "error", "match"),
    [
        (np.zeros((4, 2), dtype=int), ValueError, "labels must be 1-D"),
        (torch.tensor([0.0, 1.0, 1.0]), TypeError, r"labels\.long\(\)"),
        (np.array([0.0, 1.0]), TypeError, r"labels\.astype\(int\)"),
        (np.array([], dtype=int), ValueError, "labels is empty"),
        (np.zeros(5, dtype=int), ValueError, "one class only"),
    ],
)
@pytest.mark.parametrize(
    "make", [RebalanceSampler, lambda y: BalancedBatchSampler(y, 2)]
)
def test_bad_labels_are_rejected_with_the_fix(make, labels, error, match):
    with pytest.raises(error, match=match):
        make(labels)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_replicas": 2, "rank": 2}, r"rank=2 is out of range.*\[0, 1\]"),
        ({"num_replicas": 0, "rank": 0}, "num_replicas must be >= 1"),
        ({"seed": -1}, "seed must be >= 0"),
        ({"sampler": "under"}, "sampler must be a rebalance sampler"),
    ],
)
def test_bad_rebalance_sampler_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        RebalanceSampler(skewed_labels(), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"batch_size": 4}, r"batch_size=4 is not divisible by the 3 classes"),
        ({"batch_size": 6, "class_counts": {0: 3, 1: 1, 7: 2}}, "no row of that class"),
        ({"batch_size": 6, "class_counts": {0: 3, 1: 1}}, "sums to 4"),
        ({"batch_size": 6, "class_counts": [3, 3]}, "2 entries but labels has 3"),
        ({"batch_size": 6, "class_counts": {0: -1, 1: 7}}, r"class_counts\[0\]"),
        ({"batch_size": 7, "classes_per_batch": 2}, "not divisible by classes_per"),
        ({"batch_size": 8, "classes_per_batch": 4}, "only 3 classes"),
        (
            {"batch_size": 6, "classes_per_batch": 2, "samples_per_class": 2},
            r"2 \* 2 = 4",
        ),
        ({"batch_size": 6, "class_counts": [2, 2, 2], "classes_per_batch": 3}, "two"),
        ({"batch_size": 0}, "batch_size must be >= 1"),
        ({"batch_size": 6, "num_replicas": 2, "rank": 5}, "rank=5 is out of range"),
    ],
)
def test_bad_balanced_batch_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        BalancedBatchSampler(three_class_labels(), **kwargs)


@pytest.mark.parametrize(
    ("indices", "losses", "match"),
    [
        ([1, 2], [1.0], "one loss per row"),
        ([1, 99], [1.0, 2.0], r"row ids in \[0, 49\]"),
        ([1.0, 2.0], [1.0, 2.0], "integer dataset row ids"),
        ([1, 2], [1.0, float("nan")], "losses must be finite"),
    ],
)
def test_bad_hard_example_updates(indices, losses, match):
    sampler = HardExampleSampler(RebalanceSampler(skewed_labels()))
    with pytest.raises((ValueError, TypeError), match=match):
        sampler.update(np.array(indices), np.array(losses))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"replay_ratio": 1.5}, "replay_ratio"), ({"pool_size": 0}, "pool_size")],
)
def test_bad_hard_example_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HardExampleSampler(RebalanceSampler(skewed_labels()), **kwargs)


def test_hard_example_sampler_needs_a_rebalance_sampler():
    with pytest.raises(TypeError, match="RebalanceSampler"):
        HardExampleSampler(BalancedBatchSampler(skewed_labels(), 4))


# --- Pickling -------------------------------------------------------------------


def _round_trip(sampler, how: str):
    import copy
    import pickle

    if how == "pickle":
        return pickle.loads(pickle.dumps(sampler))
    if how == "deepcopy":
        return copy.deepcopy(sampler)
    buffer = io.BytesIO()
    torch.save(sampler, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=False)


@pytest.mark.parametrize("how", ["pickle", "torch.save", "deepcopy"])
@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
def test_a_copy_yields_the_same_epochs(kind, how):
    labels = skewed_labels()
    sampler = make_sampler(kind, labels)
    list(sampler)  # one epoch done: the copy goes on with epoch 1
    copy = _round_trip(sampler, how)
    assert [list(copy) for _ in range(3)] == [list(sampler) for _ in range(3)]
    assert epoch_of(copy, 7) == epoch_of(sampler, 7)


@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
def test_a_copy_made_mid_epoch_yields_the_rest_of_the_epoch(kind):
    labels = skewed_labels()
    sampler = make_sampler(kind, labels)
    sampler.set_epoch(2)
    iterator = iter(sampler)
    [next(iterator) for _ in range(7)]
    copy = _round_trip(sampler, "pickle")
    if kind == "hard_example":  # later reports do not change the running epoch
        sampler.update(torch.tensor([9]), torch.tensor([99.0]))
    assert list(copy) == list(iterator)
    assert copy.state_dict()["epoch"] == 3
    assert list(copy) == epoch_of(make_sampler(kind, labels), 3)


def test_every_sampling_plan_pickles():
    import pickle

    labels = skewed_labels()
    for estimator in ESTIMATORS:
        plan = RebalanceSampler(labels, estimator).plan
        copy = pickle.loads(pickle.dumps(plan))
        rng = np.random.default_rng(0)
        assert copy.draw(rng).tolist() == plan.draw(np.random.default_rng(0)).tolist()


def test_samplers_keep_their_own_copy_of_the_labels():
    # Codes 0..k-1 are encoded without a copy: the samplers must not keep a
    # view of the caller's tensor, whose storage share_memory_() (ddp_spawn,
    # DataLoader workers) moves and frees.
    labels = skewed_labels()
    reference = [
        list(make_sampler(k, labels.clone())) for k in ("rebalance", "balanced_batch")
    ]
    samplers = [RebalanceSampler(labels), BalancedBatchSampler(labels, 4)]
    for sampler in samplers:
        codes = getattr(sampler, "plan", sampler).labels.codes
        assert not np.may_share_memory(codes, labels.numpy())
    labels.share_memory_()
    labels.zero_()
    assert [list(s) for s in samplers] == reference


# --- Distributed: defaults and Lightning's rebuild -------------------------------


def _fake_process_group(monkeypatch, world_size: int, rank: int) -> None:
    dist = torch.distributed
    monkeypatch.setattr(dist, "is_initialized", lambda: True)
    monkeypatch.setattr(dist, "get_world_size", lambda: world_size)
    monkeypatch.setattr(dist, "get_rank", lambda: rank)


@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
def test_default_ranks_follow_a_process_group_started_later(kind, monkeypatch):
    labels = skewed_labels()
    sampler = make_sampler(kind, labels)  # no process group yet: 1 replica
    full = len(sampler)
    _fake_process_group(monkeypatch, 2, 1)
    assert (sampler.num_replicas, sampler.rank) == (2, 1)
    assert len(sampler) == full // 2
    if kind == "balanced_batch":
        explicit = BalancedBatchSampler(labels, 4, num_replicas=2, rank=1)
    else:
        explicit = RebalanceSampler(labels, num_replicas=2, rank=1)
    if kind == "hard_example":
        explicit = HardExampleSampler(explicit, pool_size=3)
        explicit.update(torch.tensor([1, 2, 3]), torch.tensor([5.0, 4.0, 3.0]))
    assert epoch_of(sampler, 1) == epoch_of(explicit, 1)


def test_rebalance_samplers_are_distributed_samplers():
    from torch.utils.data import DistributedSampler

    labels = skewed_labels()
    assert isinstance(RebalanceSampler(labels), DistributedSampler)
    assert isinstance(make_sampler("hard_example", labels), DistributedSampler)


def test_balanced_batch_sampler_rebuilt_as_lightning_does():
    from torch.utils.data import DistributedSampler

    labels = skewed_labels()
    batches = BalancedBatchSampler(labels, 4, class_counts=[3, 1], seed=2)
    kwargs = getattr(batches, "__pl_saved_kwargs")
    assert getattr(batches, "__pl_saved_default_kwargs") == {"sampler": None}
    ranks = []
    for rank in range(2):
        injected = DistributedSampler(range(len(labels)), num_replicas=2, rank=rank)
        rebuilt = BalancedBatchSampler(**kwargs, sampler=injected)
        explicit = BalancedBatchSampler(
            labels, 4, class_counts=[3, 1], seed=2, num_replicas=2, rank=rank
        )
        assert list(rebuilt) == epoch_of(explicit, 0)
        injected.set_epoch(5)  # Lightning's set_epoch reaches the batches
        assert list(rebuilt) == epoch_of(explicit, 5)
        ranks.append(rebuilt)
    with pytest.raises(ValueError, match="num_replicas=1 but the DistributedSampler"):
        BalancedBatchSampler(labels, 4, num_replicas=1, rank=0, sampler=injected)
    with pytest.raises(TypeError, match="sampler must be None"):
        BalancedBatchSampler(labels, 4, sampler=RebalanceSampler(labels))


# --- Bad input: loaded states and fuzzed arguments ---------------------------------


@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (None, TypeError, "state_dict must be a dict; got NoneType"),
        ({"epoch": -1}, ValueError, r"state_dict\['epoch'\] must be >= 0"),
        ({"epoch": 1.5}, TypeError, r"state_dict\['epoch'\] must be an int"),
        ({"position": True}, TypeError, r"state_dict\['position'\] must be an int"),
        ({"position": 10**6}, ValueError, "past the end of the epoch"),
        ({"seed": -3}, ValueError, r"state_dict\['seed'\] must be >= 0"),
        ({"seed": "0"}, TypeError, r"state_dict\['seed'\] must be an int"),
        ({"num_replicas": 0}, ValueError, r"state_dict\['num_replicas'\]"),
        ({"length": 3}, ValueError, "per epoch and rank"),
    ],
)
def test_bad_loaded_states_are_refused_before_any_change(kind, change, error, match):
    labels = skewed_labels()
    sampler = make_sampler(kind, labels)
    before = sampler.state_dict()
    state = None if change is None else {**before, **change}
    with pytest.raises(error, match=match):
        sampler.load_state_dict(state)
    after = sampler.state_dict()
    assert after.keys() == before.keys()
    assert all(str(after[k]) == str(before[k]) for k in before)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"pool_ids": torch.tensor([-5])}, ValueError, r"row ids in \[0, 49\]"),
        ({"pool_ids": torch.tensor([10**9])}, ValueError, r"row ids in \[0, 49\]"),
        ({"pool_ids": torch.tensor([1.0, 2.0])}, TypeError, "integer dataset row"),
        ({"epoch_pool_ids": torch.tensor([-5])}, ValueError, r"in \[0, 49\]"),
        ({"epoch_pool_ids": torch.tensor([0.5])}, TypeError, "epoch_pool_ids"),
        ({"epoch_pool_ids": torch.arange(4)}, ValueError, "more than pool_size=3"),
        ({"pool_ids": torch.tensor([[1, 2]])}, ValueError, "must be 1-D"),
        ({"pool_ids": torch.tensor([1, 1, 2])}, ValueError, "an id twice"),
        ({"pool_losses": torch.tensor([1.0])}, ValueError, "pool_losses.*shape"),
        ({"pool_losses": torch.tensor([1.0, 2, float("nan")])}, ValueError, "finite"),
    ],
)
def test_bad_hard_example_pools_are_refused(change, error, match):
    sampler = make_sampler("hard_example", skewed_labels())
    before = sampler.state_dict()
    with pytest.raises(error, match=match):
        sampler.load_state_dict({**before, **change})
    assert sorted(sampler.pool_ids.tolist()) == [1, 2, 3]
    assert sampler.state_dict()["epoch"] == before["epoch"]


def test_a_loaded_pool_is_replayed():
    labels = skewed_labels()
    sampler = make_sampler("hard_example", labels)
    state = sampler.state_dict()
    state["pool_ids"] = state["epoch_pool_ids"] = torch.tensor([40], dtype=torch.int8)
    state["pool_losses"] = torch.tensor([1.0], dtype=torch.bfloat16)
    sampler.load_state_dict(state)
    assert Counter(sampler)[40] >= round(0.25 * len(sampler))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_replicas": 2**63, "rank": 0}, ValueError, r"num_replicas=\d+ is larger"),
        ({"num_replicas": 2**31, "rank": 0}, ValueError, "at most 2\\*\\*31 - 1"),
        ({"num_replicas": 2.0, "rank": 0}, TypeError, "num_replicas must be an int"),
        ({"num_replicas": 2, "rank": -1}, ValueError, "rank must be >= 0"),
    ],
)
@pytest.mark.parametrize(
    "make", [RebalanceSampler, lambda y, **kw: BalancedBatchSampler(y, 4, **kw)]
)
def test_bad_replica_arguments(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(skewed_labels(), **kwargs)


def test_many_replicas_pad_every_rank_to_one_index():
    labels = skewed_labels()
    last = RebalanceSampler(labels, num_replicas=2**31 - 1, rank=2**31 - 2)
    assert len(last) == 1
    assert list(last) == [list(RebalanceSampler(labels))[(2**31 - 2) % 92]]


@pytest.mark.parametrize("class_counts", [5, "22", 2.5])
def test_class_counts_must_be_a_dict_or_a_sequence(class_counts):
    with pytest.raises(TypeError, match="class_counts must be a dict"):
        BalancedBatchSampler(skewed_labels(), 4, class_counts=class_counts)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float64])
def test_update_takes_losses_of_any_float_dtype(dtype):
    sampler = HardExampleSampler(RebalanceSampler(skewed_labels()), pool_size=2)
    sampler.update(torch.tensor([1, 2, 3]), torch.tensor([1.0, 5.0, 3.0], dtype=dtype))
    assert sorted(sampler.pool_ids.tolist()) == [2, 3]
    assert sampler.pool_losses.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
def test_small_integer_labels_and_ids(kind, dtype):
    labels = skewed_labels()
    small = torch.from_numpy(labels.numpy().astype(dtype))
    assert flat(epoch_of(make_sampler(kind, small), 1)) == flat(
        epoch_of(make_sampler(kind, labels), 1)
    )
    if kind == "hard_example":
        sampler = make_sampler(kind, small)
        sampler.update(np.array([4, 5], dtype=dtype), np.array([9.0, 8.0]))
        assert {4, 5} <= set(sampler.pool_ids.tolist())
