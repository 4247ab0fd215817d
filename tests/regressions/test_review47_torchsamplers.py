"""Review 47: the torch samplers and loaders where no test went (coverage gaps).

Each test drives a branch of ``rebalance/torch/samplers.py`` or
``rebalance/torch/loaders.py`` that the suite never ran, through the public
API, against an independent oracle (the per-index path, the single-process
epoch, hand-made rank slices, row counts). A test of a bug fixed in this
round says in its first comment what happened before.
"""

from __future__ import annotations

import contextlib
import pickle
import sys
import threading
import warnings

import hypothesis
import numpy as np
import pandas as pd
import pytest
from hypothesis import stateful
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from torch.utils.data import (  # noqa: E402
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
)

from rebalance import ClassBalancedSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    TensorBatchLoader,
)

LABELS = np.random.default_rng(0).permutation([0] * 30 + [1] * 10)


class _KeyedRows(Dataset):
    """Rows kept in a dict keyed by Python int row id (records, a cache):
    ``dataset[i]`` needs ``i`` to be an int (a 0-d tensor is another key)."""

    def __init__(self, labels):
        self.rows = {i: (i, int(label)) for i, label in enumerate(labels)}

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
def test_accelerate_skip_first_batches_reads_rows_by_python_int(index_type):
    # accelerate.skip_first_batches (resuming mid-epoch) wraps the loader's
    # batch_sampler in its SkipBatchSampler; the rebuilt loader reads the
    # batches row by row, which must get Python ints as without the wrapper
    # (a 0-d tensor was a KeyError in a dict-keyed dataset).
    accelerate = pytest.importorskip("accelerate")

    def loader():
        sampler = RebalanceSampler(LABELS, seed=0)
        batches = IndexBatchSampler(sampler, 8, index_type=index_type)
        return DataLoader(_KeyedRows(LABELS), batch_sampler=batches)

    full = [ids.tolist() for ids, _ in loader()]
    skipped = accelerate.skip_first_batches(loader(), 2)
    got = [ids.tolist() for ids, _ in skipped]
    assert got == full[2:]
    assert len(got) == len(full) - 2 == 6


def test_class_counts_of_an_absent_class_is_checked_as_a_count():
    # A class without rows may be given 0 rows; any other value is an error
    # about the count itself ("asks for 0 rows ... remove it" for "0" was
    # unclear, and 0.0 passed where a present class's 3.0 is refused).
    batches = BalancedBatchSampler(LABELS, 4, class_counts={0: 3, 1: 1, 5: 0}, seed=1)
    reference = BalancedBatchSampler(LABELS, 4, class_counts={0: 3, 1: 1}, seed=1)
    assert list(batches) == list(reference)
    for count in ("0", 0.0, None, True, np.nan):
        with pytest.raises(TypeError, match=r"class_counts\[5\] must be an integer"):
            BalancedBatchSampler(LABELS, 4, class_counts={0: 3, 1: 1, 5: count})
    with pytest.raises(ValueError, match=r"class_counts\[5\]"):
        BalancedBatchSampler(LABELS, 4, class_counts={0: 3, 1: 1, 5: -1})
    with pytest.raises(ValueError, match="no row of that class"):
        BalancedBatchSampler(LABELS, 4, class_counts={0: 3, 1: 1, 5: 1})


@contextlib.contextmanager
def _two_ranks():
    """A process group of world size 2 in this process (torch's fake backend:
    no communication), this process being rank 1; torn down on exit."""
    dist = torch.distributed
    fake_pg = pytest.importorskip("torch.testing._internal.distributed.fake_pg")
    assert not dist.is_initialized()
    dist.init_process_group("fake", store=fake_pg.FakeStore(), rank=1, world_size=2)
    try:
        yield
    finally:
        dist.destroy_process_group()


def _state(epoch, position, length):
    return {
        "epoch": epoch,
        "position": position,
        "seed": 0,
        "num_replicas": 1,
        "length": length,
        "previous_finished": False,
    }


@pytest.mark.parametrize("position", [10, 40])
def test_state_loaded_before_the_process_group_starts_its_epoch_over(position):
    # A sampler with num_replicas=None restored mid-epoch before
    # init_process_group (1 rank then), iterated once the group has 2 ranks:
    # the saved position counts items of the 1-rank split and means nothing in
    # this rank's share. It silently skipped that many of the rank's items
    # (40: all of them, an empty epoch). Now the epoch starts over, with a
    # warning, as for a pickled copy.
    sampler = RebalanceSampler(LABELS, seed=0)
    sampler.load_state_dict(_state(2, position, len(sampler)))
    fresh = RebalanceSampler(LABELS, seed=0)
    fresh.set_epoch(2)
    single = list(fresh)
    with _two_ranks():
        # what a checkpoint taken now resumes: epoch 2 of this split, whole
        saved = sampler.state_dict()
        assert (saved["epoch"], saved["position"]) == (2, 0)
        assert not saved["previous_finished"] and saved["num_replicas"] == 2
        copy = pickle.loads(pickle.dumps(sampler))  # e.g. to DataLoader workers
        for resumed in (sampler, copy):
            with pytest.warns(UserWarning, match="epoch 2 starts over"):
                got = list(resumed)
            assert got == single[1::2]
            assert resumed.epoch == 3


