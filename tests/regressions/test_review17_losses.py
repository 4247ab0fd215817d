"""Review 17 (losses): the torch losses fuzzed against plain-torch formulas
(float64), peers' conventions and torch's tracing / device machinery.

Bugs fixed (each test failed on the code before its fix):

1. The fused focal custom ops (``torch.ops.rebalance.sigmoid_focal`` /
   ``softmax_focal``, named in the docs) handed targets, ``pos_weight`` and
   class weights to the numba (and Triton) kernels without checking their
   shapes against the logits': the kernels then read out of bounds (a
   garbage loss, or a wrong error).
2. On the Triton path (CUDA), float64 logits were computed in float32
   (``gradcheck`` failed; the docs say float64 logits compute in float64).
3. On the Triton path (CUDA), a softmax focal loss with ``gamma > 0`` gave a
   NaN gradient to every row with a class masked by a ``-inf`` logit (the
   CPU paths and ``cross_entropy`` give the finite gradient).
4. Every loss crashed on meta tensors and under ``FakeTensorMode`` (shape
   and memory tracing), where ``cross_entropy`` works: the value checks read
   the tensors (``.item()``, ``nonzero``).
5. ``torch.compile(criterion, dynamic=True, fullgraph=True)`` (or a compiled
   training step calling it) failed for most loss Modules: their float
   attributes are symbolic there, and ``math.isfinite`` of one breaks the
   graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch import losses as L  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------
# 1. The custom ops check the shapes before a kernel reads them
# --------------------------------------------------------------------------
def test_sigmoid_focal_op_refuses_a_target_of_another_shape():
    x = torch.randn(1000)
    with pytest.raises(ValueError, match=r"target must have the shape of logits"):
        torch.ops.rebalance.sigmoid_focal(
            x, torch.zeros(10), None, 0.25, 2.0, None, "sum", False, True
        )
    with pytest.raises(ValueError, match=r"pos_weight of shape \(3,\)"):
        torch.ops.rebalance.sigmoid_focal(
            x, torch.zeros(1000), torch.ones(3), 0.25, 2.0, None, "sum", False, True
        )


def test_softmax_focal_op_refuses_short_targets_and_class_weights():
    x = torch.randn(1000, 4)
    with pytest.raises(ValueError, match=r"must have shape \(1000,\)"):
        torch.ops.rebalance.softmax_focal(
            x, torch.zeros(10, dtype=torch.long), None, 2.0, -100, 0.0, "sum",
            False, True,
        )  # fmt: skip
    x = torch.randn(100, 40)
    t = torch.full((100,), 39, dtype=torch.long)
    with pytest.raises(ValueError, match=r"alpha must hold one weight per class"):
        torch.ops.rebalance.softmax_focal(
            x, t, torch.ones(1), 2.0, -100, 0.0, "sum", False, True
        )
    # The right shapes: the loss of the public function.
    alpha = torch.rand(40) + 0.5
    got = torch.ops.rebalance.softmax_focal(
        x, t, alpha, 2.0, -100, 0.0, "sum", False, True
    )[0]
    logp = torch.log_softmax(x.double(), 1)[:, 39]
    expected = -(alpha[39].double() * (1 - logp.exp()) ** 2 * logp).sum()
    torch.testing.assert_close(got.double(), expected, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------
# 2, 3. The Triton kernels (run by the interpreter on CPU tensors)
# --------------------------------------------------------------------------
_TRITON_CODE = r"""
import math, torch
import rebalance.torch.losses as L
from rebalance.torch import _focal_ops
assert _focal_ops.use_triton(torch.zeros(2))  # the interpreted Triton path
g = torch.Generator().manual_seed(0)

# float64 logits: computed in float64 (gradcheck), as on the CPU.
x = torch.randn(2, 3, generator=g, dtype=torch.float64, requires_grad=True)
t = torch.tensor([0, 2])
assert torch.autograd.gradcheck(lambda z: L.softmax_focal_loss(z, t), (x,))
xs = torch.randn(3, generator=g, dtype=torch.float64, requires_grad=True)
ys = torch.tensor([1.0, 0.0, 0.3], dtype=torch.float64)
assert torch.autograd.gradcheck(lambda z: L.sigmoid_focal_loss(z, ys), (xs,))

