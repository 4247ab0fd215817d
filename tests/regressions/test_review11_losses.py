"""Review 11 (losses): each test reproduces one bug of rebalance.torch.losses.

References are written as float64 formulas (torchvision's sigmoid_focal_loss,
kornia's softmax focal loss), differentiated by autograd.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402

from rebalance.torch.losses import (  # noqa: E402
    OHEMLoss,
    sigmoid_focal_loss,
    softmax_focal_loss,
)

# --------------------------------------------------------------------------
# Reference formulas (float64, autograd-differentiable)
# --------------------------------------------------------------------------


def _tv_sigmoid_focal(x, y, alpha=0.25, gamma=2.0):
    """torchvision.ops.sigmoid_focal_loss, reduction='mean'."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss.mean()


def _kornia_softmax_focal(x, t, gamma=2.0):
    """kornia.losses.focal_loss (alpha=1), reduction='mean'."""
    log_p = x.log_softmax(1)
    log_py = log_p.gather(1, t.unsqueeze(1)).squeeze(1)
    return (-((1 - log_py.exp()) ** gamma) * log_py).mean()


def _pair(kind):
    g = torch.Generator().manual_seed(0)
    z = torch.randn(4, 3, generator=g, dtype=torch.float64)
    if kind == "sigmoid":
        y = (torch.rand(4, 3, generator=g) < 0.5).double()
        return (
            z,
            (lambda a: sigmoid_focal_loss(a, y)),
            (lambda a: _tv_sigmoid_focal(a, y)),
        )
    t = torch.tensor([0, 1, 2, 1])
    return (
        z,
        (lambda a: softmax_focal_loss(a, t)),
        (lambda a: _kornia_softmax_focal(a, t)),
    )


# --------------------------------------------------------------------------
# 1. Second derivatives through torch.autograd.grad are silently zero
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
@pytest.mark.parametrize(
    "how", ["penalty_autograd_grad", "autograd_functional_hessian"]
)
def test_focal_second_derivative_is_not_silently_zero(kind, how):
    # losses.py docstring: "a gradient taken with create_graph=True (a
    # gradient penalty) raises a RuntimeError when it is differentiated
    # again" / "Second derivatives ... raise rather than return the zero
    # Hessian of a saved gradient". It only raises for a plain
    # ``.backward()``: the error node hangs off a detached fake leaf, so
    # torch.autograd.grad(total, z) (MAML outer step, gradient penalties
    # written with autograd.grad, backward(inputs=...)) and
    # torch.autograd.functional.hessian never reach it and silently treat
    # the gradient as a constant.
    z, fused, ref = _pair(kind)
    if how == "penalty_autograd_grad":

        def total_grad(f):
            zz = z.clone().requires_grad_()
            loss = f(zz)
            (g,) = torch.autograd.grad(loss, zz, create_graph=True)
            (dz,) = torch.autograd.grad(loss + 100 * g.pow(2).sum(), zz)
            return dz

    else:

        def total_grad(f):
            return torch.autograd.functional.hessian(f, z)

    expected = total_grad(ref)
    try:
        got = total_grad(fused)
    except (RuntimeError, NotImplementedError):
        return  # the documented behaviour
    torch.testing.assert_close(got, expected)


# --------------------------------------------------------------------------
# 2. torch.func second derivatives other than torch.func.hessian are zero
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
def test_focal_torch_func_hessian_by_reverse_mode_is_not_silently_zero(kind):
    # Documented: "torch.func.hessian ... raise". It does (jacfwd needs a
    # jvp), but the same Hessian by reverse-over-reverse,
    # torch.func.jacrev(torch.func.grad(f)), is silently all zeros: under
    # torch.func the backward returns the saved gradient as a constant.
    import torch.func as tf

    z, fused, ref = _pair(kind)
    expected = tf.jacrev(tf.grad(ref))(z)
    assert expected.abs().sum() > 0
    try:
        got = tf.jacrev(tf.grad(fused))(z)
    except (RuntimeError, NotImplementedError):
        return  # the documented behaviour
    torch.testing.assert_close(got, expected)


# --------------------------------------------------------------------------
# 3. torch.func.jvp (forward mode) gives a zero tangent
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_focal_forward_mode_jvp_is_not_silently_zero(kind, dtype):
    # Documented: forward-mode AD raises. torch.func.jvp instead returns a
    # tangent of exactly 0 (a wrong *first* derivative): the logits are not
    # requires_grad under jvp, so _apply_fused skips the autograd Function
    # (which would raise for lack of a jvp) and calls the custom op, which
    # has no forward-mode rule.
    import torch.func as tf

    z, fused, ref = _pair(kind)
    z = z.to(dtype)
    v = torch.linspace(-1.0, 1.0, z.numel(), dtype=dtype).reshape(z.shape)
    _, expected = tf.jvp(lambda a: ref(a.double()), (z,), (v,))
    assert expected.abs() > 1e-3
    try:
        _, got = tf.jvp(fused, (z,), (v,))
    except (RuntimeError, NotImplementedError):
        return  # the documented behaviour
    torch.testing.assert_close(got.double(), expected, rtol=1e-4, atol=1e-6)


# --------------------------------------------------------------------------
# 4. OHEMLoss's default criterion rejects int32 / int16 / int8 class indices
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.int32, torch.int16, torch.int8])
def test_ohem_default_criterion_accepts_small_integer_targets(dtype):
    # Every other class-index loss takes class indices of any integer dtype
    # (tests/test_losses_validation.py::test_small_integer_class_targets_
    # equal_int64), and OHEMLoss.forward compares integer targets "as
    # int64". Its default criterion (cross_entropy) is called with the
    # target as given, so int32 labels (numpy int32 arrays through skorch's
    # to_tensor, torch.from_numpy of int32 masks) raise torch's
    # "expected target dtype to be Long or Byte, but got Int".
    torch.manual_seed(0)
    logits = torch.randn(6, 3)
    target = torch.tensor([0, 1, 2, 2, 1, 0])
    criterion = OHEMLoss(top_k=3)
    expected = criterion(logits, target)
    ref = F.cross_entropy(logits, target, reduction="none").topk(3).values.mean()
    torch.testing.assert_close(expected, ref)
    torch.testing.assert_close(criterion(logits, target.to(dtype)), expected)


@pytest.mark.parametrize(
    "top_k",
    [
        np.float32(0.3),
        np.float16(0.3),
        torch.tensor(0.3),
        torch.tensor(0.3, dtype=torch.bfloat16),
    ],
    ids=["np-float32", "np-float16", "tensor-float32", "tensor-bfloat16"],
)
def test_narrow_float_top_k_keeps_the_fraction_as_written(top_k):
    # Review 11 (doubtful list): float32 0.3 is 0.30000001192..., whose
    # product with 10 rows rounded up kept 4 rows, not the 3 of 0.3.
    from rebalance.torch.losses import ohem_loss

    losses = torch.arange(10.0)
    _, kept = ohem_loss(losses, top_k=top_k, return_indices=True)
    assert kept.numel() == 3
