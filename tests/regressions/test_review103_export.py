"""Review 103, area "export": the torch losses under nn.Module conventions
(buffers, .to()/.double()/.half(), state_dict, torch.save/load with
weights_only=True, deepcopy, pickle, repr), the samplers' state_dict through
torch.save/torch.load(weights_only=True), jit.trace / export / compile,
double backward, torch.func transforms, inference_mode and target dtypes.
Every value is compared with a float64 reference formula written here."""

import copy
import io
import pickle
import warnings

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from torch import nn  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    BalancedSoftmaxCrossEntropyLoss,
    ClassWeightedCrossEntropyLoss,
    HardExampleSampler,
    LogitAdjustedCrossEntropyLoss,
    MarginCrossEntropyLoss,
    RebalanceSampler,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
)
from rebalance.torch import losses as L  # noqa: E402

F64 = torch.float64


def _data(n=6, c=3, dtype=F64):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, c, generator=g, dtype=F64).to(dtype)
    y = torch.arange(n) % c
    return x, y


# ---------------------------------------------------------------- references
def ref_weighted_ce(x, y, w):
    x, w = x.to(F64), torch.as_tensor(w, dtype=F64)
    logp = x.log_softmax(1)
    nll = -logp[torch.arange(len(y)), y.long()]
    return (w[y.long()] * nll).sum() / w[y.long()].sum()


def ref_logit_adjusted(x, y, priors, tau=1.0):
    x, p = x.to(F64), torch.as_tensor(priors, dtype=F64)
    adj = x + tau * torch.log(p / p.sum())
    logp = adj.log_softmax(1)
    return (-logp[torch.arange(len(y)), y.long()]).mean()


def ref_softmax_focal(x, y, alpha=None, gamma=2.0):
    x = x.to(F64)
    logp = x.log_softmax(1)[torch.arange(len(y)), y.long()]
    p = logp.exp()
    a = 1.0 if alpha is None else torch.as_tensor(alpha, dtype=F64)[y.long()]
    return (-a * (1 - p) ** gamma * logp).mean()


def ref_sigmoid_focal(x, t, alpha=0.25, gamma=2.0):
    x, t = x.to(F64), t.to(F64)
    p = torch.sigmoid(x)
    ce = -(
        t * torch.nn.functional.logsigmoid(x)
        + (1 - t) * torch.nn.functional.logsigmoid(-x)
    )
    pt = p * t + (1 - p) * (1 - t)
    at = alpha * t + (1 - alpha) * (1 - t)
    return (at * (1 - pt) ** gamma * ce).mean()


def ref_margin(x, y, m=0.8):
    # multi-class form: -theta(m - p_y) log p_y, theta(0) = 1/2
    x = x.to(F64)
    logp = x.log_softmax(1)[torch.arange(len(y)), y.long()]
    theta = (torch.sign(m - logp.exp()) + 1) / 2
    return (-theta * logp).mean()


W = [1.0, 2.0, 3.0]
PRIORS = [5.0, 3.0, 2.0]


def _tensor_modules():
    return {
        "class_weight": ClassWeightedCrossEntropyLoss(torch.tensor(W)),
        "alpha": SoftmaxFocalLoss(alpha=torch.tensor(W)),
        "priors": LogitAdjustedCrossEntropyLoss(torch.tensor(PRIORS)),
        "pos_weight": SigmoidFocalLoss(pos_weight=torch.tensor([2.0, 1.0, 0.5])),
    }


# ------------------------------------------------------------ Module buffers
@pytest.mark.parametrize("name", ["class_weight", "alpha", "priors", "pos_weight"])
def test_tensor_argument_is_buffer_that_follows_casts(name):
    m = _tensor_modules()[name]
    assert list(m.state_dict()) == [name]
    assert dict(m.named_buffers())[name].dtype == torch.float32
    assert getattr(copy.deepcopy(m).double(), name).dtype == F64
    assert getattr(copy.deepcopy(m).to(F64), name).dtype == F64
    assert getattr(copy.deepcopy(m).half(), name).dtype == torch.float16
    assert f"{name}=tensor(" in repr(m)


