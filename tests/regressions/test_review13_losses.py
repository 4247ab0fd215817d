"""Review 13: bugs found in the torch losses (rebalance.torch.losses).

Every test here fails on the code as reviewed; each is named after its bug.
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch.losses import (  # noqa: E402
    OHEMLoss,
    class_scaled_cross_entropy,
    class_weighted_binary_cross_entropy,
    class_weighted_cross_entropy,
    logit_adjusted_cross_entropy,
    margin_cross_entropy,
    ohem_loss,
    sigmoid_focal_loss,
    softmax_focal_loss,
)

# --------------------------------------------------------------------------
# 1. uint16 / uint32 / uint64 class indices crash in the host range check
#    (torch.aminmax has no kernel for them); softmax_focal_loss, which casts
#    to int64 first, takes them.
# --------------------------------------------------------------------------
_LOGITS = torch.tensor(
    [[1.0, 0.0, -1.0, 0.5], [0.2, 0.1, 0.0, 2.0], [0.0, 1.5, 0.3, -0.2]]
)
_TARGET = torch.tensor([0, 3, 1])


@pytest.mark.parametrize("dtype", ["uint16", "uint32", "uint64"])
@pytest.mark.parametrize(
    "loss",
    [
        lambda x, t: class_weighted_cross_entropy(x, t, [1.0, 1.0, 1.0, 1.0]),
        lambda x, t: logit_adjusted_cross_entropy(x, t, [1.0, 1.0, 1.0, 1.0]),
        lambda x, t: class_scaled_cross_entropy(x, t, class_index=0, scale=1.0),
        lambda x, t: margin_cross_entropy(x, t, margin=1.0),
        lambda x, t: OHEMLoss(top_k=3)(x, t),
    ],
    ids=["class_weighted_ce", "logit_adjusted", "class_scaled", "margin", "ohem"],
)
def test_unsigned_wide_class_targets_crash_in_aminmax(loss, dtype):
    target = _TARGET.to(getattr(torch, dtype))
    expected = F.cross_entropy(_LOGITS, _TARGET)
    # got: NotImplementedError "aminmax_cpu" not implemented for 'UInt16'
    got = loss(_LOGITS, target)
    torch.testing.assert_close(got, expected)


# --------------------------------------------------------------------------
# 2. uint8 class indices are compared with a negative ignore_index in uint8:
#    -100 wraps to 156, so target 156 passes the range check as "ignored"
#    and then crashes inside torch with an error that names no argument.
# --------------------------------------------------------------------------
def test_uint8_target_equal_to_wrapped_ignore_index_escapes_the_range_check():
    target = torch.tensor([0, 156, 1], dtype=torch.uint8)
    # got: RuntimeError "index 156 is out of bounds for dimension 1 with size 4"
    with pytest.raises(ValueError, match="target"):
        margin_cross_entropy(_LOGITS, target)
    # got: IndexError "Target 156 is out of bounds."
    with pytest.raises(ValueError, match="target"):
        class_weighted_cross_entropy(_LOGITS, target, [1.0, 1.0, 1.0, 1.0])


# --------------------------------------------------------------------------
# 3. rescale=True divides by fl_sum.clamp(min=1e-30): once the focal sum is
#    below 1e-30 (a confident batch) the factor is too small and the loss no
#    longer has the cross-entropy's magnitude.
# --------------------------------------------------------------------------
def test_rescale_factor_is_wrong_when_the_focal_sum_is_below_1e_30():
    x = torch.full((4,), 25.0, dtype=torch.float64)
    y = torch.ones(4, dtype=torch.float64)
    ce = F.binary_cross_entropy_with_logits(x, y)  # 1.389e-11
    got = sigmoid_focal_loss(x, y, rescale=True)  # got 3.72e-14
    assert math.isclose(got.item(), ce.item(), rel_tol=1e-6)

    xs = torch.tensor([[30.0, 0.0]] * 3, dtype=torch.float64)
    t = torch.zeros(3, dtype=torch.long)
    ce = F.cross_entropy(xs, t)  # 9.35e-14
    got = softmax_focal_loss(xs, t, rescale=True)  # got 2.29e-22
    assert math.isclose(got.item(), ce.item(), rel_tol=1e-6)


# --------------------------------------------------------------------------
# 4. softmax_focal_loss takes class-probability targets outside [0, 1]
#    (negative probabilities) silently, where sigmoid_focal_loss rejects soft
#    targets outside [0, 1].
# --------------------------------------------------------------------------
def test_softmax_focal_accepts_negative_class_probabilities():
    target = torch.tensor([[1.5, -0.5, 0.0, 0.0]] * 3)
    with pytest.raises(ValueError, match="target"):
        softmax_focal_loss(_LOGITS, target)  # got tensor(1.3385)


# --------------------------------------------------------------------------
# 5. The [0, 1] check of binary targets runs on target.float(): float64
#    targets just outside [0, 1] round into it and are accepted, and the
#    float64 loss is then computed with the out-of-range value.
# --------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [1.0 + 1e-9, -1e-300])
def test_float64_binary_targets_just_outside_0_1_pass_the_check(bad):
    x = torch.zeros(2, dtype=torch.float64)
    y = torch.tensor([bad, 0.5], dtype=torch.float64)
    with pytest.raises(ValueError, match="target"):
        sigmoid_focal_loss(x, y)


# --------------------------------------------------------------------------
# 6. The out-of-range error of binary targets says "mark entries to skip
#    with ignore_index", also from losses where ignore_index does not exist
#    (class_weighted_binary_cross_entropy: following the advice is a
#    TypeError) or is not applied (binary margin_cross_entropy: raised even
#    when ignore_index=-1 is given).
# --------------------------------------------------------------------------
def test_binary_target_error_advises_an_ignore_index_the_loss_does_not_have():
    x = torch.zeros(4)
    y = torch.tensor([1.0, 0.0, -1.0, 1.0])
    with pytest.raises(ValueError) as info:
        class_weighted_binary_cross_entropy(x, y, [1.0, 2.0])
    advice_works = True
    if "ignore_index" in str(info.value):
        try:
            class_weighted_binary_cross_entropy(x, y, [1.0, 2.0], ignore_index=-1)
        except TypeError:
            advice_works = False
    assert advice_works, str(info.value)


def test_binary_margin_error_advises_ignore_index_that_was_already_given():
    x = torch.zeros(4)
    y = torch.tensor([1.0, 0.0, -1.0, 1.0])
    try:
        loss = margin_cross_entropy(x, y, ignore_index=-1, reduction="sum")
    except ValueError as exc:
        # An error is fine if it says ignore_index is multiclass only, not
        # "mark entries to skip with ignore_index" to a caller who did.
        assert "mark entries to skip with ignore_index" not in str(exc)
    else:
        # ignore_index honoured: three elements at p = 0.5 give log 2 each
        assert math.isclose(loss.item(), 3 * math.log(2), rel_tol=1e-6)


# --------------------------------------------------------------------------
# 7. ohem_loss with a threshold hides NaN losses: NaN > threshold is False,
#    so with min_kept=0 the NaN sample is dropped and the loss is 0.
# --------------------------------------------------------------------------
def test_ohem_threshold_hides_nan_losses():
    losses = torch.tensor([float("nan"), 0.2])
    got = ohem_loss(losses, threshold=1.0, min_kept=0)  # got tensor(0.)
    assert torch.isnan(got)
    got = ohem_loss(losses, threshold=1.0, min_kept=0, valid=torch.tensor([True, True]))
    assert torch.isnan(got)


# --------------------------------------------------------------------------
# 8. Tensor priors / class weights that require grad are silently detached:
#    the loss's gradient with respect to them is dropped (priors.grad stays
#    None), where the plain formula has one.
# --------------------------------------------------------------------------
def test_logit_adjusted_priors_requiring_grad_get_no_gradient():
    x = _LOGITS.clone()
    priors = torch.tensor([0.1, 0.2, 0.3, 0.4], requires_grad=True)
    loss = logit_adjusted_cross_entropy(x, _TARGET, priors, tau=1.0)
    # reference: CE(logits + log(priors / sum(priors)))
    ref_priors = priors.detach().clone().requires_grad_()
    ref = F.cross_entropy(x + torch.log(ref_priors / ref_priors.sum()), _TARGET)
    ref.backward()
    if loss.requires_grad:
        loss.backward()
    assert priors.grad is not None  # got None
    torch.testing.assert_close(priors.grad, ref_priors.grad)


def test_class_weighted_bce_weight_requiring_grad_gets_no_gradient():
    x = torch.tensor([0.3, -1.0, 2.0, 0.0])
    y = torch.tensor([0.0, 1.0, 1.0, 0.0])
    w = torch.tensor([1.0, 3.0], requires_grad=True)
    loss = class_weighted_binary_cross_entropy(x, y, w)
    w_ref = w.detach().clone().requires_grad_()
    weight = w_ref[1] * y + w_ref[0] * (1 - y)
    # (binary_cross_entropy_with_logits refuses a weight requiring grad)
    ref = (F.binary_cross_entropy_with_logits(x, y, reduction="none") * weight).mean()
    ref.backward()
    if loss.requires_grad:
        loss.backward()
    assert w.grad is not None  # got None
    torch.testing.assert_close(w.grad, w_ref.grad)


# --------------------------------------------------------------------------
# 9. OHEMLoss's default criterion does not check float targets: class
#    indices given as floats reach cross_entropy and crash with torch's
#    RuntimeError instead of the TypeError naming target that every other
#    class-index loss raises.
# --------------------------------------------------------------------------
def test_ohem_default_criterion_float_class_indices_give_a_raw_runtime_error():
    with pytest.raises((TypeError, ValueError), match="target"):
        OHEMLoss(top_k=2)(_LOGITS, _TARGET.float())  # got RuntimeError
