"""Review 96 fuzzloss: the torch losses against float64 reference formulas.

Two derandomized hypothesis properties compare ``sigmoid_focal_loss`` (the
torchvision formula, written out with stable softplus terms) and
``softmax_focal_loss`` (``-sum_c alpha_c t_c (1 - p_c)^gamma log p_c``) with
plain float64 torch over shapes (0-size, 1-element, 3-d/4-d logits), logit
and target dtypes, non-contiguous and expanded views, ``alpha``, ``gamma``,
reductions, ``ignore_index``, ``label_smoothing`` and ``pos_weight``, values
and gradients, and check that the inputs are left unmodified. Plain tests pin
``rescale``, the class-weighted losses against ``F.cross_entropy`` /
``F.binary_cross_entropy_with_logits``, the chunked (large) CPU kernels,
extreme logits, ``gradcheck``, the errors for bad input (each naming the
argument) and the ``nn.Module`` forms (pickle, ``state_dict``, deepcopy).
CPU only; ``torch.compile`` is not exercised.
"""

import copy
import pickle

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rebalance.torch import losses as L  # noqa: E402

FLOATS = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
TOL = {
    torch.float16: 3e-2,
    torch.bfloat16: 6e-2,
    torch.float32: 1e-4,
    torch.float64: 1e-9,
}
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _reduce(loss, mask, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    n = mask.sum()
    return loss.sum() / n if n > 0 else loss.sum() * 0


def ref_sigmoid(x, y, alpha, gamma, reduction, ignore=None, pos_weight=None):
    """torchvision's sigmoid_focal_loss in float64, with ignore and pos_weight."""
    x, y = x.double(), y.double()
    mask = torch.ones_like(x, dtype=torch.bool) if ignore is None else y != ignore
    y = torch.where(mask, y, torch.zeros_like(y))
    pw = 1.0 if pos_weight is None else pos_weight.double()
    # -(pw y log p + (1 - y) log(1 - p)), stable (BCE-with-logits cancels)
    ce = pw * y * F.softplus(-x) + (1 - y) * F.softplus(x)
    p = torch.sigmoid(x)
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = loss * (alpha * y + (1 - alpha) * (1 - y))
    loss = torch.where(mask, loss, torch.zeros_like(loss))
    return _reduce(loss, mask, reduction)


def ref_softmax(x, t, alpha, gamma, reduction, ignore=-100, smoothing=0.0):
    x = x.double()
    n_classes = x.shape[1]
    logp = F.log_softmax(x, 1)
    if t.is_floating_point():
        target = t.double() * (1 - smoothing) + smoothing / n_classes
        mask = torch.ones(x.shape[:1] + x.shape[2:], dtype=torch.bool)
    else:
        mask = t != ignore
        hard = torch.where(mask, t, torch.zeros_like(t)).long()
        one_hot = F.one_hot(hard, n_classes).movedim(-1, 1).double()
        target = one_hot * (1 - smoothing) + smoothing / n_classes
    if alpha is None:
        a = torch.ones(n_classes, dtype=torch.float64)
    elif isinstance(alpha, float):
        a = torch.full((n_classes,), alpha, dtype=torch.float64)
    else:
        a = torch.tensor(alpha, dtype=torch.float64)
    a = a.view([1, n_classes] + [1] * (x.dim() - 2))
    loss = -(a * target * (1 - logp.exp()) ** gamma * logp).sum(1)
    loss = torch.where(mask, loss, torch.zeros_like(loss))
    return _reduce(loss, mask, reduction)


def assert_close(actual, expected, dtype):
    tol = TOL[dtype]
    assert actual.shape == expected.shape
    torch.testing.assert_close(
        actual.double(), expected, rtol=tol, atol=tol, equal_nan=True
    )


def assert_grad_close(actual, expected, dtype):
    # (1 - p)**gamma with gamma < 1 has no float64 autograd derivative at
    # p = 1: compare where the reference is finite, and require a finite
    # gradient there.
    finite = torch.isfinite(expected)
    assert torch.isfinite(actual[finite]).all()
    assert_close(actual[finite], expected[finite], dtype)


def _grads(fn, ref_fn, x):
    xi = x.detach().clone().requires_grad_()
    fn(xi).sum().backward()
    xr = x.detach().double().requires_grad_()
    ref_fn(xr).sum().backward()
    return xi.grad, xr.grad


@st.composite
def sigmoid_case(draw):
    shape = draw(st.sampled_from([(0,), (1,), (5,), (3, 4), (2, 3, 4), (2, 0, 3), ()]))
    dtype = draw(st.sampled_from(FLOATS))
    seed = draw(st.integers(0, 2**16))
    gen = torch.Generator().manual_seed(seed)
    scale = draw(st.sampled_from([1.0, 5.0, 30.0]))
    x = (torch.randn(shape, generator=gen) * scale).to(dtype)
    layout = draw(st.sampled_from(["plain", "strided", "expanded"]))
    if layout == "strided" and x.dim() >= 1:
        big = torch.randn((shape[0] * 2,) + shape[1:], generator=gen) * scale
        x = big.to(dtype)[::2]
    elif layout == "expanded" and x.dim() >= 1 and shape[0] > 0:
        x = x[:1].expand(shape)
    soft = draw(st.booleans())
    if soft:
        y = torch.rand(shape, generator=gen).to(
            draw(st.sampled_from([torch.float32, dtype]))
        )
        ydtype = y.dtype
    else:
        ydtype = draw(
            st.sampled_from(
                [torch.float32, torch.long, torch.int32, torch.uint8, torch.bool, dtype]
            )
        )
        y = (torch.rand(shape, generator=gen) < 0.4).to(ydtype)
    ignore = None
    if draw(st.booleans()) and ydtype not in (torch.bool, torch.uint8) and y.numel():
        ignore = -1
        y = y.clone()
        y.view(-1)[torch.rand(y.numel(), generator=gen) < 0.3] = -1
    pos_weight = None
    if draw(st.booleans()) and x.dim() >= 1:
        pos_weight = torch.rand(shape[-1:], generator=gen) * 3
    return dict(
        x=x,
        y=y,
        alpha=draw(st.sampled_from([None, 0.25, 0.0, 1.0, 0.7])),
        gamma=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.7])),
        reduction=draw(st.sampled_from(["none", "mean", "sum"])),
        ignore=ignore,
        pos_weight=pos_weight,
    )


