"""The losses under torch.compile (fullgraph) and torch.func (issue 13 §4)."""

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from rebalance.torch import losses as L  # noqa: E402

# Dynamo itself instantiates autograd.Function classes while tracing them.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*should not be instantiated:DeprecationWarning"
)

N, D, C = 8, 4, 3


def _data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N, D, generator=g)
    t = torch.randint(0, C, (N,), generator=g)
    t[1] = -100
    yb = (torch.rand(N, C, generator=g) < 0.3).float()
    soft = torch.softmax(torch.randn(N, C, generator=g), 1)
    return x, t, yb, soft


X, T, YB, SOFT = _data()
# Module forms whose forward takes its target through the keyword-renaming
# wrapper: the wrapper must trace too.
SIGMOID_MODULE = L.SigmoidFocalLoss(gamma=1.5)
CLASS_WEIGHTED_BCE_MODULE = L.ClassWeightedBinaryCrossEntropyLoss([1.0, 2.0])

# Each loss, called on a model's output: (name, loss(model_output)).
FUSED = {
    "sigmoid": lambda z: L.sigmoid_focal_loss(z, YB),
    "sigmoid_pw_ignore_rescale": lambda z: L.sigmoid_focal_loss(
        z,
        torch.where(torch.arange(C) == 0, -1.0, YB),
        pos_weight=torch.tensor([1.0, 2.0, 3.0]),
        ignore_index=-1,
        rescale=True,
        gamma=0.5,
    ),
    "sigmoid_none": lambda z: L.sigmoid_focal_loss(z, YB, reduction="none").sum(),
    "sigmoid_module": lambda z: SIGMOID_MODULE(z, YB),
    "softmax": lambda z: L.softmax_focal_loss(z, T),
    "softmax_alpha_list": lambda z: L.softmax_focal_loss(
        z, T, alpha=[0.2, 0.3, 0.5], reduction="sum"
    ),
    "softmax_alpha_dict_smoothing": lambda z: L.softmax_focal_loss(
        z, T, alpha={0: 1, 1: 2, 2: 3}, label_smoothing=0.1, rescale=True
    ),
    "softmax_soft_targets": lambda z: L.softmax_focal_loss(z, SOFT),
    "softmax_none": lambda z: (
        L.softmax_focal_loss(z, T, reduction="none") * torch.arange(N)
    ).sum(),
}
OTHER = {
    "logit_adjusted": lambda z: L.logit_adjusted_cross_entropy(z, T, [10, 5, 1]),
    "balanced_softmax": lambda z: L.balanced_softmax_cross_entropy(z, T, [10, 5, 1]),
    "class_weighted_ce": lambda z: L.class_weighted_cross_entropy(
        z, T, {0: 1.0, 1: 2.0, 2: 3.0}
    ),
    "class_weighted_bce": lambda z: L.class_weighted_binary_cross_entropy(
        z, YB, [1.0, 2.0]
    ),
    "margin_binary": lambda z: L.margin_cross_entropy(z, YB),
    "margin_multiclass": lambda z: L.margin_cross_entropy(z, T),
    "class_weighted_bce_module": lambda z: CLASS_WEIGHTED_BCE_MODULE(z, YB),
    "weighted_softmax": lambda z: L.weighted_softmax_loss(z, T, 2.0, 1),
    "class_scaled": lambda z: L.class_scaled_cross_entropy(
        z, T, class_index=1, scale=2.0
    ),
}


def _train_step(loss_fn, step):
    torch.manual_seed(1)
    model = torch.nn.Linear(D, C)
    loss = step(model, loss_fn)
    loss.backward()
    return loss.detach(), [p.grad for p in model.parameters()]


@pytest.mark.parametrize("name", list(FUSED) + list(OTHER))
def test_loss_compiles_with_fullgraph_and_matches_eager(name):
    loss_fn = {**FUSED, **OTHER}[name]
    torch._dynamo.reset()
    backend = "aot_eager" if name in FUSED else "eager"

    def step(model, fn):
        return fn(model(X))

    compiled = torch.compile(step, fullgraph=True, backend=backend)
    loss_c, grads_c = _train_step(loss_fn, compiled)
    loss_e, grads_e = _train_step(loss_fn, step)
    torch.testing.assert_close(loss_c, loss_e)
    for gc, ge in zip(grads_c, grads_e, strict=True):
        torch.testing.assert_close(gc, ge)