def test_integer_class_counts_left_alone_by_half():
    m = BalancedSoftmaxCrossEntropyLoss(torch.tensor([5, 3, 2])).half()
    assert m.class_counts.dtype == torch.int64
    x, y = _data()
    torch.testing.assert_close(
        m(x, y), ref_logit_adjusted(x, y, [5, 3, 2]), rtol=1e-12, atol=1e-12
    )


def test_double_module_keeps_values_for_float32_logits():
    x, y = _data(dtype=torch.float32)
    m = ClassWeightedCrossEntropyLoss(torch.tensor(W)).to(F64)
    out = m(x, y)
    assert out.dtype == torch.float32
    torch.testing.assert_close(
        out.double(), ref_weighted_ce(x, y, W), rtol=1e-5, atol=1e-6
    )


def test_state_dict_round_trip_through_torch_load_weights_only():
    x, y = _data()
    model = nn.Sequential(
        nn.Identity(), LogitAdjustedCrossEntropyLoss(torch.tensor(PRIORS))
    )
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    buf.seek(0)
    state = torch.load(buf, weights_only=True)
    assert list(state) == ["1.priors"]
    fresh = nn.Sequential(nn.Identity(), LogitAdjustedCrossEntropyLoss(torch.ones(3)))
    fresh.load_state_dict(state)
    torch.testing.assert_close(fresh[1].priors, torch.tensor(PRIORS))
    torch.testing.assert_close(
        fresh[1](x, y), ref_logit_adjusted(x, y, PRIORS), rtol=1e-12, atol=1e-12
    )


def test_list_module_restores_tensor_from_state_dict():
    x, y = _data()
    m = ClassWeightedCrossEntropyLoss([1.0, 1.0, 1.0])
    assert m.state_dict() == {}
    m.load_state_dict(
        ClassWeightedCrossEntropyLoss(torch.tensor([1.0, 5.0, 2.0])).state_dict()
    )
    torch.testing.assert_close(
        m(x, y), ref_weighted_ce(x, y, [1.0, 5.0, 2.0]), rtol=1e-12, atol=1e-12
    )


def test_load_float64_state_keeps_module_dtype():
    m = ClassWeightedCrossEntropyLoss(torch.tensor(W))
    m.load_state_dict(
        ClassWeightedCrossEntropyLoss(torch.tensor(W, dtype=F64) * 3).state_dict()
    )
    assert m.class_weight.dtype == torch.float32
    torch.testing.assert_close(m.class_weight, torch.tensor([3.0, 6.0, 9.0]))


def test_torch_cross_entropy_weight_loads():
    ce = nn.CrossEntropyLoss(weight=torch.tensor([4.0, 5.0, 6.0]))
    m = ClassWeightedCrossEntropyLoss(torch.ones(3))
    m.load_state_dict(ce.state_dict())
    torch.testing.assert_close(m.class_weight, torch.tensor([4.0, 5.0, 6.0]))


@pytest.mark.parametrize("name", ["class_weight", "alpha", "priors", "pos_weight"])
def test_deepcopy_and_pickle_keep_value_and_buffer(name):
    x, y = _data()
    m = _tensor_modules()[name]
    t = (x > 0).double() if name == "pos_weight" else y
    want = m(x, t)
    for other in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert list(other.state_dict()) == [name]
        assert getattr(other, name) is not getattr(m, name)
        torch.testing.assert_close(other(x, t), want, rtol=0, atol=0)


def test_repr_shows_non_defaults_only():
    assert repr(SoftmaxFocalLoss()) == "SoftmaxFocalLoss()"
    assert repr(SoftmaxFocalLoss(gamma=1.0)) == "SoftmaxFocalLoss(gamma=1.0)"
    assert "[1.0, 2.0]" in repr(ClassWeightedCrossEntropyLoss([1.0, 2.0]))