@SETTINGS
@given(sigmoid_case())
def test_sigmoid_focal_matches_torchvision_formula(case):
    x, y = case["x"], case["y"]
    x0, y0 = x.clone(), y.clone()
    kwargs = dict(
        alpha=case["alpha"],
        gamma=case["gamma"],
        reduction=case["reduction"],
        ignore_index=case["ignore"],
        pos_weight=case["pos_weight"],
    )
    ref_args = (case["alpha"], case["gamma"], case["reduction"], case["ignore"])
    ref_args += (case["pos_weight"],)
    out = L.sigmoid_focal_loss(x, y, **kwargs)
    assert out.dtype == (torch.float64 if x.dtype == torch.float64 else torch.float32)
    assert_close(out, ref_sigmoid(x, y, *ref_args), x.dtype)
    assert torch.equal(x, x0) and torch.equal(y, y0)
    if x.dtype in (torch.float32, torch.float64) and x.numel():
        got, want = _grads(
            lambda z: L.sigmoid_focal_loss(z, y, **kwargs),
            lambda z: ref_sigmoid(z, y, *ref_args),
            x,
        )
        assert_grad_close(got, want, x.dtype)


@st.composite
def softmax_case(draw):
    n_classes = draw(st.sampled_from([1, 2, 3, 5]))
    n = draw(st.sampled_from([0, 1, 4]))
    extra = draw(st.sampled_from([(), (3,), (2, 2)]))
    dtype = draw(st.sampled_from(FLOATS))
    gen = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    scale = draw(st.sampled_from([1.0, 5.0, 30.0]))
    x = (torch.randn((n, n_classes) + extra, generator=gen) * scale).to(dtype)
    layout = draw(st.sampled_from(["plain", "transposed", "channels_last"]))
    if layout == "transposed":
        x = x.transpose(0, 1).contiguous().transpose(0, 1)
    elif layout == "channels_last" and x.dim() == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    if draw(st.integers(0, 4)) == 0:
        t = torch.softmax(torch.randn(x.shape, generator=gen), 1).to(dtype)
    else:
        t = torch.randint(0, n_classes, (n,) + extra, generator=gen)
        t = t.to(draw(st.sampled_from([torch.long, torch.int32, torch.uint8])))
        if draw(st.booleans()) and t.dtype != torch.uint8 and t.numel():
            t[torch.rand(t.shape, generator=gen) < 0.3] = -100
    alpha = draw(
        st.sampled_from([None, 0.5, [0.5 + 0.25 * c for c in range(n_classes)]])
    )
    return dict(
        x=x,
        t=t,
        alpha=alpha,
        gamma=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.7])),
        reduction=draw(st.sampled_from(["none", "mean", "sum"])),
        smoothing=draw(st.sampled_from([0.0, 0.1])),
    )