def test_hard_example_state_loaded_before_the_process_group_keeps_its_pool():
    # As above, with the pool the restored epoch replays from.
    def hard():
        sampler = HardExampleSampler(RebalanceSampler(LABELS, seed=0), pool_size=4)
        sampler.update([1, 2, 3, 4], [4.0, 3.0, 2.0, 1.0])
        return sampler

    source = hard()
    source.set_epoch(2)
    iterator = iter(source)
    [next(iterator) for _ in range(40)]
    state = source.state_dict()
    source.update([5, 6, 7, 8], [9.0, 9.0, 9.0, 9.0])  # the pool moves on
    state = {
        key: value.clone() if torch.is_tensor(value) else value
        for key, value in state.items()
    }
    restored = hard()
    restored.load_state_dict(state)
    reference = hard()  # epoch 2 replayed from the pool [1, 2, 3, 4]
    reference.set_epoch(2)
    single = list(reference)
    with _two_ranks():
        saved = restored.state_dict()
        assert (saved["epoch"], saved["position"]) == (2, 0)
        assert sorted(saved["epoch_pool_ids"].tolist()) == [1, 2, 3, 4]
        with pytest.warns(UserWarning, match="epoch 2 starts over"):
            got = list(restored)
        assert got == single[1::2]


def test_pickled_copy_under_a_new_split_starts_its_epoch_over():
    # ddp_spawn: a sampler (num_replicas=None) looked at before the process
    # group, pickled mid-epoch to a rank of a 2-rank group.
    sampler = RebalanceSampler(LABELS, seed=0)
    single = list(RebalanceSampler(LABELS, seed=0))
    iterator = iter(sampler)
    [next(iterator) for _ in range(5)]
    blob = pickle.dumps(sampler)
    with _two_ranks():
        copy = pickle.loads(blob)
        with pytest.warns(UserWarning, match="epoch 0 starts over"):
            got = list(copy)
        assert got == single[1::2]
    # set_epoch before the copy: no position carried over, no warning
    sampler.set_epoch(1)
    blob = pickle.dumps(sampler)
    fresh = RebalanceSampler(LABELS, seed=0)
    fresh.set_epoch(1)
    single = list(fresh)
    with _two_ranks():
        copy = pickle.loads(blob)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert list(copy) == single[1::2]


def test_rank_from_the_process_group_when_only_num_replicas_is_given():
    full = list(RebalanceSampler(LABELS, RandomUnderSampler(), seed=3))
    # no process group: rank 0
    alone = RebalanceSampler(LABELS, RandomUnderSampler(), seed=3, num_replicas=2)
    rank_0 = list(alone)
    assert alone.rank == 0 and rank_0 == full[0::2]
    with _two_ranks():
        ranked = RebalanceSampler(LABELS, RandomUnderSampler(), seed=3, num_replicas=2)
        rank_1 = list(ranked)
        assert ranked.rank == 1 and rank_1 == full[1::2]
    # no index lost or doubled between the two ranks (20 rows: no padding)
    assert sorted(rank_0 + rank_1) == sorted(full)
    # rank given, num_replicas from the group (1 without one)
    with pytest.raises(ValueError, match="rank=1 is out of range for num_replicas=1"):
        RebalanceSampler(LABELS, RandomUnderSampler(), seed=3, rank=1)
    with _two_ranks():
        first = RebalanceSampler(LABELS, RandomUnderSampler(), seed=3, rank=0)
        assert first.num_replicas == 2 and list(first) == rank_0


def test_split_twice_warning_under_accelerate_with_several_processes(monkeypatch):
    # HF Accelerate running 2 processes (its PartialState, as it sets it) and
    # a sampler following the 2-rank process group: warned once.
    state = pytest.importorskip("accelerate.state")
    shared = state.PartialState._shared_state
    monkeypatch.setitem(shared, "num_processes", 2)
    with _two_ranks():
        sampler = RebalanceSampler(LABELS, seed=0)
        with pytest.warns(UserWarning, match="1/4 of the epoch") as record:
            first = list(sampler)
            list(sampler)
        assert sum("1/4" in str(w.message) for w in record) == 1
        assert len(first) == len(sampler) == 30
        # given num_replicas explicitly: no warning
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            list(RebalanceSampler(LABELS, seed=0, num_replicas=2, rank=1))


