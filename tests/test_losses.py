"""Tests for rebalance.torch.losses (focal, margin, weighted, OHEM, logit-adjusted)."""

import inspect
import itertools
import os
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from rebalance.torch import _focal_checks, _focal_ops  # noqa: E402
from rebalance.torch.losses import (  # noqa: E402
    BalancedSoftmaxCrossEntropyLoss,
    ClassScaledCrossEntropyLoss,
    ClassWeightedBinaryCrossEntropyLoss,
    ClassWeightedCrossEntropyLoss,
    LogitAdjustedCrossEntropyLoss,
    MarginCrossEntropyLoss,
    OHEMLoss,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    WeightedSoftmaxLoss,
    adjust_logits,
    balanced_softmax_cross_entropy,
    class_scaled_cross_entropy,
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
    return reduce_reference(fl, ce, valid, reduction, rescale)


def reduce_reference(fl, ce, valid, reduction, rescale):
    """The documented reduction: ignored entries out, mean over the valid ones."""
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
    if alpha is None:
        a = 1.0
    elif isinstance(alpha, float):
        a = alpha
    else:
        a = torch.as_tensor(alpha, dtype=x.dtype).reshape(shape)
    fl = -(a * t * (1 - log_p.exp()) ** gamma * log_p).sum(1)
    ce = -(t * log_p).sum(1)
    return reduce_reference(fl, ce, valid, reduction, rescale)


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


# --------------------------------------------------------------------------
# Fused focal losses equal the autograd reference
# --------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", GAMMAS)
def test_sigmoid_focal_matches_reference(gamma):
    g = torch.Generator().manual_seed(int(gamma * 10))
    for case in range(6):
        shape = [(17,), (5, 7), (3, 4, 6)][case % 3]
        x = torch.randn(shape, generator=g, dtype=torch.float64) * 4
        soft = case % 2 == 1
        y = torch.rand(shape, generator=g, dtype=torch.float64)
        y = y if soft else (y < 0.3).double()
        kwargs = {
            "gamma": gamma,
            "alpha": [None, 0.25, 0.9][case % 3],
            "reduction": REDUCTIONS[case % 3],
            "rescale": case in (2, 5),
        }
        if case >= 3:
            y.view(-1)[::4] = -1
            kwargs["ignore_index"] = -1
            kwargs["pos_weight"] = torch.rand(shape[-1], dtype=torch.float64) + 0.5
        assert_loss_and_grad_match(
            sigmoid_focal_loss, reference_sigmoid_focal, x, y, **kwargs
        )


@pytest.mark.parametrize("gamma", GAMMAS)
def test_softmax_focal_matches_reference(gamma):
    g = torch.Generator().manual_seed(100 + int(gamma * 10))
    for case in range(6):
        shape = [(9, 4), (3, 5, 2, 3)][case % 2]
        x = torch.randn(shape, generator=g, dtype=torch.float64) * 4
        n_classes = shape[1]
        if case == 4:
            target = torch.softmax(torch.randn(shape, generator=g), 1).double()
        else:
            target = torch.randint(0, n_classes, (shape[0],) + shape[2:], generator=g)
            target.view(-1)[:: 3 + case] = -100
        alpha = [None, 0.5, torch.rand(n_classes, generator=g).tolist()][case % 3]
        assert_loss_and_grad_match(
            softmax_focal_loss,
            reference_softmax_focal,
            x,
            target,
            gamma=gamma,
            alpha=alpha,
            reduction=REDUCTIONS[case % 3],
            label_smoothing=0.1 if case in (1, 4) else 0.0,
            rescale=case == 5,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_fused_losses_pass_gradcheck(reduction):
    # rescale=True is left out: its factor is detached on purpose, so finite
    # differences (which see the factor move) disagree by design; it is
    # checked against the reference instead.
    g = torch.Generator().manual_seed(3)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64, requires_grad=True)
    y = torch.rand(4, 3, generator=g, dtype=torch.float64)
    target = torch.tensor([0, 2, 1, -100])
    for gamma in (0.5, 2.0):
        assert torch.autograd.gradcheck(
            lambda x_, gamma=gamma: sigmoid_focal_loss(
                x_, y, gamma=gamma, reduction=reduction
            ),
            (x,),
        )
        assert torch.autograd.gradcheck(
            lambda x_, gamma=gamma: softmax_focal_loss(
                x_, target, alpha=[1.0, 2.0, 0.5], gamma=gamma, reduction=reduction
            ),
            (x,),
        )


def test_fused_focal_saves_only_the_gradient():
    x = torch.randn(10, 3, requires_grad=True)
    for loss in (
        sigmoid_focal_loss(x, torch.rand(10, 3)),
        softmax_focal_loss(x, torch.randint(0, 3, (10,))),
    ):
        (saved,) = loss.grad_fn.saved_tensors
        assert saved.shape == x.shape


# --------------------------------------------------------------------------
# torchvision-style properties
# --------------------------------------------------------------------------
def test_focal_loss_is_at_most_cross_entropy_elementwise():
    x = torch.randn(200) * 5
    y = (torch.rand(200) < 0.5).float()
    fl = sigmoid_focal_loss(x, y, alpha=None, reduction="none")
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert bool((fl <= ce + 1e-7).all())
    xm = torch.randn(50, 6) * 5
    t = torch.randint(0, 6, (50,))
    flm = softmax_focal_loss(xm, t, reduction="none")
    cem = F.cross_entropy(xm, t, reduction="none")
    assert bool((flm <= cem + 1e-6).all())


def test_gamma_zero_without_alpha_is_cross_entropy():
    x = torch.randn(6, 5, dtype=torch.float64)
    y = torch.rand(6, 5, dtype=torch.float64)
    pw = torch.rand(5, dtype=torch.float64) + 0.5
    torch.testing.assert_close(
        sigmoid_focal_loss(x, y, alpha=None, gamma=0.0, pos_weight=pw),
        F.binary_cross_entropy_with_logits(x, y, pos_weight=pw),
    )
    t = torch.randint(0, 5, (6,))
    for smoothing in (0.0, 0.2):
        torch.testing.assert_close(
            softmax_focal_loss(x, t, gamma=0.0, label_smoothing=smoothing),
            F.cross_entropy(x, t, label_smoothing=smoothing),
        )


def test_alpha_scalar_dict_sequence_and_tensor_agree():
    x = torch.randn(8, 3, dtype=torch.float64)
    t = torch.randint(0, 3, (8,))
    scalar = softmax_focal_loss(x, t, alpha=0.7)
    for vector in ({0: 0.7, 1: 0.7, 2: 0.7}, [0.7] * 3, np.full(3, 0.7)):
        torch.testing.assert_close(softmax_focal_loss(x, t, alpha=vector), scalar)
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    expected = softmax_focal_loss(x, t, alpha=torch.tensor([1.0, 3.0, 0.5]))
    torch.testing.assert_close(softmax_focal_loss(x, t, alpha=weights), expected)


def test_rescale_keeps_the_cross_entropy_magnitude_with_a_detached_factor():
    x = torch.randn(64, dtype=torch.float64, requires_grad=True)
    y = (torch.rand(64) < 0.3).double()
    loss = sigmoid_focal_loss(x, y, alpha=None, rescale=True)
    ce = F.binary_cross_entropy_with_logits(x, y)
    torch.testing.assert_close(loss, ce)
    (g_rescaled,) = torch.autograd.grad(loss, x)
    fl = sigmoid_focal_loss(x, y, alpha=None)
    (g_focal,) = torch.autograd.grad(fl, x)
    factor = (ce / fl).item()
    torch.testing.assert_close(g_rescaled, g_focal * factor)  # not CE's gradient


# --------------------------------------------------------------------------
# Stability and edge cases
# --------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_extreme_logits_give_finite_loss_and_gradient(gamma):
    x = torch.tensor([1e4, -1e4, 1e4, -1e4, 0.0], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0])
    loss = sigmoid_focal_loss(x, y, gamma=gamma)
    loss.backward()
    assert torch.isfinite(loss) and bool(torch.isfinite(x.grad).all())
    # confident and right: no gradient; confident and wrong: the full push
    assert x.grad[0] == 0 and x.grad[1] == 0 and x.grad[2] > 0 and x.grad[3] < 0
    xm = torch.stack([x.detach(), -x.detach()], 1).requires_grad_()
    lossm = softmax_focal_loss(xm, y.long(), gamma=gamma)
    lossm.backward()
    assert torch.isfinite(lossm) and bool(torch.isfinite(xm.grad).all())


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_autocast_on_cpu_is_finite_and_close(dtype):
    torch.manual_seed(0)
    lin = torch.nn.Linear(8, 4)
    inputs = torch.randn(32, 8) * 50
    y = (torch.rand(32, 4) < 0.2).float()
    t = torch.randint(0, 4, (32,))
    with torch.autocast("cpu", dtype=dtype):
        logits = lin(inputs)
        assert logits.dtype == dtype
        loss = sigmoid_focal_loss(logits, y) + softmax_focal_loss(logits, t)
    assert loss.dtype == torch.float32
    loss.backward()
    assert torch.isfinite(loss) and bool(torch.isfinite(lin.weight.grad).all())
    ref = sigmoid_focal_loss(logits.detach().float(), y) + softmax_focal_loss(
        logits.detach().float(), t
    )
    torch.testing.assert_close(loss, ref, rtol=1e-5, atol=1e-6)


