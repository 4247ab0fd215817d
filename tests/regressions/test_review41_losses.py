"""Review 41 (losses): a seeded differential fuzz of the fused focal losses.

Each case draws a shape (empty, one element, odd sizes, ``(N, C, d1, d2)``),
a memory layout of logits and target (transposed, strided, expanded,
channels_last), the logits' dtype, the target dtype, ``gamma``, ``alpha``,
``pos_weight``, ``ignore_index``, ``label_smoothing``, ``reduction`` and
``rescale``, and checks the loss and its gradient against the docstring
formula differentiated by autograd in float64, on both CPU paths (the numba
kernels and ``REBALANCE_FOCAL_NUMBA=0``), with one and two threads; the
inputs must come back unmodified. No bug was found by the fuzz in this round:
these cases guard the combinations it covered.
"""

import random

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402

from rebalance.torch.losses import sigmoid_focal_loss, softmax_focal_loss  # noqa: E402

# (rtol, atol relative to the largest reference value) by logits dtype: the
# losses compute in float32 (float64 for float64 logits), and the gradient
# is returned in the logits' dtype.
TOLERANCE = {
    torch.float64: (1e-9, 1e-12),
    torch.float32: (2e-5, 1e-6),
    torch.float16: (3e-3, 1e-5),
    torch.bfloat16: (1.2e-2, 1e-4),
}
DTYPES = [torch.float32, torch.float16, torch.bfloat16, torch.float64]


def _close(got, want, dtype):
    rtol, atol = TOLERANCE[dtype]
    got, want = got.detach().double(), want.detach().double()
    assert got.shape == want.shape
    scale = float(want.abs().max()) if want.numel() else 1.0
    torch.testing.assert_close(got, want, rtol=rtol, atol=atol * max(scale, 1.0))


def _layout(t, kind):
    if t.dim() == 0 or t.numel() == 0:
        return t
    if kind == "transposed" and t.dim() >= 2:
        return t.transpose(0, -1).contiguous().transpose(0, -1)
    if kind == "channels_last" and t.dim() == 4:
        return t.contiguous(memory_format=torch.channels_last)
    if kind == "strided":
        return torch.repeat_interleave(t, 2, dim=-1)[..., ::2]
    if kind == "expanded" and t.shape[0] > 1:
        return t[:1].expand(t.shape)
    return t


LAYOUTS = ["contiguous", "transposed", "channels_last", "strided", "expanded"]


def _reduce(fl, ce, count, reduction, rescale):
    factor = 1.0
    if rescale:
        fl_sum = fl.sum().detach()
        factor = ce.sum().detach() / fl_sum if fl_sum > 0 else 1.0
    if reduction == "none":
        return fl * factor
    total = fl.sum() * factor
    return total if reduction == "sum" else total / max(count, 1)


def _sigmoid_reference(x, y, valid, pos_weight, alpha, gamma, reduction, rescale):
    """The docstring formula, in float64, for autograd."""
    y = torch.where(valid, y.double(), 0.0)
    w = 1.0 if pos_weight is None else pos_weight.double()
    ce = -(w * y * F.logsigmoid(x) + (1 - y) * F.logsigmoid(-x))
    p = torch.sigmoid(x)
    m = y * (1 - p) + (1 - y) * p
    fl = ce * m**gamma if gamma else ce
    if alpha is not None:
        fl = fl * (alpha * y + (1 - alpha) * (1 - y))
    fl = torch.where(valid, fl, 0.0)
    ce = torch.where(valid, ce, 0.0)
    return _reduce(fl, ce, int(valid.sum()), reduction, rescale)


def _softmax_reference(x, target, alpha, gamma, ignore_index, smoothing, red, rescale):
    n_classes = x.shape[1]
    log_p = F.log_softmax(x, 1)
    if target.is_floating_point():
        t = target.double() * (1 - smoothing) + smoothing / n_classes
        count = t.numel() // n_classes
    else:
        valid = target.long() != ignore_index
        index = torch.where(valid, target.long(), 0)
        t = F.one_hot(index, n_classes).movedim(-1, 1).double()
        t = (t * (1 - smoothing) + smoothing / n_classes) * valid.unsqueeze(1)
        count = int(valid.sum())
    a = 1.0 if alpha is None else alpha.view((1, n_classes) + (1,) * (x.dim() - 2))
    nll = torch.where(t != 0, -log_p, 0.0)
    weight = (1 - log_p.exp()) ** gamma if gamma else 1.0
    fl = (t * a * weight * nll).sum(1)
    return _reduce(fl, (t * nll).sum(1), count, red, rescale)


