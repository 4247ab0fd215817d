"""Review 64, amp: every exported loss in CPU training steps with autocast,
GradScaler, half-precision weights, torch.func, checkpointing, channels_last
segmentation logits, empty batches, soft targets that require grad and the
deterministic-algorithms mode, against float64 formulas from the
docstrings."""

import warnings

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from torch.func import functional_call, grad  # noqa: E402
from torch.utils.checkpoint import checkpoint  # noqa: E402

from rebalance.torch import losses as L  # noqa: E402

N, C = 8, 4
PRIORS = [5.0, 2.0, 1.0, 0.5]
CLASS_WEIGHT = [1.0, 2.0, 0.5, 3.0]


def _data():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(N, 5, generator=gen)
    y = torch.randint(0, C, (N,), generator=gen)
    y[2] = -100
    soft = torch.rand(N, C, generator=gen)
    return x, y, soft


def _class_rows(z, t):
    valid = t != -100
    log_p = torch.log_softmax(z, 1)
    return valid, log_p.gather(1, torch.where(valid, t, 0)[:, None])[:, 0]


def _ref_sigmoid_focal(z, t, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(z)
    ce = -(t * F.logsigmoid(z) + (1 - t) * F.logsigmoid(-z))
    p_t = p * t + (1 - p) * (1 - t)
    a_t = alpha * t + (1 - alpha) * (1 - t)
    return (a_t * (1 - p_t) ** gamma * ce).mean()


def _ref_softmax_focal(z, t, gamma=2.0):
    valid, log_py = _class_rows(z, t)
    loss = -((1 - log_py.exp()) ** gamma) * log_py
    return torch.where(valid, loss, 0.0).sum() / valid.sum()


def _ref_margin(z, t, m=0.8):
    valid, log_py = _class_rows(z, t)
    keep = (torch.sign(m - log_py.detach().exp()) + 1) / 2
    return torch.where(valid, -keep * log_py, 0.0).sum() / valid.sum()


def _ref_scaled(z, t, index=1, scale=2.0):
    valid, log_py = _class_rows(z, t)
    w = torch.where(t == index, scale, 1.0).to(z.dtype)
    return torch.where(valid, -w * log_py, 0.0).sum() / valid.sum()


def _ref_weighted(z, t):
    w = torch.tensor(CLASS_WEIGHT, dtype=z.dtype)
    return F.cross_entropy(z, t, weight=w)


def _ref_weighted_binary(z, t, w0=1.0, w1=3.0):
    ce = -(t * F.logsigmoid(z) + (1 - t) * F.logsigmoid(-z))
    return (ce * (w1 * t + w0 * (1 - t))).mean()


def _ref_adjusted(z, t):
    p = torch.tensor(PRIORS, dtype=z.dtype)
    return F.cross_entropy(z + torch.log(p / p.sum()), t)


def _ref_adjust_logits(z, _t, _s):
    p = torch.tensor(PRIORS, dtype=z.dtype)
    return (z - torch.log(p / p.sum())).square().sum()


def _ref_ohem(z, t):
    return F.cross_entropy(z, t, reduction="none").topk(3).values.mean()


# name -> (loss(z, hard, soft), reference(z64, hard, soft64), autocast peer)
CASES = {
    "sigmoid_focal": (
        lambda z, y, s: L.SigmoidFocalLoss()(z, s),
        lambda z, y, s: _ref_sigmoid_focal(z, s),
        "bce",
    ),
    "softmax_focal": (
        lambda z, y, s: L.softmax_focal_loss(z, y),
        lambda z, y, s: _ref_softmax_focal(z, y),
        "ce",
    ),
    "margin": (
        lambda z, y, s: L.MarginCrossEntropyLoss()(z, y),
        lambda z, y, s: _ref_margin(z, y),
        "ce",
    ),
    "class_scaled": (
        lambda z, y, s: L.class_scaled_cross_entropy(z, y, class_index=1, scale=2.0),
        lambda z, y, s: _ref_scaled(z, y),
        "ce",
    ),
    "weighted_softmax": (
        lambda z, y, s: L.WeightedSoftmaxLoss(pos_mult=2.0, pos_cid=1)(z, y),
        lambda z, y, s: _ref_scaled(z, y),
        "ce",
    ),
    "class_weighted": (
        lambda z, y, s: L.ClassWeightedCrossEntropyLoss(torch.tensor(CLASS_WEIGHT))(
            z, y
        ),
        lambda z, y, s: _ref_weighted(z, y),
        "ce",
    ),
    "class_weighted_binary": (
        lambda z, y, s: L.class_weighted_binary_cross_entropy(z, s, [1.0, 3.0]),
        lambda z, y, s: _ref_weighted_binary(z, s),
        "bce",
    ),
    "logit_adjusted": (
        lambda z, y, s: L.LogitAdjustedCrossEntropyLoss(PRIORS)(z, y),
        lambda z, y, s: _ref_adjusted(z, y),
        "ce",
    ),
    "balanced_softmax": (
        lambda z, y, s: L.balanced_softmax_cross_entropy(z, y, torch.tensor(PRIORS)),
        lambda z, y, s: _ref_adjusted(z, y),
        "ce",
    ),
    "adjust_logits": (
        lambda z, y, s: L.adjust_logits(z, PRIORS).float().square().sum(),
        _ref_adjust_logits,
        None,
    ),
    "ohem": (
        lambda z, y, s: L.OHEMLoss(top_k=3)(z, y),
        lambda z, y, s: _ref_ohem(z, y),
        "ce",
    ),
}


# Each export, and the case that runs it (a Module calls its function).
COVERED = {
    "SigmoidFocalLoss": "sigmoid_focal",
    "sigmoid_focal_loss": "sigmoid_focal",
    "SoftmaxFocalLoss": "softmax_focal",
    "softmax_focal_loss": "softmax_focal",
    "MarginCrossEntropyLoss": "margin",
    "margin_cross_entropy": "margin",
    "ClassScaledCrossEntropyLoss": "class_scaled",
    "class_scaled_cross_entropy": "class_scaled",
    "WeightedSoftmaxLoss": "weighted_softmax",
    "weighted_softmax_loss": "weighted_softmax",
    "ClassWeightedCrossEntropyLoss": "class_weighted",
    "class_weighted_cross_entropy": "class_weighted",
    "ClassWeightedBinaryCrossEntropyLoss": "class_weighted_binary",
    "class_weighted_binary_cross_entropy": "class_weighted_binary",
    "LogitAdjustedCrossEntropyLoss": "logit_adjusted",
    "logit_adjusted_cross_entropy": "logit_adjusted",
    "BalancedSoftmaxCrossEntropyLoss": "balanced_softmax",
    "balanced_softmax_cross_entropy": "balanced_softmax",
    "adjust_logits": "adjust_logits",
    "OHEMLoss": "ohem",
    "ohem_loss": "ohem",
}


def test_cases_cover_all_exported_losses():
    assert set(COVERED) == set(L.__all__)
    assert set(COVERED.values()) == set(CASES)


def _step(name, autocast_dtype, weight_dtype):
    loss_fn, ref_fn, peer = CASES[name]
    x, y, soft = _data()
    lin = torch.nn.Linear(5, C)
    with torch.no_grad():
        lin.weight.copy_(torch.linspace(-1, 1, 5 * C).reshape(C, 5))
        lin.bias.copy_(torch.linspace(-0.3, 0.3, C))
    lin = lin.to(weight_dtype)
    with torch.autocast(
        "cpu", dtype=autocast_dtype or torch.bfloat16, enabled=bool(autocast_dtype)
    ):
        z = lin(x.to(weight_dtype))
        loss = loss_fn(z, y, soft)
        if peer == "ce":
            expected_dtype = F.cross_entropy(z, y).dtype
        elif peer == "bce":
            expected_dtype = F.binary_cross_entropy_with_logits(z, soft).dtype
        else:
            expected_dtype = None
    loss.backward()
    lin64 = torch.nn.Linear(5, C).double()
    lin64.load_state_dict({k: v.double() for k, v in lin.state_dict().items()})
    ref = ref_fn(lin64(x.double()), y, soft.double())
    ref.backward()
    return loss, expected_dtype, lin.weight.grad.double(), ref, lin64.weight.grad


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_step_matches_float64_formula(name):
    for autocast_dtype, weight_dtype, tol in (
        (torch.bfloat16, torch.float32, 3e-2),
        (torch.float16, torch.float32, 5e-3),
        (None, torch.bfloat16, 3e-2),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss, peer_dtype, g, ref, g_ref = _step(name, autocast_dtype, weight_dtype)
        if autocast_dtype is not None and peer_dtype is not None:
            # what autocast gives cross_entropy / BCE-with-logits
            assert loss.dtype == peer_dtype == torch.float32
        scale = max(1.0, abs(ref.item()))
        assert abs(loss.double().item() - ref.item()) <= tol * scale
        g_scale = max(1e-3, g_ref.abs().max().item())
        assert (g - g_ref).abs().max().item() <= tol * g_scale


def test_class_weighted_binary_keeps_float32_soft_targets_of_half_logits():
    # Without autocast (bfloat16 model weights), float32 soft targets were
    # rounded to the logits' bfloat16, and so were the loss and the targets'
    # gradient; binary_cross_entropy_with_logits keeps them in float32.
    gen = torch.Generator().manual_seed(3)
    z = torch.randn(64, 3, generator=gen).bfloat16().requires_grad_()
    t = torch.rand(64, 3, generator=gen).requires_grad_()
    loss = L.class_weighted_binary_cross_entropy(z, t, {0: 1.0, 1: 3.0})
    weight = 3.0 * t.detach() + (1.0 - t.detach())
    peer = F.binary_cross_entropy_with_logits(z, t, weight=weight)
    assert loss.dtype == peer.dtype == torch.float32
    assert abs(loss.item() - peer.item()) < 1e-6
    loss.backward()
    z64 = z.detach().double().requires_grad_()
    t64 = t.detach().double().requires_grad_()
    ref = _ref_weighted_binary(z64, t64)
    ref.backward()
    assert abs(loss.item() - ref.item()) < 1e-3
    assert t.grad.dtype == torch.float32
    assert (t.grad.double() - t64.grad).abs().max().item() < 1e-3


@pytest.mark.parametrize("name", ["softmax_focal", "class_weighted"])
def test_checkpoint_accumulation_eval_scaler_and_determinism(name):
    loss_fn, _, _ = CASES[name]
    x, y, soft = _data()
    torch.manual_seed(0)
    lin = torch.nn.Linear(5, C)
    loss = loss_fn(lin(x), y, soft)
    loss.backward()
    g0 = lin.weight.grad.clone()
    lin.zero_grad()
    # activation checkpointing
    loss_ck = checkpoint(lambda v: loss_fn(lin(v), y, soft), x, use_reentrant=False)
    loss_ck.backward()
    assert torch.equal(loss_ck, loss)
    assert torch.allclose(lin.weight.grad, g0, atol=1e-7)
    lin.zero_grad()
    # evaluation
    with torch.no_grad():
        assert torch.equal(loss_fn(lin(x), y, soft), loss.detach())
    with torch.inference_mode():
        assert torch.equal(loss_fn(lin(x), y, soft), loss.detach())
    # functional_call + torch.func.grad
    params = {k: v.detach() for k, v in lin.named_parameters()}
    grads = grad(lambda p: loss_fn(functional_call(lin, p, (x,)), y, soft))(params)
    assert torch.allclose(grads["weight"], g0, atol=1e-7)
    # GradScaler under float16 autocast: unscaled gradients as unscaled loss
    opt = torch.optim.SGD(lin.parameters(), lr=0.0)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**12)
    with torch.autocast("cpu", dtype=torch.float16):
        scaled_loss = loss_fn(lin(x), y, soft)
    scaler.scale(scaled_loss).backward()
    scaler.unscale_(opt)
    scaled_grad = lin.weight.grad.clone()
    lin.zero_grad()
    with torch.autocast("cpu", dtype=torch.float16):
        loss_fn(lin(x), y, soft).backward()
    assert torch.allclose(scaled_grad, lin.weight.grad, rtol=1e-3, atol=1e-6)
    scaler.step(opt)
    scaler.update()
    lin.zero_grad()
    # deterministic algorithms
    previous = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        loss_det = loss_fn(lin(x), y, soft)
        loss_det.backward()
    finally:
        torch.use_deterministic_algorithms(previous)
    assert torch.equal(loss_det, loss)
    assert torch.allclose(lin.weight.grad, g0, atol=1e-7)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
def test_channels_last_segmentation_focal_with_ignore_index(dtype):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 5, 4, 6, generator=gen, dtype=torch.float64)
    t = torch.randint(0, 5, (2, 4, 6), generator=gen)
    t[0, 0, :3] = 255
    xl = x.to(dtype).contiguous(memory_format=torch.channels_last).requires_grad_()
    before = xl.detach().clone()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
        loss = L.softmax_focal_loss(xl, t, ignore_index=255)
    loss.backward()
    assert loss.dtype == torch.float32
    assert torch.equal(xl.detach(), before)
    assert xl.grad.dtype == dtype
    z = xl.detach().double().requires_grad_()
    valid = t != 255
    log_py = torch.log_softmax(z, 1).gather(1, torch.where(valid, t, 0)[:, None])[:, 0]
    ref = torch.where(valid, -((1 - log_py.exp()) ** 2) * log_py, 0.0).sum()
    ref = ref / valid.sum()
    ref.backward()
    tol = {torch.float32: 1e-6, torch.bfloat16: 1e-2, torch.float16: 1e-3}[dtype]
    assert abs(loss.item() - ref.item()) < 1e-6
    assert (xl.grad.double() - z.grad).abs().max().item() < tol


