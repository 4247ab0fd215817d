"""Review 146, area ``torchmodes``: rebalance.torch's losses and samplers
under torch's execution modes.

Checked by hand (scripts, torch 2.13 CPU): bf16 ``torch.autocast`` around a
model whose loss is ours (bf16 logits; every loss returns float32 and equals
the float32 loss of the same bf16 logits), ``no_grad``/``inference_mode``
(same values; Modules built under inference_mode train afterwards; an
inference-mode *target* fails for the cross-entropy based losses exactly as
``F.cross_entropy`` does), ``use_deterministic_algorithms(True)``,
``set_default_dtype(float64)`` (float64 in, float64 out; float32 stays
float32), ``set_default_device("meta")`` (meta-built buffers give a clear
ValueError), anomaly detection, ``gradcheck`` in float64 for every loss
(``rescale=True`` focal losses differ by design: the factor is detached),
double backward / ``gradgradcheck`` (the non-focal losses pass; the fused
focal losses raise the documented RuntimeError), ``torch.func``
``functional_call`` (buffer swap, grad w.r.t. a buffer), ``parametrize``
(of a loss buffer and of a model weight), ``torch.jit.script`` (a clear
TypeError naming the Module and jit.trace), ``torch.jit.trace`` (traced
losses generalise to other batch sizes and ignored targets),
``torch.compile`` with ``backend="eager"`` and ``"aot_eager"``
(``fullgraph=True``, values and gradients match eager; too slow to keep
here), ``set_num_threads(1)`` vs 2 (bitwise equal), and the samplers under
``torch.manual_seed``/``fork_rng``/``np.random.seed`` (independent of the
global RNGs, which they leave untouched).

Found: no bugs. The tests below are pins for the cheapest of these checks
(jit.trace and torch.compile left out: too slow for the suite's budget).
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import rebalance.torch as rt  # noqa: E402

_MC = {
    "class_weighted_cross_entropy": lambda x, y: rt.class_weighted_cross_entropy(
        x, y, [1.0, 2.0, 3.0], label_smoothing=0.1
    ),
    "logit_adjusted_cross_entropy": lambda x, y: rt.logit_adjusted_cross_entropy(
        x, y, [0.5, 0.3, 0.2], label_smoothing=0.1
    ),
    "balanced_softmax_cross_entropy": lambda x, y: rt.balanced_softmax_cross_entropy(
        x, y, [50, 30, 20]
    ),
    "softmax_focal_loss": lambda x, y: rt.softmax_focal_loss(
        x, y, alpha=[0.2, 0.3, 0.5], gamma=1.5
    ),
    "margin_cross_entropy": lambda x, y: rt.margin_cross_entropy(x, y),
    "weighted_softmax_loss": lambda x, y: rt.weighted_softmax_loss(x, y, 3.0, 1),
    "ohem": lambda x, y: rt.OHEMLoss(top_k=3)(x, y),
}
_BIN = {
    "class_weighted_binary_cross_entropy": lambda x, y: (
        rt.class_weighted_binary_cross_entropy(x, y, [1.0, 3.0])
    ),
    "sigmoid_focal_loss": lambda x, y: rt.sigmoid_focal_loss(
        x, y, pos_weight=torch.tensor(2.0)
    ),
}
_CASES = [(k, "mc") for k in _MC] + [(k, "bin") for k in _BIN]


def _data(name, kind, dtype=torch.float32, n=6):
    g = torch.Generator().manual_seed(0)
    if kind == "mc":
        return _MC[name], torch.randn(n, 3, generator=g).to(dtype), torch.arange(n) % 3
    x = torch.randn(n, generator=g).to(dtype)
    return _BIN[name], x, (torch.arange(n) % 2).to(dtype)


@pytest.mark.parametrize(("name", "kind"), _CASES)
def test_bf16_autocast_loss_is_float32_of_the_bf16_logits(name, kind):
    loss, x, y = _data(name, kind)
    xb = x.to(torch.bfloat16).requires_grad_()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = loss(xb, y)
    out.backward()
    assert out.dtype == torch.float32
    assert xb.grad.dtype == torch.bfloat16
    torch.testing.assert_close(out, loss(xb.detach().float(), y))


@pytest.mark.parametrize(("name", "kind"), _CASES)
def test_float64_gradcheck(name, kind):
    loss, x, y = _data(name, kind, torch.float64, n=4)
    x = x.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda a: loss(a, y), (x,), eps=1e-6, atol=1e-5)


def test_functional_call_swaps_a_loss_buffer():
    from torch.func import functional_call

    _, x, y = _data("class_weighted_cross_entropy", "mc")
    criterion = rt.ClassWeightedCrossEntropyLoss(torch.tensor([1.0, 2.0, 3.0]))
    other = torch.tensor([3.0, 1.0, 1.0])
    got = functional_call(criterion, {"class_weight": other}, (x, y))
    torch.testing.assert_close(got, rt.class_weighted_cross_entropy(x, y, other))


def test_jit_script_refuses_with_a_clear_error():
    with pytest.raises(TypeError, match=r"SoftmaxFocalLoss.*jit\.trace"):
        torch.jit.script(rt.SoftmaxFocalLoss(gamma=1.0))


def test_samplers_ignore_and_leave_alone_the_global_rng():
    labels = [0] * 40 + [1] * 8 + [2] * 4
    torch.manual_seed(0)
    first = list(rt.BalancedBatchSampler(labels, 6, seed=3))
    torch.manual_seed(123)
    state = torch.get_rng_state()
    with torch.random.fork_rng():
        torch.manual_seed(999)
        second = list(rt.BalancedBatchSampler(labels, 6, seed=3))
    third = list(rt.RebalanceSampler(labels, seed=3))
    assert first == second
    assert torch.equal(state, torch.get_rng_state())
    assert third == list(rt.RebalanceSampler(labels, seed=3))