def test_empty_batch_gives_zero_loss_and_gradient():
    x = torch.zeros(0, 3, requires_grad=True)
    for reduction in REDUCTIONS:
        loss = sigmoid_focal_loss(x, torch.zeros(0, 3), reduction=reduction)
        loss.sum().backward()
        assert loss.numel() == 0 or loss.item() == 0
        loss = softmax_focal_loss(
            x, torch.zeros(0, dtype=torch.long), reduction=reduction
        )
        loss.sum().backward()
        assert loss.numel() == 0 or loss.item() == 0
    assert x.grad.shape == (0, 3)


def test_all_ignored_batch_gives_zero_mean_loss_and_zero_gradient():
    x = torch.randn(4, 3, requires_grad=True)
    loss = softmax_focal_loss(x, torch.full((4,), -100))
    loss.backward()
    assert loss.item() == 0 and bool((x.grad == 0).all())
    x.grad = None
    loss = sigmoid_focal_loss(x, torch.full((4, 3), -1.0), ignore_index=-1)
    loss.backward()
    assert loss.item() == 0 and bool((x.grad == 0).all())


def test_inputs_are_not_modified():
    x = torch.randn(6, 3)
    y = torch.rand(6, 3)
    t = torch.randint(0, 3, (6,))
    x0, y0, t0 = x.clone(), y.clone(), t.clone()
    sigmoid_focal_loss(x, y, ignore_index=0.5)
    softmax_focal_loss(x, t, alpha=[1.0, 2.0, 3.0], label_smoothing=0.1)
    margin_cross_entropy(x, (y > 0.5).float())
    assert torch.equal(x, x0) and torch.equal(y, y0) and torch.equal(t, t0)


