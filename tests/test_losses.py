"""Tests for rebalance.torch.losses (focal, margin, weighted, OHEM, logit-adjusted)."""

import math
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from rebalance.torch import _focal_kernels  # noqa: E402
from rebalance.torch.losses import (  # noqa: E402
    BalancedSoftmaxLoss,
    ClassWeightedBCEWithLogitsLoss,
    ClassWeightedCrossEntropyLoss,
    LogitAdjustedCrossEntropyLoss,
    MarginCrossEntropyLoss,
    OHEMLoss,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    WeightedSoftmaxLoss,
    adjust_logits,
    balanced_softmax_cross_entropy,
    class_weighted_binary_cross_entropy,
    class_weighted_cross_entropy,
    logit_adjusted_cross_entropy,
    margin_cross_entropy,
    ohem_loss,
    sigmoid_focal_loss,
    softmax_focal_loss,
    weighted_softmax_loss,
)

REDUCTIONS = ["none", "mean", "sum"]
GAMMAS = [0.0, 0.5, 1.0, 2.0, 5.0]


@pytest.fixture(autouse=True)
def _eager_cpu_path(monkeypatch):
    # The compiled CPU path is tested on its own (compilation takes seconds).
    monkeypatch.setenv("REBALANCE_TORCH_COMPILE", "0")


# --------------------------------------------------------------------------
# Plain autograd references (the formulas, differentiated by autograd)
# --------------------------------------------------------------------------
def reference_sigmoid_focal(
    x,
    y,
    alpha=0.25,
    gamma=2.0,
    reduction="mean",
    pos_weight=None,
    ignore_index=None,
    rescale=False,
):
    y = y.to(x.dtype)
    valid = torch.ones_like(y, dtype=torch.bool)
    if ignore_index is not None:
        valid = y != ignore_index
        y = torch.where(valid, y, 0.0)
    ce = F.binary_cross_entropy_with_logits(
        x, y, reduction="none", pos_weight=pos_weight
    )
    p = torch.sigmoid(x)
    p_t = p * y + (1 - p) * (1 - y)
    fl = ce * (1 - p_t) ** gamma
    if alpha is not None:
        fl = fl * (alpha * y + (1 - alpha) * (1 - y))
    fl = torch.where(valid, fl, 0.0)
    ce = torch.where(valid, ce, 0.0)
    count = max(int(valid.sum()), 1)
    factor = (ce.sum() / fl.sum()).detach() if rescale else 1.0
    if reduction == "none":
        return fl * factor
    if reduction == "sum":
        return fl.sum() * factor
    return fl.sum() / count * factor


def reference_softmax_focal(
    x,
    target,
    alpha=None,
    gamma=2.0,
    reduction="mean",
    ignore_index=-100,
    label_smoothing=0.0,
    rescale=False,
):
    n_classes = x.shape[1]
    log_p = torch.log_softmax(x, dim=1)
    if target.is_floating_point():
        t = target.to(x.dtype)
        valid = torch.ones(t.sum(1).shape, dtype=torch.bool)
    else:
        valid = target != ignore_index
        t = F.one_hot(torch.where(valid, target, 0), n_classes).to(x.dtype)
        t = t.movedim(-1, 1)
    t = t * (1 - label_smoothing) + label_smoothing / n_classes
    shape = (1, n_classes) + (1,) * (x.dim() - 2)
    a = 1.0 if alpha is None else torch.as_tensor(alpha, dtype=x.dtype).reshape(shape)
    fl = -(a * t * (1 - log_p.exp()) ** gamma * log_p).sum(1)
    ce = -(t * log_p).sum(1)
    fl = torch.where(valid, fl, 0.0)
    ce = torch.where(valid, ce, 0.0)
    count = max(int(valid.sum()), 1)
    factor = (ce.sum() / fl.sum()).detach() if rescale else 1.0
    if reduction == "none":
        return fl * factor
    if reduction == "sum":
        return fl.sum() * factor
    return fl.sum() / count * factor


def loss_and_grad(fn, x, *args, **kwargs):
    x = x.detach().clone().requires_grad_()
    loss = fn(x, *args, **kwargs)
    (grad,) = torch.autograd.grad(loss, x, torch.randn_like(loss, generator=None))
    return loss, grad


def assert_loss_and_grad_match(fused, reference, x, *args, rtol=1e-6, **kwargs):
    x1 = x.detach().clone().requires_grad_()
    x2 = x.detach().clone().requires_grad_()
    out1 = fused(x1, *args, **kwargs)
    out2 = reference(x2, *args, **kwargs)
    g_out = torch.rand_like(out2) + 0.5
    (g1,) = torch.autograd.grad(out1, x1, g_out.to(out1.dtype))
    (g2,) = torch.autograd.grad(out2, x2, g_out)
    torch.testing.assert_close(out1.double(), out2.double(), rtol=rtol, atol=1e-8)
    torch.testing.assert_close(g1.double(), g2.double(), rtol=rtol, atol=1e-8)
