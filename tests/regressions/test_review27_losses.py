"""Review 27 (losses): regressions found by fuzzing the torch losses against
plain autograd formulas."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch.losses import (  # noqa: E402
    ClassWeightedCrossEntropyLoss,
    class_weighted_cross_entropy,
)


# --------------------------------------------------------------------------
# 1. class_weighted_cross_entropy detached a class_weight that requires grad:
#    the weights silently got no gradient (torch's cross_entropy refuses such
#    a weight; the BCE twin and the priors of the logit-adjusted loss get it).
# --------------------------------------------------------------------------
def _reference(x, t, w, reduction, ignore_index, label_smoothing):
    """cross_entropy(weight=w) written out in autograd ops."""
    n_classes = x.shape[1]
    log_p = torch.log_softmax(x, 1)
    wb = w.reshape((1, n_classes) + (1,) * (x.dim() - 2))
    if t.is_floating_point():
        dist = t * (1 - label_smoothing) + label_smoothing / n_classes
        loss = -(log_p * dist * wb).sum(1)
        count = loss.numel()
        return {"none": loss, "sum": loss.sum(), "mean": loss.sum() / count}[reduction]
    valid = t != ignore_index
    tt = torch.where(valid, t, 0)
    one_hot = F.one_hot(tt, n_classes).movedim(-1, 1).to(x.dtype)
    dist = one_hot * (1 - label_smoothing) + label_smoothing / n_classes
    loss = torch.where(valid, -(log_p * dist * wb).sum(1), 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / torch.where(valid, w[tt], 0.0).sum()


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("layout", ["rows", "segmentation", "probabilities"])
def test_class_weight_requiring_grad_gets_its_gradient(
    reduction, label_smoothing, layout
):
    gen = torch.Generator().manual_seed(0)
    shape = (5, 3) if layout == "rows" else (2, 3, 2, 2)
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    if layout == "probabilities":
        t = torch.softmax(torch.randn(shape, generator=gen, dtype=torch.float64), 1)
    else:
        t = torch.randint(0, 3, shape[:1] + shape[2:], generator=gen)
        t.view(-1)[1] = -100
    w = torch.tensor([0.5, 2.0, 1.5], dtype=torch.float64, requires_grad=True)
    loss = class_weighted_cross_entropy(
        x, t, w, reduction=reduction, label_smoothing=label_smoothing
    )
    w_ref = w.detach().clone().requires_grad_()
    ref = _reference(x, t, w_ref, reduction, -100, label_smoothing)
    torch.testing.assert_close(loss, ref)
    # the value is cross_entropy's
    plain = F.cross_entropy(
        x, t, weight=w.detach(), reduction=reduction, label_smoothing=label_smoothing
    )
    torch.testing.assert_close(loss.detach(), plain)
    assert loss.requires_grad  # was False: the weight was detached
    loss.sum().backward()
    ref.sum().backward()
    torch.testing.assert_close(w.grad, w_ref.grad)
    assert torch.autograd.gradcheck(
        lambda w_: class_weighted_cross_entropy(
            x, t, w_, reduction=reduction, label_smoothing=label_smoothing
        ),
        (w.detach().clone().requires_grad_(),),
    )


def test_class_weight_gradient_matches_cross_entropy_logits_gradient():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(6, 4, generator=gen).requires_grad_()
    t = torch.tensor([0, 1, 2, 3, -100, 1])
    w = torch.tensor([1.0, 2.0, 3.0, 0.5], requires_grad=True)
    class_weighted_cross_entropy(x, t, w, label_smoothing=0.1).backward()
    x_ref = x.detach().clone().requires_grad_()
    F.cross_entropy(x_ref, t, weight=w.detach(), label_smoothing=0.1).backward()
    torch.testing.assert_close(x.grad, x_ref.grad)
    assert w.grad is not None and bool(torch.isfinite(w.grad).all())


def test_class_weight_requiring_grad_ignored_nan_rows_stay_zero():
    # an ignored row's NaN logits give a 0 loss there, as cross_entropy's
    x = torch.tensor([[float("nan"), 0.0], [1.0, 2.0]])
    t = torch.tensor([-100, 1])
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = class_weighted_cross_entropy(x, t, w, reduction="none")
    plain = F.cross_entropy(x, t, weight=w.detach(), reduction="none")
    torch.testing.assert_close(loss.detach(), plain)


def test_learnable_class_weight_parameter_of_the_module_is_trained():
    w = torch.nn.Parameter(torch.ones(3))
    criterion = ClassWeightedCrossEntropyLoss(w)
    assert [name for name, _ in criterion.named_parameters()] == ["class_weight"]
    x = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [0.5, 0.5, 3.0]])
    criterion(x, torch.tensor([0, 2, 2])).backward()
    assert w.grad is not None  # got None
    assert bool(w.grad.abs().sum() > 0)


def test_class_weight_requiring_grad_under_no_grad_uses_cross_entropy():
    x = torch.randn(4, 3)
    t = torch.tensor([0, 1, 2, 1])
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with torch.no_grad():
        loss = class_weighted_cross_entropy(x, t, w)
    torch.testing.assert_close(loss, F.cross_entropy(x, t, weight=w.detach()))


def test_class_weight_gradient_under_torch_func_grad():
    # torch.func.grad with respect to the class weights gave zeros
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(6, 3, generator=gen)
    t = torch.tensor([0, 1, 2, 1, -100, 0])
    w = torch.tensor([1.0, 2.0, 3.0])
    got = torch.func.grad(lambda w_: class_weighted_cross_entropy(x, t, w_))(w)
    w_ref = w.clone().requires_grad_()
    _reference(x, t, w_ref, "mean", -100, 0.0).backward()
    torch.testing.assert_close(got, w_ref.grad)
    assert bool(got.abs().sum() > 0)


# --------------------------------------------------------------------------
# 2. (N, 1) logits (a binary model's single output) with 0/1 class indices:
#    the class-index losses said only "must lie in [0, 0]"; the error now
#    says these are binary logits and how to give them to a binary loss.
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "loss",
    [
        "softmax_focal_loss",
        "margin_cross_entropy",
        "class_scaled_cross_entropy",
        "logit_adjusted_cross_entropy",
    ],
)
def test_single_class_logits_with_binary_labels_say_how_to_fix(loss):
    from rebalance.torch import losses

    kwargs = {
        "class_scaled_cross_entropy": {"class_index": 0, "scale": 2.0},
        "logit_adjusted_cross_entropy": {"priors": [1.0]},
    }.get(loss, {})
    x = torch.randn(4, 1)
    with pytest.raises(ValueError, match=r"single class.*view_as\(logits\)"):
        getattr(losses, loss)(x, torch.tensor([0, 1, 1, 0]), **kwargs)