# ------------------------------------------------------------ values
def test_values_match_float64_references():
    x, y = _data()
    t = (x > 0).double()
    cases = [
        (L.class_weighted_cross_entropy(x, y, W), ref_weighted_ce(x, y, W)),
        (
            L.logit_adjusted_cross_entropy(x, y, PRIORS),
            ref_logit_adjusted(x, y, PRIORS),
        ),
        (
            L.softmax_focal_loss(x, y, alpha=torch.tensor(W, dtype=F64)),
            ref_softmax_focal(x, y, W),
        ),
        (L.sigmoid_focal_loss(x, t), ref_sigmoid_focal(x, t)),
        (L.margin_cross_entropy(x, y), ref_margin(x, y)),
    ]
    for got, want in cases:
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.int32, torch.uint8, torch.int16, torch.int64])
def test_integer_target_dtypes(dtype):
    x, y = _data()
    yy = y.to(dtype)
    torch.testing.assert_close(L.softmax_focal_loss(x, yy), ref_softmax_focal(x, y))
    torch.testing.assert_close(
        L.class_weighted_cross_entropy(x, yy, W), ref_weighted_ce(x, y, W)
    )
    torch.testing.assert_close(
        L.logit_adjusted_cross_entropy(x, yy, PRIORS), ref_logit_adjusted(x, y, PRIORS)
    )
    torch.testing.assert_close(L.margin_cross_entropy(x, yy), ref_margin(x, y))


def test_float_class_index_target_refused_naming_fix():
    x, y = _data()
    with pytest.raises(TypeError, match="target.*integer class indic"):
        L.softmax_focal_loss(x, y.float())


def test_inference_mode_and_no_grad_and_no_requires_grad():
    x, y = _data()
    want = ref_softmax_focal(x, y)
    with torch.inference_mode():
        torch.testing.assert_close(L.softmax_focal_loss(x, y), want)
        torch.testing.assert_close(
            L.class_weighted_cross_entropy(x, y, W), ref_weighted_ce(x, y, W)
        )
    with torch.no_grad():
        out = L.softmax_focal_loss(x, y)
    assert not out.requires_grad
    torch.testing.assert_close(out, want)
    with torch.inference_mode():
        xin = x.clone()
    torch.testing.assert_close(L.softmax_focal_loss(xin, y), want)


# ------------------------------------------------------------ autograd
def test_first_derivative_of_focal_matches_reference():
    x, y = _data()
    xa = x.clone().requires_grad_()
    xb = x.clone().requires_grad_()
    L.softmax_focal_loss(xa, y, alpha=torch.tensor(W, dtype=F64)).backward()
    ref_softmax_focal(xb, y, W).backward()
    torch.testing.assert_close(xa.grad, xb.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, y: L.class_weighted_cross_entropy(x, y, W),
        lambda x, y: L.logit_adjusted_cross_entropy(x, y, PRIORS),
        lambda x, y: L.class_scaled_cross_entropy(x, y, class_index=1, scale=2.0),
    ],
    ids=["class_weighted", "logit_adjusted", "class_scaled"],
)
def test_gradgradcheck_of_plain_losses(fn):
    x, y = _data(n=4)
    assert torch.autograd.gradgradcheck(
        lambda z: fn(z, y), (x.clone().requires_grad_(),)
    )


def test_hessian_of_logit_adjusted_matches_reference():
    x, y = _data(n=3)
    h = torch.func.hessian(lambda z: L.logit_adjusted_cross_entropy(z, y, PRIORS))(x)
    want = torch.func.hessian(lambda z: ref_logit_adjusted(z, y, PRIORS))(x)
    torch.testing.assert_close(h, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "second",
    ["create_graph", "gradgradcheck", "func_grad_grad", "jacrev_grad", "hessian"],
)
@pytest.mark.parametrize("kind", ["softmax", "sigmoid"])
def test_focal_second_derivative_raises_clearly(second, kind):
    x, y = _data(n=4)
    t = (x > 0).double()

    def f(z):
        if kind == "softmax":
            return L.softmax_focal_loss(z, y)
        return L.sigmoid_focal_loss(z, t)

    with pytest.raises(RuntimeError, match="(second|forward-mode) derivative"):
        if second == "create_graph":
            xi = x.clone().requires_grad_()
            (g,) = torch.autograd.grad(f(xi) + (xi**3).sum(), xi, create_graph=True)
            torch.autograd.grad(g.sum(), xi)
        elif second == "gradgradcheck":
            torch.autograd.gradgradcheck(f, (x.clone().requires_grad_(),))
        elif second == "func_grad_grad":
            torch.func.grad(lambda z: torch.func.grad(f)(z).sum())(x)
        elif second == "jacrev_grad":
            torch.func.jacrev(torch.func.grad(f))(x)
        else:
            torch.func.hessian(f)(x)


