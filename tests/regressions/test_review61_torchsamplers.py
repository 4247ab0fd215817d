"""Review 61, torch samplers: a new PyTorch user's journeys.

Most journeys (Subset/ConcatDataset labels, rank splits, workers, resume
with StatefulDataLoader, pickling) were already right and are pinned by
earlier reviews; the tests here pin the messages fixed in this round and a
few of the journeys checked end to end.
"""

from __future__ import annotations

import copy
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import (  # noqa: E402
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    random_split,
)

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    RebalancedLoader,
    RebalanceSampler,
)

LABELS = [0] * 12 + [1] * 4


class _Rows(Dataset):
    """A dataset whose labels are in an attribute RebalancedLoader does not
    look for (so labels_from is needed)."""

    def __init__(self):
        self.classes_of_rows = np.array(LABELS)

    def __len__(self):
        return len(LABELS)

    def __getitem__(self, i):
        return i


def _messages(exc: BaseException) -> str:
    return " ".join([str(exc), *getattr(exc, "__notes__", [])])


def _split():
    return random_split(_Rows(), [12, 4], generator=torch.Generator().manual_seed(0))


def test_labels_from_failing_on_a_subset_says_it_got_the_split():
    # Fixed: a labels_from written for the full data set failed on skorch's /
    # random_split's Subset with a bare AttributeError.
    make = RebalancedLoader(labels_from=lambda d: d.classes_of_rows)
    assert len(list(make(_Rows(), batch_size=4))) == 6  # the full set works
    train, _ = _split()
    with pytest.raises(AttributeError) as info:
        make(train, batch_size=4)
    message = _messages(info.value)
    assert "classes_of_rows" in message  # the user's own error is kept
    assert "labels_from was called with a Subset" in message
    assert "d.indices" in message


def test_labels_from_failing_on_a_concat_dataset_says_so():
    make = RebalancedLoader(labels_from=lambda d: d.classes_of_rows)
    with pytest.raises(AttributeError) as info:
        make(ConcatDataset([_Rows(), _Rows()]), batch_size=4)
    assert "called with a ConcatDataset" in _messages(info.value)


def test_labels_from_returning_the_parents_labels_names_the_subset():
    # Fixed: the count error did not say the labels were the parent's.
    make = RebalancedLoader(
        labels_from=lambda d: getattr(d, "dataset", d).classes_of_rows
    )
    train, _ = _split()
    with pytest.raises(ValueError, match="16 labels for a data set of 12") as info:
        make(train, batch_size=4)
    assert "called with a Subset" in str(info.value)


def test_labels_from_errors_on_a_plain_dataset_are_left_as_they_are():
    def broken(dataset):
        raise KeyError("label")

    with pytest.raises(KeyError) as info:
        RebalancedLoader(labels_from=broken)(_Rows(), batch_size=4)
    assert not getattr(info.value, "__notes__", None)
    assert "called with" not in str(info.value)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes")
def test_labels_from_note_keeps_the_exception_object():
    class Odd(AttributeError):
        pass

    def broken(dataset):
        raise Odd("custom")

    train, _ = _split()
    with pytest.raises(Odd):
        RebalancedLoader(labels_from=broken)(train, batch_size=4)


def test_a_subset_is_sampled_by_its_own_labels_through_the_loader():
    # Journey: a permuted Subset (same length as its parent would hide a
    # sampler built on the parent's labels); RebalancedLoader reads the
    # subset's rows' labels.
    labels = torch.tensor(LABELS)
    dataset = TensorDataset(torch.arange(16), labels)
    rows = [15, 14, 0, 1, 2, 3, 4, 5, 13]  # 3 of class 1, 6 of class 0
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(
        Subset(dataset, rows), batch_size=4
    )
    ids = torch.cat([i for i, _ in loader])
    assert labels[ids].bincount().tolist() == [3, 3]
    assert set(ids.tolist()) <= set(rows)