# --------------------------------------------------------------------------
# Triton kernels through the interpreter (CPU)
# --------------------------------------------------------------------------
@pytest.mark.slow
def test_triton_kernels_match_reference_in_the_interpreter(triton_interpreter):
    code = (
        "import runpy, sys; "
        f"ns = runpy.run_path({str(Path(__file__).resolve())!r}); "
        "ns['check_triton_kernels_against_reference']()"
    )
    triton_interpreter(code, "triton kernels ok")


def check_triton_kernels_against_reference():
    assert os.environ.get("TRITON_INTERPRET") == "1"
    g = torch.Generator().manual_seed(5)
    for gamma, reduction in [(0.0, "mean"), (0.5, "none"), (2.0, "sum"), (5.0, "mean")]:
        x = torch.randn(7, 5, generator=g) * 4
        y = torch.rand(7, 5, generator=g)
        y[0, :2] = -1
        assert_loss_and_grad_match(
            sigmoid_focal_loss,
            reference_sigmoid_focal,
            x,
            y,
            gamma=gamma,
            reduction=reduction,
            ignore_index=-1,
            pos_weight=torch.rand(5, generator=g) + 0.5,
            rescale=gamma == 5.0,
            rtol=2e-5,
        )
        xm = torch.randn(6, 4, 3, generator=g) * 4
        t = torch.randint(0, 4, (6, 3), generator=g)
        t[0, 0] = -100
        # with smoothing the general kernel path, without it the one-class one
        for smoothing in (0.1, 0.0):
            assert_loss_and_grad_match(
                softmax_focal_loss,
                reference_softmax_focal,
                xm,
                t,
                gamma=gamma,
                reduction=reduction,
                alpha=[0.1, 0.2, 0.3, 0.4],
                label_smoothing=smoothing,
                rtol=2e-5,
            )
        # without smoothing the kernel takes its one-class path (HARD)
        xh = torch.randn(9, 6, generator=g) * 4
        th = torch.randint(0, 6, (9,), generator=g)
        th[1] = 0
        th[2] = -100
        for alpha in (None, [0.0, 0.2, 0.3, 0.4, 1.5, 2.0]):
            assert_loss_and_grad_match(
                softmax_focal_loss,
                reference_softmax_focal,
                xh,
                th,
                gamma=gamma,
                reduction=reduction,
                alpha=alpha,
                rtol=2e-5,
            )
        # a class masked with -inf that is not the target: as a logit far
        # below the others (the reference's 0 * -inf would be NaN)
        masked = xh.clone().requires_grad_()
        masked.data[1, 2] = float("-inf")
        low = xh.clone().requires_grad_()
        low.data[1, 2] = -200.0
        out_m = softmax_focal_loss(masked, th, gamma=gamma, reduction=reduction)
        out_l = reference_softmax_focal(low, th, gamma=gamma, reduction=reduction)
        out_m.sum().backward()
        out_l.sum().backward()
        torch.testing.assert_close(out_m, out_l.float(), rtol=2e-5, atol=1e-8)
        torch.testing.assert_close(masked.grad, low.grad.float(), rtol=2e-5, atol=1e-8)
    # a whole number of kernel blocks (no bounds masks in the kernel)
    from rebalance.torch import _focal_triton

    block = inspect.signature(_focal_triton.sigmoid_focal_triton).parameters["block"]

    def float64_reference(x, y, **kw):  # 2048 float32 terms: float64 reference
        kw = {
            k: v.double() if isinstance(v, torch.Tensor) else v for k, v in kw.items()
        }
        return reference_sigmoid_focal(x.double(), y.double(), **kw)

    for shape in ((2 * block.default,), (block.default // 64, 64)):
        x = torch.randn(shape, generator=g) * 4
        y = torch.rand(shape, generator=g)
        y[:3] = -1
        for gamma, reduction in [(2.0, "mean"), (0.5, "none"), (0.0, "sum")]:
            assert_loss_and_grad_match(
                sigmoid_focal_loss,
                float64_reference,
                x,
                y,
                gamma=gamma,
                reduction=reduction,
                ignore_index=-1,
                pos_weight=torch.rand(shape[-1], generator=g) + 0.5,
                rtol=2e-5,
            )
            assert_loss_and_grad_match(
                sigmoid_focal_loss,
                float64_reference,
                x,
                (y > 0.5).float(),
                gamma=gamma,
                reduction=reduction,
                rtol=2e-5,
            )
    x = torch.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    loss = sigmoid_focal_loss(x, torch.tensor([1.0, 0.0, 0.0, 1.0]), gamma=0.5)
    loss.backward()
    assert torch.isfinite(loss) and bool(torch.isfinite(x.grad).all())
    assert _focal_ops.use_triton(x)
    check_triton_backward_scaling_and_bad_targets()
    print("triton kernels ok")


def check_triton_backward_scaling_and_bad_targets():
    from rebalance.torch import _focal_triton

    # The saved gradient is scaled in place by a kernel that does nothing
    # when grad_output is 1 (no host check); retain_graph still works.
    g = torch.Generator().manual_seed(6)
    x = torch.randn(37, 3, generator=g)
    y = torch.rand(37, 3, generator=g)
    xm, t = torch.randn(37, 5, generator=g), torch.randint(0, 5, (37,), generator=g)
    cases = [
        (sigmoid_focal_loss, reference_sigmoid_focal, x, y),
        (softmax_focal_loss, reference_softmax_focal, xm, t),
    ]
    # small gradients are scaled by a torch multiplication, large ones by
    # the scale kernel: both ways (limit 0: the kernel for every size)
    limits = (_focal_ops._TORCH_SCALE_MAX, 0)
    for (fn, ref, xx, tt), limit in itertools.product(cases, limits):
        _focal_ops._TORCH_SCALE_MAX = limit
        x2 = xx.clone().requires_grad_()
        ref(x2, tt).backward()
        for kw in ({}, {"rescale": True}):
            x1 = xx.clone().requires_grad_()
            fn(x1, tt, **kw).backward()
            if not kw:
                torch.testing.assert_close(x1.grad, x2.grad, rtol=2e-5, atol=1e-8)
            x1.grad = None
            loss = fn(x1, tt, **kw)
            (g1,) = torch.autograd.grad(loss, x1, torch.tensor(2.0), retain_graph=True)
            (g2,) = torch.autograd.grad(loss, x1, torch.tensor(1.0), retain_graph=True)
            (g3,) = torch.autograd.grad(loss, x1, torch.tensor(-3.0))
            torch.testing.assert_close(g1, 2 * g2, rtol=1e-6, atol=0.0)
            torch.testing.assert_close(g3, -3 * g2, rtol=1e-6, atol=0.0)
        with torch.no_grad():  # forward only: the kernel writes no gradient
            out = fn(xx.clone().requires_grad_(), tt)
        torch.testing.assert_close(out, ref(xx, tt), rtol=2e-5, atol=1e-8)
    _focal_ops._TORCH_SCALE_MAX = limits[0]
    # Out-of-range targets: checked by the kernel (on CPU tensors at once;
    # on CUDA at a later call), NaN loss and gradient for those entries.
    assert _focal_ops.kernel_checks_binary_targets(x)
    assert _focal_ops.kernel_checks_class_targets(xm, t)
    bad_y = y.clone()
    bad_y[3, 1] = 1.5
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\]"):
        sigmoid_focal_loss(x.requires_grad_(), bad_y)
    _, parts, grad = _focal_triton.sigmoid_focal_triton(
        x, bad_y, None, 0.25, 2.0, None, 1.0, False
    )
    assert parts[2].sum().item() == 1 and torch.isnan(parts[0].sum())
    assert torch.isnan(grad[3, 1]) and int(torch.isnan(grad).sum()) == 1
    bad_t = t.clone()
    bad_t[4] = 5
    bad_t[6] = -3
    bad_t[7] = -100  # ignored, fine
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 4\]"):
        softmax_focal_loss(xm, bad_t)
    rows, grad = _focal_triton.softmax_focal_triton(
        xm, bad_t, None, 2.0, 0.0, -100, 1.0
    )
    assert rows[2].tolist() == [float(i in (4, 6)) for i in range(37)]
    assert bool(torch.isnan(rows[0, [4, 6]]).all())
    assert bool(torch.isnan(grad[[4, 6]]).all())
    assert int(torch.isnan(grad).sum()) == 10
    assert not _focal_checks._PENDING


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------
def test_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match="target must have the shape of logits"):
        sigmoid_focal_loss(torch.zeros(4, 2), torch.zeros(4))
    with pytest.raises(ValueError, match="target must have shape"):
        softmax_focal_loss(torch.zeros(4, 3), torch.zeros(5, dtype=torch.long))


