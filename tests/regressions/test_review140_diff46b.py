"""Review 140, diff46b: the lead's changes 7385faf..d02bea6 to rebalance/torch,
rebalance/_frames.py and rebalance/compose.py.

How: by hand with scripts, then the findings below as tests.

* ``_deprecations.pass_through`` / ``_caller_level``: ``targets=`` of
  ``sigmoid_focal_loss``, ``class_weighted_binary_cross_entropy`` and the
  ``forward`` of their Modules (and the deprecated class names) name the
  user's line when called directly, through ``functools.partial``, inside
  ``torch.no_grad()``, inside another Module's ``forward`` and under
  ``torch.func.vmap``: no bug (pinned).
* ``binary_shape_message`` for 1-D to 5-D logits and targets of float,
  bool, int64/int32/int16/int8/uint8: the channels-last, one-hot and
  view_as hints work when followed. Bugs: a flattened target ((N*C,) for
  (N, C) logits) gets "12 labels for 12 logits", no fix; a (1, N) target
  for (N, 1) logits is told a reshape would mix its labels (it would not).
* ``ohem_loss`` / ``OHEMLoss``: the 0-d refusal works; ignored samples rank
  below valid -inf losses in float16/bfloat16/float32/float64, NaN losses,
  all ignored and the gradients are right. Bugs: ``OHEMLoss.forward``'s new
  unbatched reshape is never reached (a criterion's 0-d loss for (C,) logits
  is refused with "give it reduction='none'", which it has); the clamp makes
  a valid -inf loss count as above a threshold below the dtype's min (the
  result then differs from the same call without ``valid``).
* ``samplers._as_numpy``: lists/tuples of 0-d tensors, ``unbind``, mixed
  dtypes, empty lists work; different shapes/devices name the argument.
  Bug: a list of Python floats and tensors mixed fails with torch's or
  numpy's own error when a tensor requires grad or is bfloat16.
* ``check_compressed`` for BSR and LIL (and compose's call before
  ``tocsr``): valid LIL (numpy int columns, empty rows, 0 rows), BSR, DOK
  pass; malformed ones give a ValueError naming X. Bug: a LIL whose row
  holds a nested list of columns passes the check and scipy raises
  "TypeError: an integer is required". A LIL of 10**5 rows is checked in
  about 0.09 s (tocsr: 0.01 s).
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance._frames import check_compressed  # noqa: E402
from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402
from rebalance.torch.losses import (  # noqa: E402
    OHEMLoss,
    SigmoidFocalLoss,
    ohem_loss,
    sigmoid_focal_loss,
)


def _warned_at(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [(w.filename, w.lineno) for w in caught if w.category is FutureWarning]


def test_targets_deprecation_names_the_users_line_through_wrappers():
    logits, target = torch.randn(4), torch.tensor([1.0, 0.0, 1.0, 0.0])
    partial = functools.partial(sigmoid_focal_loss, gamma=2.0)
    module = SigmoidFocalLoss()

    class Outer(torch.nn.Module):
        def forward(self, a, b):
            return module(a, targets=b)

    def in_no_grad():
        with torch.no_grad():
            return sigmoid_focal_loss(logits, targets=target)

    for call in (
        lambda: partial(logits, targets=target),
        lambda: module(logits, targets=target),
        lambda: Outer()(logits, target),
        in_no_grad,
    ):
        ((filename, _),) = _warned_at(call)
        assert filename == __file__


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8])
def test_one_hot_hint_works_when_followed(dtype):
    logits = torch.randn(2, 3, 4, 5)
    target = torch.randint(0, 3, (2, 4, 5)).to(dtype)
    with pytest.raises(ValueError, match="one_hot") as info:
        sigmoid_focal_loss(logits, target)
    fixed = eval(str(info.value).split("e.g. ")[1], {"F": F, "target": target})
    assert torch.equal(fixed.argmax(1), target.long())
    sigmoid_focal_loss(logits, fixed)


def test_flattened_target_message_is_not_self_contradictory():
    with pytest.raises(ValueError) as info:
        sigmoid_focal_loss(torch.randn(4, 3), torch.ones(12))
    assert "12 labels for 12 logits" not in str(info.value)


def test_transposed_ones_target_is_not_said_to_mix_labels():
    with pytest.raises(ValueError) as info:
        sigmoid_focal_loss(torch.randn(4, 1), torch.ones(1, 4))
    assert "mix the labels" not in str(info.value)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_ignored_ranks_below_valid_minus_inf(dtype):
    losses = torch.tensor([-math.inf, 5.0, 1.0, -math.inf], dtype=dtype)
    losses.requires_grad_(True)
    valid = torch.tensor([True, False, True, False])
    loss, idx = ohem_loss(losses, top_k=2, valid=valid, return_indices=True)
    assert idx.tolist() == [2, 0]
    assert loss.item() == -math.inf


@pytest.mark.parametrize("label", [1, -100])
def test_ohem_module_takes_unbatched_sample(label):
    criterion = torch.nn.CrossEntropyLoss(reduction="none")
    module = OHEMLoss(criterion=criterion, top_k=1, ignore_index=-100)
    logits, target = torch.randn(3), torch.tensor(label)
    expected = 0.0 if label == -100 else F.cross_entropy(logits, target).item()
    assert module(logits, target).item() == pytest.approx(expected)


def test_threshold_below_dtype_min_same_with_valid():
    losses = torch.tensor([-math.inf, 1.0, 0.5])
    _, alone = ohem_loss(losses, threshold=-1e300, return_indices=True)
    _, masked = ohem_loss(
        losses,
        threshold=-1e300,
        valid=torch.ones(3, dtype=torch.bool),
        return_indices=True,
    )
    assert masked.tolist() == alone.tolist()


def _sampler():
    return HardExampleSampler(RebalanceSampler(np.array([0, 1] * 10), seed=0))


def test_update_takes_list_of_0d_tensors():
    sampler = _sampler()
    losses = torch.tensor([0.5, 2.0, 1.0], requires_grad=True) * 1
    sampler.update(list(torch.tensor([0, 3, 5])), list(losses))
    assert sampler.pool_losses.tolist() == [0.5, 2.0, 1.0]
    with pytest.raises(ValueError, match="losses is a list of tensors"):
        sampler.update([0, 3], [torch.tensor(0.5), torch.tensor([2.0])])


@pytest.mark.parametrize("kind", ["grad", "bfloat16"])
def test_update_takes_floats_mixed_with_tensors(kind):
    if kind == "grad":
        middle = (torch.tensor([2.0], requires_grad=True) * 1)[0]
    else:
        middle = torch.tensor(2.0, dtype=torch.bfloat16)
    sampler = _sampler()
    try:
        sampler.update([0, 3, 5], [0.5, middle, 1.0])
    except (TypeError, ValueError) as exc:
        assert "losses" in str(exc)
    else:
        assert sampler.pool_losses.tolist() == [0.5, 2.0, 1.0]


def _lil(rows, data, shape=(4, 3)):
    matrix = sp.lil_matrix(shape)
    matrix.rows = np.empty(len(rows), dtype=object)
    matrix.data = np.empty(len(data), dtype=object)
    for i, (r, d) in enumerate(zip(rows, data)):
        matrix.rows[i], matrix.data[i] = r, d
    return matrix


def test_valid_lil_bsr_dok_pass_and_malformed_refused():
    for good in (
        _lil([[np.int64(0)], [], [np.int32(2)], [1, 2]], [[1.0], [], [2.0], [3, 4]]),
        sp.lil_matrix((0, 3)),
        sp.bsr_matrix(np.arange(16.0).reshape(4, 4), blocksize=(2, 2)),
        sp.dok_matrix(np.eye(4, 3)),
    ):
        check_compressed(good, "X")
    bad = sp.bsr_matrix((4, 4), blocksize=(2, 2))
    bad.data = np.ones((2, 3, 3))
    bad.indices, bad.indptr = np.array([0, 1]), np.array([0, 1, 2])
    for malformed in (
        _lil([[5], [], [], []], [[1.0], [], [], []]),
        _lil([[0, 1], [], [], []], [[1.0], [], [], []]),
        bad,
    ):
        with pytest.raises(ValueError, match="X is a malformed"):
            check_compressed(malformed, "X")


def test_lil_nested_column_list_refused():
    with pytest.raises(ValueError, match="X is a malformed LIL"):
        check_compressed(_lil([[[0]], [], [], []], [[1.0], [], [], []]), "X")