def _check_both_paths(monkeypatch, loss, logits, target, kwargs, reference, dtype):
    """``loss(logits, target, **kwargs)`` and its gradient equal ``reference``
    (computed from float64 logits ``x64``) on both CPU paths and thread counts,
    and leave the inputs as they were."""
    x64 = logits.detach().double().requires_grad_()
    want = reference(x64)
    grad_out = torch.randn(want.shape, dtype=torch.float64)
    (want_grad,) = torch.autograd.grad((want * grad_out).sum(), x64)
    logits_copy, target_copy = logits.clone(), target.clone()
    threads = torch.get_num_threads()
    try:
        for numba in ("1", "0"):
            monkeypatch.setenv("REBALANCE_FOCAL_NUMBA", numba)
            for n_threads in (1, 2):
                torch.set_num_threads(n_threads)
                x = logits.detach().clone().requires_grad_()
                got = loss(x, target, **kwargs)
                assert got.dtype == torch.promote_types(dtype, torch.float32)
                _close(got, want, dtype)
                if got.numel():
                    (got * grad_out.to(got.dtype)).sum().backward()
                    assert x.grad.dtype == dtype
                    if torch.isfinite(want_grad).all():
                        _close(x.grad, want_grad, dtype)
                    else:  # the reference's (1 - p)**gamma at p = 1, gamma < 1
                        assert torch.isfinite(x.grad).all()
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(logits, logits_copy)
    assert torch.equal(target, target_copy)


def _sigmoid_case(rng):
    shape = rng.choice([(0,), (1,), (7,), (3, 5), (2, 3, 4, 5), (65537,)])
    dtype = rng.choice(DTYPES)
    x = (torch.randn(shape, dtype=torch.float64) * rng.choice([1.0, 4.0])).to(dtype)
    kind = rng.choice(["float", "soft", "bool", "uint8", "int8", "int32", "f16", "f64"])
    hard = torch.randint(0, 2, shape)
    y = {
        "float": hard.float(),
        "soft": torch.rand(shape),
        "bool": hard.bool(),
        "uint8": hard.to(torch.uint8),
        "int8": hard.to(torch.int8),
        "int32": hard.to(torch.int32),
        "f16": torch.rand(shape).half(),
        "f64": torch.rand(shape, dtype=torch.float64),
    }[kind]
    ignore_index = marker = None
    if kind != "bool" and x.numel() and rng.random() < 0.5:
        if y.is_floating_point():
            ignore_index = rng.choice([-1.0, -0.1, 0.3, 2.0])
        else:
            ignore_index = rng.choice([2, 255] if kind == "uint8" else [-1, 2])
        marker = torch.tensor(ignore_index, dtype=torch.float64).to(y.dtype)
        y = torch.where(torch.rand(shape) >= 0.3, y, marker)
    pos_weight = None
    if x.numel() and rng.random() < 0.4:
        pos_weight = torch.rand(shape[-1:]) * 3
    layout = rng.choice(LAYOUTS)
    x, y = _layout(x, layout), _layout(y, rng.choice(LAYOUTS))
    # compared in the target's dtype (soft values too)
    valid = torch.ones(shape, dtype=torch.bool) if marker is None else y != marker
    kwargs = {
        "alpha": rng.choice([None, 0.25, 0.0, 1.0]),
        "gamma": rng.choice([0.0, 0.5, 1.0, 2.0, 3.7, 12.0]),
        "reduction": rng.choice(["none", "mean", "sum"]),
        "pos_weight": pos_weight,
        "ignore_index": ignore_index,
        "rescale": rng.random() < 0.25,
    }
    args = (y, valid, pos_weight, kwargs["alpha"], kwargs["gamma"])
    args += (kwargs["reduction"], kwargs["rescale"])
    return x, y, kwargs, lambda x64: _sigmoid_reference(x64, *args), dtype


