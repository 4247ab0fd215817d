"""Review 139, hardexample: ``HardExampleSampler`` and ``OHEMLoss`` / ``ohem_loss``.

Reviewed as a PyTorch user, against the docstrings and a hand-written top-k:
``HardExampleSampler.update`` with ids as int64/int32/uint8 tensors, lists,
tuples, numpy int16/uint64 arrays, pandas Series, lists of 0-d tensors;
negative, out-of-range, float, bool and string ids; NaN/inf/bool/complex
losses; duplicate ids; updates mid-epoch and between epochs; ``len()`` vs
the indices yielded (oversampling, DDP ``num_replicas``/``rank``,
``drop_last``); ``set_epoch``; seeds; pickling; ``state_dict`` through
``torch.save`` / ``torch.load(weights_only=True)`` mid-epoch and at an
epoch's end; DataLoader workers. ``ohem_loss`` / ``OHEMLoss``: ``top_k`` as
int/fraction/numpy/0-d tensor, ``threshold``, ``min_kept``, ``valid`` /
``ignore_index``, everything ignored, fewer rows than ``top_k``,
``return_indices``, gradients, K-dim segmentation losses, half/bfloat16,
criteria given as a Module, a function, a ``functools.partial`` and a
lambda, reduced criteria, pickling and ``repr``.

Found (strict xfail below):

* ``update()`` given losses as a list of 0-d tensors (``list(losses)``,
  ``torch.unbind``) crashes inside numpy/torch when they require grad
  (``RuntimeError: Can't call numpy() on Tensor that requires grad``) or are
  bfloat16 (``TypeError: Got unsupported ScalarType BFloat16``), where the
  same losses as one tensor are accepted; neither error names ``losses``.
* ``ohem_loss(..., valid=...)`` keeps an ignored sample (silently) when a
  valid loss is ``-inf``: ignored samples are ranked with key ``-inf`` too,
  and ``topk`` may pick them first.
* ``ohem_loss`` takes a 0-d (already reduced) loss, e.g.
  ``ohem_loss(F.cross_entropy(x, y), top_k=0.25)``, and returns it: OHEM
  silently becomes the plain mean. ``OHEMLoss`` refuses exactly that for
  its criterion.

Checked and fine (a few pinned below): id/loss validation before any
change, latest loss wins for duplicate ids, the running epoch replays the
pool it started with, DDP ranks are the slices of the single-process epoch,
workers change nothing, the state round trip resumes mid-epoch exactly,
OHEM equals a hand-written top-k (also K-dim with ``ignore_index``),
gradients reach the kept rows only, reduced criteria are refused.
"""

import functools
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    HardExampleSampler,
    OHEMLoss,
    RebalanceSampler,
    ohem_loss,
)

LABELS = torch.tensor([0] * 24 + [1] * 8)


def _sampler(**kwargs):
    return HardExampleSampler(
        RebalanceSampler(LABELS, seed=0, **kwargs), pool_size=4, replay_ratio=0.5
    )


# ------------------------------------------------------------ sampler bugs


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_update_takes_a_list_of_0d_loss_tensors(dtype):
    # The same losses as one tensor are accepted (detached, bfloat16 widened);
    # as a list (list(losses), torch.unbind, per-sample losses appended in a
    # loop) they reached np.asarray: RuntimeError "Can't call numpy() on
    # Tensor that requires grad" / TypeError "Got unsupported ScalarType
    # BFloat16", naming neither losses nor the fix.
    sampler = _sampler()
    losses = torch.tensor([1.0, 3.0], dtype=dtype, requires_grad=True)
    try:
        sampler.update(torch.tensor([5, 6]), list(losses))
    except (TypeError, ValueError) as error:  # a clear refusal is fine too
        assert "losses" in str(error)
    else:
        assert sampler.pool_ids.tolist() == [5, 6]
        assert sampler.pool_losses.tolist() == [1.0, 3.0]


# ------------------------------------------------------------ sampler pins


@pytest.mark.parametrize(
    "ids",
    [
        torch.tensor([1, -1]),
        torch.tensor([1, 32]),
        np.array([1, 2**64 - 1], dtype=np.uint64),
        torch.tensor([1.0, 2.0]),
        torch.tensor([True, False]),
    ],
)
def test_update_refuses_bad_ids_before_touching_the_pool(ids):
    sampler = _sampler()
    sampler.update([3, 4], [1.0, 2.0])
    with pytest.raises((TypeError, ValueError), match="indices"):
        sampler.update(ids, torch.tensor([5.0, 6.0]))
    assert sampler.pool_ids.tolist() == [3, 4]
    assert sampler.pool_losses.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_update_refuses_non_finite_losses(bad):
    sampler = _sampler()
    with pytest.raises(ValueError, match="losses must be finite"):
        sampler.update([1, 2], torch.tensor([1.0, bad]))
    assert sampler.pool_ids.shape == (0,)


def test_update_keeps_latest_loss_of_duplicates_and_the_hardest():
    sampler = _sampler()
    sampler.update(
        torch.tensor([5, 5, 1, 2, 3], dtype=torch.int32),
        torch.tensor([9.0, 0.5, 4.0, 3.0, 2.0], dtype=torch.bfloat16),
    )
    assert dict(zip(sampler.pool_ids.tolist(), sampler.pool_losses.tolist())) == {
        1: 4.0,
        2: 3.0,
        3: 2.0,
        5: 0.5,
    }
    sampler.update(np.array([7], dtype=np.uint8), [8.0])  # 5 (0.5) drops out
    assert sorted(sampler.pool_ids.tolist()) == [1, 2, 3, 7]