@pytest.mark.parametrize("kind", ["sampler", "batch_sampler"])
def test_default_sampler_in_a_loader_accelerate_prepared_is_split_once(
    monkeypatch, kind
):
    # Stop 50: HF Accelerate with 2 processes (its PartialState) over a
    # 2-rank process group; the samplers at their defaults in a loader
    # prepared for each rank. They split the epoch by rank and Accelerate
    # split it again: each rank saw a quarter (with a warning). Now each rank
    # draws the whole epoch and Accelerate's shard is the only split.
    pytest.importorskip("accelerate")
    from accelerate.data_loader import prepare_data_loader

    state = pytest.importorskip("accelerate.state")
    monkeypatch.setitem(state.PartialState._shared_state, "num_processes", 2)
    labels = torch.tensor(LABELS)
    dataset = TensorDataset(torch.arange(len(labels)), labels)

    def make():
        if kind == "sampler":
            return RebalanceSampler(labels, seed=2)
        return BalancedBatchSampler(labels, 4, class_counts=[2, 2], seed=2)

    single = make()
    whole = [int(i) for item in single for i in np.ravel(item)]
    seen = []
    with _two_ranks(), warnings.catch_warnings():
        warnings.simplefilter("error")
        for rank in range(2):
            sampler = make()
            loader = (
                DataLoader(dataset, batch_size=5, sampler=sampler)
                if kind == "sampler"
                else DataLoader(dataset, batch_sampler=sampler)
            )
            prepared = prepare_data_loader(loader, num_processes=2, process_index=rank)
            got = [int(i) for ids, _ in prepared for i in ids]
            assert len(prepared) * prepared.batch_sampler.batch_size >= len(got) > 0
            seen.append(got)
            assert sampler.num_replicas == 1
    # Together the whole draw, in its order batch by batch (Accelerate deals
    # batches out in turn), but for the odd last batch BalancedBatchSampler's
    # drop_last=True leaves out.
    assert len(seen[0]) == len(seen[1]) >= (len(whole) - 4) // 2
    dealt = [seen[r][i : i + 4] for i in range(0, len(seen[0]), 4) for r in (0, 1)]
    if kind == "sampler":
        dealt = [seen[r][i : i + 5] for i in range(0, len(seen[0]), 5) for r in (0, 1)]
    merged = [i for batch in dealt for i in batch]
    assert merged[: len(whole)] == whole[: len(merged)]


def test_iterated_in_a_thread_with_a_shallow_stack():
    # A prefetch thread iterating the sampler: fewer frames above it than the
    # loader lookup walks. The same epoch as in the main thread.
    expected = list(RebalanceSampler(LABELS, seed=4))
    sampler = RebalanceSampler(LABELS, seed=4)
    got = []
    thread = threading.Thread(target=lambda: got.extend(sampler))
    thread.start()
    thread.join(timeout=60)
    assert got == expected
    assert sampler.epoch == 1


def test_second_iterator_after_load_state_dict_without_a_loader_draws_next_epoch():
    # Restored at an epoch's start, iterated by hand (no DataLoader): a new
    # iterator while the restored one runs is an ordinary next epoch (only a
    # torchdata loader that threw the restored iterator away replaces it).
    sampler = RebalanceSampler(LABELS, seed=0)
    state = sampler.state_dict()
    state.update(epoch=3, position=0)
    sampler.load_state_dict(state)
    first = iter(sampler)
    head = [next(first) for _ in range(4)]
    second = list(sampler)
    rest = list(first)

    def epoch(e):
        fresh = RebalanceSampler(LABELS, seed=0)
        fresh.set_epoch(e)
        return list(fresh)

    assert head + rest == epoch(3)
    assert second == epoch(4)
    assert sampler.epoch == 5


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [140_001, 150_000])
def test_batches_longer_than_two_chunks_equal_the_per_index_path(batch_size, drop_last):
    # A batch spanning more than two of the sampler's 65536-index chunks
    # (full-batch training on a large table).
    y = np.random.default_rng(0).permutation(np.r_[np.zeros(20_000), np.ones(3_000)])
    y = y.astype(np.int64)

    def sampler():
        return RebalanceSampler(y, ClassBalancedSampler(n_samples=300_001), seed=3)

    per_index = np.fromiter(sampler(), dtype=np.int64)
    batches = list(IndexBatchSampler(sampler(), batch_size, drop_last=drop_last))
    n_kept = per_index.shape[0] // batch_size * batch_size if drop_last else None
    assert np.array_equal(torch.cat(batches).numpy(), per_index[:n_kept])
    assert [len(b) for b in batches[:2]] == [batch_size, batch_size]
    # resumed after the first batch: the rest, by either path
    source = sampler()
    next(iter(IndexBatchSampler(source, batch_size)))
    resumed = sampler()
    resumed.load_state_dict(source.state_dict())
    assert np.array_equal(np.fromiter(resumed, np.int64), per_index[batch_size:])