def test_targets_out_of_range_are_rejected():
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\]"):
        sigmoid_focal_loss(torch.zeros(3), torch.tensor([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="class indices must lie in"):
        softmax_focal_loss(torch.zeros(2, 3), torch.tensor([0, 3]))


def test_deferred_target_errors_are_raised_once_the_kernel_has_run(monkeypatch):
    # The CUDA path queues (event, pinned count, message) instead of waiting
    # for the kernel; a later call raises once the event has completed.
    class FakeEvent:
        ready = False

        def query(self):
            return self.ready

        def synchronize(self):
            self.ready = True

    pending = []
    monkeypatch.setattr(_focal_checks, "_PENDING", pending)
    ok, bad = FakeEvent(), FakeEvent()
    sums = torch.tensor([0.5, 0.7, 0.0])  # focal sum, CE sum, bad-target count
    pending.append((ok, sums, 2, "fine"))
    pending.append((bad, sums + 2, 2, "target must lie in [0, 1] (later)"))
    bad.ready = True
    _focal_checks.raise_deferred_target_errors()  # launch order: waits for ok
    assert len(pending) == 2
    bad.ready = False
    ok.ready = True
    _focal_checks.raise_deferred_target_errors()  # a clean call is dropped
    assert len(pending) == 1
    bad.ready = True
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\] \(later\)"):
        sigmoid_focal_loss(torch.zeros(3), torch.ones(3))  # raised at the next call
    assert not pending
    pending.append((FakeEvent(), sums + 1, 2, "class indices must lie in"))
    with pytest.raises(ValueError, match="class indices must lie in"):
        _focal_checks.raise_deferred_target_errors(wait=True)
    sigmoid_focal_loss(torch.zeros(3), torch.ones(3))


def test_finished_deferred_checks_give_their_buffers_back(monkeypatch):
    # A CUDA check's pinned buffer and event serve again once read (a new
    # pinned buffer and event per call cost host time), at most a few per
    # (device, shape, dtype); the first bad call's message is raised.
    class FakeEvent:
        def query(self):
            return True

    key = (torch.device("cpu"), (3,), torch.float32)

    def event():
        e = FakeEvent()
        e._rebalance_pool_key = key
        return e

    pending, free = [], {}
    monkeypatch.setattr(_focal_checks, "_PENDING", pending)
    monkeypatch.setattr(_focal_checks, "_FREE", free)
    first = (event(), torch.tensor([0.5, 0.7, 0.0]))
    pending.append((*first, 2, "fine"))
    _focal_checks.raise_deferred_target_errors()
    assert not pending and free == {key: [first]}
    for i in range(5):
        pending.append(
            (event(), torch.tensor([0.0, 0.0, float(i in (1, 3))]), 2, f"bad {i}")
        )
    with pytest.raises(ValueError, match="bad 1"):
        _focal_checks.raise_deferred_target_errors()
    assert not pending and len(free[key]) == _focal_checks._FREE_PER_KEY
    # an entry without a device (a CPU check) is not pooled
    pending.append((None, torch.tensor([0.0, 0.0, 0.0]), 2, "cpu"))
    _focal_checks.raise_deferred_target_errors()
    assert len(free[key]) == _focal_checks._FREE_PER_KEY and len(free) == 1


def test_integer_logits_are_rejected():
    with pytest.raises(TypeError, match=r"logits must be a floating-point.*float\(\)"):
        sigmoid_focal_loss(torch.zeros(3, dtype=torch.long), torch.zeros(3))
    with pytest.raises(TypeError, match="logits must be a floating-point"):
        softmax_focal_loss(torch.zeros(2, 3, dtype=torch.int32), torch.zeros(2).long())


def test_alpha_of_wrong_length_or_keys_is_rejected():
    with pytest.raises(ValueError, match=r"alpha must have one value per class \(3\)"):
        softmax_focal_loss(torch.zeros(2, 3), torch.tensor([0, 1]), alpha=[1.0, 2.0])
    with pytest.raises(ValueError, match="alpha must have one entry per class"):
        softmax_focal_loss(torch.zeros(2, 3), torch.tensor([0, 1]), alpha={0: 1, 1: 2})
    with pytest.raises(ValueError, match="alpha must be in"):
        sigmoid_focal_loss(torch.zeros(2), torch.zeros(2), alpha=1.5)


@pytest.mark.parametrize("loss_fn", ["sigmoid", "softmax"])
def test_negative_gamma_and_bad_reduction_are_rejected(loss_fn):
    x = torch.zeros(2, 3)
    target = torch.zeros(2, 3) if loss_fn == "sigmoid" else torch.tensor([0, 1])
    fn = sigmoid_focal_loss if loss_fn == "sigmoid" else softmax_focal_loss
    with pytest.raises(ValueError, match="gamma must be a finite number >= 0"):
        fn(x, target, gamma=-1.0)
    with pytest.raises(ValueError, match="reduction must be one of"):
        fn(x, target, reduction="avg")


# --------------------------------------------------------------------------
# Margin cross-entropy
# --------------------------------------------------------------------------
def test_margin_cross_entropy_matches_the_seed_formula():
    x = torch.linspace(-4, 4, 41, dtype=torch.float64)
    y = (torch.arange(41) % 2).double()
    m = 0.8
    p = torch.sigmoid(x)

    def theta(t):
        return (torch.sign(t) + 1) / 2

    seed = -theta(m - p) * y * torch.log(p) - theta(p - (1 - m)) * (1 - y) * torch.log(
        1 - p
    )
    got = margin_cross_entropy(x, y, margin=m, reduction="none")
    torch.testing.assert_close(got, seed)


def test_margin_cross_entropy_stops_confident_samples_and_is_finite_at_extremes():
    x = torch.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0])
    loss = margin_cross_entropy(x, y, reduction="none")
    loss.sum().backward()
    assert loss.tolist() == [0.0, 0.0, 1e4, 1e4]
    assert x.grad.tolist() == [0.0, 0.0, 1.0, -1.0]