@SETTINGS
@given(softmax_case())
def test_softmax_focal_matches_reference(case):
    x, t = case["x"], case["t"]
    x0, t0 = x.clone(), t.clone()
    kwargs = dict(
        alpha=case["alpha"],
        gamma=case["gamma"],
        reduction=case["reduction"],
        label_smoothing=case["smoothing"],
    )
    ref_args = (
        case["alpha"],
        case["gamma"],
        case["reduction"],
        -100,
        case["smoothing"],
    )
    out = L.softmax_focal_loss(x, t, **kwargs)
    assert_close(out, ref_softmax(x, t, *ref_args), x.dtype)
    assert torch.equal(x, x0) and torch.equal(t, t0)
    if x.dtype in (torch.float32, torch.float64) and x.numel():
        got, want = _grads(
            lambda z: L.softmax_focal_loss(z, t, **kwargs),
            lambda z: ref_softmax(z, t, *ref_args),
            x,
        )
        assert_grad_close(got, want, x.dtype)


def test_focal_gamma0_is_cross_entropy():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(6, 3, 2, dtype=torch.float64, generator=gen)
    t = torch.randint(0, 3, (6, 2), generator=gen)
    t[0, 0] = -100
    for red in ("none", "mean", "sum"):
        got = L.softmax_focal_loss(x, t, gamma=0.0, reduction=red, label_smoothing=0.2)
        want = F.cross_entropy(x, t, reduction=red, label_smoothing=0.2)
        torch.testing.assert_close(got, want)
    y = (torch.rand(6, 3, generator=gen) < 0.5).double()
    got = L.sigmoid_focal_loss(x[:, :, 0], y, gamma=0.0, alpha=None, reduction="sum")
    want = F.binary_cross_entropy_with_logits(x[:, :, 0], y, reduction="sum")
    torch.testing.assert_close(got, want)


def test_rescale_gives_cross_entropy_magnitude():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(8, 3, dtype=torch.float64, generator=gen)
    y = (torch.rand(8, 3, generator=gen) < 0.3).double()
    y[:2] = -1
    ce = F.binary_cross_entropy_with_logits(x[2:], y[2:])
    for alpha in (None, 0.25):
        got = L.sigmoid_focal_loss(x, y, alpha=alpha, ignore_index=-1, rescale=True)
        torch.testing.assert_close(got, ce)
    got = L.sigmoid_focal_loss(x[2:], y[2:], rescale=True, reduction="sum")
    torch.testing.assert_close(got, ce * 18)
    t = torch.randint(0, 3, (8,), generator=gen)
    t[:3] = -100
    for alpha in (None, [1.0, 2.0, 3.0]):
        got = L.softmax_focal_loss(x, t, alpha=alpha, rescale=True, label_smoothing=0.2)
        torch.testing.assert_close(got, F.cross_entropy(x, t, label_smoothing=0.2))
    # The factor is detached: the gradient is the focal one, scaled.
    xi = x.clone().requires_grad_()
    L.softmax_focal_loss(xi, t, rescale=True).backward()
    xf = x.clone().requires_grad_()
    focal = L.softmax_focal_loss(xf, t)
    focal.backward()
    factor = F.cross_entropy(x, t) / focal.detach()
    torch.testing.assert_close(xi.grad, xf.grad * factor)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_class_weighted_cross_entropy_is_torch_weighted(reduction):
    gen = torch.Generator().manual_seed(2)
    w = [0.5, 2.0, 1.0]
    wt = torch.tensor(w, dtype=torch.float64)
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64, generator=gen)
    t = torch.randint(0, 3, (2, 4, 5), generator=gen)
    t[0, 0] = -100
    for smoothing in (0.0, 0.1):
        got = L.class_weighted_cross_entropy(
            x,
            t.int(),
            {0: 0.5, 1: 2.0, 2: 1.0},
            reduction=reduction,
            label_smoothing=smoothing,
        )
        want = F.cross_entropy(
            x, t, weight=wt, reduction=reduction, label_smoothing=smoothing
        )
        torch.testing.assert_close(got, want)
    p = torch.softmax(torch.randn(4, 3, dtype=torch.float64, generator=gen), 1)
    x2 = torch.randn(4, 3, dtype=torch.float64, generator=gen)
    got = L.class_weighted_cross_entropy(
        x2, p, w, reduction=reduction, label_smoothing=0.1
    )
    want = F.cross_entropy(x2, p, weight=wt, reduction=reduction, label_smoothing=0.1)
    torch.testing.assert_close(got, want)
    y = (torch.rand(4, 3, generator=gen) < 0.5).double()
    got = L.class_weighted_binary_cross_entropy(
        x2, y.bool(), [1.0, 4.0], reduction=reduction
    )
    per = F.binary_cross_entropy_with_logits(x2, y, reduction="none") * (1 + 3 * y)
    torch.testing.assert_close(got, _reduce(per, torch.ones_like(y), reduction))


