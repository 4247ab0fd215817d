"""Review 29 (losses3): loss arguments given as tensors that require grad.

Round 27 made ``class_weighted_cross_entropy`` differentiate a class weight
that requires grad. The other losses still read such tensors as constants and
silently dropped their gradient (``None``, or zeros under ``torch.func.grad``):
the fused focal losses' ``alpha`` / ``pos_weight`` / ``gamma``, the scalar
arguments (``tau``, ``margin``, ``scale``, ``pos_mult``, ``label_smoothing``)
and per-class values given as a list of tensors. Now ``tau`` gets its
gradient (it enters the plain formula ``CE(logits + tau * log p)``), and the
rest raise a ValueError naming the argument.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch import losses as L  # noqa: E402


def _x():
    gen = torch.Generator().manual_seed(0)
    return torch.randn(6, 3, generator=gen, dtype=torch.float64)


_T = torch.tensor([0, 1, 2, 1, -100, 2])
_PRIORS = [0.2, 0.3, 0.5]


def _grad_tensor(value):
    return torch.tensor(value, dtype=torch.float64, requires_grad=True)


# --------------------------------------------------------------------------
# 1. tau given as a tensor that requires grad got no gradient (None; zeros
#    under torch.func.grad): it was read as a Python float.
# --------------------------------------------------------------------------
def _adjusted_reference(x, t, priors, tau, reduction="mean", smoothing=0.0):
    log_p = torch.log(priors / priors.sum())
    return F.cross_entropy(
        x + tau * log_p, t, reduction=reduction, label_smoothing=smoothing
    )


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_logit_adjusted_tau_requiring_grad_gets_its_gradient(reduction, smoothing):
    x = _x()
    tau = _grad_tensor(1.3)
    loss = L.logit_adjusted_cross_entropy(
        x, _T, _PRIORS, tau=tau, reduction=reduction, label_smoothing=smoothing
    )
    tau_ref = tau.detach().clone().requires_grad_()
    priors = torch.tensor(_PRIORS, dtype=torch.float64)
    ref = _adjusted_reference(x, _T, priors, tau_ref, reduction, smoothing)
    torch.testing.assert_close(loss, ref)
    assert loss.requires_grad  # was False
    loss.sum().backward()
    ref.sum().backward()
    assert tau.grad is not None  # was None
    torch.testing.assert_close(tau.grad, tau_ref.grad)
    assert torch.autograd.gradcheck(
        lambda tau_, p_: L.logit_adjusted_cross_entropy(
            x, _T, p_, tau=tau_, reduction=reduction, label_smoothing=smoothing
        ),
        (_grad_tensor(0.7), _grad_tensor(_PRIORS)),
    )


def test_adjust_logits_tau_gradient_and_func_grad():
    x = _x()
    assert torch.autograd.gradcheck(
        lambda tau_: L.adjust_logits(x, _PRIORS, tau=tau_), (_grad_tensor(1.3),)
    )
    tau = torch.tensor(1.3, dtype=torch.float64)
    got = torch.func.grad(
        lambda tau_: L.logit_adjusted_cross_entropy(x, _T, _PRIORS, tau=tau_)
    )(tau)
    tau_ref = tau.clone().requires_grad_()
    priors = torch.tensor(_PRIORS, dtype=torch.float64)
    _adjusted_reference(x, _T, priors, tau_ref).backward()
    torch.testing.assert_close(got, tau_ref.grad)  # was 0
    assert bool(got != 0)


def test_learnable_tau_parameter_of_the_module_is_trained():
    tau = torch.nn.Parameter(torch.tensor(1.0))
    criterion = L.LogitAdjustedCrossEntropyLoss(_PRIORS, tau=tau)
    assert [name for name, _ in criterion.named_parameters()] == ["tau"]
    criterion(_x().float(), _T).backward()
    assert tau.grad is not None and bool(tau.grad != 0)  # raised nothing, got None


def test_tau_tensor_without_grad_and_under_no_grad_as_before():
    x = _x()
    ref = L.logit_adjusted_cross_entropy(x, _T, _PRIORS, tau=1.3)
    plain = L.logit_adjusted_cross_entropy(x, _T, _PRIORS, tau=torch.tensor(1.3))
    torch.testing.assert_close(plain, ref)
    with torch.no_grad():
        got = L.logit_adjusted_cross_entropy(x, _T, _PRIORS, tau=_grad_tensor(1.3))
    torch.testing.assert_close(got, ref)
    # the overflow check still sees the value of a tau that requires grad
    with pytest.raises(ValueError, match="overflow"):
        L.adjust_logits(x.float(), [1.0, 1e-30, 1.0], tau=_grad_tensor(1e38))


# --------------------------------------------------------------------------
# 2. The fused focal losses differentiate the logits only: alpha, gamma and
#    pos_weight that require grad silently got no gradient. Now a ValueError
#    naming the argument (also when a Module is built with one).
# --------------------------------------------------------------------------
def _binary():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    y = (torch.rand(4, 3, generator=gen) > 0.5).double()
    return x, y


@pytest.mark.parametrize(
    ("name", "call"),
    [
        (
            "alpha",
            lambda x, t, v: L.softmax_focal_loss(x, t, alpha=v),
        ),
        ("alpha", lambda x, t, v: L.softmax_focal_loss(x, t, alpha=v.sum())),
        ("gamma", lambda x, t, v: L.softmax_focal_loss(x, t, gamma=v.sum())),
        ("pos_weight", lambda x, y, v: L.sigmoid_focal_loss(x, y, pos_weight=v)),
        ("alpha", lambda x, y, v: L.sigmoid_focal_loss(x, y, alpha=v[0])),
        ("gamma", lambda x, y, v: L.sigmoid_focal_loss(x, y, gamma=v.sum())),
    ],
)
def test_focal_argument_requiring_grad_is_refused(name, call):
    if "sigmoid_focal_loss" in call.__code__.co_names:
        x, t = _binary()
    else:
        x, t = _x().requires_grad_(), _T
    value = _grad_tensor([0.25, 0.5, 1.0])
    with pytest.raises(ValueError, match=rf"{name} requires grad.*{name}\.detach\(\)"):
        call(x, t, value)
    # detached (or under no_grad) it is the loss it was
    loss = call(x, t, value.detach())
    with torch.no_grad():
        torch.testing.assert_close(call(x, t, value), loss.detach())


def test_focal_argument_requiring_grad_is_refused_under_func_grad():
    x = _x()
    with pytest.raises(ValueError, match="alpha requires grad"):
        torch.func.grad(lambda a: L.softmax_focal_loss(x, _T, alpha=a))(
            torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
        )  # returned zeros


def test_focal_modules_refuse_learnable_arguments_when_built():
    with pytest.raises(ValueError, match="pos_weight requires grad"):
        L.SigmoidFocalLoss(pos_weight=torch.nn.Parameter(torch.ones(3)))
    with pytest.raises(ValueError, match="alpha requires grad"):
        L.SoftmaxFocalLoss(alpha=torch.nn.Parameter(torch.ones(3)))
    with pytest.raises(ValueError, match="gamma requires grad"):
        L.SoftmaxFocalLoss(gamma=torch.nn.Parameter(torch.tensor(2.0)))
    # a frozen parameter or a plain tensor is fine
    frozen = torch.nn.Parameter(torch.ones(3), requires_grad=False)
    assert L.SoftmaxFocalLoss(alpha=frozen)(_x(), _T).isfinite()


# --------------------------------------------------------------------------
# 3. The scalar arguments of the other losses (used as Python floats):
#    margin, scale, pos_mult, label_smoothing.
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("margin", lambda x, v: L.margin_cross_entropy(x, _T, margin=v)),
        (
            "scale",
            lambda x, v: L.class_scaled_cross_entropy(x, _T, class_index=1, scale=v),
        ),
        ("pos_mult", lambda x, v: L.weighted_softmax_loss(x, _T, v, 1)),
        (
            "label_smoothing",
            lambda x, v: L.class_weighted_cross_entropy(
                x, _T, [1.0, 2.0, 1.0], label_smoothing=v / 10
            ),
        ),
    ],
)
def test_scalar_argument_requiring_grad_is_refused(name, call):
    x = _x()
    value = _grad_tensor(0.9)
    with pytest.raises(ValueError, match=rf"{name} requires grad"):
        call(x, value)  # the loss had requires_grad=False, value.grad None
    call(x, value.detach())


# --------------------------------------------------------------------------
# 4. Per-class values given as a list (or dict) of tensors that require grad
#    were read as floats: a learnable weight per class got no gradient.
# --------------------------------------------------------------------------
def test_list_of_learnable_class_weights_is_refused_with_the_fix():
    x = _x()
    w = [torch.tensor(1.0, requires_grad=True) for _ in range(3)]
    with pytest.raises(ValueError, match=r"class_weight holds tensors.*torch\.stack"):
        L.class_weighted_cross_entropy(x, _T, w)
    with pytest.raises(ValueError, match=r"priors holds tensors"):
        L.LogitAdjustedCrossEntropyLoss(dict(enumerate(w)))
    # the fix the message gives: one tensor, which gets its gradient
    stacked = torch.stack(w)
    L.class_weighted_cross_entropy(x, _T, stacked).backward()
    assert all(v.grad is not None for v in w)


# --------------------------------------------------------------------------
# 5. Not refused: a threshold taken from the batch's losses (selection only,
#    no gradient in any formula), and ignore_index.
# --------------------------------------------------------------------------
def test_ohem_threshold_from_the_graph_still_works():
    x = _x().requires_grad_()
    per_row = F.cross_entropy(x, _T.clamp(min=0), reduction="none")
    loss = L.ohem_loss(per_row, threshold=per_row.mean())
    expected = per_row[per_row >= per_row.mean()].mean()
    torch.testing.assert_close(loss, expected)
    loss.backward()
    assert x.grad is not None


def test_pos_weight_list_of_learnable_tensors_is_a_clear_error():
    # was a RuntimeError from numpy ("Can't call numpy() on Tensor ...")
    x, y = _binary()
    w = [torch.tensor(1.0, requires_grad=True) for _ in range(3)]
    with pytest.raises(ValueError, match="pos_weight holds tensors that require"):
        L.sigmoid_focal_loss(x, y, pos_weight=w)
    with torch.no_grad():
        got = L.sigmoid_focal_loss(x, y, pos_weight=w)
    torch.testing.assert_close(got, L.sigmoid_focal_loss(x, y, pos_weight=[1.0] * 3))
