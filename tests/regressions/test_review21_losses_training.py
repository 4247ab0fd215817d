"""Review 21 (losses in training code): the losses inside real training steps.

Mixed precision (autocast, a GradScaler's scaled backward), torch.compile of
a whole step, thread-count determinism, gradient accumulation over ignored
batches, DDP (2 gloo processes), torch.func over a model, loss Modules held
by a model (copy, pickle, save, ``.to``, train/eval), evaluation loops and
per-sample losses reported to ``HardExampleSampler``.
"""

from __future__ import annotations

import copy
import io
import pickle

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402
from rebalance.torch import losses as L  # noqa: E402

# Dynamo itself instantiates autograd.Function classes while tracing them.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*should not be instantiated:DeprecationWarning"
)


# --------------------------------------------------------------------------
# 1. float16 gradients under a GradScaler's scale
# --------------------------------------------------------------------------
def _fp16_entries_off(loss_fn, x16, target, **kwargs):
    """Fraction of the entries of the gradient of float16 logits, through a
    GradScaler-style scaled backward of the mean, that are more than 1% off
    the float64 gradient (the float64 loss is the reference: its sum over
    the batch size)."""
    x = x16.detach().clone().requires_grad_()
    (loss_fn(x, target, **kwargs) * 65536.0).backward()
    assert x.grad.dtype == torch.float16
    got = x.grad.double() / 65536.0
    sigmoid = loss_fn is L.sigmoid_focal_loss
    count = x16.numel() if sigmoid else x16.numel() // x16.shape[1]
    ref = torch.func.grad(
        lambda z: loss_fn(z, target, reduction="sum", **kwargs) / count
    )(x16.double())
    return ((got - ref).abs() > 0.01 * ref.abs()).double().mean().item()