def test_other_logit_losses_match_reference():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(6, 3, dtype=torch.float64, generator=gen)
    t = torch.tensor([0, 1, 2, 1, -100, 0])
    counts = torch.tensor([10.0, 5.0, 1.0], dtype=torch.float64)
    priors = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)
    scaled = F.cross_entropy(x, t, reduction="none") * torch.where(t == 1, 3.0, 1.0)
    for red in ("none", "mean", "sum"):
        torch.testing.assert_close(
            L.balanced_softmax_cross_entropy(x, t, [10, 5, 1], reduction=red),
            F.cross_entropy(x + counts.log(), t, reduction=red),
        )
        torch.testing.assert_close(
            L.logit_adjusted_cross_entropy(x, t, [5, 3, 2], tau=0.7, reduction=red),
            F.cross_entropy(x + 0.7 * priors.log(), t, reduction=red),
        )
        want = _reduce(scaled, t != -100, red)
        got = L.class_scaled_cross_entropy(
            x, t, class_index=1, scale=3.0, reduction=red
        )
        torch.testing.assert_close(got, want)
        torch.testing.assert_close(
            L.weighted_softmax_loss(x, t, 3.0, 1, reduction=red), want
        )


def test_margin_cross_entropy_matches_formula():
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(5, 3, 2, dtype=torch.float64, generator=gen) * 3
    t = torch.randint(0, 3, (5, 2), generator=gen)
    t[0, 0] = -100
    logp = F.log_softmax(x, 1).gather(1, t.clamp(min=0).unsqueeze(1)).squeeze(1)
    for margin in (0.6, 0.8, 1.0):
        step = (torch.sign(margin - logp.exp()) + 1) / 2
        want = torch.where(t != -100, -step * logp, 0.0)
        got = L.margin_cross_entropy(x, t, margin=margin, reduction="none")
        torch.testing.assert_close(got, want)
    # C = 2 is the binary formula on the logit difference.
    x2 = x[:, :2, 0]
    t2 = torch.randint(0, 2, (5,), generator=gen)
    got = L.margin_cross_entropy(x2, t2, reduction="none")
    binary = L.margin_cross_entropy(x2[:, 1] - x2[:, 0], t2.double(), reduction="none")
    torch.testing.assert_close(got, binary)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_chunked_kernels_match_reference(dtype):
    # Over CHUNK (2**15) and SIGMOID_PARALLEL_ABOVE (2**16) elements, with
    # ignored, soft and out-of-float32-range entries mixed in.
    gen = torch.Generator().manual_seed(5)
    x = (torch.randn(23000, 3, generator=gen) * 30).to(dtype)
    x[torch.rand(x.shape, generator=gen) < 0.001] = 1e4
    y = (torch.rand(x.shape, generator=gen) < 0.3).float()
    y[torch.rand(x.shape, generator=gen) < 0.05] = -1
    y[torch.rand(x.shape, generator=gen) < 0.01] = 0.5
    pw = torch.tensor([1.0, 2.5, 0.3])
    got = L.sigmoid_focal_loss(x, y, ignore_index=-1, pos_weight=pw, reduction="none")
    assert_close(got, ref_sigmoid(x, y, 0.25, 2.0, "none", -1, pw), dtype)
    got = L.sigmoid_focal_loss(x, y, ignore_index=-1, pos_weight=pw, gamma=0.5)
    assert_close(got, ref_sigmoid(x, y, 0.25, 0.5, "mean", -1, pw), dtype)
    xs = (torch.randn(700, 100, generator=gen) * 10).to(dtype)
    t = torch.randint(0, 100, (700,), generator=gen)
    t[::7] = -100
    alpha = torch.rand(100, generator=gen).tolist()
    got = L.softmax_focal_loss(
        xs, t, alpha=alpha, label_smoothing=0.1, reduction="none"
    )
    assert_close(got, ref_softmax(xs, t, alpha, 2.0, "none", -100, 0.1), dtype)
    if dtype != torch.bfloat16:
        got, want = _grads(
            lambda z: L.softmax_focal_loss(z, t, alpha=alpha, reduction="sum"),
            lambda z: ref_softmax(z, t, alpha, 2.0, "sum"),
            xs,
        )
        assert_grad_close(got, want, dtype)