def test_workers_ddp_and_state_round_trip(tmp_path):
    def epochs(num_workers):
        sampler = _sampler()
        loader = DataLoader(
            TensorDataset(torch.arange(32)),
            batch_size=8,
            sampler=sampler,
            num_workers=num_workers,
        )
        out = []
        for epoch in range(2):
            sampler.set_epoch(epoch)
            for (ids,) in loader:
                out += ids.tolist()
                sampler.update(ids, (ids % 7).float())
        return out, sampler

    plain, sampler = epochs(0)
    assert epochs(2)[0] == plain
    assert len(plain) == 2 * len(sampler)
    # DDP ranks sharing one pool interleave to the single-process epoch.
    ids, losses = torch.tensor([30, 31, 0, 1]), torch.tensor([1.0, 2.0, 3.0, 4.0])
    whole = _sampler()
    whole.update(ids, losses)
    whole.set_epoch(2)
    ranks = []
    for rank in range(3):
        part = _sampler(num_replicas=3, rank=rank)
        part.update(ids, losses)
        part.set_epoch(2)
        ranks.append(list(part))
        assert len(ranks[-1]) == len(part) == 16
    assert [ranks[i % 3][i // 3] for i in range(48)] == list(whole)
    # Mid-epoch state through torch.save / torch.load(weights_only=True).
    sampler.set_epoch(3)
    it = iter(sampler)
    head = [next(it) for _ in range(10)]
    path = tmp_path / "sampler.pt"
    torch.save(sampler.state_dict(), path)
    sampler.update([0, 1, 2, 3], [50.0, 50.0, 50.0, 50.0])  # after the save
    tail = list(it)
    resumed = _sampler()
    resumed.load_state_dict(torch.load(path, weights_only=True))
    assert list(resumed) == tail
    assert len(head + tail) == len(sampler)


# ------------------------------------------------------------ OHEM bugs


@pytest.mark.parametrize("top_k", [1, 1.0])
def test_ohem_never_keeps_an_ignored_sample(top_k):
    # Ignored samples are ranked with key -inf, the same as a valid -inf loss
    # (a log-likelihood criterion), and topk took the ignored one: its loss 5
    # was the result and its position was returned, silently.
    losses = torch.tensor([5.0, -math.inf])
    valid = torch.tensor([False, True])
    loss, idx = ohem_loss(losses, top_k=top_k, valid=valid, return_indices=True)
    assert idx.tolist() == [1]
    assert loss.item() == -math.inf


def test_ohem_loss_refuses_an_already_reduced_loss():
    # OHEMLoss refuses a criterion left at reduction='mean' ("would make OHEM
    # the plain mean, silently"); the function took the same 0-d loss and
    # returned it unchanged.
    logits = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    with pytest.raises(ValueError, match="reduction='none'"):
        ohem_loss(F.cross_entropy(logits, target), top_k=0.25)


# ------------------------------------------------------------ OHEM pins


def test_ohem_segmentation_equals_hand_top_k_and_grads_kept_rows_only():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(2, 4, 5, 6, generator=g, requires_grad=True)
    target = torch.randint(0, 4, (2, 5, 6), generator=g)
    target[0, 0] = 255
    valid = target != 255
    per = F.cross_entropy(logits, target, reduction="none", ignore_index=255)
    k = math.ceil(0.25 * int(valid.sum()))
    hand = per[valid].detach().topk(k).values.mean()
    criterion = OHEMLoss(
        nn.CrossEntropyLoss(reduction="none", ignore_index=255),
        top_k=0.25,
        ignore_index=255,
        return_indices=True,
    )
    loss, idx = criterion(logits, target)
    assert torch.allclose(loss, hand)
    assert bool(valid.reshape(-1)[idx].all()) and idx.numel() == k
    loss.backward()
    touched = logits.grad.abs().sum(1).reshape(-1) > 0
    assert sorted(touched.nonzero().flatten().tolist()) == sorted(idx.tolist())


@pytest.mark.parametrize(
    "criterion",
    [
        nn.CrossEntropyLoss(),
        F.cross_entropy,
        functools.partial(F.cross_entropy, reduction="sum"),
    ],
)
def test_ohem_refuses_a_reduced_criterion(criterion):
    logits, target = torch.randn(8, 3), torch.randint(0, 3, (8,))
    with pytest.raises(ValueError, match="reduction='none'"):
        OHEMLoss(criterion, top_k=3)(logits, target)


def test_ohem_half_threshold_and_fewer_rows_than_top_k():
    losses = torch.tensor([1.0, 3.0, 2.0, 0.5], dtype=torch.half)
    loss, idx = ohem_loss(losses, top_k=2, return_indices=True)
    assert loss.dtype == torch.half and loss.item() == 2.5 and idx.tolist() == [1, 2]
    assert ohem_loss(losses, top_k=100).item() == pytest.approx(1.625)
    loss, idx = ohem_loss(losses, threshold=5.0, min_kept=2, return_indices=True)
    assert idx.tolist() == [1, 2]
    ignored = OHEMLoss(top_k=3, return_indices=True)
    loss, idx = ignored(torch.randn(4, 3), torch.full((4,), -100))
    assert loss.item() == 0.0 and idx.numel() == 0