@pytest.mark.parametrize("numba", ["1", "0"])
def test_float16_mean_gradient_survives_a_grad_scaler(numba, monkeypatch):
    # The fused losses used to keep the gradient of float16 logits in float16,
    # already divided by the batch's count: for a large batch most entries
    # were below float16's smallest normal number (many flushed to zero)
    # before the GradScaler's scale could lift them, as it does for any
    # autograd formula. The gradient is now kept in float32 until backward.
    monkeypatch.setenv("REBALANCE_FOCAL_NUMBA", numba)
    g = torch.Generator().manual_seed(0)
    n = 1 << 16
    x = (torch.randn(n, generator=g) * 2).half()
    y = (torch.rand(n, generator=g) < 0.1).half()
    assert _fp16_entries_off(L.sigmoid_focal_loss, x, y) < 0.01
    assert _fp16_entries_off(L.sigmoid_focal_loss, x.view(-1, 4), y.view(-1, 4)) < 0.01
    xs = x.view(-1, 4)
    t = torch.randint(0, 4, (n // 4,), generator=g)
    assert _fp16_entries_off(L.softmax_focal_loss, xs, t) < 0.01
    # (N, C, d) logits (the eager path) and soft targets
    seg, ts = xs.view(-1, 8, 4).transpose(1, 2), t.view(-1, 8)
    assert _fp16_entries_off(L.softmax_focal_loss, seg, ts) < 0.01
    soft = torch.softmax(torch.randn(n // 4, 4, generator=g), 1).double()
    assert _fp16_entries_off(L.softmax_focal_loss, xs, soft) < 0.01


_TRITON_CODE = r"""
import torch
import rebalance.torch.losses as L
from rebalance.torch import _focal_ops

assert _focal_ops.use_triton(torch.zeros(1, dtype=torch.float16))
g = torch.Generator().manual_seed(0)
n = 1 << 14
x16 = (torch.randn(n, generator=g) * 2).half()
y = (torch.rand(n, generator=g) < 0.1).half()
ref = torch.func.grad(
    lambda z: L.sigmoid_focal_loss(z, y.double(), reduction="sum")
)(x16.double()) / n
x = x16.clone().requires_grad_()
(L.sigmoid_focal_loss(x, y) * 65536.0).backward()
assert x.grad.dtype == torch.float16
off = ((x.grad.double() / 65536 - ref).abs() > 0.01 * ref.abs()).double().mean()
assert off < 0.01, off.item()
# the softmax kernel writes the float32 gradient too (few rows: interpreted
# one program per row)
xs = x16[:64].view(16, 4).clone().requires_grad_()
t = torch.randint(0, 4, (16,), generator=g)
(L.softmax_focal_loss(xs, t) * 65536.0).backward()
ref = torch.func.grad(lambda z: L.softmax_focal_loss(z, t))(xs.detach().double())
assert xs.grad.dtype == torch.float16
torch.testing.assert_close(xs.grad.double() / 65536, ref, rtol=2e-3, atol=1e-7)
print("review21 triton ok")
"""


@pytest.mark.slow
def test_float16_mean_gradient_survives_a_grad_scaler_in_triton(triton_interpreter):
    triton_interpreter(_TRITON_CODE, "review21 triton ok")


def test_float16_gradient_dtype_under_autocast_and_compile():
    # The float32 saved gradient reaches the float16 logits as float16, in
    # eager mode, through a retained graph and under torch.compile.
    torch._dynamo.reset()
    g = torch.Generator().manual_seed(1)
    x16 = torch.randn(64, 3, generator=g).half()
    t = torch.randint(0, 3, (64,), generator=g)
    yb = (torch.rand(64, 3, generator=g) < 0.3).float()
    for fn, target in ((L.softmax_focal_loss, t), (L.sigmoid_focal_loss, yb)):
        x = x16.clone().requires_grad_()
        loss = fn(x, target, reduction="sum")
        loss.backward(retain_graph=True)
        first = x.grad.clone()
        loss.backward()
        assert x.grad.dtype == torch.float16
        torch.testing.assert_close(x.grad, 2 * first)
        xc = x16.clone().requires_grad_()
        compiled = torch.compile(
            lambda z, tt, f=fn: f(z, tt) * 1024.0, fullgraph=True, backend="aot_eager"
        )
        compiled(xc, target).backward()
        xe = x16.clone().requires_grad_()
        (fn(xe, target) * 1024.0).backward()
        assert xc.grad.dtype == torch.float16
        torch.testing.assert_close(xc.grad, xe.grad)


# --------------------------------------------------------------------------
# 2. Training steps: bfloat16 autocast, torch.compile, threads, accumulation
# --------------------------------------------------------------------------
def _mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)
    )


def _batch(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=g)
    t = torch.randint(0, 3, (n,), generator=g)
    t[::5] = -100
    yb = (torch.rand(n, 3, generator=g) < 0.3).float()
    return x, t, yb


# (criterion, binary targets?)
CRITERIA = {
    "sigmoid_focal": (lambda: L.SigmoidFocalLoss(pos_weight=torch.tensor([2.0])), True),
    "sigmoid_focal_rescale": (lambda: L.SigmoidFocalLoss(rescale=True), True),
    "softmax_focal": (lambda: L.SoftmaxFocalLoss(alpha=[1.0, 2.0, 3.0]), False),
    "softmax_focal_smooth": (
        lambda: L.SoftmaxFocalLoss(label_smoothing=0.1, rescale=True),
        False,
    ),
    "logit_adjusted": (lambda: L.LogitAdjustedCrossEntropyLoss([5, 3, 1]), False),
    "class_weighted": (lambda: L.ClassWeightedCrossEntropyLoss([1, 2, 3]), False),
    "margin": (lambda: L.MarginCrossEntropyLoss(), False),
    "ohem_focal": (
        lambda: L.OHEMLoss(L.SoftmaxFocalLoss(reduction="none"), top_k=0.5),
        False,
    ),
}


def _loss(criterion, binary, x, t, yb):
    return criterion(x, yb if binary else t)


@pytest.mark.parametrize("name", list(CRITERIA))
def test_bfloat16_autocast_step_with_and_without_a_loss_scale(name):
    make, binary = CRITERIA[name]
    x, t, yb = _batch(24)
    grads = []
    for scale in (1.0, 1024.0):
        model, criterion = _mlp(), make()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(x)
            loss = _loss(criterion, binary, logits, t, yb)
        assert logits.dtype == torch.bfloat16 and loss.dtype == torch.float32
        (loss * scale).backward()
        grad = [p.grad / scale for p in model.parameters()]
        assert all(g.dtype == torch.float32 and bool(g.isfinite().all()) for g in grad)
        grads.append(grad)
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-2, atol=1e-5)


@pytest.mark.parametrize("name", ["sigmoid_focal", "softmax_focal_smooth", "margin"])
def test_compiled_training_step_has_one_dynamic_graph_and_matches_eager(name):
    from torch._dynamo.utils import counters

    make, binary = CRITERIA[name]
    criterion = make()
    sizes = (8, 13, 21, 8)
    results = []
    for compiled in (False, True):
        torch._dynamo.reset()
        counters.clear()
        model = _mlp()
        opt = torch.optim.SGD(model.parameters(), lr=0.5)

        def forward(x, t, yb, model=model):
            return _loss(criterion, binary, model(x), t, yb)

        if compiled:
            forward = torch.compile(
                forward, fullgraph=True, dynamic=True, backend="aot_eager"
            )
        losses = []
        for n in sizes:
            opt.zero_grad()
            loss = forward(*_batch(n, seed=n))
            loss.backward()
            opt.step()
            losses.append(loss.detach())
        if compiled:
            assert counters["stats"]["unique_graphs"] == 1
            assert not counters["graph_break"]
        results.append((torch.stack(losses), [p.detach() for p in model.parameters()]))
    (le, pe), (lc, pc) = results
    torch.testing.assert_close(lc, le)
    for a, b in zip(pc, pe, strict=True):
        torch.testing.assert_close(a, b)


def test_cpu_steps_are_identical_for_one_and_two_threads_and_deterministic_mode():
    # Large enough for the fused kernels' thread pool (more than one chunk).
    g = torch.Generator().manual_seed(3)
    x = torch.randn(1 << 17, 3, generator=g) * 3
    t = torch.randint(0, 3, (1 << 17,), generator=g)
    yb = (torch.rand(1 << 17, 3, generator=g) < 0.2).float()

    def step():
        out = []
        for fn, target in (
            (L.sigmoid_focal_loss, yb),
            (L.softmax_focal_loss, t),
        ):
            for dtype in (torch.float32, torch.bfloat16):
                xx = x.to(dtype).clone().requires_grad_()
                loss = fn(xx, target)
                loss.backward()
                out.append((loss.detach(), xx.grad))
        return out

    before = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    try:
        torch.set_num_threads(1)
        one = step()
        torch.set_num_threads(2)
        two = step()
        torch.use_deterministic_algorithms(True)
        det = step()
    finally:
        torch.set_num_threads(before)
        torch.use_deterministic_algorithms(deterministic)
    for other in (two, det):
        for (la, ga), (lb, gb) in zip(one, other, strict=True):
            assert torch.equal(la, lb) and torch.equal(ga, gb)


def test_gradient_accumulation_over_an_all_ignored_micro_batch():
    # The focal losses give 0 and a zero gradient for an all-ignored batch
    # (documented), so it adds nothing to accumulated gradients; the
    # cross_entropy wrappers give torch's NaN mean, with a zero gradient.
    x, t, yb = _batch(12)
    t_ignored = torch.full_like(t, -100)
    yb_ignored = torch.full_like(yb, -1.0)
    for fn, target, ignored in (
        (lambda z, tt: L.softmax_focal_loss(z, tt), t, t_ignored),
        (lambda z, tt: L.sigmoid_focal_loss(z, tt, ignore_index=-1), yb, yb_ignored),
        (lambda z, tt: L.margin_cross_entropy(z, tt), t, t_ignored),
        (lambda z, tt: L.OHEMLoss(top_k=0.5)(z, tt), t, t_ignored),
    ):
        accumulated, alone = _mlp(), _mlp()
        for xb, tb in ((x[:6], target[:6]), (x[6:], ignored[6:])):
            loss = fn(accumulated(xb), tb)
            (loss / 2).backward()
        assert loss.item() == 0.0
        (fn(alone(x[:6]), target[:6]) / 2).backward()
        for a, b in zip(accumulated.parameters(), alone.parameters(), strict=True):
            assert torch.equal(a.grad, b.grad)
    model = _mlp()
    loss = L.class_weighted_cross_entropy(model(x), t_ignored, [1.0, 2.0, 3.0])
    loss.backward()
    assert loss.isnan() and all(not p.grad.any() for p in model.parameters())


# --------------------------------------------------------------------------
# 3. torch.func over a model, loss Modules held by a model, evaluation loops
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CRITERIA))
def test_functional_call_grad_and_per_sample_grads_over_a_model(name):
    from torch.func import functional_call, grad, vmap

    make, binary = CRITERIA[name]
    criterion, model = make(), _mlp()
    x, t, yb = _batch(10)
    target = yb if binary else t
    params = {k: v.detach() for k, v in model.named_parameters()}

    def f(p, xx, tt):
        return criterion(functional_call(model, p, (xx,)), tt)

    got = grad(f)(params, x, target)
    f(dict(model.named_parameters()), x, target).backward()
    for k, p in model.named_parameters():
        torch.testing.assert_close(got[k], p.grad)
    if name.startswith("ohem"):
        return  # the hardest half of one sample is not a per-sample loss
    per_sample = vmap(
        grad(lambda p, xx, tt: f(p, xx[None], tt[None])), in_dims=(None, 0, 0)
    )(params, x, target)
    for i in (0, 3):
        one = grad(f)(params, x[i : i + 1], target[i : i + 1])
        for k in one:
            torch.testing.assert_close(per_sample[k][i], one[k])


