"""Review 15 (losses): every public loss of rebalance.torch against plain-torch
reference formulas (values and gradients), plus the bugs found.

Bugs (failing tests, left failing on purpose):

1. sigmoid_focal_loss compares ``ignore_index`` in different dtypes in
   different places: the count and the host target check compare in the
   target's own dtype, the numba kernel (float32 logits) compares a float32
   copy of the target, and the eager path compares ``target.to(logits.dtype)``.
   An ``ignore_index`` that the target dtype holds but float32 / the logits'
   dtype does not (``-0.1`` in a float32 target, ``2**31 - 1`` in an int64
   target) is then *not* ignored by the kernel, yet passes the range check:
   silently wrong loss (1e37 in the int64 case).
2. OHEMLoss around a criterion that reduces (``nn.CrossEntropyLoss()``,
   ``SoftmaxFocalLoss()`` with the default ``reduction='mean'``) silently
   returns the plain mean: no hard-example mining, no error.
3. ``pos_weight`` of sigmoid_focal_loss / SigmoidFocalLoss is never checked:
   a negative, NaN or inf weight gives a negative / NaN / inf loss, where every
   other class weight of the module (alpha, class_weight, priors) is checked
   finite and >= 0.
4. Float class indices of shape (N,) for (N, C) logits get an error that does
   not say to pass integer indices (softmax_focal_loss, cross-entropy
   variants, OHEMLoss) or gives wrong advice (margin_cross_entropy:
   "reshape it (e.g. target.view_as(logits))").
5. float32 logits with float64 binary targets just above 1 (1 + 1e-9) pass
   the target check (the numba kernel compares a float32 copy), while float64
   logits raise: the review-13 fix covered the float64 path only.
"""

from __future__ import annotations

import copy
import pickle

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch import losses as L  # noqa: E402


# --------------------------------------------------------------------------
# Reference formulas in plain torch (float64, autograd)
# --------------------------------------------------------------------------
def ref_sigmoid(x, t, alpha=0.25, gamma=2.0, pos_weight=None, reduction="mean",
                ignore_index=None):  # fmt: skip
    """torchvision's sigmoid_focal_loss, with pos_weight and ignore_index."""
    x = x.double()
    t = t.double()
    valid = torch.ones_like(t, dtype=torch.bool)
    if ignore_index is not None:
        valid = t != ignore_index
    t0 = torch.where(valid, t, 0.0)
    p = torch.sigmoid(x)
    pw = None if pos_weight is None else pos_weight.double()
    ce = F.binary_cross_entropy_with_logits(x, t0, reduction="none", pos_weight=pw)
    p_t = p * t0 + (1 - p) * (1 - t0)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = (alpha * t0 + (1 - alpha) * (1 - t0)) * loss
    loss = torch.where(valid, loss, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / max(int(valid.sum()), 1)


def ref_softmax(x, t, alpha=None, gamma=2.0, reduction="mean", ignore_index=-100,
                ls=0.0):  # fmt: skip
    """-sum_c alpha_c t_c (1 - p_c)^gamma log p_c over dim 1 (Lin et al.)."""
    x = x.double()
    n_classes = x.shape[1]
    logp = torch.log_softmax(x, 1)
    valid = None
    if t.is_floating_point():
        w = t.double()
        if ls:
            w = w * (1 - ls) + ls / n_classes
    else:
        valid = t != ignore_index
        w = F.one_hot(torch.where(valid, t, 0).long(), n_classes)
        w = w.movedim(-1, 1).double()
        if ls:
            w = w * (1 - ls) + ls / n_classes
        w = w * valid.unsqueeze(1)
    if alpha is not None:
        a = torch.as_tensor(alpha, dtype=torch.float64)
        if a.dim() == 0:
            a = a.expand(n_classes)
        w = w * a.reshape((1, n_classes) + (1,) * (x.dim() - 2))
    loss = -(w * (1 - logp.exp()) ** gamma * logp).sum(1)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    n = loss.numel() if valid is None else int(valid.sum())
    return loss.sum() / max(n, 1)


def _check(fn, ref, x, rtol, atol):
    """Values and gradients (random grad_output) of fn(x) against ref(x)."""
    xx = x.detach().clone().requires_grad_()
    out = fn(xx)
    xr = x.detach().double().requires_grad_()
    expected = ref(xr)
    torch.testing.assert_close(out.double(), expected.detach(), rtol=rtol, atol=atol)
    go = torch.randn(expected.shape, dtype=torch.float64, generator=_G)
    (g,) = torch.autograd.grad(out, xx, go.to(out.dtype))
    (gr,) = torch.autograd.grad(expected, xr, go)
    torch.testing.assert_close(g.double(), gr, rtol=rtol, atol=atol)


_G = torch.Generator().manual_seed(0)
_TOL = {torch.float64: (1e-6, 1e-12), torch.float32: (1e-4, 1e-7)}


# --------------------------------------------------------------------------
# Bug 1: ignore_index not representable in the kernel's dtype
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ignore", "target", "logit_dtype"),
    [
        (2**31 - 1, [1, 0, 2**31 - 1, 1], torch.float32),  # int64 targets
        (-0.1, [1.0, 0.0, -0.1, 1.0], torch.float32),  # float32 targets, numba
        (-0.1, [1.0, 0.0, -0.1, 1.0], torch.float64),  # float32 targets, eager
        (1.1, [1.0, 0.0, 1.1, 1.0], torch.float32),
    ],
)
def test_sigmoid_focal_ignore_index_is_compared_in_the_targets_dtype(
    ignore, target, logit_dtype
):
    # sigmoid_focal_loss(x, t, ignore_index=ii) must equal the loss of the
    # kept elements; got 1.2e37 (int64, 2**31-1) and 1.757 vs 0.053 (-0.1).
    x = torch.tensor([0.3, -1.2, 2.0, 0.5], dtype=logit_dtype)
    t = torch.tensor(target)
    keep = t != ignore
    assert int(keep.sum()) == 3
    expected = L.sigmoid_focal_loss(x[keep], t[keep].float(), reduction="sum")
    got = L.sigmoid_focal_loss(x, t, ignore_index=ignore, reduction="sum")
    torch.testing.assert_close(got, expected)
    got_mean = L.sigmoid_focal_loss(x, t, ignore_index=ignore)
    torch.testing.assert_close(got_mean, expected / 3)


