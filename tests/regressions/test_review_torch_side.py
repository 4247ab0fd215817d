"""Regression tests for bugs found in a review of rebalance.torch (samplers, losses).

Each test fails on the code as reviewed and passes once the bug is fixed.
"""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import TensorDataset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
    sigmoid_focal_loss,
    softmax_focal_loss,
)

LABELS = np.array([0] * 30 + [1] * 10)


# --- Samplers: resume and copies ------------------------------------------------


def test_stateful_dataloader_checkpoint_after_last_batch_does_not_repeat_an_epoch():
    # Expected: a checkpoint taken after the last batch of epoch 0 (before the
    # loader raised StopIteration) resumes into an empty rest of epoch 0, as
    # torchdata's own samplers do, so the set_epoch loop sees epoch 1 once.
    sdl = pytest.importorskip("torchdata.stateful_dataloader")
    labels = torch.as_tensor(LABELS)
    dataset = TensorDataset(torch.arange(40), labels)

    def make():
        sampler = RebalanceSampler(labels, seed=0)
        return sampler, sdl.StatefulDataLoader(dataset, batch_size=4, sampler=sampler)

    sampler, loader = make()
    sampler.set_epoch(1)
    epoch1 = [ids.tolist() for ids, _ in loader]

    sampler, loader = make()
    sampler.set_epoch(0)
    iterator = iter(loader)
    for _ in range(len(loader)):  # every batch of epoch 0 consumed
        next(iterator)
    state = loader.state_dict()  # e.g. a step-based checkpoint

    sampler, loader = make()
    loader.load_state_dict(state)
    sampler.set_epoch(0)
    rest_of_epoch0 = [ids.tolist() for ids, _ in loader]
    sampler.set_epoch(1)
    resumed_epoch1 = [ids.tolist() for ids, _ in loader]
    assert rest_of_epoch0 == []
    assert resumed_epoch1 == epoch1


def test_sampler_state_after_every_item_was_handed_out_resumes_the_same_epoch():
    # Expected: state_dict() once all of epoch 0 was handed out (iterator not
    # yet exhausted) restores to "nothing left of epoch 0", so a training
    # loop's set_epoch(0) on resume does not replay the whole epoch.
    sampler = RebalanceSampler(LABELS, seed=0)
    iterator = iter(sampler)
    [next(iterator) for _ in range(len(sampler))]
    restored = RebalanceSampler(LABELS, seed=0)
    restored.load_state_dict(sampler.state_dict())
    restored.set_epoch(0)
    assert list(restored) == []


def test_hard_example_sampler_resume_uses_the_saved_seed_for_its_draw():
    # Expected: like RebalanceSampler and BalancedBatchSampler, a
    # HardExampleSampler loaded from a state saved with seed=7 yields the rest
    # of the seed-7 epoch (the wrapped sampler's draw follows the saved seed).
    saved = HardExampleSampler(RebalanceSampler(LABELS, seed=7))
    iterator = iter(saved)
    [next(iterator) for _ in range(5)]
    state = saved.state_dict()
    rest = list(iterator)
    restored = HardExampleSampler(RebalanceSampler(LABELS, seed=0))
    restored.load_state_dict(state)
    assert list(restored) == rest


@pytest.mark.parametrize(
    "make",
    [
        lambda: RebalanceSampler(LABELS, seed=0),
        lambda: BalancedBatchSampler(LABELS, 4, seed=0),
        lambda: IndexBatchSampler(RebalanceSampler(LABELS, seed=0), 4),
    ],
    ids=["rebalance", "balanced_batch", "index_batch"],
)
def test_set_epoch_after_an_abandoned_iteration_is_what_state_and_copies_see(make):
    # Expected: after breaking out of an epoch and calling set_epoch(3), the
    # sampler's next iteration is all of epoch 3, and state_dict() and a copy
    # (deepcopy, pickle, ddp_spawn) say so too, not "rest of epoch 0".
    sampler = make()
    iterator = iter(sampler)
    [next(iterator) for _ in range(5)]  # e.g. `break` / limit_train_batches
    sampler.set_epoch(3)
    state = sampler.state_dict()
    duplicate = copy.deepcopy(sampler)
    assert (state["epoch"], state["position"]) == (3, 0)
    ours = [np.asarray(item).tolist() for item in sampler]
    theirs = [np.asarray(item).tolist() for item in duplicate]
    assert theirs == ours


def test_balanced_batch_class_counts_as_an_integer_tensor():
    # Expected: class counts given as an int tensor (labels usually are one)
    # are accepted like the equal numpy array.
    labels = torch.as_tensor(LABELS)
    expected = list(BalancedBatchSampler(labels, 4, class_counts=np.array([3, 1])))
    got = list(BalancedBatchSampler(labels, 4, class_counts=torch.tensor([3, 1])))
    assert got == expected


# --- Focal losses -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
def test_focal_gradients_of_two_backward_calls_do_not_share_memory(kind):
    # Expected: two torch.autograd.grad calls through a retained graph return
    # tensors of their own (the first backward used to hand its saved buffer
    # to both), and writing into the first result, then calling backward
    # again, is a clear error, never a silently changed gradient.
    x = torch.randn(4, 3, requires_grad=True)
    if kind == "sigmoid":
        loss = sigmoid_focal_loss(x, (torch.rand(4, 3) < 0.5).float())
    else:
        loss = softmax_focal_loss(x, torch.tensor([0, 1, 2, 0]))
    (first,) = torch.autograd.grad(loss, x, retain_graph=True)
    (second,) = torch.autograd.grad(loss, x, retain_graph=True)
    assert first.data_ptr() != second.data_ptr()
    torch.testing.assert_close(second, first)
    expected = first.clone()
    second.zero_()
    (third,) = torch.autograd.grad(loss, x, retain_graph=True)
    torch.testing.assert_close(third, expected)
    first.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        torch.autograd.grad(loss, x)


def test_pos_weight_larger_than_the_logits_is_a_clear_value_error():
    # Expected: a pos_weight that broadcasts to a shape larger than the logits
    # raises the documented ValueError naming pos_weight (not a RuntimeError
    # from expand deep inside the kernel).
    with pytest.raises(ValueError, match="pos_weight"):
        sigmoid_focal_loss(torch.randn(3), torch.ones(3), pos_weight=torch.ones(4, 3))


def test_nan_binary_targets_are_rejected():
    # Expected: NaN float32 targets raise the documented ValueError, as they
    # already do with float64 logits, instead of a silent NaN loss (numba path).
    with pytest.raises(ValueError, match="target"):
        sigmoid_focal_loss(torch.randn(4), torch.tensor([0.0, 1.0, float("nan"), 0.0]))