def _softmax_case(rng):
    shape = rng.choice([(0, 3), (1, 1), (5, 3), (37, 11), (3, 4, 5, 2), (70, 1001)])
    dtype = rng.choice(DTYPES)
    x = (torch.randn(shape, dtype=torch.float64) * rng.choice([1.0, 4.0])).to(dtype)
    n_classes = shape[1]
    ignore_index = -100
    if rng.random() < 0.25:
        target = torch.softmax(torch.randn(shape), 1)
    else:
        target = torch.randint(0, n_classes, (shape[0],) + shape[2:])
        if target.numel() and rng.random() < 0.5:
            ignore_index = rng.choice([-100, -1, n_classes - 1])
            target = torch.where(torch.rand(target.shape) < 0.3, ignore_index, target)
        if n_classes < 100 and ignore_index >= -1:
            target = target.to(rng.choice([torch.int64, torch.int32, torch.int16]))
    alpha = None
    if rng.random() < 0.5:
        alpha = torch.rand(n_classes, dtype=torch.float64) + 0.1
    layout = rng.choice(LAYOUTS)
    x, target = _layout(x, layout), _layout(target, rng.choice(LAYOUTS))
    kwargs = {
        "alpha": None if alpha is None else alpha.tolist(),
        "gamma": rng.choice([0.0, 0.5, 1.0, 2.0, 3.7]),
        "reduction": rng.choice(["none", "mean", "sum"]),
        "ignore_index": ignore_index,
        "label_smoothing": rng.choice([0.0, 0.0, 0.1, 1.0]),
        "rescale": rng.random() < 0.25,
    }
    args = (target, alpha, kwargs["gamma"], ignore_index, kwargs["label_smoothing"])
    args += (kwargs["reduction"], kwargs["rescale"])
    return x, target, kwargs, lambda x64: _softmax_reference(x64, *args), dtype


@pytest.mark.parametrize("seed", range(24))
def test_sigmoid_focal_loss_matches_the_float64_formula(monkeypatch, seed):
    x, y, kwargs, reference, dtype = _sigmoid_case(random.Random(seed))
    torch.manual_seed(seed)
    _check_both_paths(monkeypatch, sigmoid_focal_loss, x, y, kwargs, reference, dtype)


@pytest.mark.parametrize("seed", range(24))
def test_softmax_focal_loss_matches_the_float64_formula(monkeypatch, seed):
    x, t, kwargs, reference, dtype = _softmax_case(random.Random(1000 + seed))
    torch.manual_seed(seed)
    _check_both_paths(monkeypatch, softmax_focal_loss, x, t, kwargs, reference, dtype)


@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_gamma_zero_without_alpha_is_torchs_loss(gamma):
    # gamma=0, alpha=None is BCE / cross_entropy (label smoothing, ignore_index
    # and pos_weight included); gamma=2 is torchvision's sigmoid focal formula.
    torch.manual_seed(0)
    x = torch.randn(6, 5, 3, dtype=torch.float64)
    y = torch.rand(6, 5, 3, dtype=torch.float64)
    pos_weight = torch.rand(3, dtype=torch.float64) * 3
    got = sigmoid_focal_loss(x, y, gamma=gamma, alpha=None, pos_weight=pos_weight)
    ce = F.binary_cross_entropy_with_logits(
        x, y, pos_weight=pos_weight, reduction="none"
    )
    p = torch.sigmoid(x)
    want = (ce * (1 - (p * y + (1 - p) * (1 - y))) ** gamma).mean()
    torch.testing.assert_close(got, want)
    if gamma == 0.0:
        target = torch.randint(0, 5, (6, 3))
        target[0, 0] = -100
        got = softmax_focal_loss(x, target, gamma=0.0, label_smoothing=0.2)
        want = F.cross_entropy(x, target, label_smoothing=0.2)
        torch.testing.assert_close(got, want)