def test_gradient_penalty_through_model_raises_not_silent():
    x, y = _data(n=4)
    lin = nn.Linear(3, 3).double()
    xi = x.clone().requires_grad_()
    with pytest.raises(RuntimeError, match="second derivative"):
        (g,) = torch.autograd.grad(
            L.softmax_focal_loss(lin(xi), y), xi, create_graph=True
        )
        g.pow(2).sum().backward()


def test_vmap_matches_per_sample_reference():
    x, y = _data()
    got = torch.func.vmap(lambda z, t: L.softmax_focal_loss(z[None], t[None]))(x, y)
    want = torch.stack(
        [ref_softmax_focal(x[i : i + 1], y[i : i + 1]) for i in range(len(y))]
    )
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    got = torch.func.vmap(
        lambda z, t: L.class_weighted_cross_entropy(z[None], t[None], W)
    )(x, y)
    want = torch.stack(
        [ref_weighted_ce(x[i : i + 1], y[i : i + 1], W) for i in range(len(y))]
    )
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_per_sample_grads_with_vmap_grad():
    x, y = _data()
    got = torch.func.vmap(
        torch.func.grad(lambda z, t: L.softmax_focal_loss(z[None], t[None]))
    )(x, y)
    want = torch.func.vmap(
        torch.func.grad(lambda z, t: ref_softmax_focal(z[None], t[None]))
    )(x, y)
    torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------ trace / export / compile
class _Model(nn.Module):
    def __init__(self, crit):
        super().__init__()
        self.lin = nn.Linear(3, 3)
        self.crit = crit

    def forward(self, x, y):
        return self.crit(self.lin(x), y)


def _crits():
    return {
        "focal": SoftmaxFocalLoss(alpha=torch.tensor(W)),
        "weighted": ClassWeightedCrossEntropyLoss(torch.tensor(W)),
        "adjusted": LogitAdjustedCrossEntropyLoss(PRIORS),
        "margin": MarginCrossEntropyLoss(),
    }