def test_tiny_losses_keep_relative_accuracy():
    # log1p(exp(-|x|)) stays accurate where BCE-with-logits rounds to 0.
    x = torch.tensor([-40.0, 40.0, -25.0, 79.0])
    y = torch.tensor([0.0, 1.0, 0.0, 1.0])
    got = L.sigmoid_focal_loss(x, y, gamma=0.0, alpha=None, reduction="none")
    torch.testing.assert_close(
        got.double(), torch.exp(-x.abs().double()), rtol=1e-5, atol=0
    )


def test_extreme_logits_propagate_like_torch():
    x = torch.tensor([1e4, -1e4, float("inf"), -float("inf"), float("nan"), 0.0])
    y = torch.tensor([0.0, 1, 1, 0, 1, 1])
    got = L.sigmoid_focal_loss(x, y, gamma=0.0, alpha=None, reduction="none")
    want = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    torch.testing.assert_close(got, want, equal_nan=True)
    xs = torch.tensor(
        [[1e4, -1e4, 0], [float("inf"), 0, 0], [float("nan"), 0, 0], [-1e4, 0, 0]]
    )
    t = torch.tensor([1, 0, 0, 0])
    got = L.softmax_focal_loss(xs, t, gamma=0.0, reduction="none")
    torch.testing.assert_close(
        got, F.cross_entropy(xs, t, reduction="none"), equal_nan=True
    )
    # finite gradients at +-1e4 for every gamma
    for gamma in (0.0, 0.5, 2.0):
        xi = torch.tensor([[1e4, 0.0, 0.0], [1e4, 0.0, 0.0]], requires_grad=True)
        L.softmax_focal_loss(
            xi, torch.tensor([0, 1]), gamma=gamma, reduction="sum"
        ).backward()
        torch.testing.assert_close(xi.grad, torch.tensor([[0.0, 0, 0], [1.0, -1, 0]]))
        xb = torch.tensor([1e4, -1e4, -1e4, 1e4], requires_grad=True)
        yb = torch.tensor([1.0, 0, 1, 0])
        L.sigmoid_focal_loss(xb, yb, gamma=gamma, reduction="sum").backward()
        torch.testing.assert_close(xb.grad, torch.tensor([0.0, 0.0, -0.25, 0.75]))