def test_multiclass_margin_cross_entropy_with_two_classes_equals_binary():
    x = torch.randn(30, dtype=torch.float64) * 3
    y = (torch.rand(30) < 0.5).long()
    binary = margin_cross_entropy(x, y.double(), reduction="none")
    two_class = torch.stack([torch.zeros_like(x), x], 1)
    multiclass = margin_cross_entropy(two_class, y, reduction="none")
    torch.testing.assert_close(multiclass, binary)
    module = MarginCrossEntropyLoss(margin=0.8)
    torch.testing.assert_close(module(two_class, y), binary.mean())


# --------------------------------------------------------------------------
# Weighted losses
# --------------------------------------------------------------------------
def test_weighted_softmax_normalises_by_the_unweighted_count():
    x = torch.randn(10, 3, dtype=torch.float64)
    t = torch.tensor([0, 1, 1, 2, 1, 0, -100, 2, 1, 0])
    ce = F.cross_entropy(x, t, reduction="none")
    weight = torch.where(t == 1, 0.5, 1.0).double()
    expected = (ce * weight).sum() / 9
    got = weighted_softmax_loss(x, t, pos_mult=0.5, pos_cid=1)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(WeightedSoftmaxLoss(1.0, 1)(x, t), F.cross_entropy(x, t))
    with pytest.raises(ValueError, match="pos_cid must be a class index"):
        weighted_softmax_loss(x, t, pos_mult=2.0, pos_cid=3)


