"""Review 84, statefuzz: interrupted-and-resumed sampler runs against
uninterrupted ones (fuzzer: /tmp/review84/statefuzz/fuzz.py)."""

import copy
import pickle
import warnings

import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader  # noqa: E402

from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402

LABELS = torch.tensor([0] * 6 + [1] * 2)


def _copies():
    return [copy.deepcopy, lambda s: pickle.loads(pickle.dumps(s))]


@pytest.mark.parametrize("hard", [False, True])
def test_copy_after_epoch_ran_out_does_what_the_original_does(hard):
    # Review 84 made such a copy resume as a restored state (nothing more of
    # the epoch after set_epoch(e)); review 85 found that a ddp_spawn child
    # then lost a whole epoch 0 (the parent had looked at a batch of a short
    # epoch): the copy does what the original does, and a checkpoint resumes
    # through state_dict() / load_state_dict().
    def make():
        base = RebalanceSampler(LABELS, seed=0)
        return HardExampleSampler(base, pool_size=2) if hard else base

    sampler = make()
    sampler.set_epoch(0)
    received = [b.tolist() for b in DataLoader(range(8), sampler=sampler, batch_size=5)]
    assert sum(map(len, received)) == len(sampler)  # the whole epoch
    restored = make()
    restored.load_state_dict(sampler.state_dict())
    restored.set_epoch(0)
    assert list(restored) == []  # the documented resume: nothing more of 0
    for make_copy in _copies():
        copied = make_copy(sampler)
        copied.set_epoch(0)
        sampler.set_epoch(0)
        assert list(copied) == list(sampler) != []


def test_copy_during_read_ahead_warns_or_keeps_rows():
    sampler = RebalanceSampler(LABELS, seed=0)
    sampler.set_epoch(0)
    loader = DataLoader(
        range(8),
        sampler=sampler,
        batch_size=2,
        num_workers=1,
        multiprocessing_context="fork",
        prefetch_factor=2,
    )
    it = iter(loader)
    received = next(it).tolist()
    assert it._send_idx - it._rcvd_idx > 0  # workers hold undelivered batches
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        copied = pickle.loads(pickle.dumps(sampler))
    del it
    copied.set_epoch(0)
    rest = list(copied)
    whole = list(RebalanceSampler(LABELS, seed=0))
    assert caught or received + rest == whole
