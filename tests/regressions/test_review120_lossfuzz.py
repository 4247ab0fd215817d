"""Review 120, lossfuzz: randomized checks of the torch losses of
``rebalance.torch`` on CPU, including the fused numba focal kernels. Values and
logit gradients of ``sigmoid_focal_loss`` / ``softmax_focal_loss`` are compared
in float64 with the plain autograd formulas (torchvision's sigmoid focal loss,
``-(1 - p_t)^gamma log p_t``) across sizes around kernel block boundaries,
float16/bfloat16/float32/float64 logits, non-contiguous and expanded inputs,
int64/int32/uint8/bool/float/soft targets, ``ignore_index`` on some or all
entries, every reduction, gamma/alpha extremes and inf/NaN logits; at
``gamma=0`` they must match ``F.cross_entropy`` /
``F.binary_cross_entropy_with_logits``; the cross-entropy variants must match
``F.cross_entropy``; bad class weights must be refused with a named error.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
rt = pytest.importorskip("rebalance.torch")

DTYPES = [torch.float64, torch.float32, torch.float16, torch.bfloat16]


def _tol(dtype):
    return 1e-9 if dtype == torch.float64 else 1e-4


def _sigmoid_ref(x, y, keep, alpha, gamma, reduction):
    y = torch.where(keep, y.double(), 0.0)
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = loss * (alpha * y + (1 - alpha) * (1 - y))
    loss = loss * keep
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / keep.sum() if keep.any() else loss.sum()


def _softmax_ref(x, target, alpha, gamma, reduction, ignore_index=-100):
    keep = target != ignore_index
    t = torch.where(keep, target, 0).long()
    logp = F.log_softmax(x, 1).gather(1, t.unsqueeze(1)).squeeze(1)
    loss = -((1 - logp.exp()) ** gamma) * logp
    if alpha is not None:
        a = torch.as_tensor(alpha, dtype=torch.float64)
        loss = loss * (a[t] if a.ndim else a)
    loss = loss * keep
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / keep.sum() if keep.any() else loss.sum()


def _check(out, ref, xa, xd, dtype):
    tol = _tol(dtype)
    assert out.shape == ref.shape
    assert torch.allclose(out.double(), ref.detach(), rtol=tol, atol=tol)
    if out.numel():
        g = torch.randn(out.shape, dtype=torch.float64)
        (out.double() * g).sum().backward()
        (ref * g).sum().backward()
        finite = torch.isfinite(xd.grad)  # (1-p_t)^0.5 at p_t = 1 in the ref
        gtol = tol if dtype in (torch.float64, torch.float32) else 1e-2
        assert torch.allclose(
            xa.grad.double()[finite], xd.grad[finite], rtol=gtol, atol=gtol
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [0, 1, 32, 33, 257, 1025])
def test_sigmoid_focal_matches_torchvision_formula(dtype, n):
    gen = torch.Generator().manual_seed(n)
    x = (torch.randn(3, n, generator=gen) * 4).to(dtype).t()  # non-contiguous
    y = torch.randint(0, 2, (n, 3), generator=gen).to(torch.int32)
    keep = torch.ones(n, 3, dtype=torch.bool)
    for alpha, gamma, red in [
        (0.25, 2.0, "none"),
        (None, 0.7, "mean"),
        (1.0, 5.0, "sum"),
    ]:
        xa = x.detach().clone().requires_grad_()
        xd = x.detach().double().clone().requires_grad_()
        out = rt.sigmoid_focal_loss(xa, y, alpha=alpha, gamma=gamma, reduction=red)
        _check(out, _sigmoid_ref(xd, y, keep, alpha, gamma, red), xa, xd, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("ytype", "ignore"),
    [
        (torch.int32, 2**31 - 1),
        (torch.int64, -1),
        (torch.uint8, 255),
        (torch.float64, -0.1),
        (torch.float32, -0.1),
    ],
)
def test_sigmoid_focal_ignore_index_per_target_dtype(dtype, ytype, ignore):
    gen = torch.Generator().manual_seed(7)
    x = (torch.randn(65, 4, generator=gen) * 3).to(dtype)
    y = torch.randint(0, 2, (65, 4), generator=gen).to(ytype)
    mask = torch.rand(65, 4, generator=gen) < 0.3
    y = y.masked_fill(mask, ignore)
    keep = ~mask
    xa = x.detach().clone().requires_grad_()
    xd = x.detach().double().clone().requires_grad_()
    out = rt.sigmoid_focal_loss(xa, y, gamma=2.0, ignore_index=ignore)
    _check(out, _sigmoid_ref(xd, y, keep, 0.25, 2.0, "mean"), xa, xd, dtype)
    assert torch.all(xa.grad[mask] == 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_classes", [1, 2, 17, 33, 257])
def test_softmax_focal_matches_formula_with_ignored_rows(dtype, n_classes):
    gen = torch.Generator().manual_seed(n_classes)
    x = (torch.randn(n_classes, 65, generator=gen) * 3).to(dtype).t()
    t = torch.randint(0, n_classes, (65,), generator=gen)
    t[torch.rand(65, generator=gen) < 0.3] = -100
    t = t.to(torch.int32)
    alpha = (torch.rand(n_classes, generator=gen) + 0.1).tolist()
    for a, gamma, red in [(alpha, 2.0, "none"), (None, 0.5, "mean"), (0.0, 3.0, "sum")]:
        xa = x.detach().clone().requires_grad_()
        xd = x.detach().double().clone().requires_grad_()
        out = rt.softmax_focal_loss(xa, t, alpha=a, gamma=gamma, reduction=red)
        ref = _softmax_ref(xd, t, a, gamma, red)
        _check(out, ref, xa, xd, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma_zero_is_torch_cross_entropy(dtype):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(4, 3, 5, 6, generator=gen).to(dtype)
    x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)  # channels-last
    t = torch.randint(0, 3, (4, 5, 6), generator=gen)
    tol = 1e-9 if dtype == torch.float64 else 2e-5
    for ls in (0.0, 0.3):
        got = rt.softmax_focal_loss(
            x, t, gamma=0.0, label_smoothing=ls, reduction="none"
        )
        ref = F.cross_entropy(x.double(), t, label_smoothing=ls, reduction="none")
        assert torch.allclose(got.double(), ref, rtol=tol, atol=tol)
    soft = torch.softmax(torch.randn(4, 3, 5, 6, generator=gen), 1)
    got = rt.softmax_focal_loss(x, soft, gamma=0.0)
    assert torch.allclose(
        got.double(), F.cross_entropy(x.double(), soft.double()), rtol=tol
    )
    xe = torch.randn(1, 3, generator=gen).to(dtype).expand(7, 3)
    te = torch.tensor([0, 1, 2, 0, 1, 2, 0])
    got = rt.softmax_focal_loss(xe, te, gamma=0.0)
    assert torch.allclose(got.double(), F.cross_entropy(xe.double(), te), rtol=tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma_zero_is_bce_with_logits(dtype):
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(5, generator=gen).to(dtype).expand(3, 5)
    y = torch.rand(3, 5, generator=gen)  # soft targets
    pw = torch.tensor([1.0, 2.0, 0.5, 3.0, 1.0])
    tol = 1e-9 if dtype == torch.float64 else 2e-5
    got = rt.sigmoid_focal_loss(x, y, gamma=0.0, alpha=None, pos_weight=pw)
    ref = F.binary_cross_entropy_with_logits(
        x.double(), y.double(), pos_weight=pw.double()
    )
    assert torch.allclose(got.double(), ref, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_ignored_is_zero_loss_and_zero_grad(dtype):
    x = torch.randn(5, 3).to(dtype).requires_grad_()
    loss = rt.softmax_focal_loss(x, torch.full((5,), -100))
    loss.backward()
    assert loss.item() == 0.0 and torch.all(x.grad == 0)
    x = torch.randn(5, 3).to(dtype).requires_grad_()
    loss = rt.sigmoid_focal_loss(x, torch.full((5, 3), -1.0), ignore_index=-1)
    loss.backward()
    assert loss.item() == 0.0 and torch.all(x.grad == 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nonfinite_logits_stay_in_their_rows(dtype):
    inf, nan = float("inf"), float("nan")
    x = torch.tensor(
        [[inf, 0.0, 0.0], [0.0, -inf, 1.0], [nan, 0.0, 0.0], [0.5, 1.0, -1.0]]
    )
    x = x.to(dtype).requires_grad_()
    t = torch.tensor([0, 0, 1, 2])
    out = rt.softmax_focal_loss(x, t, reduction="none", alpha=None)
    ref = F.cross_entropy(x.detach().double(), t, reduction="none")
    assert torch.isnan(out[[0, 2]]).all()
    tol = 1e-9 if dtype == torch.float64 else 2e-3
    ref_fl = _softmax_ref(x.detach().double()[[1, 3]], t[[1, 3]], None, 2.0, "none")
    assert torch.allclose(out[[1, 3]].double(), ref_fl, rtol=tol, atol=tol)
    assert torch.isfinite(ref[[1, 3]]).all()
    out.backward(torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=out.dtype))
    assert torch.isfinite(x.grad[[1, 3]]).all()


def test_large_gamma_and_alpha_extremes():
    x = torch.randn(33, 4, dtype=torch.float64, requires_grad=True)
    t = torch.randint(0, 4, (33,))
    out = rt.softmax_focal_loss(x, t, gamma=60.0, reduction="sum")
    out.backward()
    ref = _softmax_ref(x.detach(), t, None, 60.0, "sum")
    assert torch.isfinite(x.grad).all()
    assert torch.allclose(out, ref, rtol=1e-9, atol=1e-300)
    y = torch.randint(0, 2, (33, 4))
    for alpha in (0.0, 1.0):
        got = rt.sigmoid_focal_loss(x.detach(), y, alpha=alpha, reduction="none")
        zero = y == (0 if alpha == 1.0 else 1)
        assert torch.all(got[zero] == 0)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_class_weighted_ce_family_matches_torch(dtype):
    gen = torch.Generator().manual_seed(3)
    x = (torch.randn(33, 5, 3, generator=gen) * 3).to(dtype)
    t = torch.randint(0, 5, (33, 3), generator=gen)
    t[0, 0] = -100
    w = torch.rand(5, generator=gen) + 0.1
    tol = 1e-9 if dtype == torch.float64 else 1e-5
    xd = x.double()
    for red in ("none", "mean", "sum"):
        got = rt.class_weighted_cross_entropy(
            x, t, w, reduction=red, label_smoothing=0.2
        )
        ref = F.cross_entropy(
            xd, t, weight=w.double(), reduction=red, label_smoothing=0.2
        )
        assert torch.allclose(got.double(), ref, rtol=tol, atol=tol)
        got = rt.logit_adjusted_cross_entropy(x, t, w, tau=0.5, reduction=red)
        prior = (w.double() / w.double().sum()).log().view(1, -1, 1)
        ref = F.cross_entropy(xd + 0.5 * prior, t, reduction=red)
        assert torch.allclose(got.double(), ref, rtol=tol, atol=tol)


@pytest.mark.parametrize(
    ("alpha", "error"),
    [
        ([1.0, 2.0], ValueError),
        (torch.ones(4), ValueError),
        (torch.tensor([True, False, True]), TypeError),
        (torch.ones(1, 3), ValueError),
        ([1.0, -1.0, 1.0], ValueError),
        ([1.0, float("nan"), 1.0], ValueError),
        (torch.ones(3, device="meta"), ValueError),
    ],
)
def test_bad_class_weights_are_refused_by_name(alpha, error):
    x = torch.randn(4, 3)
    t = torch.tensor([0, 1, 2, 1])
    with pytest.raises(error, match="alpha"):
        rt.softmax_focal_loss(x, t, alpha=alpha)
    with pytest.raises(error, match="class_weight"):
        rt.class_weighted_cross_entropy(x, t, alpha)


def test_bad_targets_are_refused_by_name():
    x = torch.randn(4, 3)
    with pytest.raises(ValueError, match="target"):
        rt.softmax_focal_loss(x, torch.tensor([0, 1, 3, 1]))
    with pytest.raises(ValueError, match="target"):
        rt.sigmoid_focal_loss(x, torch.full((4, 3), 2, dtype=torch.uint8))
    with pytest.raises(ValueError, match="pos_weight"):
        rt.sigmoid_focal_loss(x, torch.ones(4, 3), pos_weight=torch.ones(2))