def test_class_scaled_cross_entropy_scales_one_class_by_the_unweighted_count():
    x = torch.randn(10, 3, dtype=torch.float64)
    t = torch.tensor([0, 1, 1, 2, 1, 0, -100, 2, 1, 0])
    ce = F.cross_entropy(x, t, reduction="none")
    weight = torch.where(t == 2, 3.0, 1.0).double()
    expected = (ce * weight).sum() / 9
    got = class_scaled_cross_entropy(x, t, class_index=2, scale=3.0)
    torch.testing.assert_close(got, expected)
    for reduction, oracle in (("none", ce * weight), ("sum", (ce * weight).sum())):
        got = class_scaled_cross_entropy(
            x, t, class_index=2, scale=3.0, reduction=reduction
        )
        torch.testing.assert_close(got, oracle)
    module = ClassScaledCrossEntropyLoss(class_index=1, scale=1.0)
    torch.testing.assert_close(module(x, t), F.cross_entropy(x, t))


def test_class_scaled_cross_entropy_is_weighted_softmax_loss_with_neutral_names():
    x = torch.randn(12, 4, dtype=torch.float64, requires_grad=True)
    t = torch.randint(0, 4, (12,))
    t[3] = -100
    for reduction in ("none", "mean", "sum"):
        new = class_scaled_cross_entropy(
            x, t, class_index=3, scale=0.25, reduction=reduction
        )
        (grad_new,) = torch.autograd.grad(new.sum(), x)
        old = weighted_softmax_loss(x, t, 0.25, 3, reduction=reduction)
        (grad_old,) = torch.autograd.grad(old.sum(), x)
        torch.testing.assert_close(new, old, rtol=0, atol=0)
        torch.testing.assert_close(grad_new, grad_old, rtol=0, atol=0)