# --------------------------------------------------------------------------
# Bug 2: OHEMLoss around a reducing criterion
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "criterion",
    [torch.nn.CrossEntropyLoss(), L.SoftmaxFocalLoss()],
    ids=["CrossEntropyLoss", "SoftmaxFocalLoss"],
)
def test_ohem_rejects_a_criterion_that_returns_a_reduced_loss(criterion):
    # A scalar from the criterion means reduction='mean' was left on: OHEM
    # then keeps "the hardest 2 of 1" and returns the plain mean, silently.
    x = torch.randn(8, 3, generator=_G)
    t = torch.randint(0, 3, (8,), generator=_G)
    with pytest.raises(ValueError, match="reduction"):
        L.OHEMLoss(criterion, top_k=2)(x, t)


# --------------------------------------------------------------------------
# Bug 3: pos_weight values unchecked
# --------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_sigmoid_focal_pos_weight_must_be_finite_and_non_negative(bad):
    x = torch.randn(4, 3, generator=_G)
    t = torch.rand(4, 3, generator=_G)
    pos_weight = torch.tensor([bad, 1.0, 1.0])
    with pytest.raises(ValueError, match="pos_weight"):
        L.sigmoid_focal_loss(x, t, pos_weight=pos_weight)  # got -0.08 / nan / inf
    with pytest.raises(ValueError, match="pos_weight"):
        L.SigmoidFocalLoss(pos_weight=pos_weight)


# --------------------------------------------------------------------------
# Bug 4: float class indices: the error should say to pass integers
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "loss",
    [
        lambda x, t: L.softmax_focal_loss(x, t),
        lambda x, t: L.class_weighted_cross_entropy(x, t, [1.0, 2.0, 3.0]),
        lambda x, t: L.logit_adjusted_cross_entropy(x, t, [1.0, 2.0, 3.0]),
        lambda x, t: L.balanced_softmax_cross_entropy(x, t, [1, 2, 3]),
        lambda x, t: L.margin_cross_entropy(x, t),
        lambda x, t: L.OHEMLoss(top_k=2)(x, t),
    ],
    ids=[
        "softmax_focal",
        "class_weighted_ce",
        "logit_adjusted",
        "balanced_softmax",
        "margin",
        "OHEMLoss",
    ],  # fmt: skip
)
def test_float_class_indices_error_says_to_pass_integer_indices(loss):
    # class_scaled_cross_entropy says "pass target.long()"; these say only
    # "target of probabilities must have the shape of logits" or (margin)
    # "reshape it (e.g. target.view_as(logits))", which cannot work.
    x = torch.randn(4, 3, generator=_G)
    t = torch.tensor([0.0, 1.0, 2.0, 1.0])
    with pytest.raises((TypeError, ValueError)) as info:
        loss(x, t)
    message = str(info.value)
    assert ".long()" in message, message
    assert "view_as" not in message, message


