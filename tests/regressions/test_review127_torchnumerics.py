"""Review 127, area ``torchnumerics``: ``rebalance/torch/losses.py`` against
PyTorch's own conventions (as test_nn checks ``cross_entropy`` /
``binary_cross_entropy_with_logits``).

Every value is compared with torch's own function at neutral settings
(``gamma=0``, ``alpha=None``, unit weights/priors, ``margin=1``) or with a
float64 formula written out here: K-dimensional ``(N, C, d1, d2)`` inputs,
class-probability targets, per-class ``weight`` with ``'mean'`` (summed target
weights), every target ignored (NaN for weighted mean, as torch), label
smoothing with ignored rows, ``pos_weight`` broadcasting, non-contiguous /
stride-0 / channels_last inputs, result dtypes per dtype, integer/bool target
dtypes, ``gradcheck`` on float64, and ``torch.func.vmap(grad(...))`` against a
per-sample loop. No bug found in this round.
"""

import math

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
L = pytest.importorskip("rebalance.torch.losses")

W4 = [1.0, 2.0, 3.0, 4.0]


def _kdim():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 4, 5, 2, dtype=torch.float64, generator=g)
    t = torch.randint(0, 4, (3, 5, 2), generator=g)
    t[0, 0, 0] = -100
    prob = torch.softmax(torch.randn(3, 4, 5, 2, dtype=torch.float64, generator=g), 1)
    return x, t, prob


def _close(a, b, tol=1e-12):
    assert a.shape == b.shape
    assert torch.allclose(a.double(), b.double(), atol=tol, rtol=0), (a, b)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_softmax_focal_gamma0_is_cross_entropy_kdim(reduction, smoothing):
    x, t, prob = _kdim()
    for target in (t, prob):
        got = L.softmax_focal_loss(
            x, target, gamma=0, reduction=reduction, label_smoothing=smoothing
        )
        ref = F.cross_entropy(x, target, reduction=reduction, label_smoothing=smoothing)
        _close(got, ref)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("learnable", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_class_weighted_ce_matches_torch_weight(smoothing, learnable, reduction):
    # learnable=True goes through the written-out path (_weighted_cross_entropy)
    x, t, prob = _kdim()
    w = torch.tensor(W4, dtype=torch.float64)
    cw = w.clone().requires_grad_() if learnable else W4
    for target in (t, prob):
        got = L.class_weighted_cross_entropy(
            x, target, cw, reduction=reduction, label_smoothing=smoothing
        )
        ref = F.cross_entropy(
            x, target, weight=w, reduction=reduction, label_smoothing=smoothing
        )
        _close(got, ref, 1e-10)
    if reduction == "mean":
        # mean divides by the summed weights of the non-ignored targets
        per = F.cross_entropy(x, t, reduction="none", label_smoothing=smoothing)
        if not smoothing:
            keep = t != -100
            hand = (w[t[keep]] * per[keep]).sum() / w[t[keep]].sum()
            _close(L.class_weighted_cross_entropy(x, t, cw), hand, 1e-10)


@pytest.mark.parametrize("learnable", [False, True])
def test_every_target_ignored(learnable):
    x, t, _ = _kdim()
    allign = torch.full_like(t, -100)
    w = torch.tensor(W4, dtype=torch.float64)
    cw = w.clone().requires_grad_() if learnable else W4
    # torch: NaN for the weighted mean over nothing, and so here
    assert math.isnan(F.cross_entropy(x, allign, weight=w).item())
    assert math.isnan(L.class_weighted_cross_entropy(x, allign, cw).item())
    assert math.isnan(L.logit_adjusted_cross_entropy(x, allign, W4).item())
    # documented: 0 when nothing counts
    assert L.softmax_focal_loss(x, allign).item() == 0.0
    assert L.class_scaled_cross_entropy(x, allign, class_index=1, scale=2.0) == 0
    assert L.margin_cross_entropy(x, allign).item() == 0.0
    y = torch.full((3, 4), -1.0)
    assert L.sigmoid_focal_loss(torch.randn(3, 4), y, ignore_index=-1).item() == 0.0


def test_logit_adjusted_and_balanced_softmax_kdim_and_soft():
    x, t, prob = _kdim()
    pri = torch.tensor(W4, dtype=torch.float64)
    shift = torch.log(pri / pri.sum()).view(1, 4, 1, 1)
    for target in (t, prob):
        got = L.logit_adjusted_cross_entropy(
            x, target, W4, tau=0.5, label_smoothing=0.1
        )
        _close(got, F.cross_entropy(x + 0.5 * shift, target, label_smoothing=0.1))
    # balanced softmax: CE on logits + log n_c (the normalisation cancels)
    got = L.balanced_softmax_cross_entropy(x, t, W4, reduction="none")
    ref = F.cross_entropy(x + torch.log(pri).view(1, 4, 1, 1), t, reduction="none")
    _close(got, ref)


def test_class_scaled_and_weighted_softmax_by_hand():
    x, t, _ = _kdim()
    per = F.cross_entropy(x, t, reduction="none")
    keep = t != -100
    hand = torch.where(t == 2, 3.0 * per, per).sum() / keep.sum()
    _close(L.class_scaled_cross_entropy(x, t, class_index=2, scale=3.0), hand)
    _close(L.weighted_softmax_loss(x, t, 3.0, 2), hand)


def test_margin_ce_margin1_is_ce_and_bce():
    x, t, _ = _kdim()
    _close(L.margin_cross_entropy(x, t, margin=1.0), F.cross_entropy(x, t))
    xb = torch.randn(4, 3, dtype=torch.float64)
    yb = torch.tensor([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]])
    for tgt in (yb, yb.bool(), yb.to(torch.uint8), yb.to(torch.int32)):
        _close(
            L.margin_cross_entropy(xb, tgt, margin=1.0),
            F.binary_cross_entropy_with_logits(xb, yb.double()),
        )