def test_focal_losses_have_no_graph_break():
    model = torch.nn.Linear(D, C)
    for fn in (FUSED["sigmoid"], FUSED["softmax_alpha_list"]):
        torch._dynamo.reset()
        explained = torch._dynamo.explain(lambda f=fn: f(model(X)))()
        assert explained.graph_break_count == 0, explained.break_reasons
        assert explained.graph_count == 1


def test_target_values_are_still_checked_under_compile():
    torch._dynamo.reset()
    sig = torch.compile(L.sigmoid_focal_loss, fullgraph=True, backend="aot_eager")
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\]"):
        sig(torch.randn(4), torch.tensor([0.0, 1.0, 2.0, 0.0]))
    sm = torch.compile(L.softmax_focal_loss, fullgraph=True, backend="aot_eager")
    with pytest.raises(ValueError, match="target class indices must lie in"):
        sm(torch.randn(3, 4), torch.tensor([0, 7, 1]))


@pytest.mark.parametrize("name", list(FUSED))
def test_func_grad_matches_autograd(name):
    loss_fn = FUSED[name]
    z = torch.randn(N, C, dtype=torch.float64) * 3
    got = torch.func.grad(loss_fn)(z)
    z_ref = z.clone().requires_grad_()
    loss_fn(z_ref).backward()
    torch.testing.assert_close(got, z_ref.grad)
    # vjp with a non-unit cotangent (the backward's scaling path)
    out, vjp_fn = torch.func.vjp(loss_fn, z)
    (got_vjp,) = vjp_fn(torch.tensor(2.5, dtype=torch.float64))
    torch.testing.assert_close(got_vjp, 2.5 * z_ref.grad)


def test_vmap_gives_per_sample_losses_and_gradients():
    # Per-sample gradients: vmap(grad(loss)) over a batch of samples.
    g = torch.Generator().manual_seed(2)
    z = torch.randn(5, 6, C, generator=g, dtype=torch.float64)
    y = (torch.rand(5, 6, C, generator=g) < 0.4).double()
    t = torch.randint(0, C, (5, 6), generator=g)
    cases = [
        (lambda a, b: L.sigmoid_focal_loss(a, b, gamma=1.5), y),
        (lambda a, b: L.softmax_focal_loss(a, b, alpha=[1.0, 2.0, 0.5]), t),
    ]
    for fn, target in cases:
        losses = torch.vmap(fn)(z, target)
        grads = torch.vmap(torch.func.grad(fn))(z, target)
        for i in range(z.shape[0]):
            zi = z[i].clone().requires_grad_()
            loss = fn(zi, target[i])
            loss.backward()
            torch.testing.assert_close(losses[i], loss.detach())
            torch.testing.assert_close(grads[i], zi.grad)


def test_second_order_derivatives_raise_instead_of_returning_zeros():
    # The fused loss saves its gradient, which has no graph back to the
    # logits: a silent Hessian of 0 would be wrong, so these raise.
    # A gradient taken to be differentiated again (create_graph=True)
    # raises at once: an error on the second differentiation only was
    # skipped by autograd.grad(..., inputs=z) (review 11).
    z = torch.randn(4, C, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="no second derivative"):
        torch.autograd.grad(
            L.sigmoid_focal_loss(z, YB[:4].double()), z, create_graph=True
        )
    with pytest.raises((RuntimeError, NotImplementedError)):
        torch.func.hessian(lambda a: L.softmax_focal_loss(a, T[:4].clamp(min=0)))(
            z.detach()
        )


def test_eager_backward_returns_the_saved_gradient_without_a_product():
    # loss.backward() (grad_output 1) on CPU: the saved buffer is the gradient.
    z = torch.randn(16, C, requires_grad=True)
    loss = L.sigmoid_focal_loss(z, (torch.rand(16, C) < 0.5).float())
    (saved,) = loss.grad_fn.saved_tensors
    (grad,) = torch.autograd.grad(loss, z)
    assert grad.data_ptr() == saved.data_ptr()
    ref = torch.autograd.grad(
        F.binary_cross_entropy_with_logits(z, torch.zeros_like(z)), z
    )[0]
    assert grad.shape == ref.shape