# --------------------------------------------------------------------------
# Bug 5: float64 targets just above 1 with float32 logits
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_float64_binary_target_just_above_one_raises_for_any_logit_dtype(dtype):
    x = torch.zeros(2, dtype=dtype)
    y = torch.tensor([1 + 1e-9, 0.5], dtype=torch.float64)
    with pytest.raises(ValueError, match="target"):
        L.sigmoid_focal_loss(x, y)  # float32 logits: accepted (numba path)


# --------------------------------------------------------------------------
# Checked and right: focal losses against the reference formulas
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize(
    ("shape", "reduction", "gamma"),
    [((7,), "none", 0.5), ((5, 3), "mean", 2.0), ((2, 3, 2, 2), "sum", 20.0),
     ((5, 3), "none", 0.0), ((7,), "mean", 3.7), ((2, 3, 2, 2), "mean", 0.5)],
)  # fmt: skip
def test_sigmoid_focal_matches_torchvision_formula(dtype, shape, reduction, gamma):
    rtol, atol = _TOL[dtype]
    x = (torch.randn(shape, dtype=torch.float64, generator=_G) * 3).to(dtype)
    t = torch.randint(0, 2, shape, generator=_G).double()
    t.view(-1)[0] = -1.0
    pw = torch.rand(shape[-1], dtype=torch.float64, generator=_G) * 3 + 0.1
    for alpha in (None, 0.25):
        for kw in ({}, {"pos_weight": pw, "ignore_index": -1.0}):
            ii = kw.get("ignore_index")
            tt = t if ii is not None else t.clamp(min=0)
            _check(
                lambda xx, tt=tt, kw=kw, alpha=alpha: L.sigmoid_focal_loss(
                    xx,
                    tt.to(dtype),
                    alpha=alpha,
                    gamma=gamma,
                    reduction=reduction,
                    **kw,
                ),
                lambda xr, tt=tt, kw=kw, alpha=alpha: ref_sigmoid(
                    xr,
                    tt,
                    alpha,
                    gamma,
                    kw.get("pos_weight"),
                    reduction,
                    kw.get("ignore_index"),
                ),
                x,
                rtol,
                atol,
            )


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize(
    ("case", "reduction", "gamma"),
    [("index", "none", 0.5), ("index", "mean", 2.0), ("index", "sum", 20.0),
     ("index4d", "mean", 0.0), ("index4d", "none", 2.0), ("soft", "mean", 0.5),
     ("soft", "none", 2.0), ("soft4d", "sum", 3.7)],
)  # fmt: skip
def test_softmax_focal_matches_reference_formula(dtype, case, reduction, gamma):
    rtol, atol = _TOL[dtype]
    shape = (6, 4) if case in ("index", "soft") else (2, 4, 3, 2)
    x = (torch.randn(shape, dtype=torch.float64, generator=_G) * 3).to(dtype)
    if case.startswith("soft"):
        t = torch.softmax(torch.randn(shape, dtype=torch.float64, generator=_G), 1)
        t = t.to(dtype)
    else:
        t = torch.randint(0, 4, (shape[0],) + shape[2:], generator=_G)
        t.view(-1)[0] = -100
    for alpha in (None, 0.3, [0.1, 0.5, 2.0, 1.0]):
        for ls in (0.0, 0.15):
            _check(
                lambda xx, alpha=alpha, ls=ls: L.softmax_focal_loss(
                    xx,
                    t,
                    alpha=alpha,
                    gamma=gamma,
                    reduction=reduction,
                    label_smoothing=ls,
                ),  # fmt: skip
                lambda xr, alpha=alpha, ls=ls: ref_softmax(
                    xr, t, alpha, gamma, reduction, -100, ls
                ),
                x,
                rtol,
                atol,
            )