def test_class_scaled_cross_entropy_takes_its_class_and_scale_by_keyword_only():
    x = torch.zeros(2, 3)
    t = torch.tensor([0, 1])
    with pytest.raises(TypeError, match="positional argument"):
        class_scaled_cross_entropy(x, t, 1, 2.0)
    with pytest.raises(TypeError):
        ClassScaledCrossEntropyLoss(1, 2.0)


def test_class_weighted_losses_accept_dicts_and_arrays():
    x = torch.randn(8, 3, dtype=torch.float64)
    t = torch.randint(0, 3, (8,))
    w = {0: 1.0, 1: 5.0, 2: 0.5}
    expected = F.cross_entropy(x, t, weight=torch.tensor([1.0, 5.0, 0.5]).double())
    torch.testing.assert_close(class_weighted_cross_entropy(x, t, w), expected)
    torch.testing.assert_close(
        ClassWeightedCrossEntropyLoss(np.array([1.0, 5.0, 0.5]))(x, t), expected
    )
    xb = torch.randn(8, dtype=torch.float64)
    yb = (torch.rand(8) < 0.3).double()
    expected_b = F.binary_cross_entropy_with_logits(
        xb, yb, weight=torch.where(yb == 1, 4.0, 1.0).double()
    )
    torch.testing.assert_close(
        class_weighted_binary_cross_entropy(xb, yb, {0: 1.0, 1: 4.0}), expected_b
    )
    torch.testing.assert_close(
        ClassWeightedBinaryCrossEntropyLoss([1.0, 4.0])(xb, yb), expected_b
    )
    with pytest.raises(ValueError, match="class_weight must have one value per class"):
        class_weighted_cross_entropy(x, t, [1.0, 2.0])


