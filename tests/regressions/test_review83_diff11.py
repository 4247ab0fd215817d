"""Review 83 (diff11): review of 35c6a13, 0cd2439 and 7ddc763 (rebalance/):
HardExampleSampler's live pool tensors that now start with no capacity."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402

LABELS = np.array([0] * 30 + [1] * 10)


def _grow_after_queue() -> None:
    import os

    import torch.multiprocessing as mp

    sampler = HardExampleSampler(RebalanceSampler(LABELS, seed=0), pool_size=8)
    sampler.update(torch.tensor([1, 2]), torch.tensor([0.5, 0.75]))
    queue = mp.get_context("fork").SimpleQueue()
    queue.put(sampler.state_dict())  # e.g. to a checkpoint-writer process
    queue.get()
    sampler.update(torch.tensor([3, 4, 5]), torch.tensor([0.9, 0.1, 0.2]))
    os._exit(0 if sorted(sampler.pool_ids.tolist()) == [1, 2, 3, 4, 5] else 3)


def test_update_after_state_sent_through_a_torch_multiprocessing_queue():
    import multiprocessing

    # In a forked child: the crash kills the process, not pytest.
    child = multiprocessing.get_context("fork").Process(target=_grow_after_queue)
    child.start()
    child.join(60)
    assert child.exitcode == 0  # -11 (SIGSEGV) now


def test_state_follows_the_pool_after_a_numpy_copy_of_it():
    sampler = HardExampleSampler(RebalanceSampler(LABELS, seed=0), pool_size=8)
    sampler.update(torch.tensor([1, 2]), torch.tensor([0.5, 0.75]))
    state = sampler.state_dict()
    logged = np.array(state["pool_ids"])  # a copy, e.g. for logging
    logged[:] = -1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler.update(torch.tensor([3, 4, 5]), torch.tensor([0.9, 0.1, 0.2]))
    assert sorted(state["pool_ids"].tolist()) == [1, 2, 3, 4, 5]


def test_pool_inputs_are_copied_and_converted():
    # Checked (passes): bfloat16 losses, int32 non-contiguous ids, numpy and
    # list inputs; the caller's tensors stay resizable and unchanged.
    sampler = HardExampleSampler(RebalanceSampler(LABELS, seed=0), pool_size=8)
    state = sampler.state_dict()
    ids = torch.arange(20, dtype=torch.int32)[::3]
    losses = torch.linspace(0, 1, 7).to(torch.bfloat16)
    sampler.update(ids, losses)
    assert sampler.pool_ids.tolist() == list(range(0, 20, 3))
    assert sampler.pool_losses.tolist() == losses.float().tolist()
    assert state["pool_ids"].tolist() == list(range(0, 20, 3))
    ids.resize_(100)  # not pinned by a numpy view
    sampler.update(np.array([1, 2], dtype=np.int32), [3.0, 4.0])
    assert sorted(state["pool_ids"].tolist()) == [1, 2, 3, 6, 9, 12, 15, 18]