# A class masked with -inf: finite gradient, as the float64 formula's.
x = torch.randn(4, 5, generator=g)
x[:, 3] = -math.inf
x[0, 1] = -math.inf
t = torch.tensor([0, 2, 4, 1])
for gamma in (0.5, 2.0):
    z = x.clone().requires_grad_()
    L.softmax_focal_loss(z, t, gamma=gamma).backward()
    zr = x.double().requires_grad_()
    logp = torch.log_softmax(zr, 1).gather(1, t[:, None]).squeeze(1)
    (-(1 - logp.exp()) ** gamma * logp).mean().backward()
    assert torch.isfinite(z.grad).all(), (gamma, z.grad)
    torch.testing.assert_close(z.grad.double(), zr.grad, rtol=1e-4, atol=1e-6)
print("review17 triton ok")
"""


@pytest.mark.slow
def test_triton_path_float64_and_masked_classes_in_the_interpreter(triton_interpreter):
    triton_interpreter(_TRITON_CODE, "review17 triton ok")


# --------------------------------------------------------------------------
# 4. Meta tensors and FakeTensorMode: shapes and dtypes as on the CPU
# --------------------------------------------------------------------------
def _loss_calls(device):
    x = torch.randn(4, 3, 2, device=device, requires_grad=True)
    t = torch.zeros(4, 2, dtype=torch.long, device=device)
    y = torch.zeros(4, 3, 2, device=device)
    w = torch.tensor([1.0, 2.0, 3.0], device=device)
    calls = {
        "sigmoid_focal": lambda: L.sigmoid_focal_loss(
            x, y, pos_weight=torch.tensor([1.0, 2.0], device=device), rescale=True
        ),
        "sigmoid_focal_none": lambda: L.sigmoid_focal_loss(
            x, y, reduction="none", ignore_index=-1
        ),
        "softmax_focal": lambda: L.softmax_focal_loss(x, t, alpha=[1.0, 2.0, 3.0]),
        "softmax_focal_none": lambda: L.softmax_focal_loss(x, t, reduction="none"),
        "softmax_focal_soft": lambda: L.softmax_focal_loss(x, torch.softmax(y, 1)),
        "class_weighted_ce": lambda: L.class_weighted_cross_entropy(x, t, w),
        "class_weighted_bce": lambda: L.class_weighted_binary_cross_entropy(
            x, y, [1.0, 2.0]
        ),
        "margin": lambda: L.margin_cross_entropy(x, t),
        "class_scaled": lambda: L.class_scaled_cross_entropy(
            x, t, class_index=0, scale=2.0
        ),
        "logit_adjusted": lambda: L.logit_adjusted_cross_entropy(x, t, w),
        "ohem": lambda: L.OHEMLoss(top_k=0.5)(x, t),
    }
    return x, calls


def _shapes(device, context):
    out = {}
    with context:
        x, calls = _loss_calls(device)
        for name, call in calls.items():
            loss = call()
            loss.sum().backward()
            out[name] = (tuple(loss.shape), loss.dtype, tuple(x.grad.shape))
            x.grad = None
    return out


def test_losses_run_on_meta_tensors_and_under_fake_tensor_mode():
    import contextlib

    from torch._subclasses.fake_tensor import FakeTensorMode

    expected = _shapes("cpu", contextlib.nullcontext())
    assert _shapes("meta", contextlib.nullcontext()) == expected
    assert _shapes("cpu", FakeTensorMode()) == expected
    # as cross_entropy does
    x = torch.randn(4, 3, device="meta")
    t = torch.zeros(4, dtype=torch.long, device="meta")
    assert F.cross_entropy(x, t).shape == L.softmax_focal_loss(x, t).shape == ()


# --------------------------------------------------------------------------
# 5. torch.compile(dynamic=True, fullgraph=True) of the loss Modules
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: L.SoftmaxFocalLoss(alpha=[1.0, 2.0, 3.0], gamma=1.5),
        lambda: L.ClassWeightedCrossEntropyLoss([1.0, 2.0, 3.0], label_smoothing=0.1),
        lambda: L.LogitAdjustedCrossEntropyLoss([0.5, 0.3, 0.2], tau=1.5),
        lambda: L.ClassScaledCrossEntropyLoss(class_index=1, scale=2.5),
    ],
)
def test_loss_modules_compile_with_dynamic_shapes_without_a_graph_break(make):
    criterion = make()
    compiled = torch.compile(criterion, fullgraph=True, backend="eager", dynamic=True)
    g = torch.Generator().manual_seed(1)
    for n in (5, 8):
        x = torch.randn(n, 3, generator=g)
        t = torch.randint(0, 3, (n,), generator=g)
        xc = x.clone().requires_grad_()
        xe = x.clone().requires_grad_()
        got = compiled(xc, t)
        expected = criterion(xe, t)
        got.backward()
        expected.backward()
        torch.testing.assert_close(got, expected)
        torch.testing.assert_close(xc.grad, xe.grad)