class _Net(torch.nn.Module):
    def __init__(self, criterion):
        super().__init__()
        self.body = _mlp()
        self.criterion = criterion

    def forward(self, x, target):
        return self.criterion(self.body(x), target)


@pytest.mark.parametrize("name", list(CRITERIA))
def test_a_model_holding_a_loss_copies_saves_and_moves(name):
    make, binary = CRITERIA[name]
    x, t, yb = _batch(10)
    target = yb if binary else t
    net = _Net(make())
    expected = net(x, target)
    assert torch.equal(copy.deepcopy(net)(x, target), expected)
    assert torch.equal(pickle.loads(pickle.dumps(net))(x, target), expected)
    buffer = io.BytesIO()
    torch.save(net, buffer)
    buffer.seek(0)
    assert torch.equal(torch.load(buffer, weights_only=False)(x, target), expected)
    # state_dict holds the model's parameters and the loss's tensor arguments
    # (buffers, as in torch's losses; list or dict arguments are constructor
    # arguments), so it loads into a fresh one
    other = _Net(make())
    other.body[0].weight.data.zero_()
    other.load_state_dict(net.state_dict())
    assert torch.equal(other(x, target), expected)
    net.eval()
    assert torch.equal(net(x, target), expected)
    net.train()
    as_double = copy.deepcopy(net).to(torch.float64)(x.double(), target)
    assert as_double.dtype == torch.float64
    torch.testing.assert_close(as_double.float(), expected)
    on_meta = copy.deepcopy(net).to("meta")
    loss = on_meta(x.to("meta"), target.to("meta"))
    assert loss.is_meta and loss.shape == ()
    loss.backward()
    assert on_meta.body[0].weight.grad.is_meta