def test_map_style_dataset_without_len():
    class NoLen(Dataset):
        def __getitem__(self, i):
            return i

    sampler = RebalanceSampler(LABELS, seed=1)
    expected = list(RebalanceSampler(LABELS, seed=1))
    got = torch.cat(list(DataLoader(NoLen(), sampler=sampler, batch_size=7)))
    assert got.tolist() == expected


def test_load_state_dict_names_missing_keys_and_a_bad_previous_finished():
    sampler = RebalanceSampler(LABELS, seed=0)
    loader_state = DataLoader(TensorDataset(torch.arange(40)), sampler=sampler)
    # e.g. a whole loader's state passed to the sampler
    with pytest.raises(KeyError, match="lacks.*'epoch'.*state_dict()"):
        sampler.load_state_dict({"sampler_iter_yielded": 3, "loader": loader_state})
    state = sampler.state_dict()
    for bad in (1, "True", torch.tensor(True)):
        with pytest.raises(TypeError, match="previous_finished.*True or False"):
            sampler.load_state_dict({**state, "previous_finished": bad})
    state["previous_finished"] = np.bool_(False)  # numpy's bool is fine
    sampler.load_state_dict(state)
    assert list(sampler) == list(RebalanceSampler(LABELS, seed=0))


@pytest.mark.parametrize("drop_last", [1, 0, "False", None])
def test_drop_last_must_be_a_bool_everywhere(drop_last):
    with pytest.raises(TypeError, match="drop_last must be True or False"):
        RebalanceSampler(LABELS, drop_last=drop_last)
    with pytest.raises(TypeError, match="drop_last must be True or False"):
        BalancedBatchSampler(LABELS, 4, drop_last=drop_last)
    with pytest.raises(TypeError, match="drop_last must be True or False"):
        RebalancedLoader(drop_last=drop_last)


def test_the_epoch_link_of_a_balanced_batch_sampler():
    # Lightning sets and reads loader.batch_sampler.sampler's epoch.
    batches = BalancedBatchSampler(LABELS, 4, class_counts=[3, 1], seed=0)
    link = batches.sampler
    link.set_epoch(5)
    assert link.epoch == batches.epoch == 5
    assert repr(link) == "<set_epoch of BalancedBatchSampler>"
    reference = BalancedBatchSampler(LABELS, 4, class_counts=[3, 1], seed=0)
    reference.set_epoch(5)
    assert list(batches) == list(reference)
    assert link.epoch == 6


def test_class_counts_as_a_frame_is_refused_with_the_fix():
    for frame in (pd.DataFrame({0: [3], 1: [1]}),):
        with pytest.raises(TypeError, match=r"got a DataFrame. Pass frame.iloc\[0\]"):
            BalancedBatchSampler(LABELS, 4, class_counts=frame)
    pl = pytest.importorskip("polars")
    with pytest.raises(TypeError, match="got a DataFrame"):
        BalancedBatchSampler(LABELS, 4, class_counts=pl.DataFrame({"0": [3], "1": [1]}))
    # the fix the message gives works, and equals the dict
    row = pd.DataFrame({0: [3], 1: [1]}).iloc[0]
    by_row = BalancedBatchSampler(LABELS, 4, class_counts=row, seed=2)
    by_dict = BalancedBatchSampler(LABELS, 4, class_counts={0: 3, 1: 1}, seed=2)
    assert list(by_row) == list(by_dict)


@pytest.mark.parametrize(
    "labels",
    [
        pd.DataFrame({"a": ["x", "y", "x"], "b": ["u", "u", "v"]}),
        pd.DataFrame(
            {
                "a": pd.array([1, 0, pd.NA], dtype="Int64"),
                "b": pd.array([0, 1, 1], dtype="Int64"),
            }
        ),
        np.array([["a", "b"], ["b", "a"]], dtype=object),
    ],
    ids=["text-frame", "nullable-one-hot-with-NA", "object-text-matrix"],
)
def test_two_columns_that_are_no_one_hot_matrix_are_refused(labels):
    with pytest.raises(ValueError, match="labels must be 1-D .* or a one-hot"):
        RebalanceSampler(labels)