@pytest.mark.parametrize(
    ("kind", "n", "dtype"),
    [
        ("sigmoid", 32767, torch.float32),  # numba CHUNK = 2**15 elements
        ("sigmoid", 32769, torch.float32),
        ("sigmoid", 65535, torch.float32),  # (the chunk was 2**16 before)
        ("sigmoid", 65537, torch.float32),
        ("sigmoid", 131073, torch.float64),  # eager _CHUNK = 2**17 elements
        ("softmax", 3276, torch.float32),  # numba: 32768 // 10 rows a chunk
        ("softmax", 3277, torch.float32),
        ("softmax", 6553, torch.float32),
        ("softmax", 6554, torch.float32),
        ("softmax", 13108, torch.float64),  # eager: 131072 // 10 rows a chunk
    ],
)
def test_focal_cpu_paths_match_reference_across_chunk_boundaries(kind, n, dtype):
    rtol, atol = (1e-6, 1e-12) if dtype == torch.float64 else (1e-4, 1e-9)
    if kind == "sigmoid":
        x = (torch.randn(n, dtype=torch.float64, generator=_G) * 4).to(dtype)
        t = torch.rand(n, dtype=torch.float64, generator=_G).to(dtype)
        _check(
            lambda xx: L.sigmoid_focal_loss(xx, t, gamma=1.5),
            lambda xr: ref_sigmoid(xr, t, 0.25, 1.5),
            x,
            rtol,
            atol,
        )
    else:
        x = (torch.randn(n, 10, dtype=torch.float64, generator=_G) * 3).to(dtype)
        t = torch.randint(0, 10, (n,), generator=_G)
        t[::7] = -100
        _check(
            lambda xx: L.softmax_focal_loss(xx, t, alpha=0.5, label_smoothing=0.1),
            lambda xr: ref_softmax(xr, t, 0.5, 2.0, "mean", -100, 0.1),
            x,
            rtol,
            atol,
        )


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("gamma", [0.0, 0.7, 2.0, 5.0])
def test_focal_gradcheck_float64(reduction, gamma):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(4, 3, dtype=torch.float64, generator=g, requires_grad=True)
    ts = torch.rand(4, 3, dtype=torch.float64, generator=g)
    pw = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    assert torch.autograd.gradcheck(
        lambda x: L.sigmoid_focal_loss(
            x, ts, gamma=gamma, reduction=reduction, alpha=0.3, pos_weight=pw
        ),
        (x,),
    )
    ti = torch.tensor([0, 2, -100, 1])
    assert torch.autograd.gradcheck(
        lambda x: L.softmax_focal_loss(
            x,
            ti,
            gamma=gamma,
            reduction=reduction,
            alpha=[0.2, 1.0, 3.0],
            label_smoothing=0.2,
        ),  # fmt: skip
        (x,),
    )


def test_focal_target_dtypes_and_strided_logits_match():
    x = torch.randn(3, 8, generator=_G).t()  # transposed, non-contiguous
    tb = torch.randint(0, 2, (8, 3), generator=_G)
    expected = ref_sigmoid(x, tb.double())
    for dt in (torch.int32, torch.uint8, torch.bool, torch.int8, torch.float16):
        got = L.sigmoid_focal_loss(x, tb.to(dt))
        torch.testing.assert_close(got.double(), expected, rtol=1e-5, atol=0)
    ti = torch.randint(0, 3, (8,), generator=_G)
    expected = ref_softmax(x, ti)
    for dt in (torch.int32, torch.uint8, torch.int8, torch.int16):
        got = L.softmax_focal_loss(x, ti.to(dt))
        torch.testing.assert_close(got.double(), expected, rtol=1e-5, atol=0)
    xe = torch.randn(8, 1, generator=_G).expand(8, 3)  # stride 0
    torch.testing.assert_close(
        L.softmax_focal_loss(xe, ti).double(), ref_softmax(xe, ti), rtol=1e-5, atol=0
    )


# --------------------------------------------------------------------------
# Checked and right: the other losses against their formulas
# --------------------------------------------------------------------------
def _step(z):
    return (torch.sign(z) + 1) / 2