def test_expanded_inputs_and_empty_batches():
    base = torch.randn(1, 7, requires_grad=True)
    target = torch.rand(7).expand(5, 7)
    loss = L.sigmoid_focal_loss(base.expand(5, 7), target, alpha=None)
    loss.backward()
    copy = base.detach().clone().requires_grad_()
    ref = _ref_sigmoid_focal(copy.double().expand(5, 7), target.double(), 0.5)
    (2 * ref).backward()  # alpha=None is 2x the alpha=0.5 loss
    assert abs(loss.item() - 2 * ref.item()) < 1e-6
    assert torch.allclose(base.grad, copy.grad, atol=1e-7)
    x = torch.zeros(0, C, 3, 3, requires_grad=True)
    y = torch.zeros(0, 3, 3, dtype=torch.long)
    for fn in (
        lambda: L.softmax_focal_loss(x, y),
        lambda: L.margin_cross_entropy(x, y),
        lambda: L.class_scaled_cross_entropy(x, y, class_index=0, scale=2.0),
        lambda: L.OHEMLoss(top_k=0.5)(x, y),
    ):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = fn()
        out.backward()
        assert out.item() == 0.0 and out.dtype == torch.float32
        assert x.grad is not None and not x.grad.any()


def test_focal_threads_identical():
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(200, 400, generator=gen)  # > 2 chunks of 2**15
    t = torch.rand(200, 400, generator=gen)
    threads = torch.get_num_threads()
    out = []
    try:
        for n in (1, 2):
            torch.set_num_threads(n)
            xx = x.clone().requires_grad_()
            loss = L.sigmoid_focal_loss(xx, t, rescale=True)
            loss.backward()
            out.append((loss.detach(), xx.grad))
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(out[0][0], out[1][0])
    assert torch.equal(out[0][1], out[1][1])


def test_compiled_autocast_step_without_graph_break():
    import torch._dynamo

    torch._dynamo.reset()
    x, y, _ = _data()
    lin = torch.nn.Linear(5, C)
    crit = L.SoftmaxFocalLoss(alpha=[1.0, 2.0, 3.0, 4.0])

    def step(v, t):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return crit(lin(v), t)

    compiled = torch.compile(step, fullgraph=True, dynamic=True, backend="eager")
    with warnings.catch_warnings(record=True) as caught:
        # (not "error": dynamo turns torch's own internal warnings into errors)
        warnings.simplefilter("always")
        got = [compiled(x, y), compiled(x[:5], y[:5])]
    assert not [w for w in caught if "rebalance" in w.filename], caught
    want = [step(x, y), step(x[:5], y[:5])]
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype == torch.float32
        assert torch.allclose(a, b, atol=1e-6)