def test_nullable_one_hot_frame_reads_as_classes():
    one_hot = pd.DataFrame(
        {
            "a": pd.array([1, 0, 0, 1, 1, 1], dtype="Int64"),
            "b": pd.array([0, 1, 1, 0, 0, 0], dtype="Int64"),
        }
    )
    classes = np.array([0, 1, 1, 0, 0, 0])
    assert list(RebalanceSampler(one_hot, seed=1)) == list(
        RebalanceSampler(classes, seed=1)
    )


def test_balanced_batches_walk_a_class_larger_than_the_small_shuffle():
    # A class of more than 65536 rows is walked by whole permutations too.
    y = np.random.default_rng(1).permutation(np.r_[np.zeros(70_000), np.ones(3_000)])
    y = y.astype(np.int64)
    for drop_last in (True, False):
        batches = BalancedBatchSampler(
            y, 1000, class_counts={0: 900, 1: 100}, seed=2, drop_last=drop_last
        )
        batches.set_epoch(1)
        epoch = np.array(list(batches))
        assert epoch.shape == ((77 if drop_last else 78), 1000)
        assert ((y[epoch] == 0).sum(axis=1) == 900).all()
        majority = epoch[y[epoch] == 0]
        # the first 77 batches hold 69300 distinct majority rows (one walk)
        assert np.unique(majority[: 77 * 900]).shape[0] == 77 * 900
        if not drop_last:  # every row of the class appears
            assert np.unique(majority).shape[0] == 70_000


def test_p_by_k_batches_when_an_epoch_leaves_classes_out():
    # Few-shot: K larger than the classes' sizes, so an epoch has fewer class
    # slots (2 batches x P=2) than classes (10): most classes sit out an
    # epoch; over many epochs every class is drawn equally often.
    stats = pytest.importorskip("scipy.stats")
    y = np.repeat(np.arange(10), 2)
    batches = BalancedBatchSampler(y, 10, classes_per_batch=2, seed=0)
    assert len(batches) == 2
    counts = np.zeros(10)
    for epoch in range(300):
        batches.set_epoch(epoch)
        for batch in batches:
            classes, per_class = np.unique(y[batch], return_counts=True)
            assert classes.shape == (2,) and (per_class == 5).all()
            counts[classes] += 1
    assert counts.sum() == 300 * 2 * 2
    assert stats.chisquare(counts).pvalue > 1e-4