@pytest.mark.parametrize("tdt", [torch.int32, torch.uint8, torch.int64, torch.int8])
def test_class_index_target_dtypes(tdt):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(3, 4, 5, dtype=torch.float64, generator=g)
    t = torch.randint(0, 4, (3, 5), generator=g)
    ref = F.cross_entropy(x, t)
    tq = t.to(tdt)
    ones = [1.0] * 4
    _close(L.softmax_focal_loss(x, tq, gamma=0), ref)
    _close(L.class_weighted_cross_entropy(x, tq, ones), ref)
    _close(L.logit_adjusted_cross_entropy(x, tq, ones), ref, 1e-12)
    _close(L.class_scaled_cross_entropy(x, tq, class_index=0, scale=1.0), ref)
    _close(L.margin_cross_entropy(x, tq, margin=1.0), ref)


@pytest.mark.parametrize("tdt", [torch.int32, torch.uint8, torch.int64, torch.bool])
def test_binary_target_dtypes_and_pos_weight_broadcast(tdt):
    g = torch.Generator().manual_seed(4)
    x = torch.randn(4, 3, 2, dtype=torch.float64, generator=g)
    y = torch.randint(0, 2, (4, 3, 2), generator=g).double()
    yq = y.to(tdt)
    for pw in (None, [1.0, 2.0], [[1.0], [2.0], [3.0]], 3.0):
        pwt = None if pw is None else torch.tensor(pw, dtype=torch.float64)
        got = L.sigmoid_focal_loss(x, yq, gamma=0, alpha=None, pos_weight=pwt)
        _close(got, F.binary_cross_entropy_with_logits(x, y, pos_weight=pwt))
    _close(
        L.class_weighted_binary_cross_entropy(x, yq, [2.0, 5.0], reduction="none"),
        F.binary_cross_entropy_with_logits(x, y, reduction="none") * (2 + 3 * y),
    )


def test_non_contiguous_expanded_and_channels_last():
    g = torch.Generator().manual_seed(5)
    xn = torch.randn(4, 6, dtype=torch.float64, generator=g).t()
    tn = torch.randint(0, 4, (12,), generator=g)[::2]
    assert not xn.is_contiguous() and not tn.is_contiguous()
    ref = F.cross_entropy(xn, tn)
    _close(L.softmax_focal_loss(xn, tn, gamma=0), ref)
    _close(L.class_weighted_cross_entropy(xn, tn, [1.0] * 4), ref)
    _close(L.logit_adjusted_cross_entropy(xn, tn, [1.0] * 4), ref)
    _close(L.margin_cross_entropy(xn, tn, margin=1.0), ref)
    xe = torch.randn(1, 4, dtype=torch.float64, generator=g).expand(5, 4)
    te = torch.tensor([1]).expand(5)
    w = torch.tensor(W4, dtype=torch.float64)
    _close(L.softmax_focal_loss(xe, te, gamma=0), F.cross_entropy(xe, te))
    _close(
        L.class_weighted_cross_entropy(xe, te, w.clone().requires_grad_()),
        F.cross_entropy(xe, te, weight=w),
    )
    xc = torch.randn(2, 4, 3, 3, dtype=torch.float64, generator=g)
    xc = xc.to(memory_format=torch.channels_last)
    tc = torch.randint(0, 4, (2, 3, 3), generator=g)
    _close(L.softmax_focal_loss(xc, tc, gamma=0), F.cross_entropy(xc, tc))
    _close(
        L.softmax_focal_loss(xc, tc, gamma=2.0, reduction="none"),
        L.softmax_focal_loss(xc.contiguous(), tc, gamma=2.0, reduction="none"),
    )
    xb = torch.randn(2, 4, 3, dtype=torch.float64, generator=g).transpose(0, 2)
    xb = xb[:, ::2]
    yb = torch.randint(0, 2, xb.shape, generator=g).bool()
    _close(
        L.sigmoid_focal_loss(xb, yb, gamma=0, alpha=None),
        F.binary_cross_entropy_with_logits(xb, yb.double()),
    )