@pytest.mark.parametrize("name", list(CRITERIA))
def test_no_grad_and_inference_mode_evaluation(name):
    make, binary = CRITERIA[name]
    criterion, model = make(), _mlp()
    x, t, yb = _batch(10)
    target = yb if binary else t
    expected = _loss(criterion, binary, model(x), t, yb).detach()
    with torch.no_grad():
        got = _loss(criterion, binary, model(x), t, yb)
    assert not got.requires_grad and torch.equal(got, expected)
    with torch.inference_mode():
        got = criterion(model(x), target)
    assert got.is_inference() and torch.equal(got, expected)


def test_per_sample_losses_feed_a_hard_example_sampler():
    labels = torch.tensor([0] * 24 + [1] * 8)
    x, t, _ = _batch(8)
    ids = torch.arange(8)
    model = _mlp()
    for dtype in (torch.float32, torch.bfloat16, torch.float16):
        sampler = HardExampleSampler(RebalanceSampler(labels), pool_size=3)
        logits = model(x).to(dtype)
        for losses in (
            L.softmax_focal_loss(logits, t, reduction="none"),
            L.sigmoid_focal_loss(
                logits, F.one_hot(t.clamp(min=0), 3).to(dtype), reduction="none"
            ).sum(1),
            L.logit_adjusted_cross_entropy(logits, t, [5, 3, 1], reduction="none"),
            L.margin_cross_entropy(logits, t, reduction="none"),
        ):
            assert losses.shape == (8,) and losses.requires_grad
            sampler.update(ids, losses)  # requires grad, any float dtype
            hardest = torch.topk(losses.detach().double(), 3).indices
            assert sorted(sampler.pool_ids.tolist()) == sorted(hardest.tolist())


# --------------------------------------------------------------------------
# 4. DDP, 2 gloo processes: the gradients of the losses under DDP are checked
# in test_review21_torch_ddp.py (computed in its 2-rank job: one launch).
# --------------------------------------------------------------------------