@pytest.mark.parametrize("num_replicas", [2, 3])
@pytest.mark.parametrize("n_samples", [70_001, 131_073])
def test_hard_example_replay_of_a_padded_rank_equals_the_single_process_epoch(
    num_replicas, n_samples
):
    # Epoch longer than one chunk, padded by wrapping around to its start: a
    # rank's chunk reads the replay of the epoch's first chunk twice. Ranks
    # sharing one pool get the rank slices of the single-process epoch.
    y = np.random.default_rng(0).permutation(np.r_[np.zeros(5000), np.ones(500)])
    y = y.astype(np.int64)
    pool = np.arange(0, 5500, 7)[:300]

    def sampler(replicas, rank):
        inner = RebalanceSampler(
            y,
            ClassBalancedSampler(n_samples=n_samples),
            seed=5,
            num_replicas=replicas,
            rank=rank,
        )
        hard = HardExampleSampler(inner, pool_size=300, replay_ratio=0.3)
        hard.update(pool, np.linspace(1, 2, 300))
        hard.set_epoch(2)
        return hard

    single = np.fromiter(sampler(1, 0), np.int64)
    assert np.isin(single, pool).mean() > 0.25  # replayed
    per_rank = -(-n_samples // num_replicas)
    union = []
    for rank in range(num_replicas):
        got = np.fromiter(sampler(num_replicas, rank), np.int64)
        positions = (rank + num_replicas * np.arange(per_rank)) % n_samples
        assert np.array_equal(got, single[positions])
        union.append(positions)
    # every position of the epoch on some rank, the padding wrapped around
    assert np.unique(np.concatenate(union)).shape[0] == n_samples


def test_replay_ratio_too_small_for_the_epoch_replays_nothing():
    # round(replay_ratio * m) is 0 for an epoch of m = 60 at 0.005.
    pool = np.array([1, 2, 3])
    hard = HardExampleSampler(RebalanceSampler(LABELS, seed=0), replay_ratio=0.005)
    hard.update(pool, np.array([3.0, 2.0, 1.0]))
    hard.set_epoch(1)
    plain = RebalanceSampler(LABELS, seed=0)
    plain.set_epoch(1)
    assert list(hard) == list(plain)
    # at 0.05: round(3.0) = 3 positions replayed
    hard = HardExampleSampler(RebalanceSampler(LABELS, seed=0), replay_ratio=0.05)
    hard.update(pool, np.array([3.0, 2.0, 1.0]))
    hard.set_epoch(1)
    plain.set_epoch(1)
    differs = np.array(list(hard)) != np.array(list(plain))
    assert 1 <= differs.sum() <= 3


def test_rebalanced_loader_with_sampler_none_is_label_shuffle():
    dataset = TensorDataset(torch.arange(40), torch.as_tensor(LABELS))
    loader = RebalancedLoader(sampler=None, seed=2)(dataset, batch_size=8)
    expected = list(RebalanceSampler(LABELS, seed=2))
    assert torch.cat([ids for ids, _ in loader]).tolist() == expected


def test_rebalanced_loader_balanced_batches_with_its_own_batch_size():
    dataset = TensorDataset(torch.arange(40), torch.as_tensor(LABELS))
    reference = BalancedBatchSampler(LABELS, 4, class_counts=[3, 1], seed=0)
    expected = [sorted(batch) for batch in reference]
    make = RebalancedLoader(
        BalancedBatchSampler, batch_size=4, class_counts=[3, 1], seed=0
    )
    for call in ({}, {"batch_size": 4}):  # none given to the call, or the same
        make = RebalancedLoader(
            BalancedBatchSampler, batch_size=4, class_counts=[3, 1], seed=0
        )
        got = [sorted(ids.tolist()) for ids, _ in make(dataset, **call)]
        assert got == expected


@pytest.mark.parametrize(
    "indices",
    [
        np.r_[[True] * 20, [False] * 20],
        torch.ones(40, dtype=torch.bool),
        np.array([[0, 1], [30, 31]]),
        np.array([0.0, 1.0, 30.0]),
        [0.0, 30.0],
    ],
    ids=["numpy-mask", "tensor-mask", "2-D", "float-array", "float-list"],
)
def test_subset_of_no_row_positions_is_refused(indices):
    # A boolean mask given as a Subset's indices reads rows True/False, not
    # the masked rows: refused, as are 2-D and float indices.
    dataset = TensorDataset(torch.arange(40), torch.as_tensor(LABELS))
    with pytest.raises(TypeError, match="indices must be a 1-D sequence of integer"):
        RebalancedLoader(seed=0)(Subset(dataset, indices), batch_size=4)


class _Labelled(Dataset):
    def __init__(self, y):
        self.y = y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return i


def test_one_column_categorical_frame_keeps_its_category_order():
    # Classes "b", "a" in category order: class_counts=[3, 1] gives 3 "b"s.
    text = np.array(["b"] * 12 + ["a"] * 4)
    frame = pd.DataFrame({"y": pd.Categorical(text, categories=["b", "a"])})
    expected = list(BalancedBatchSampler(frame["y"], 4, class_counts=[3, 1], seed=0))

    def check(loader):
        # the batch sampler's rows: a ConcatDataset's parts count their own
        got = [list(batch) for batch in loader.batch_sampler]
        assert got == expected
        assert all(sorted(text[b]) == ["a", "b", "b", "b"] for b in got)

    check(
        RebalancedLoader(
            BalancedBatchSampler, labels_from=lambda d: frame, class_counts=[3, 1]
        )(_Labelled(text), batch_size=4)
    )
    check(
        RebalancedLoader(BalancedBatchSampler, class_counts=[3, 1])(
            _Labelled(frame), batch_size=4
        )
    )
    parts = ConcatDataset([_Labelled(frame.iloc[:8]), _Labelled(frame.iloc[8:])])
    check(
        RebalancedLoader(BalancedBatchSampler, class_counts=[3, 1])(parts, batch_size=4)
    )


def test_one_column_frame_of_float_categories_reads_whole_numbers():
    values = np.array([1.0] * 12 + [0.0] * 4)
    frame = pd.DataFrame({"y": pd.Categorical(values)})
    loader = RebalancedLoader(BalancedBatchSampler, class_counts={1: 3, 0: 1})(
        _Labelled(frame), batch_size=4
    )
    for batch in loader:
        assert sorted(values[batch.numpy()].tolist()) == [0.0, 1.0, 1.0, 1.0]
    assert loader.batch_sampler.labels.classes.tolist() == [0, 1]


def test_index_batch_sampler_and_tensor_batch_loader_properties():
    inner = RebalanceSampler(LABELS, seed=7)
    batches = IndexBatchSampler(inner, 8)
    assert batches.seed == 7
    state = inner.state_dict()
    state["seed"] = 11
    batches.load_state_dict(state)
    assert batches.seed == inner.seed == 11
    X = torch.arange(40.0)[:, None]
    loader = TensorBatchLoader(X, sampler=batches)
    assert loader.sampler is inner
    with pytest.raises(ValueError, match="give drop_last to the IndexBatchSampler"):
        TensorBatchLoader(X, sampler=batches, drop_last=True)
    # the fix the message gives
    short = TensorBatchLoader(
        X, sampler=IndexBatchSampler(RebalanceSampler(LABELS), 7, drop_last=True)
    )
    assert [len(xb) for (xb,) in short] == [7] * 8


def test_rebalance_torch_without_torch_names_the_extra(monkeypatch):
    # find_spec("torch") is None when torch is not installed.
    monkeypatch.setitem(sys.modules, "torch", None)
    for name in [m for m in sys.modules if m.startswith("rebalance.torch")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'rebalance\[torch\]'"):
        __import__("rebalance.torch")


def test_lightning_rebuild_of_a_state_loaded_before_the_process_group():
    # PyTorch Lightning rebuilds a BalancedBatchSampler per rank from its
    # recorded arguments, with its DistributedSampler, then hands the loaded
    # state on (``__pl_attrs_record``). A state loaded before the process
    # group counts batches of the 1-rank split: the rebuilt 2-rank sampler
    # silently skipped them (here its whole epoch); now it starts the epoch
    # over, with a warning.
    from torch.utils.data import DistributedSampler

    original = BalancedBatchSampler(LABELS, 4, class_counts=[3, 1], seed=0)
    state = original.state_dict()
    state.update(epoch=2, position=6)
    original.load_state_dict(state)
    reference = BalancedBatchSampler(
        LABELS, 4, class_counts=[3, 1], seed=0, num_replicas=2, rank=1
    )
    reference.set_epoch(2)
    expected = list(reference)
    with _two_ranks():
        injected = DistributedSampler(TensorDataset(torch.arange(40)))
        kwargs = getattr(original, "__pl_saved_kwargs")
        rebuilt = BalancedBatchSampler(**kwargs, sampler=injected)
        for args, restore in getattr(original, "__pl_attrs_record"):
            restore(rebuilt, *args)
        with pytest.warns(UserWarning, match="epoch 2 starts over"):
            assert list(rebuilt) == expected
        assert len(expected) == 5


# --- resume state machine ------------------------------------------------------


_MACHINE_KINDS = {
    "under": lambda: RebalanceSampler(LABELS, RandomUnderSampler(), seed=1),
    "shuffle-rank-1": lambda: RebalanceSampler(LABELS, seed=1, num_replicas=2, rank=1),
    "batches": lambda: BalancedBatchSampler(LABELS, 4, class_counts=[3, 1], seed=1),
}


class _ResumeMachine(stateful.RuleBasedStateMachine):
    """Iterate k items, break off, checkpoint (state_dict into a fresh
    sampler), pickle, set_epoch between iterations: the items handed out are
    the reference epochs (fresh samplers' ``set_epoch(e)``) from the model's
    ``(epoch, position)`` on. A broken-off iteration is where a checkpoint or
    a copy resumes; the sampler itself draws the next epoch, unless
    ``set_epoch`` of that epoch restarts it."""

    @stateful.initialize(kind=st.sampled_from(sorted(_MACHINE_KINDS)))
    def start(self, kind):
        self.make = _MACHINE_KINDS[kind]
        self.sampler = self.make()
        self.iterator = None
        self.broken = False
        self.epoch, self.position = 0, 0
        self.epochs = {}

    def reference(self, epoch):
        if epoch not in self.epochs:
            fresh = self.make()
            fresh.set_epoch(epoch)
            self.epochs[epoch] = [np.atleast_1d(i).tolist() for i in fresh]
        return self.epochs[epoch]

    def moved_on(self):
        """A new sampler object: at the model's position, nothing running."""
        self.iterator, self.broken = None, False
        if self.position == len(self.reference(self.epoch)):
            self.epoch, self.position = self.epoch + 1, 0

    @stateful.rule(k=st.integers(1, 25))
    def take(self, k):
        for _ in range(k):
            if self.iterator is None:
                if self.broken:
                    self.epoch, self.position = self.epoch + 1, 0
                    self.broken = False
                self.iterator = iter(self.sampler)
            expected = self.reference(self.epoch)
            item = next(self.iterator, None)
            if item is None:  # the epoch ran out
                assert self.position == len(expected)
                self.iterator = None
                self.epoch, self.position = self.epoch + 1, 0
                continue
            assert np.atleast_1d(item).tolist() == expected[self.position]
            self.position += 1

    @stateful.rule()
    def checkpoint(self):
        state = self.sampler.state_dict()
        assert (state["epoch"], state["position"]) in (
            (self.epoch, self.position),
            (self.epoch + 1, 0),  # the epoch ran out
        )
        self.sampler = self.make()
        self.sampler.load_state_dict(state)
        self.moved_on()

    @stateful.rule()
    def copy(self):
        self.sampler = pickle.loads(pickle.dumps(self.sampler))
        self.moved_on()

    @stateful.precondition(lambda self: self.iterator is not None)
    @stateful.rule()
    def break_off(self):
        self.iterator, self.broken = None, True

    @stateful.precondition(lambda self: self.iterator is None)
    @stateful.rule(offset=st.integers(0, 2))
    def set_epoch(self, offset):
        # the loop's set_epoch at an epoch's start (offset 0: the epoch the
        # sampler is in: kept where a restore left it, restarted when broken off)
        self.sampler.set_epoch(self.epoch + offset)
        if offset or self.broken:
            self.epoch, self.position = self.epoch + offset, 0
        self.broken = False


_ResumeMachine.TestCase.settings = hypothesis.settings(
    max_examples=40,
    stateful_step_count=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)
test_resume_state_machine = _ResumeMachine.TestCase


class _BatchReader(Dataset):
    """Reads a whole batch at once (``__getitems__``), as given."""

    def __len__(self):
        return len(LABELS)

    def __getitem__(self, i):
        return i

    def __getitems__(self, indices):
        return [int(i) for i in indices]


def _prepared(dataset, index_type, rank, batch_size=6):
    """The loader of ``rank`` of 2 processes, as HF Accelerate prepares it."""
    data_loader = pytest.importorskip("accelerate.data_loader")
    sampler = RebalanceSampler(LABELS, seed=0, num_replicas=1, rank=0)
    batches = IndexBatchSampler(sampler, batch_size, index_type=index_type)
    loader = DataLoader(dataset, batch_sampler=batches, collate_fn=list)
    return data_loader.prepare_data_loader(
        loader, num_processes=2, process_index=rank, put_on_device=False
    )


def test_accelerate_shards_of_numpy_batches_raise_the_clear_error():
    # BatchSamplerShard (no split_batches, last batches kept) collects the
    # first batches with ``initial_data += batch``: a numpy batch was added up
    # element-wise, and accelerate failed with "operands could not be
    # broadcast together" even when no batch needed padding (10 batches of 6).
    with pytest.raises(TypeError, match="Build it with index_type='list'"):
        list(_prepared(_BatchReader(), "numpy", 0))
    # tensors pass through it unharmed, as before
    full = [b.tolist() for b in IndexBatchSampler(RebalanceSampler(LABELS), 6)]
    assert len(full) == 10
    for rank in (0, 1):
        assert list(_prepared(_BatchReader(), "tensor", rank)) == full[rank::2]


@pytest.mark.parametrize("index_type", ["tensor", "list"])
def test_accelerate_shards_read_row_by_row_get_python_ints(index_type):
    # A loader prepared for 2 processes over a dataset read row by row: each
    # rank's batches as lists of Python ints (0-d tensors were a KeyError in
    # a dict-keyed dataset). Numpy batches are refused by name, see above.
    with pytest.raises(TypeError, match="Build it with index_type='list'"):
        list(_prepared(_KeyedRows(LABELS), "numpy", 0))
    full = [b.tolist() for b in IndexBatchSampler(RebalanceSampler(LABELS), 6)]
    for rank in (0, 1):
        got = [
            [row for row, _ in batch]
            for batch in _prepared(_KeyedRows(LABELS), index_type, rank)
        ]
        assert got == full[rank::2]


def test_iterated_from_a_thread_with_no_python_frame():
    # A thread started on a builtin (``list.extend``) drives the sampler from
    # C: no Python frame above the iteration ("call stack is not deep
    # enough" from the loader lookup, the epoch lost).
    import _thread
    import time

    for make in (
        lambda: RebalanceSampler(LABELS, seed=4),
        lambda: IndexBatchSampler(RebalanceSampler(LABELS, seed=4), 8),
    ):
        expected = [np.atleast_1d(i).tolist() for i in make()]
        sampler, got = make(), []
        _thread.start_new_thread(got.extend, (sampler,))
        deadline = time.monotonic() + 20  # bounded wait for the thread
        while len(got) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [np.atleast_1d(i).tolist() for i in got] == expected


def test_dataset_whose_len_raises_not_implemented():
    # An abstract base dataset's ``__len__`` raising NotImplementedError:
    # the loader needs no length with a sampler; the sampler's own check of
    # the dataset's size skips it, as for a dataset without __len__.
    class Abstract(Dataset):
        def __len__(self):
            raise NotImplementedError

        def __getitem__(self, i):
            return i

    loader = DataLoader(Abstract(), sampler=RebalanceSampler(LABELS), batch_size=8)
    got = torch.cat(list(loader)).tolist()
    assert got == list(RebalanceSampler(LABELS))