@pytest.mark.parametrize(
    "dt", [torch.float16, torch.bfloat16, torch.float32, torch.float64]
)
def test_result_dtypes(dt):
    x, t, _ = _kdim()
    xd = x.to(dt)
    # CE-backed losses: the input dtype, as cross_entropy
    assert L.class_weighted_cross_entropy(xd, t, W4).dtype == dt
    wg = torch.tensor(W4, requires_grad=True)
    assert L.class_weighted_cross_entropy(xd, t, wg).dtype == dt
    assert L.logit_adjusted_cross_entropy(xd, t, W4).dtype == dt
    assert L.balanced_softmax_cross_entropy(xd, t, W4).dtype == dt
    # documented "at least float32"
    at_least = torch.promote_types(dt, torch.float32)
    assert L.softmax_focal_loss(xd, t).dtype == at_least
    assert L.margin_cross_entropy(xd, t).dtype == at_least
    assert L.class_scaled_cross_entropy(xd, t, class_index=1, scale=2.0).dtype == (
        at_least
    )
    xb = torch.randn(4, 3).to(dt)
    yb = torch.randint(0, 2, (4, 3)).to(dt)
    assert L.sigmoid_focal_loss(xb, yb).dtype == at_least
    assert L.class_weighted_binary_cross_entropy(xb, yb, [1.0, 2.0]).dtype == dt


_TS = torch.tensor([[0, 1], [2, -100], [3, 1]])
_SOFT = torch.softmax(torch.linspace(-1, 1, 24, dtype=torch.float64).view(3, 4, 2), 1)
_YB = torch.tensor([[1.0, 0, 1, 0], [0, 1, -1, 1], [0.3, 1, 0, 0]])
_GRADCHECK = {
    "focal": lambda a: L.softmax_focal_loss(
        a, _TS, gamma=2.0, alpha=W4, label_smoothing=0.1
    ),
    "focal_none": lambda a: L.softmax_focal_loss(a, _TS, gamma=0.5, reduction="none"),
    "focal_soft": lambda a: L.softmax_focal_loss(a, _SOFT, gamma=1.5),
    "weighted": lambda a: L.class_weighted_cross_entropy(
        a, _TS, W4, label_smoothing=0.1
    ),
    "adjusted": lambda a: L.logit_adjusted_cross_entropy(a, _TS, W4, tau=0.7),
    "scaled": lambda a: L.class_scaled_cross_entropy(a, _TS, class_index=1, scale=2.0),
    "margin": lambda a: L.margin_cross_entropy(a, _TS, margin=0.9),
}
_GRADCHECK_BINARY = {
    "sigmoid": lambda a: L.sigmoid_focal_loss(
        a, _YB, ignore_index=-1, pos_weight=torch.tensor([1.0, 2, 3, 4])
    ),
    "weighted_bce": lambda a: L.class_weighted_binary_cross_entropy(
        a, _YB.clamp(0), [1.0, 3.0]
    ),
}


@pytest.mark.parametrize("name", sorted(_GRADCHECK) + sorted(_GRADCHECK_BINARY))
def test_gradcheck_float64(name):
    from torch.autograd import gradcheck

    g = torch.Generator().manual_seed(6)
    if name in _GRADCHECK:
        fn, shape = _GRADCHECK[name], (3, 4, 2)
    else:
        fn, shape = _GRADCHECK_BINARY[name], (3, 4)
    x = torch.randn(shape, dtype=torch.float64, generator=g, requires_grad=True)
    assert gradcheck(fn, (x,))


def test_no_grad_input_and_vmap_grad_match_loop():
    from torch.func import grad, vmap

    x, t, _ = _kdim()
    assert not L.softmax_focal_loss(x, t).requires_grad
    g = torch.Generator().manual_seed(7)
    xv = torch.randn(3, 3, 4, dtype=torch.float64, generator=g)
    tv = torch.randint(0, 4, (3, 3), generator=g)
    fns = [
        lambda a, b: L.softmax_focal_loss(a, b, gamma=2.0),
        lambda a, b: L.class_weighted_cross_entropy(a, b, W4, label_smoothing=0.1),
        lambda a, b: L.margin_cross_entropy(a, b),
    ]
    for fn in fns:
        batched = vmap(grad(fn))(xv, tv)
        loop = []
        for i in range(3):
            a = xv[i].clone().requires_grad_()
            loop.append(torch.autograd.grad(fn(a, tv[i]), a)[0])
        _close(batched, torch.stack(loop), 1e-12)


def test_ohem_module_kdim_ignore_channels_last():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, 3, 4, 4, dtype=torch.float64, generator=g)
    x = x.to(memory_format=torch.channels_last)
    t = torch.randint(0, 3, (2, 4, 4), generator=g)
    t[0, :2] = -100
    per = F.cross_entropy(x, t, reduction="none").reshape(-1)
    valid = (t != -100).reshape(-1)
    # 0.25 of the 24 valid pixels -> the 6 hardest
    ref = per[valid].sort(descending=True).values[:6].mean()
    _close(L.OHEMLoss(top_k=0.25)(x, t), ref)
