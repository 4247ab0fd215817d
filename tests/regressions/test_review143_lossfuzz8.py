"""Review 143, lossfuzz8: seeded fuzz of the focal losses against float64 references.

Reviewed: ``rebalance.torch.sigmoid_focal_loss`` / ``softmax_focal_loss``
(values and ``torch.autograd.grad`` gradients) against float64 references
written here (torchvision's sigmoid focal formula; a softmax focal reference
with one-hot / smoothed / soft targets and per-class ``alpha``), over one
seeded generator: shapes (N,), (N, C), (N, C, d1, d2), N = 0; float32,
float64, bfloat16, float16; every reduction; gamma 0 / 0.5 / 2 / 5; alpha
None / scalar / per-class tensor; ignore_index; label_smoothing; soft
targets; logit scales up to 100; non-contiguous and channels-last inputs.
Also: logits of +-100, +-1e4, +-inf and NaN; gamma=0 against
``binary_cross_entropy_with_logits`` / ``cross_entropy``; stride-0
(expanded) logits; ``torch.func.grad`` and ``torch.vmap``; inputs never
modified; class-weighted / logit-adjusted / balanced-softmax CE against torch.

Found: no bugs. Everything above matches within the dtype's tolerance
(gradients where the float64 reference itself is NaN, i.e. gamma < 1 at
``p_t = 1``, are finite in the library, which is better). gamma=0 equals
torch's BCE / CE to 1-2 ulp, not bitwise, for ``'none'`` (a fused kernel;
not a bug). The tests below pin the fuzz and the edge cases.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch import (  # noqa: E402
    sigmoid_focal_loss,
    softmax_focal_loss,
)

TOL = {
    torch.float64: (1e-9, 1e-12),
    torch.float32: (1e-4, 1e-6),
    torch.bfloat16: (3e-2, 3e-3),
    torch.float16: (5e-3, 1e-3),
}
DTYPES = (torch.float32, torch.float64, torch.bfloat16, torch.float16)


def _reduce(loss, mask, reduction):
    loss = torch.where(mask, loss, torch.zeros_like(loss))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    n = mask.sum()
    return loss.sum() / n if n > 0 else loss.sum() * 0


def _ref_sigmoid(x, t, alpha, gamma, reduction, ignore):
    t = t.double()
    mask = torch.ones_like(t, dtype=torch.bool) if ignore is None else t != ignore
    t = torch.where(mask, t, torch.zeros_like(t))
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = loss * (alpha * t + (1 - alpha) * (1 - t))
    return _reduce(loss, mask, reduction)


def _ref_softmax(x, t, alpha, gamma, reduction, smoothing):
    n_classes = x.shape[1]
    logp = torch.log_softmax(x, 1)
    if t.dtype.is_floating_point:
        dist = t.double()
        mask = torch.ones(dist.sum(1).shape, dtype=torch.bool)
    else:
        mask = t != -100
        dist = F.one_hot(torch.where(mask, t, 0), n_classes).movedim(-1, 1).double()
    dist = dist * (1 - smoothing) + smoothing / n_classes
    if alpha is None:
        alpha = torch.ones(n_classes, dtype=torch.float64)
    elif not torch.is_tensor(alpha):
        alpha = torch.full((n_classes,), float(alpha), dtype=torch.float64)
    a = alpha.view([1, n_classes] + [1] * (x.dim() - 2))
    loss = -(a * dist * (1 - logp.exp()) ** gamma * logp).sum(1)
    return _reduce(loss, mask, reduction)


def _close(got, want, dtype, what):
    rtol, atol = TOL[dtype]
    got = got.double()
    want = torch.where(want.isnan(), got, want) if what == "grad" else want
    assert got.shape == want.shape, what
    torch.testing.assert_close(got, want, rtol=rtol, atol=atol, equal_nan=True)


def _check(out, want, x, xe, dtype, g):
    _close(out, want, dtype, "value")
    if out.numel():
        up = torch.randn(out.shape, generator=g, dtype=torch.float64)
        (got,) = torch.autograd.grad(out, x, up.to(out.dtype))
        (ref,) = torch.autograd.grad(want, xe, up)
        assert got.dtype == x.dtype
        _close(got, ref, dtype, "grad")


def _pick(g, options):
    return options[int(torch.randint(len(options), (1,), generator=g))]


def test_focal_losses_match_float64_references_fuzz():
    g = torch.Generator().manual_seed(143)
    shapes = [(7,), (5, 3), (2, 3, 4, 5), (0,), (0, 3)]
    for i in range(120):
        dtype = DTYPES[i % 4]
        shape = _pick(g, shapes)
        gamma = _pick(g, [0.0, 0.5, 2.0, 5.0])
        reduction = _pick(g, ["none", "mean", "sum"])
        scale = _pick(g, [1.0, 10.0, 100.0])
        layout = i % 3
        soft = i % 2 == 1
        x = (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype)
        if soft:
            t = torch.rand(shape, generator=g, dtype=torch.float64).to(dtype)
        else:
            t = torch.randint(2, shape, generator=g).to(dtype)
        ignore = -1.0 if (i % 5 == 0 and not soft) else None
        if ignore is not None and t.numel():
            t.view(-1)[::3] = -1
        if layout == 1:  # non-contiguous
            x = torch.stack([x, x], -1)[..., 0]
            t = torch.stack([t, t], -1)[..., 1]
        elif layout == 2 and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        x.requires_grad_()
        x0, t0 = x.detach().clone(), t.clone()
        xe = x.detach().double().requires_grad_()
        alpha = _pick(g, [None, 0.25])
        out = sigmoid_focal_loss(
            x, t, alpha=alpha, gamma=gamma, reduction=reduction, ignore_index=ignore
        )
        want = _ref_sigmoid(xe, t, alpha, gamma, reduction, ignore)
        _check(out, want, x, xe, dtype, g)
        assert torch.equal(x.detach(), x0) and torch.equal(t, t0)

        if len(shape) < 2:
            continue
        n_classes = shape[1]
        if soft:
            target = torch.softmax(
                torch.randn(shape, generator=g, dtype=torch.float64), 1
            ).to(dtype)
        else:
            target = torch.randint(n_classes, (shape[0], *shape[2:]), generator=g)
            if i % 3 == 0 and target.numel():
                target.view(-1)[::4] = -100
        if layout == 1:
            target = torch.stack([target, target], -1)[..., 0]
        alpha = [None, 0.5, torch.rand(n_classes, generator=g, dtype=torch.float64)]
        alpha = alpha[i % 3]
        smoothing = _pick(g, [0.0, 0.1])
        target0 = target.clone()
        out = softmax_focal_loss(
            x,
            target,
            alpha=alpha,
            gamma=gamma,
            reduction=reduction,
            label_smoothing=smoothing,
        )
        want = _ref_softmax(xe, target, alpha, gamma, reduction, smoothing)
        _check(out, want, x, xe, dtype, g)
        assert torch.equal(x.detach(), x0) and torch.equal(target, target0)


def test_gamma_zero_is_torch_bce_and_cross_entropy():
    g = torch.Generator().manual_seed(1)
    for dtype in (torch.float32, torch.float64):
        x = torch.randn(64, 5, generator=g, dtype=dtype) * 5
        soft = torch.rand(64, 5, generator=g, dtype=dtype)
        idx = torch.randint(5, (64,), generator=g)
        idx[::7] = -100
        rtol, atol = TOL[dtype]
        for reduction in ("none", "mean", "sum"):
            torch.testing.assert_close(
                sigmoid_focal_loss(x, soft, alpha=None, gamma=0, reduction=reduction),
                F.binary_cross_entropy_with_logits(x, soft, reduction=reduction),
                rtol=rtol,
                atol=atol,
            )
            for smoothing in (0.0, 0.1):
                torch.testing.assert_close(
                    softmax_focal_loss(
                        x,
                        idx,
                        gamma=0,
                        reduction=reduction,
                        label_smoothing=smoothing,
                    ),
                    F.cross_entropy(
                        x, idx, reduction=reduction, label_smoothing=smoothing
                    ),
                    rtol=rtol,
                    atol=atol,
                )


def test_extreme_logits_finite_where_torch_is():
    x = torch.tensor([100.0, -100.0, 1e4, -1e4, 0.0], requires_grad=True)
    t = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0])
    for gamma in (0.0, 0.5, 2.0, 5.0):
        loss = sigmoid_focal_loss(x, t, alpha=0.25, gamma=gamma, reduction="none")
        want = _ref_sigmoid(x.detach().double(), t, 0.25, gamma, "none", None)
        torch.testing.assert_close(loss.double(), want, rtol=1e-6, atol=1e-6)
        (grad,) = torch.autograd.grad(loss.sum(), x)
        assert torch.isfinite(grad).all()
        torch.testing.assert_close(grad[:4], torch.tensor([0.75, -0.25, 0.75, -0.25]))
    xs = torch.tensor([[100.0, -100.0, 0.0], [1e4, -1e4, 0.0]], requires_grad=True)
    for gamma in (0.0, 2.0):
        loss = softmax_focal_loss(
            xs, torch.tensor([1, 1]), gamma=gamma, reduction="none"
        )
        torch.testing.assert_close(loss, torch.tensor([200.0, 2e4]))
        (grad,) = torch.autograd.grad(loss.sum(), xs)
        torch.testing.assert_close(grad, torch.tensor([[1.0, -1.0, 0.0]] * 2))
    # NaN / inf logits give what torch's BCE gives (NaN, inf), never a silent 0.
    bad = torch.tensor([float("nan"), float("inf"), 1.0])
    got = sigmoid_focal_loss(bad, torch.tensor([1.0, 0.0, 0.0]), reduction="none")
    assert got[0].isnan() and got[1] == float("inf") and torch.isfinite(got[2])


def test_expanded_logits_func_grad_and_vmap():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(6, 4, generator=g, dtype=torch.float64)
    soft = torch.rand(6, 4, generator=g, dtype=torch.float64)
    idx = torch.randint(4, (6,), generator=g)
    row = torch.randn(1, 4, generator=g, dtype=torch.float64)
    for f, t in ((sigmoid_focal_loss, soft), (softmax_focal_loss, idx)):
        expanded = row.expand(6, 4).requires_grad_()
        got = f(expanded, t, reduction="none")
        torch.testing.assert_close(
            got, f(row.expand(6, 4).contiguous(), t, reduction="none")
        )
        assert torch.autograd.grad(got.sum(), expanded)[0].shape == (6, 4)
        xr = x.clone().requires_grad_()
        (want,) = torch.autograd.grad(f(xr, t), xr)
        torch.testing.assert_close(
            torch.func.grad(lambda z, t=t, f=f: f(z, t))(x), want
        )
        batched = torch.vmap(f)(
            x.expand(3, 6, 4).clone(), t.expand(3, *t.shape).clone()
        )
        torch.testing.assert_close(batched, f(x, t).expand(3))