@pytest.mark.parametrize("name", ["focal", "weighted", "adjusted", "margin"])
def test_jit_trace_and_export_match_eager(name):
    torch.manual_seed(0)
    x, y = _data(dtype=torch.float32)
    y2 = torch.tensor([2, 2, 2, 1, 0, 1])
    m = _Model(_crits()[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(m, (x, y))
    torch.testing.assert_close(traced(x, y2), m(x, y2))
    exported = torch.export.export(m, (x, y)).module()
    torch.testing.assert_close(exported(x, y2), m(x, y2))


def test_model_with_loss_state_dict_weights_only_into_fresh_model():
    m = _Model(SoftmaxFocalLoss(alpha=torch.tensor(W)))
    buf = io.BytesIO()
    torch.save(m.state_dict(), buf)
    buf.seek(0)
    fresh = _Model(SoftmaxFocalLoss(alpha=torch.ones(3)))
    fresh.load_state_dict(torch.load(buf, weights_only=True))
    torch.testing.assert_close(fresh.crit.alpha, torch.tensor(W))


def test_compile_fullgraph_dynamic():
    if not hasattr(torch, "compile"):
        pytest.skip("no torch.compile")
    crit = ClassWeightedCrossEntropyLoss(torch.tensor(W, dtype=F64))
    compiled = torch.compile(crit, fullgraph=True, dynamic=True, backend="eager")
    for n in (5, 7):
        x, y = _data(n=n)
        torch.testing.assert_close(
            compiled(x, y), ref_weighted_ce(x, y, W), rtol=1e-12, atol=1e-12
        )


# ------------------------------------------------------------ sampler state
def _through_torch_save(state):
    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


LABELS = np.array([0] * 20 + [1] * 5 + [2] * 3)


@pytest.mark.parametrize(
    "make,consume",
    [
        (lambda: RebalanceSampler(LABELS, seed=3), 5),
        (lambda: BalancedBatchSampler(LABELS, 6, seed=3), 2),
        (
            lambda: BalancedBatchSampler(
                LABELS, 6, classes_per_batch=3, samples_per_class=2, seed=3
            ),
            2,
        ),
    ],
    ids=["rebalance", "balanced_batch", "pk"],
)
def test_sampler_state_resumes_after_weights_only_load(make, consume):
    s = make()
    it = iter(s)
    for _ in range(consume):
        next(it)
    s2 = make()
    s2.load_state_dict(_through_torch_save(s.state_dict()))
    assert list(s2) == list(it)


def test_hard_example_sampler_state_weights_only():
    h = HardExampleSampler(RebalanceSampler(LABELS, seed=3), pool_size=8)
    it = iter(h)
    idx = [next(it) for _ in range(6)]
    h.update(np.array(idx), np.linspace(0.1, 0.9, 6).astype(np.float32))
    h2 = HardExampleSampler(RebalanceSampler(LABELS, seed=3), pool_size=8)
    h2.load_state_dict(_through_torch_save(h.state_dict()))
    assert list(h2) == list(it)
    torch.testing.assert_close(
        torch.as_tensor(h2.pool_losses), torch.as_tensor(h.pool_losses)
    )


# ------------------------------------------------------------ more pins
def test_functional_call_uses_replaced_buffer():
    x, y = _data()
    m = SoftmaxFocalLoss(alpha=torch.tensor(W, dtype=F64))
    new = torch.tensor([3.0, 2.0, 1.0], dtype=F64)
    got = torch.func.functional_call(m, {"alpha": new}, (x, y))
    torch.testing.assert_close(got, ref_softmax_focal(x, y, [3.0, 2.0, 1.0]))
    torch.testing.assert_close(m(x, y), ref_softmax_focal(x, y, W))


def test_half_float_counts_overflow_is_named_error():
    x, y = _data()
    m = BalancedSoftmaxCrossEntropyLoss(torch.tensor([70000.0, 3.0, 2.0])).half()
    with pytest.raises(ValueError, match="class_counts.*float16"):
        m(x, y)


def test_sigmoid_focal_loads_bce_pos_weight():
    bce = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([4.0, 5.0, 6.0]))
    s = SigmoidFocalLoss(pos_weight=torch.ones(3))
    s.load_state_dict(bce.state_dict())
    torch.testing.assert_close(s.pos_weight, torch.tensor([4.0, 5.0, 6.0]))


def test_deprecated_module_names_pickle():
    import rebalance.torch as rt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        m = rt.BalancedSoftmaxLoss(torch.tensor([5, 3, 2]))
        p = pickle.loads(pickle.dumps(m))
    x, y = _data()
    assert type(p) is type(m)
    torch.testing.assert_close(p(x, y), ref_logit_adjusted(x, y, [5, 3, 2]))


def test_export_dynamic_batch_and_target_check_inside_op():
    from torch.export import Dim

    x, y = _data(dtype=torch.float32)
    m = _Model(SoftmaxFocalLoss())
    b = Dim("b", min=2)
    ep = torch.export.export(m, (x, y), dynamic_shapes=({0: b}, {0: b})).module()
    x9, y9 = _data(n=9, dtype=torch.float32)
    torch.testing.assert_close(ep(x9, y9), m(x9, y9))
    with pytest.raises(ValueError, match="target class indices"):
        ep(x, torch.tensor([0, 1, 5, 0, 1, 2]))


def test_ohem_vmap_matches_topk_mean():
    g = torch.Generator().manual_seed(1)
    losses = torch.rand(4, 5, generator=g, dtype=F64)
    got = torch.func.vmap(lambda z: L.ohem_loss(z, top_k=2))(losses)
    torch.testing.assert_close(got, losses.topk(2, dim=1).values.mean(1))
