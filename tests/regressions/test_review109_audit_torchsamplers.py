"""Review 109 code audit of rebalance/torch/samplers.py: the label readers,
the rank split, BalancedBatchSampler's walks and HardExampleSampler's pool."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance import RandomOverSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    RebalanceSampler,
)

Y = np.array([0] * 6 + [1] * 2)


def _epoch(sampler, epoch=0):
    sampler.set_epoch(epoch)
    return list(sampler)


def _containers():
    pd = pytest.importorskip("pandas")
    out = {
        "series_reversed_index": pd.Series(Y, index=np.arange(8)[::-1] + 10),
        "frame_one_column": pd.DataFrame({"y": Y}),
        "list": Y.tolist(),
        "column_vector": Y[:, None],
        "uint64": Y.astype(np.uint64),
        "tensor_int32": torch.tensor(Y, dtype=torch.int32),
        "one_hot_array": np.eye(2)[Y],
        "one_hot_tensor": torch.eye(2)[Y],
    }
    return out


@pytest.mark.parametrize("kind", sorted(_containers()))
def test_epoch_is_fit_resample_draw_for_every_container(kind):
    labels = _containers()[kind]
    sampler = RebalanceSampler(labels, RandomOverSampler(), seed=3)
    ros = RandomOverSampler(random_state=np.random.default_rng([3, 0]))
    ros.fit_resample(np.zeros((8, 1)), Y)
    assert _epoch(sampler) == ros.sample_indices_.tolist()


def test_polars_and_pyarrow_labels_draw_as_numpy():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    base = _epoch(RebalanceSampler(Y, RandomOverSampler(), seed=1))
    for labels in (pl.Series(Y), pa.array(Y), pa.chunked_array([Y[:3], Y[3:]])):
        assert _epoch(RebalanceSampler(labels, RandomOverSampler(), seed=1)) == base


def test_uint64_labels_past_int64_are_two_classes():
    labels = np.array([2**63 + 5] * 5 + [0] * 3, dtype=np.uint64)
    sampler = RebalanceSampler(labels, RandomOverSampler())
    drawn = labels[_epoch(sampler)]
    assert len(sampler) == 10
    assert sorted(np.unique(drawn, return_counts=True)[1].tolist()) == [5, 5]


@pytest.mark.parametrize("as_tensor", [False, True])
def test_labels_changed_in_place_after_build_change_nothing(as_tensor):
    labels = torch.tensor(Y) if as_tensor else Y.copy()
    sampler = RebalanceSampler(labels, RandomOverSampler(), seed=2)
    batches = BalancedBatchSampler(labels, 2, seed=2)
    expected = (
        _epoch(RebalanceSampler(Y, RandomOverSampler(), seed=2)),
        _epoch(BalancedBatchSampler(Y, 2, seed=2)),
    )
    labels[:] = 1
    assert (_epoch(sampler), _epoch(batches)) == expected


def test_padding_wraps_more_than_once_as_distributed_sampler():
    labels = np.array([0, 0, 0, 1])
    draw = _epoch(RebalanceSampler(labels, seed=5))  # 6 indices
    padded = (draw * 2)[:8]  # DistributedSampler: pad to total_size
    for rank in range(8):
        sampler = RebalanceSampler(labels, seed=5, num_replicas=8, rank=rank)
        assert len(sampler) == 1
        assert _epoch(sampler) == padded[rank::8]


@pytest.mark.parametrize(
    ("drop_last", "expected"), [(True, 4), (False, 5)], ids=["down", "up"]
)
def test_quota_epoch_length_rounds_as_documented(drop_last, expected):
    labels = np.array([0] * 13 + [1] * 3)
    batches = BalancedBatchSampler(
        labels, 4, class_counts={0: 3, 1: 1}, drop_last=drop_last
    )
    assert len(batches) == expected
    for batch in _epoch(batches):
        assert np.bincount(labels[batch], minlength=2).tolist() == [3, 1]


@pytest.mark.parametrize(
    ("drop_last", "expected"), [(True, 6), (False, 7)], ids=["down", "up"]
)
def test_pk_epoch_length_is_n_samples_over_batch_size(drop_last, expected):
    labels = np.repeat(np.arange(5), 8)
    batches = BalancedBatchSampler(labels, 6, samples_per_class=3, drop_last=drop_last)
    assert len(batches) == expected
    for batch in _epoch(batches):
        assert sorted(np.bincount(labels[batch]).tolist())[-2:] == [3, 3]


def test_bool_labels_take_numpy_bool_class_count_keys():
    labels = np.array([False] * 6 + [True] * 2)
    batches = BalancedBatchSampler(labels, 4, class_counts={np.True_: 1, False: 3})
    assert [int(labels[b].sum()) for b in _epoch(batches)] == [1, 1]


def test_pk_batch_never_repeats_a_row_of_a_class_with_k_rows():
    # Every class has at least K=3 rows; pytorch-metric-learning's
    # MPerClassSampler draws K distinct rows then: a repeated row is a
    # positive pair of an example with itself.
    labels = np.repeat(np.arange(5), [3, 4, 5, 6, 7])
    batches = BalancedBatchSampler(labels, 6, classes_per_batch=2)
    repeated = [
        b for epoch in range(20) for b in _epoch(batches, epoch) if len(set(b)) < 6
    ]
    assert repeated == []


def _hard(labels=None, **kwargs):
    labels = np.array([0] * 30 + [1] * 10) if labels is None else labels
    return HardExampleSampler(RebalanceSampler(labels), **kwargs)


def test_update_keeps_latest_loss_and_the_hardest_ids():
    sampler = _hard(pool_size=3)
    sampler.update([0, 1, 2, 3], [1.0, 5.0, 3.0, 4.0])
    assert sorted(sampler.pool_ids.tolist()) == [1, 2, 3]
    sampler.update(np.array([1, 1]), np.array([0.0, 0.5]))
    pool = dict(zip(sampler.pool_ids.tolist(), sampler.pool_losses.tolist()))
    assert pool == {1: 0.5, 2: 3.0, 3: 4.0}


def test_update_copies_the_ids_tensor():
    sampler = _hard(pool_size=2)
    ids = torch.tensor([5, 6], dtype=torch.int32)
    sampler.update(ids, torch.tensor([9.0, 8.0], dtype=torch.bfloat16))
    ids[:] = 0
    assert sorted(sampler.pool_ids.tolist()) == [5, 6]


@pytest.mark.parametrize(
    ("ids", "losses", "error"),
    [
        ([40], [1.0], ValueError),
        ([-1], [1.0], ValueError),
        (np.array([2**64 - 1], dtype=np.uint64), [1.0], ValueError),
        ([True], [1.0], TypeError),
        ([1.0], [1.0], TypeError),
        ([1], [float("nan")], ValueError),
        ([1, 2], [1.0], ValueError),
    ],
    ids=["past_end", "negative", "uint64_max", "bool", "float", "nan", "short"],
)
def test_update_refuses_bad_ids_and_losses_unchanged(ids, losses, error):
    sampler = _hard(pool_size=2)
    sampler.update([3], [2.0])
    with pytest.raises(error):
        sampler.update(ids, losses)
    assert sampler.pool_ids.tolist() == [3]


@pytest.mark.parametrize("drop_last", [False, True])
def test_ranks_sharing_a_pool_are_slices_of_the_single_process_epoch(drop_last):
    labels = np.array([0] * 31 + [1] * 10)

    def epoch(num_replicas, rank):
        inner = RebalanceSampler(
            labels, num_replicas=num_replicas, rank=rank, drop_last=drop_last
        )
        sampler = HardExampleSampler(inner, pool_size=4, replay_ratio=0.3)
        sampler.update([0, 5, 7, 9], [1.0, 2.0, 3.0, 4.0])
        return _epoch(sampler, 2)

    full = epoch(1, 0)
    parts = [epoch(3, rank) for rank in range(3)]
    per = len(parts[0])
    padded = (full * 2)[: per * 3]
    assert parts == [padded[rank::3][:per] for rank in range(3)]


def test_epoch_replays_from_the_pool_it_started_with():
    def started():
        sampler = _hard(pool_size=2, replay_ratio=0.5)
        sampler.update([1, 2], [1.0, 2.0])
        sampler.set_epoch(1)
        return sampler

    sampler = started()
    it = iter(sampler)
    first = [next(it) for _ in range(5)]
    sampler.update([30, 31], [10.0, 11.0])
    assert first + list(it) == _epoch(started(), 1)


def test_replay_ratio_one_draws_every_index_from_the_pool():
    sampler = _hard(pool_size=3, replay_ratio=1.0)
    sampler.update([1, 2, 3], [1.0, 2.0, 3.0])
    drawn = _epoch(sampler, 1)
    assert len(drawn) == 60
    assert set(drawn) == {1, 2, 3}