# --------------------------------------------------------------------------
# OHEM
# --------------------------------------------------------------------------
def test_ohem_keeps_the_top_k_and_reports_their_indices():
    losses = torch.tensor([0.1, 2.0, 0.5, 3.0, 1.0], requires_grad=True)
    loss, idx = ohem_loss(losses, top_k=2, return_indices=True)
    assert idx.tolist() == [3, 1]
    torch.testing.assert_close(loss, torch.tensor(2.5))
    loss.backward()
    assert losses.grad.tolist() == [0.0, 0.5, 0.0, 0.5, 0.0]
    torch.testing.assert_close(ohem_loss(losses, top_k=0.4), torch.tensor(2.5))


def test_ohem_threshold_keeps_a_minimum():
    losses = torch.tensor([0.1, 2.0, 0.5, 3.0])
    assert ohem_loss(losses, threshold=1.0, return_indices=True)[1].tolist() == [3, 1]
    _, idx = ohem_loss(losses, threshold=5.0, min_kept=3, return_indices=True)
    assert idx.tolist() == [3, 1, 2]
    assert ohem_loss(torch.zeros(0), threshold=1.0).item() == 0
    with pytest.raises(ValueError, match="exactly one of top_k and threshold"):
        ohem_loss(losses)


def test_ohem_module_wraps_a_per_sample_criterion():
    x = torch.randn(6, 3)
    t = torch.randint(0, 3, (6,))
    per_sample = F.cross_entropy(x, t, reduction="none")
    expected = per_sample.topk(3).values.mean()
    torch.testing.assert_close(OHEMLoss(top_k=3)(x, t), expected)
    focal = OHEMLoss(lambda a, b: softmax_focal_loss(a, b, reduction="none"), top_k=6)
    torch.testing.assert_close(focal(x, t), softmax_focal_loss(x, t))


# --------------------------------------------------------------------------
# Logit adjustment
# --------------------------------------------------------------------------
def test_logit_adjusted_cross_entropy_is_ce_on_shifted_logits():
    x = torch.randn(7, 3, dtype=torch.float64)
    t = torch.randint(0, 3, (7,))
    counts = {0: 70, 1: 20, 2: 10}
    log_prior = torch.log(torch.tensor([0.7, 0.2, 0.1], dtype=torch.float64))
    for tau in (0.5, 1.0):
        expected = F.cross_entropy(x + tau * log_prior, t)
        got = logit_adjusted_cross_entropy(x, t, counts, tau=tau)
        torch.testing.assert_close(got, expected)
        torch.testing.assert_close(
            LogitAdjustedCrossEntropyLoss([70, 20, 10], tau=tau)(x, t), expected
        )
    balanced = F.cross_entropy(x + log_prior, t)
    torch.testing.assert_close(balanced_softmax_cross_entropy(x, t, counts), balanced)
    torch.testing.assert_close(BalancedSoftmaxCrossEntropyLoss(counts)(x, t), balanced)


def test_adjust_logits_subtracts_log_priors_over_the_class_dim():
    x = torch.randn(2, 3, 4, dtype=torch.float64)
    got = adjust_logits(x, [0.5, 0.3, 0.2], tau=2.0)
    prior = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64).view(1, 3, 1)
    torch.testing.assert_close(got, x - 2.0 * torch.log(prior))
    with pytest.raises(ValueError, match="priors must be > 0"):
        adjust_logits(x, [0.5, 0.5, 0.0])


# --------------------------------------------------------------------------
# Modules
# --------------------------------------------------------------------------
def test_modules_equal_their_functions():
    x = torch.randn(5, 3)
    y = torch.rand(5, 3)
    t = torch.randint(0, 3, (5,))
    torch.testing.assert_close(
        SigmoidFocalLoss(gamma=1.0, reduction="sum")(x, y),
        sigmoid_focal_loss(x, y, gamma=1.0, reduction="sum"),
    )
    torch.testing.assert_close(
        SoftmaxFocalLoss(alpha={0: 1.0, 1: 2.0, 2: 3.0})(x, t),
        softmax_focal_loss(x, t, alpha=[1.0, 2.0, 3.0]),
    )