def test_epochs_change_without_set_epoch_and_match_set_epoch():
    labels = torch.tensor(LABELS)
    free = RebalanceSampler(labels, seed=0)
    drawn = [list(free) for _ in range(3)]
    asked = RebalanceSampler(labels, seed=0)
    expected = []
    for epoch in range(3):
        asked.set_epoch(epoch)
        expected.append(list(asked))
    assert drawn == expected
    assert len({tuple(d) for d in drawn}) == 3


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("num_replicas", [2, 3, 5])
def test_ranks_interleave_to_the_single_process_draw(num_replicas, drop_last):
    labels = [0] * 9 + [1] * 4  # 8 undersampled indices: not a multiple of 3, 5
    full = list(RebalanceSampler(labels, RandomUnderSampler(), seed=3))
    parts = [
        list(
            RebalanceSampler(
                labels,
                RandomUnderSampler(),
                seed=3,
                num_replicas=num_replicas,
                rank=rank,
                drop_last=drop_last,
            )
        )
        for rank in range(num_replicas)
    ]
    assert len({len(p) for p in parts}) == 1
    woven = [p[i] for i in range(len(parts[0])) for p in parts]
    if drop_last:
        assert woven == full[: len(woven)]
    else:
        assert woven[: len(full)] == full  # the rest wraps around to the start
        assert woven[len(full) :] == full[: len(woven) - len(full)]


def test_hard_example_copy_mid_epoch_replays_the_epochs_own_pool():
    labels = torch.tensor(LABELS)

    def make():
        sampler = HardExampleSampler(
            RebalanceSampler(labels, seed=0), pool_size=2, replay_ratio=0.5
        )
        sampler.update([1, 2], [1.0, 2.0])
        return sampler

    full = list(make())
    sampler = make()
    it = iter(sampler)
    head = [next(it) for _ in range(7)]
    sampler.update([5, 6], [9.0, 9.0])  # mid-epoch: for the next epoch
    assert head + list(copy.deepcopy(sampler)) == full
    assert head + list(it) == full


def test_balanced_batches_through_a_loader_twice_are_two_epochs():
    labels = torch.tensor(LABELS)
    batches = BalancedBatchSampler(labels, 4, seed=0)
    loader = DataLoader(TensorDataset(torch.arange(16), labels), batch_sampler=batches)
    first = [ids.tolist() for ids, _ in loader]
    second = [ids.tolist() for ids, _ in loader]
    assert len(first) == len(second) == len(batches)
    assert first != second


@pytest.mark.parametrize("kind", ["rebalance", "hard_example"])
def test_an_index_sampler_given_as_batch_sampler_names_the_fix(kind):
    # Fixed: DataLoader(dataset, batch_sampler=RebalanceSampler(...)) failed
    # with a bare "TypeError: 'int' object is not iterable".
    labels = torch.tensor(LABELS)
    sampler = RebalanceSampler(labels)
    if kind == "hard_example":
        sampler = HardExampleSampler(sampler)
    loader = DataLoader(TensorDataset(torch.arange(16), labels), batch_sampler=sampler)
    with pytest.raises(TypeError, match="batch_sampler=IndexBatchSampler") as info:
        next(iter(loader))
    assert "yields one dataset index at a time" in str(info.value)


def test_index_sampler_forms_a_loader_accepts_still_work():
    from rebalance.torch import IndexBatchSampler

    labels = torch.tensor(LABELS)
    dataset = TensorDataset(torch.arange(16), labels)
    one_by_one = DataLoader(dataset, sampler=RebalanceSampler(labels), batch_size=None)
    assert len(list(one_by_one)) == 24
    batches = IndexBatchSampler(RebalanceSampler(labels), 5)
    assert len(list(DataLoader(dataset, batch_sampler=batches))) == 5
    balanced = BalancedBatchSampler(labels, 4)
    assert len(list(DataLoader(dataset, batch_sampler=balanced))) == 6


def test_torch_seed_and_loader_generator_leave_the_draw_alone():
    # As the seed parameter now documents: seed is the only randomness.
    labels = torch.tensor(LABELS)
    dataset = TensorDataset(torch.arange(16), labels)
    epochs = []
    for torch_seed in (1, 2):
        torch.manual_seed(torch_seed)
        loader = DataLoader(
            dataset,
            batch_size=5,
            sampler=RebalanceSampler(labels, seed=0),
            generator=torch.Generator().manual_seed(torch_seed),
        )
        epochs.append(torch.cat([ids for ids, _ in loader]).tolist())
    assert epochs[0] == epochs[1]
    assert epochs[0] != list(RebalanceSampler(labels, seed=1))