def test_gradcheck_float64():
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(3, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    t = torch.tensor([0, 3, 1])
    y = (torch.rand(3, 4, generator=gen) < 0.5).double()
    p = torch.softmax(torch.randn(3, 4, dtype=torch.float64, generator=gen), 1)
    pw = torch.tensor([1.0, 2, 3, 4], dtype=torch.float64)
    for fn in (
        lambda z: L.sigmoid_focal_loss(z, y, gamma=1.5),
        lambda z: L.sigmoid_focal_loss(z, y, pos_weight=pw, reduction="none"),
        lambda z: L.softmax_focal_loss(z, t, alpha=[1.0, 2, 3, 4], label_smoothing=0.1),
        lambda z: L.softmax_focal_loss(z, p, gamma=3.0, reduction="none"),
        lambda z: L.class_weighted_cross_entropy(
            z, t, [1.0, 2, 3, 4], label_smoothing=0.2
        ),
        lambda z: L.class_weighted_binary_cross_entropy(z, y, [1.0, 2]),
        lambda z: L.margin_cross_entropy(z, t),
    ):
        assert torch.autograd.gradcheck(fn, (x,))


def test_empty_and_all_ignored_give_zero_and_zero_grad():
    x = torch.randn(3, 3, requires_grad=True)
    loss = L.softmax_focal_loss(x, torch.full((3,), -100))
    loss.backward()
    assert loss.item() == 0.0 and torch.equal(x.grad, torch.zeros(3, 3))
    loss = L.sigmoid_focal_loss(torch.randn(0, 2), torch.zeros(0, 2))
    assert loss.item() == 0.0


_X = torch.randn(4, 3)
_Y = (torch.rand(4, 3) < 0.5).float()
_T = torch.tensor([0, 1, 2, 1])
BAD_INPUT = [
    (lambda: L.sigmoid_focal_loss(_X, _Y[:, :2]), ValueError, "target"),
    (lambda: L.sigmoid_focal_loss(_X, _Y * 2), ValueError, "target"),
    (lambda: L.sigmoid_focal_loss(_X, _Y * float("nan")), ValueError, "target"),
    (lambda: L.sigmoid_focal_loss(_X.long(), _Y), TypeError, "logits"),
    (lambda: L.sigmoid_focal_loss(_X.numpy(), _Y), TypeError, "logits"),
    (lambda: L.sigmoid_focal_loss(_X, _Y.tolist()), TypeError, "target"),
    (lambda: L.sigmoid_focal_loss(_X, _Y, gamma=-1), ValueError, "gamma"),
    (lambda: L.sigmoid_focal_loss(_X, _Y, alpha=1.5), ValueError, "alpha"),
    (lambda: L.sigmoid_focal_loss(_X, _Y, reduction="avg"), ValueError, "reduction"),
    (
        lambda: L.sigmoid_focal_loss(_X, _Y, pos_weight=torch.ones(2)),
        ValueError,
        "pos_weight",
    ),
    (lambda: L.sigmoid_focal_loss(_X, _Y, rescale="yes"), TypeError, "rescale"),
    (lambda: L.softmax_focal_loss(_X, _T[:3]), ValueError, "target"),
    (lambda: L.softmax_focal_loss(_X, _T.unsqueeze(1)), ValueError, "target"),
    (
        lambda: L.softmax_focal_loss(_X, torch.tensor([0, 1, 3, 1])),
        ValueError,
        "target",
    ),
    (lambda: L.softmax_focal_loss(_X, _T.float()), TypeError, "target"),
    (lambda: L.softmax_focal_loss(_X, _T.bool()), TypeError, "target"),
    (lambda: L.softmax_focal_loss(_X[0], _T[0]), ValueError, "logits"),
    (lambda: L.softmax_focal_loss(_X, _T, alpha=[1.0, 2]), ValueError, "alpha"),
    (
        lambda: L.softmax_focal_loss(_X, _T, label_smoothing=1.5),
        ValueError,
        "label_smoothing",
    ),
    (
        lambda: L.softmax_focal_loss(_X, _T, ignore_index=-1.5),
        TypeError,
        "ignore_index",
    ),
    (lambda: L.softmax_focal_loss(_X, torch.softmax(_X, 1) + 1), ValueError, "target"),
    (
        lambda: L.class_weighted_cross_entropy(_X, _T, [1.0, 2]),
        ValueError,
        "class_weight",
    ),
    (
        lambda: L.class_weighted_cross_entropy(_X, _T, [1.0, -2, 1]),
        ValueError,
        "class_weight",
    ),
    (
        lambda: L.class_weighted_cross_entropy(
            _X, torch.tensor([0, 5, 1, 1]), [1.0] * 3
        ),
        ValueError,
        "target",
    ),
    (
        lambda: L.class_weighted_binary_cross_entropy(_X, _Y[:, 0], [1.0, 2]),
        ValueError,
        "target",
    ),
    (lambda: L.weighted_softmax_loss(_X, _T, 2.0, 5), ValueError, "pos_cid"),
    (
        lambda: L.balanced_softmax_cross_entropy(_X, _T, [3, 0, 1]),
        ValueError,
        "class_counts",
    ),
]


@pytest.mark.parametrize("call, error, name", BAD_INPUT)
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_constants_requiring_grad_are_refused():
    with pytest.raises(ValueError, match="alpha"):
        L.softmax_focal_loss(_X, _T, alpha=torch.ones(3, requires_grad=True))
    with pytest.raises(ValueError, match="target"):
        L.sigmoid_focal_loss(_X, _Y.clone().requires_grad_())


MODULES = [
    (
        L.SigmoidFocalLoss,
        (),
        dict(alpha=0.3, gamma=1.5, pos_weight=torch.tensor([1.0, 2, 3])),
        "y",
    ),
    (
        L.SoftmaxFocalLoss,
        (),
        dict(alpha=[1.0, 2, 3], gamma=1.0, label_smoothing=0.1),
        "t",
    ),
    (L.ClassWeightedCrossEntropyLoss, ({0: 1.0, 1: 2.0, 2: 3.0},), {}, "t"),
    (L.ClassWeightedBinaryCrossEntropyLoss, ([1.0, 3.0],), {}, "y"),
    (L.BalancedSoftmaxCrossEntropyLoss, ([10, 5, 1],), {}, "t"),
    (L.LogitAdjustedCrossEntropyLoss, ([0.5, 0.3, 0.2],), dict(tau=0.5), "t"),
    (L.MarginCrossEntropyLoss, (), dict(margin=0.7), "t"),
    (L.ClassScaledCrossEntropyLoss, (), dict(class_index=1, scale=3.0), "t"),
    (L.WeightedSoftmaxLoss, (2.0, 1), {}, "t"),
]


@pytest.mark.parametrize("cls, args, kwargs, target", MODULES)
def test_modules_pickle_state_dict_deepcopy(cls, args, kwargs, target):
    target = _Y if target == "y" else _T
    module = cls(*args, **kwargs)
    out = module(_X, target)
    assert torch.equal(pickle.loads(pickle.dumps(module))(_X, target), out)
    assert torch.equal(copy.deepcopy(module)(_X, target), out)
    fresh = cls(*args, **kwargs)
    fresh.load_state_dict(module.state_dict())
    assert torch.equal(fresh(_X, target), out)
    target64 = target.double() if target is _Y else target
    assert module.double()(_X.double(), target64).dtype == torch.float64


def test_modules_equal_functions():
    y = _Y.clone()
    y[0, 0] = -1
    t = torch.tensor([0, 1, 2, -100])
    for red in ("none", "mean", "sum"):
        kw = dict(alpha=0.4, gamma=1.0, reduction=red, ignore_index=-1, rescale=True)
        assert torch.equal(
            L.SigmoidFocalLoss(**kw)(_X, y), L.sigmoid_focal_loss(_X, y, **kw)
        )
        kw = dict(
            alpha=[1.0, 2, 3],
            gamma=1.0,
            reduction=red,
            label_smoothing=0.1,
            rescale=True,
        )
        assert torch.equal(
            L.SoftmaxFocalLoss(**kw)(_X, t), L.softmax_focal_loss(_X, t, **kw)
        )
        kw = dict(reduction=red, label_smoothing=0.1)
        assert torch.equal(
            L.ClassWeightedCrossEntropyLoss([1.0, 2, 3], **kw)(_X, t),
            L.class_weighted_cross_entropy(_X, t, [1.0, 2, 3], **kw),
        )


def test_ohem_keeps_hardest_non_ignored_rows():
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(6, 3, generator=gen)
    t = torch.tensor([0, -100, 2, -100, 1, 0])
    ce = F.cross_entropy(x, t, reduction="none")[t != -100]
    torch.testing.assert_close(L.OHEMLoss(top_k=1.0)(x, t), ce.mean())
    torch.testing.assert_close(L.OHEMLoss(top_k=0.5)(x, t), ce.topk(2).values.mean())
    losses = torch.tensor([0.1, 0.5, 0.3, 0.9, 0.2])
    loss, idx = L.ohem_loss(losses, top_k=2, return_indices=True)
    assert loss.item() == pytest.approx(0.7) and idx.tolist() == [3, 1]