def test_other_losses_match_their_formulas():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(5, 3, dtype=torch.float64, generator=g)
    t = torch.tensor([0, 2, -100, 1, 1])
    ts = torch.rand(5, 3, dtype=torch.float64, generator=g)
    valid = t != -100
    ce = F.cross_entropy(x, t, reduction="none")
    close = torch.testing.assert_close
    # class-scaled / Caffe weighted softmax: scaled sum over unweighted count
    ref = (ce * torch.where(t == 1, 3.0, 1.0)).sum() / valid.sum()
    close(L.class_scaled_cross_entropy(x, t, class_index=1, scale=3.0), ref)
    close(L.weighted_softmax_loss(x, t, 3.0, 1), ref)
    # logit adjustment (Menon et al.) / balanced softmax (Ren et al.)
    pri = torch.tensor([0.7, 0.2, 0.1], dtype=torch.float64)
    close(
        L.logit_adjusted_cross_entropy(
            x, t, pri.tolist(), tau=1.5, label_smoothing=0.1
        ),
        F.cross_entropy(x + 1.5 * pri.log(), t, label_smoothing=0.1),
    )
    close(
        L.balanced_softmax_cross_entropy(x, t, [70, 20, 10]),
        F.cross_entropy(x + pri.log(), t),
    )
    close(L.adjust_logits(x, pri.tolist(), tau=0.5), x - 0.5 * pri.log())
    # class-weighted CE = cross_entropy(weight=...)
    w = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    close(
        L.class_weighted_cross_entropy(x, t, w.tolist(), label_smoothing=0.1),
        F.cross_entropy(x, t, weight=w, label_smoothing=0.1),
    )
    close(
        L.class_weighted_binary_cross_entropy(x, ts, [1.0, 3.0]),
        (
            F.binary_cross_entropy_with_logits(x, ts, reduction="none") * (2 * ts + 1)
        ).mean(),
    )
    # margin CE (Su Jianlin): binary and multiclass
    p = torch.sigmoid(x)
    ref = -_step(0.8 - p) * ts * p.log() - _step(p - 0.2) * (1 - ts) * (1 - p).log()
    close(L.margin_cross_entropy(x, ts, margin=0.8, reduction="none"), ref)
    lpy = torch.log_softmax(x, 1).gather(1, t.clamp(min=0)[:, None])[:, 0]
    ref = torch.where(valid, -_step(0.8 - lpy.exp()) * lpy, 0.0).sum() / valid.sum()
    close(L.margin_cross_entropy(x, t, margin=0.8), ref)
    # OHEM: mean of the top-k per-sample losses
    losses = torch.tensor([0.1, 2.0, 0.5, 3.0])
    close(L.ohem_loss(losses, top_k=2), torch.tensor(2.5))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_empty_batch_follows_the_documented_convention(reduction):
    x = torch.zeros(0, 3, requires_grad=True)
    ti = torch.zeros(0, dtype=torch.long)
    tb = torch.zeros(0, 3)
    # Focal, margin and class-scaled losses: documented 0 for 'mean'.
    for out in (
        L.sigmoid_focal_loss(x, tb, reduction=reduction),
        L.softmax_focal_loss(x, ti, reduction=reduction),
        L.margin_cross_entropy(x, ti, reduction=reduction),
        L.class_scaled_cross_entropy(
            x, ti, class_index=0, scale=2.0, reduction=reduction
        ),
    ):
        assert out.numel() == 0 if reduction == "none" else out.item() == 0.0
    # The cross_entropy wrappers: as cross_entropy (NaN mean, 0 sum).
    for out, ref in (
        (L.class_weighted_cross_entropy(x, ti, [1.0, 2.0, 3.0], reduction=reduction),
         F.cross_entropy(x, ti, reduction=reduction)),
        (L.logit_adjusted_cross_entropy(x, ti, [1.0, 2.0, 3.0], reduction=reduction),
         F.cross_entropy(x, ti, reduction=reduction)),
    ):  # fmt: skip
        torch.testing.assert_close(out, ref, equal_nan=True)


def test_modules_pickle_and_work_under_torch_func():
    x = torch.randn(6, 3, generator=_G)
    ti = torch.tensor([0, 1, 2, 1, 0, 2])
    tb = torch.randint(0, 2, (6, 3), generator=_G).float()
    modules = [
        (L.SigmoidFocalLoss(alpha=0.3, gamma=1.5, pos_weight=torch.tensor([2.0])), tb),
        (L.SoftmaxFocalLoss(alpha={0: 1.0, 1: 2.0, 2: 3.0}, label_smoothing=0.1), ti),
        (L.ClassWeightedCrossEntropyLoss(torch.tensor([1.0, 2.0, 3.0])), ti),
        (L.LogitAdjustedCrossEntropyLoss([0.5, 0.3, 0.2], tau=1.2), ti),
        (L.OHEMLoss(top_k=0.5), ti),
    ]
    for module, t in modules:
        value = module(x, t)
        assert torch.equal(pickle.loads(pickle.dumps(module))(x, t), value)
        as_float64 = copy.deepcopy(module).double()(x.double(), t)
        torch.testing.assert_close(as_float64.float(), value)
        grad = torch.func.grad(lambda xx, m=module, t=t: m(xx, t))(x)
        xr = x.clone().requires_grad_()
        (expected,) = torch.autograd.grad(module(xr, t), xr)
        torch.testing.assert_close(grad, expected)
