"""Review 36 (torch samplers, fuzzed): copies and states taken at an epoch's end."""

import copy
import itertools
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
)

LABELS = np.array([0] * 30 + [1] * 10)


def _items(sampler):
    return [np.asarray(item).tolist() for item in sampler]


_MAKERS = {
    "rebalance": lambda: RebalanceSampler(LABELS, seed=0),
    "balanced_batch": lambda: BalancedBatchSampler(LABELS, 4, seed=0),
    "hard_example": lambda: HardExampleSampler(RebalanceSampler(LABELS, seed=0)),
    "index_batch": lambda: IndexBatchSampler(RebalanceSampler(LABELS, seed=0), 5),
}


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("kind", list(_MAKERS))
def test_copy_taken_once_every_item_was_handed_out_starts_the_next_epoch(kind, how):
    # Every item of epoch 0 handed out, the iterator not yet exhausted (the
    # loader is on its last batch), then the sampler is copied (torch.save of
    # the sampler in a checkpoint, ddp_spawn). Before: the copy's next
    # iteration was the empty rest of epoch 0, where the original, and a
    # sampler restored from its state_dict(), go on with epoch 1; a loop that
    # starts iterating before its set_epoch(1) (Lightning; DataLoader workers
    # draw at iter()) trained an empty epoch.
    make = _MAKERS[kind]
    original = make()
    iterator = iter(original)
    list(itertools.islice(iterator, len(original)))
    duplicate = (
        copy.deepcopy(original)
        if how == "deepcopy"
        else pickle.loads(pickle.dumps(original))
    )
    restored = make()
    restored.load_state_dict(original.state_dict())
    assert list(iterator) == []
    epoch1 = _items(original)
    assert _items(restored) == epoch1
    assert _items(duplicate) == epoch1


@pytest.mark.parametrize("kind", list(_MAKERS))
def test_copy_at_an_epochs_end_iterated_before_set_epoch_gives_the_next_epoch(kind):
    # Lightning's order on resume: iter(loader) first (workers draw at once:
    # here the first next()), then set_epoch(1).
    make = _MAKERS[kind]
    original = make()
    iterator = iter(original)
    list(itertools.islice(iterator, len(original)))
    duplicate = copy.deepcopy(original)
    reference = make()
    reference.set_epoch(1)
    epoch1 = _items(reference)
    resumed = iter(duplicate)
    first = np.asarray(next(resumed)).tolist()
    duplicate.set_epoch(1)
    assert [first, *_items(resumed)] == epoch1
    # ...and a loop that resumes in the saved epoch gets nothing more of it.
    again = copy.deepcopy(original)
    again.set_epoch(0)
    assert _items(again) == []
    assert _items(again) == epoch1


def test_copy_at_an_epochs_end_with_loader_workers_trains_the_next_epoch():
    sampler = RebalanceSampler(LABELS, seed=0)
    iterator = iter(sampler)
    list(itertools.islice(iterator, len(sampler)))
    duplicate = copy.deepcopy(sampler)
    reference = RebalanceSampler(LABELS, seed=0)
    reference.set_epoch(1)
    epoch1 = list(reference)
    expected = [epoch1[i : i + 4] for i in range(0, len(epoch1), 4)]
    dataset = TensorDataset(torch.arange(len(LABELS)))
    loader = DataLoader(dataset, sampler=duplicate, batch_size=4, num_workers=1)
    loader.timeout = 60
    batches = iter(loader)  # the worker draws now
    duplicate.set_epoch(1)
    assert [ids.tolist() for (ids,) in batches] == expected


def test_hard_example_copy_at_an_epochs_end_replays_the_pool_of_now():
    # The copy's next epoch replays from the pool as it is when copied (the
    # last batch's losses included), as the original's next epoch does.
    labels = np.array([0] * 12 + [1] * 4)

    def make():
        return HardExampleSampler(
            RebalanceSampler(labels, seed=0), pool_size=2, replay_ratio=0.5
        )

    original = make()
    original.update([0, 1], [5.0, 4.0])
    original.set_epoch(1)
    iterator = iter(original)
    list(itertools.islice(iterator, len(original)))
    original.update([14, 15], [9.0, 8.0])  # the last batch's losses
    duplicate = copy.deepcopy(original)
    list(iterator)
    epoch2 = list(original)
    assert list(duplicate) == epoch2


@pytest.mark.parametrize("kind", ["rebalance", "balanced_batch", "hard_example"])
def test_state_saved_again_after_resuming_in_the_finished_epoch_replays_nothing(kind):
    # A job restored at an epoch's end, whose loop calls set_epoch(0) (the
    # epoch it saved in) and is checkpointed again before iterating: before,
    # that second state had previous_finished=False, and a job resumed from
    # it replayed all of epoch 0 on set_epoch(0).
    make = _MAKERS[kind]
    first = make()
    first.set_epoch(0)
    list(first)
    saved = first.state_dict()
    epoch1 = _items(first)
    second = make()
    second.load_state_dict(saved)
    second.set_epoch(0)
    state = second.state_dict()
    assert state["previous_finished"] is True
    third = make()
    third.load_state_dict(state)
    third.set_epoch(0)
    assert _items(third) == []
    assert _items(third) == epoch1
    # The sampler that saved it, and a copy of it, behave the same.
    duplicate = copy.deepcopy(second)
    assert _items(second) == []
    assert _items(second) == epoch1
    assert _items(duplicate) == []
    assert _items(duplicate) == epoch1
