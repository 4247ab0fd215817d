"""Review 109: white-box audit of rebalance.torch.losses and the fused focal
back ends (_focal_*.py), CPU paths: the numba kernels against the eager
float64 path and independent reference formulas, OHEM's valid-mask path,
container branches of per-class arguments, autograd bookkeeping."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch.losses import (  # noqa: E402
    ClassWeightedCrossEntropyLoss,
    OHEMLoss,
    SoftmaxFocalLoss,
    class_scaled_cross_entropy,
    class_weighted_cross_entropy,
    ohem_loss,
    sigmoid_focal_loss,
    softmax_focal_loss,
)


def _close(a, b, tol=1e-5):
    return torch.allclose(a.double(), b.double(), atol=tol, rtol=tol)


# --------------------------------------------------------------------------
# Bug: a per-class alpha in a container the loss does not take
# --------------------------------------------------------------------------
def test_softmax_focal_alpha_polars_series_names_the_per_class_forms():
    pl = pytest.importorskip("polars")
    logits = torch.randn(4, 3)
    target = torch.tensor([0, 1, 2, 1])
    alpha = pl.Series([1.0, 2.0, 3.0])
    with pytest.raises(TypeError) as info:
        softmax_focal_loss(logits, target, alpha=alpha)
    message = str(info.value)
    # as class_weight and priors say for the same input: the per-class forms
    assert "a dict" in message and "a real number" not in message
    with pytest.raises(TypeError) as info:
        SoftmaxFocalLoss(alpha=alpha)
    assert "a dict" in str(info.value)


# --------------------------------------------------------------------------
# Pins: numba (float32) against the eager float64 path and references
# --------------------------------------------------------------------------
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("alpha", [None, [0.2, 0.3, 0.5]])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_softmax_focal_float32_kernel_matches_float64(smoothing, alpha, reduction):
    torch.manual_seed(0)
    x = torch.randn(7, 3)
    t = torch.tensor([0, -100, 2, 1, 1, 0, 2])
    x32 = x.clone().requires_grad_()
    x64 = x.double().requires_grad_()
    kw = dict(alpha=alpha, label_smoothing=smoothing, reduction=reduction)
    a = softmax_focal_loss(x32, t, **kw)
    b = softmax_focal_loss(x64, t, **kw)
    assert _close(a, b, 1e-5)
    a.sum().backward()
    b.sum().backward()
    assert _close(x32.grad, x64.grad, 1e-5)
    assert x32.grad[1].abs().sum() == 0  # the ignored row


@pytest.mark.parametrize("kdim", [False, True])
@pytest.mark.parametrize("soft", [False, True])
def test_softmax_focal_matches_reference_formula(kdim, soft):
    torch.manual_seed(1)
    shape = (5, 3, 2) if kdim else (5, 3)
    ls, alpha, gamma = 0.25, [0.5, 1.0, 2.0], 2.0
    x = torch.randn(shape)
    if soft:
        target = torch.softmax(torch.randn(shape), 1)
        valid = torch.ones((shape[0],) + shape[2:], dtype=torch.bool)
        dist = target.double()
    else:
        target = torch.randint(0, 3, (shape[0],) + shape[2:])
        target.view(-1)[1] = -100
        valid = target != -100
        dist = F.one_hot(torch.where(valid, target, 0), 3).movedim(-1, 1).double()
    dist = dist * (1 - ls) + ls / 3
    xr = x.double().clone().requires_grad_()
    logp = torch.log_softmax(xr, 1)
    a = torch.tensor(alpha, dtype=torch.float64).reshape((1, -1) + (1,) * (x.dim() - 2))
    per = -(a * dist * (1 - logp.exp()) ** gamma * logp).sum(1)
    ref = torch.where(valid, per, 0.0).sum() / valid.sum()
    ref.backward()
    xl = x.clone().requires_grad_()
    loss = softmax_focal_loss(xl, target, alpha=alpha, gamma=gamma, label_smoothing=ls)
    loss.backward()
    assert _close(loss, ref)
    assert _close(xl.grad, xr.grad)


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_softmax_focal_gamma0_is_cross_entropy(smoothing):
    torch.manual_seed(2)
    x = torch.randn(6, 4)
    t = torch.tensor([0, 3, -100, 2, 1, 1])
    got = softmax_focal_loss(x, t, gamma=0.0, alpha=None, label_smoothing=smoothing)
    assert _close(got, F.cross_entropy(x, t, label_smoothing=smoothing))


@pytest.mark.parametrize("pos_weight", [None, torch.tensor([1.0, 2.0, 3.0])])
def test_sigmoid_focal_gamma0_is_bce(pos_weight):
    torch.manual_seed(3)
    x = torch.randn(4, 3)
    y = (torch.rand(4, 3) > 0.5).float()
    got = sigmoid_focal_loss(x, y, gamma=0.0, alpha=None, pos_weight=pos_weight)
    ref = F.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight)
    assert _close(got, ref)


@pytest.mark.parametrize(
    "dtype",
    [torch.bool, torch.uint8, torch.int8, torch.int32, torch.int64, torch.float16],
)
def test_sigmoid_focal_target_dtypes_agree(dtype):
    torch.manual_seed(4)
    x = torch.randn(8)
    y = torch.tensor([1, 0, 1, 1, 0, 0, 1, 0])
    ref = sigmoid_focal_loss(x.double(), y.double())
    assert _close(sigmoid_focal_loss(x, y.to(dtype)), ref)


def test_sigmoid_focal_ignore_index_exact_in_wide_integer_and_float64_targets():
    torch.manual_seed(5)
    x = torch.randn(8)
    y = torch.tensor([1, 0, 1, 1, 0, 0, 1, 0])
    ref = sigmoid_focal_loss(x.double()[1:], y.double()[1:], reduction="sum")
    big = y.clone()
    big[0] = 2**31 - 1  # float32 rounds it to 2**31
    assert _close(
        sigmoid_focal_loss(x, big, ignore_index=2**31 - 1, reduction="sum"), ref
    )
    other = y.clone()
    other[0] = 2**31  # not the ignored value: out of [0, 1]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        sigmoid_focal_loss(x, other, ignore_index=2**31 - 1)
    soft = y.double()
    soft[0] = -0.1
    kept = soft.clone()
    got = sigmoid_focal_loss(x, soft, ignore_index=-0.1, reduction="sum")
    assert _close(got, ref)
    assert torch.equal(soft, kept)  # the kernel's masked copy does not write through


def test_sigmoid_focal_uint8_ignore_with_pos_weight():
    torch.manual_seed(6)
    x = torch.randn(4, 3)
    y = (torch.rand(4, 3) > 0.5).to(torch.uint8)
    y[0, 0] = 255
    pw = torch.tensor([1.0, 2.0, 3.0])
    a = sigmoid_focal_loss(x, y, pos_weight=pw, ignore_index=255, reduction="none")
    b = sigmoid_focal_loss(
        x.double(), y, pos_weight=pw, ignore_index=255, reduction="none"
    )
    assert _close(a, b)
    assert a[0, 0] == 0


def test_softmax_focal_inputs_not_modified():
    x = torch.randn(5, 3)
    t = torch.tensor([0, 1, -100, 2, 1])
    xc, tc = x.clone(), t.clone()
    softmax_focal_loss(x, t, alpha=[1.0, 2.0, 3.0], label_smoothing=0.1)
    assert torch.equal(x, xc) and torch.equal(t, tc)


@pytest.mark.parametrize("kind", ["softmax", "sigmoid"])
def test_retained_graph_backward_after_grad_modified_in_place(kind):
    torch.manual_seed(7)
    if kind == "softmax":
        x, t, f = torch.randn(4, 3), torch.tensor([0, 1, 2, 1]), softmax_focal_loss
    else:
        x, t, f = torch.randn(5), (torch.rand(5) > 0.5).float(), sigmoid_focal_loss
    x.requires_grad_()
    loss = f(x, t)
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    x.grad.mul_(0.5)  # e.g. clip_grad_norm_ on the first gradient
    x.grad = None
    loss.backward(torch.tensor(3.0))
    assert _close(x.grad, 3 * first)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_focal_rescale_kernel_matches_float64(reduction):
    torch.manual_seed(8)
    x = torch.randn(6, 3)
    t = torch.tensor([0, 1, -100, 2, 2, 1])
    x32 = x.clone().requires_grad_()
    x64 = x.double().requires_grad_()
    a = softmax_focal_loss(x32, t, reduction=reduction, rescale=True, alpha=[1, 2, 3])
    b = softmax_focal_loss(x64, t, reduction=reduction, rescale=True, alpha=[1, 2, 3])
    a.sum().backward()
    b.sum().backward()
    assert _close(a, b) and _close(x32.grad, x64.grad)


# --------------------------------------------------------------------------
# Pins: OHEM
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        dict(top_k=3),
        dict(top_k=0.5),
        dict(threshold=0.5, min_kept=2),
        dict(top_k=100),
        dict(threshold=0.0, min_kept=9),
    ],
)
def test_ohem_valid_mask_equals_ohem_of_the_valid_subset(options):
    torch.manual_seed(0)
    losses = torch.rand(10)
    valid = torch.tensor([True, False] * 5)
    loss, idx = ohem_loss(losses, return_indices=True, valid=valid, **options)
    sub, sub_idx = ohem_loss(losses[valid], return_indices=True, **options)
    assert torch.equal(loss, sub)
    assert idx.tolist() == torch.nonzero(valid).view(-1)[sub_idx].tolist()


def test_ohem_float16_sum_does_not_overflow_with_or_without_valid():
    h = torch.full((70000,), 2.0, dtype=torch.float16)
    assert ohem_loss(h, top_k=1.0).item() == 2.0
    assert (
        ohem_loss(h, top_k=1.0, valid=torch.ones(70000, dtype=torch.bool)).item() == 2.0
    )


def test_ohem_loss_segmentation_uint8_ignore_255():
    torch.manual_seed(9)
    x = torch.randn(2, 3, 2, 2)
    t = torch.randint(0, 3, (2, 2, 2)).to(torch.uint8)
    t[0, 0, 0] = 255
    loss, idx = OHEMLoss(top_k=0.5, ignore_index=255, return_indices=True)(x, t)
    ce = F.cross_entropy(x, t.long(), reduction="none", ignore_index=255).view(-1)
    assert 0 not in idx.tolist() and idx.numel() == 4  # ceil(7 * 0.5)
    assert _close(loss, ce[idx].mean())


# --------------------------------------------------------------------------
# Pins: the plain losses
# --------------------------------------------------------------------------
@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_learnable_class_weight_path_equals_torch(soft, smoothing, reduction):
    torch.manual_seed(10)
    x = torch.randn(6, 3, 2)
    if soft:
        t = torch.softmax(torch.randn(6, 3, 2), 1)
    else:
        t = torch.randint(0, 3, (6, 2))
        t[0, 0] = -100
    w = torch.tensor([0.5, 2.0, 1.0])
    got = class_weighted_cross_entropy(
        x,
        t,
        w.clone().requires_grad_(),
        label_smoothing=smoothing,
        reduction=reduction,
    )
    ref = F.cross_entropy(
        x, t, weight=w, label_smoothing=smoothing, reduction=reduction
    )
    assert _close(got, ref, 1e-6)


def test_class_scaled_cross_entropy_float16_many_rows_stays_finite():
    x = torch.zeros(70000, 3, dtype=torch.float16)
    t = torch.randint(0, 3, (70000,))
    got = class_scaled_cross_entropy(x, t, class_index=1, scale=1.0)
    assert abs(got.item() - 1.0986123) < 1e-3


def test_class_weighted_module_loads_torch_cross_entropy_state_dict():
    w2 = torch.tensor([3.0, 1.0, 2.0])
    m = ClassWeightedCrossEntropyLoss(torch.ones(3))
    m.load_state_dict(torch.nn.CrossEntropyLoss(weight=w2).state_dict())
    x = torch.randn(4, 3)
    t = torch.tensor([0, 1, 2, 1])
    assert _close(m(x, t), F.cross_entropy(x, t, weight=w2))
    held = ClassWeightedCrossEntropyLoss([1.0, 1.0])
    with pytest.raises(RuntimeError, match="size mismatch"):
        held.load_state_dict(ClassWeightedCrossEntropyLoss(w2).state_dict())
