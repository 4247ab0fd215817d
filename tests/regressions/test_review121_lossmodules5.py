"""Review 121 (lossmodules5): the torch loss Modules holding tensor arguments
(priors, class counts, class weights, alpha, pos_weight) through state_dict
round trips (strict, non-strict, ``torch.load(weights_only=True)``, from
nn.CrossEntropyLoss, into Modules built from lists), dtype and device moves
(``.double()``, ``.half()``, ``'meta'``), deepcopy, pickle, refusal of
``torch.jit.script``, ``repr``, containers, and updating the tensors between
epochs; learnable priors, ``tau`` and class
weights against hand-written formulas (float64 ``gradcheck``);
``margin_cross_entropy`` / ``MarginCrossEntropyLoss`` against their formula;
``ohem_loss`` / ``OHEMLoss`` selection, ignore_index and argument checks.
"""

import copy
import io
import pickle

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from rebalance.torch import (  # noqa: E402
    BalancedSoftmaxCrossEntropyLoss,
    ClassWeightedCrossEntropyLoss,
    LogitAdjustedCrossEntropyLoss,
    MarginCrossEntropyLoss,
    OHEMLoss,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    balanced_softmax_cross_entropy,
    logit_adjusted_cross_entropy,
    margin_cross_entropy,
    ohem_loss,
)


def _batch(dtype=torch.float32):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 3, generator=g, dtype=dtype)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    return x, y


_MODULES = {
    "logit_adjusted": lambda v: LogitAdjustedCrossEntropyLoss(v, tau=0.7),
    "balanced_softmax": lambda v: BalancedSoftmaxCrossEntropyLoss(v),
    "class_weighted": lambda v: ClassWeightedCrossEntropyLoss(v),
    "softmax_focal": lambda v: SoftmaxFocalLoss(alpha=v),
}
_NAME = {
    "logit_adjusted": "priors",
    "balanced_softmax": "class_counts",
    "class_weighted": "class_weight",
    "softmax_focal": "alpha",
}


def _save_load(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


@pytest.mark.parametrize("kind", sorted(_MODULES))
def test_state_dict_weights_only_round_trip(kind):
    x, y = _batch()
    make = _MODULES[kind]
    saved = make(torch.tensor([5.0, 3.0, 1.0]))
    state = _save_load(saved.state_dict())
    assert list(state) == [_NAME[kind]]
    fresh = make(torch.ones(3))
    fresh.load_state_dict(state, strict=True)
    assert torch.allclose(fresh(x, y), saved(x, y))
    # a Module built from a list takes the checkpoint's tensor too
    listed = make([1.0, 1.0, 1.0])
    listed.load_state_dict(saved.state_dict())
    assert torch.allclose(listed(x, y), saved(x, y))


@pytest.mark.parametrize("kind", sorted(_MODULES))
def test_copies_and_dtype_moves_keep_the_buffer(kind):
    x, y = _batch()
    m = _MODULES[kind](torch.tensor([5.0, 3.0, 1.0]))
    base = m(x, y)
    assert torch.allclose(copy.deepcopy(m)(x, y), base)
    assert torch.allclose(pickle.loads(pickle.dumps(m))(x, y), base)
    in_seq = nn.ModuleDict({"loss": copy.deepcopy(m)})
    assert torch.allclose(in_seq["loss"](x, y), base)
    d = copy.deepcopy(m).double()
    assert getattr(d, _NAME[kind]).dtype == torch.float64
    out = d(x.double(), y)
    assert out.dtype == torch.float64
    assert torch.allclose(out.float(), base, atol=1e-6)
    meta = copy.deepcopy(m).to("meta")
    assert getattr(meta, _NAME[kind]).device.type == "meta"


@pytest.mark.parametrize("kind", sorted(_MODULES))
def test_in_place_update_between_epochs_is_used(kind):
    x, y = _batch()
    make = _MODULES[kind]
    m = make(torch.tensor([5.0, 3.0, 1.0]))
    getattr(m, _NAME[kind]).copy_(torch.tensor([2.0, 4.0, 8.0]))
    assert torch.allclose(m(x, y), make([2.0, 4.0, 8.0])(x, y))
    # reassigning a list drops the buffer, and the list is used
    setattr(m, _NAME[kind], [1.0, 1.0, 1.0])
    assert dict(m.named_buffers()) == {}
    assert torch.allclose(m(x, y), make([1.0, 1.0, 1.0])(x, y))


def test_state_dict_from_torch_cross_entropy_loads_into_class_weight():
    x, y = _batch()
    w = torch.tensor([1.0, 2.0, 3.0])
    m = ClassWeightedCrossEntropyLoss([1.0, 1.0, 1.0])
    m.load_state_dict(nn.CrossEntropyLoss(weight=w).state_dict())
    assert torch.allclose(m(x, y), F.cross_entropy(x, y, weight=w))


def test_state_dict_size_mismatch_and_unexpected_keys():
    saved = LogitAdjustedCrossEntropyLoss(torch.tensor([5.0, 3.0, 1.0])).state_dict()
    with pytest.raises(RuntimeError, match="size mismatch for priors"):
        LogitAdjustedCrossEntropyLoss(torch.ones(2)).load_state_dict(saved)
    with pytest.raises(RuntimeError, match="size mismatch for priors"):
        LogitAdjustedCrossEntropyLoss([1.0, 1.0]).load_state_dict(saved)
    m = LogitAdjustedCrossEntropyLoss(torch.ones(3))
    result = m.load_state_dict({**saved, "junk": torch.ones(1)}, strict=False)
    assert result.unexpected_keys == ["junk"]
    assert torch.equal(m.priors, torch.tensor([5.0, 3.0, 1.0]))


def test_learnable_priors_parameter_gradient_matches_formula():
    x, y = _batch(torch.float64)
    p = nn.Parameter(torch.tensor([5.0, 3.0, 1.0], dtype=torch.float64))
    m = LogitAdjustedCrossEntropyLoss(p, tau=0.7, label_smoothing=0.1)
    assert [n for n, _ in m.named_parameters()] == ["priors"]
    m(x, y).backward()
    q = p.detach().clone().requires_grad_()
    F.cross_entropy(x + 0.7 * torch.log(q / q.sum()), y, label_smoothing=0.1).backward()
    assert torch.allclose(p.grad, q.grad)
    assert torch.autograd.gradcheck(
        lambda pr: logit_adjusted_cross_entropy(x, y, pr, tau=0.7),
        (q.detach().clone().requires_grad_(),),
    )


def test_learnable_tau_gradient_and_state_dict():
    x, y = _batch(torch.float64)
    tau = nn.Parameter(torch.tensor(0.7, dtype=torch.float64))
    m = LogitAdjustedCrossEntropyLoss([5.0, 3.0, 1.0], tau=tau)
    assert list(m.state_dict()) == ["tau"]
    m(x, y).backward()
    t = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    prior = torch.tensor([5.0, 3.0, 1.0], dtype=torch.float64) / 9.0
    F.cross_entropy(x + t * torch.log(prior), y).backward()
    assert torch.allclose(tau.grad, t.grad)


def test_balanced_softmax_counts_gradcheck_segmentation():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, 3, 2, 2, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (2, 2, 2), generator=g)
    c = torch.tensor([5.0, 3.0, 1.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda counts: balanced_softmax_cross_entropy(x, y, counts), (c,)
    )


def test_class_weight_parameter_gradient_matches_weighted_mean():
    x, y = _batch(torch.float64)
    w = nn.Parameter(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    ClassWeightedCrossEntropyLoss(w)(x, y).backward()
    v = w.detach().clone().requires_grad_()
    ce = F.cross_entropy(x, y, reduction="none")
    (torch.sum(v[y] * ce) / v[y].sum()).backward()
    assert torch.allclose(w.grad, v.grad)


def test_constant_tensor_arguments_refuse_parameters_with_a_clear_error():
    x, y = _batch()
    with pytest.raises(ValueError, match=r"alpha requires grad.*alpha\.detach\(\)"):
        SoftmaxFocalLoss(alpha=nn.Parameter(torch.ones(3)))(x, y)
    with pytest.raises(ValueError, match="pos_weight requires grad"):
        SigmoidFocalLoss(pos_weight=nn.Parameter(torch.ones(3)))


def test_jit_script_refused():
    m = LogitAdjustedCrossEntropyLoss(torch.tensor([5.0, 3.0, 1.0]))
    with pytest.raises(TypeError, match="torch.jit.script cannot compile"):
        torch.jit.script(m)
    with pytest.raises(TypeError, match="torch.jit.script cannot compile"):
        torch.jit.script(OHEMLoss(top_k=2))


def test_half_overflowing_buffer_names_the_conversion():
    x, y = _batch()
    m = BalancedSoftmaxCrossEntropyLoss(torch.tensor([100000.0, 10.0, 5.0])).half()
    with pytest.raises(ValueError, match=r"class_counts.*float16.*half\(\)"):
        m(x, y)


def test_half_underflowing_priors_names_the_conversion():
    x, y = _batch()
    m = LogitAdjustedCrossEntropyLoss(torch.tensor([0.99999, 1e-6, 1e-8])).half()
    with pytest.raises(ValueError, match=r"priors.*float16"):
        m(x, y)


def test_repr_shows_non_default_arguments_only():
    assert repr(MarginCrossEntropyLoss()) == "MarginCrossEntropyLoss()"
    assert repr(MarginCrossEntropyLoss(margin=0.9)) == (
        "MarginCrossEntropyLoss(margin=0.9)"
    )
    assert repr(SigmoidFocalLoss(alpha=0.25, gamma=2.0)) == "SigmoidFocalLoss()"
    big = repr(LogitAdjustedCrossEntropyLoss(torch.ones(1000)))
    assert "shape (1000,)" in big
    assert repr(OHEMLoss(top_k=0.5)) == "OHEMLoss(top_k=0.5)"


def test_margin_multiclass_matches_formula_and_gradient():
    x, y = _batch(torch.float64)
    m = 0.6
    p = torch.softmax(x, 1)
    py = p[torch.arange(6), y]
    keep = (py < m).double()
    expected = -(keep * torch.log(py))
    got = margin_cross_entropy(x, y, margin=m, reduction="none")
    assert torch.allclose(got, expected)
    xx = x.clone().requires_grad_()
    MarginCrossEntropyLoss(margin=m, reduction="sum")(xx, y).backward()
    assert torch.allclose(xx.grad, keep[:, None] * (p - F.one_hot(y, 3).double()))
    assert torch.autograd.gradcheck(
        lambda a: margin_cross_entropy(a, y, margin=m), (x.clone().requires_grad_(),)
    )


def test_margin_binary_two_class_agree_and_margin_one_is_cross_entropy():
    x, y = _batch()
    labels = torch.tensor([0, 1, 1, 0, 1, 0])
    two = margin_cross_entropy(x[:, :2], labels, margin=0.7, reduction="none")
    binary = margin_cross_entropy(
        x[:, 1] - x[:, 0], labels.float(), margin=0.7, reduction="none"
    )
    assert torch.allclose(two, binary, atol=1e-6)
    assert torch.allclose(margin_cross_entropy(x, y, margin=1.0), F.cross_entropy(x, y))
    yi = torch.tensor([0, 1, -100, 0, 1, 2])
    assert torch.allclose(
        MarginCrossEntropyLoss(margin=1.0)(x, yi), F.cross_entropy(x, yi)
    )


def test_margin_module_checks_arguments_now_and_later():
    with pytest.raises(ValueError, match=r"margin must be in \(0.5, 1\]"):
        MarginCrossEntropyLoss(margin=0.5)
    m = MarginCrossEntropyLoss()
    m.margin = 2.0
    x, y = _batch()
    with pytest.raises(ValueError, match="margin must be in"):
        m(x, y)
    m.margin = 1.0
    assert torch.allclose(m(x, y), F.cross_entropy(x, y))


def test_ohem_module_selection_ignore_index_and_indices():
    x, y = _batch(torch.float64)
    ce = F.cross_entropy(x, y, reduction="none")
    loss, idx = OHEMLoss(top_k=2, return_indices=True)(x, y)
    top = ce.topk(2)
    assert torch.equal(idx, top.indices)
    assert torch.allclose(loss, top.values.mean())
    yi = torch.tensor([0, -100, 2, -100, 1, 2])
    ce_i = F.cross_entropy(x, yi, reduction="none")[yi != -100]
    assert torch.allclose(OHEMLoss(top_k=0.5)(x, yi), ce_i.topk(2).values.mean())
    assert OHEMLoss(top_k=0.5)(x, torch.full((6,), -100)).item() == 0.0
    assert torch.allclose(OHEMLoss(threshold=-1.0)(x, y), ce.mean())


def test_ohem_module_with_criterion_moves_and_round_trips():
    x, y = _batch()
    w = torch.tensor([1.0, 2.0, 3.0])

    def make(weight):
        return OHEMLoss(
            ClassWeightedCrossEntropyLoss(weight, reduction="none"), top_k=2
        )

    m = make(w)
    assert list(m.state_dict()) == ["criterion.class_weight"]
    fresh = make(torch.ones(3))
    fresh.load_state_dict(_save_load(m.state_dict()))
    assert torch.allclose(fresh(x, y), m(x, y))
    d = copy.deepcopy(m).double()
    assert d.criterion.class_weight.dtype == torch.float64
    assert torch.allclose(d(x.double(), y).float(), m(x, y))
    assert torch.allclose(pickle.loads(pickle.dumps(m))(x, y), m(x, y))


def test_ohem_argument_checks_name_the_argument():
    with pytest.raises(ValueError, match="exactly one of top_k and threshold"):
        OHEMLoss()
    with pytest.raises(TypeError, match="top_k must be an int"):
        OHEMLoss(top_k=True)
    with pytest.raises(ValueError, match="top_k as a fraction"):
        OHEMLoss(top_k=1.5)
    with pytest.raises(ValueError, match="threshold must not be NaN"):
        OHEMLoss(threshold=float("nan"))
    with pytest.raises(ValueError, match="ignore_index=5"):
        OHEMLoss(nn.CrossEntropyLoss(reduction="none", ignore_index=5), top_k=2)
    with pytest.raises(TypeError, match="valid must be a bool tensor"):
        ohem_loss(torch.tensor([1.0, 2.0]), top_k=1, valid=torch.tensor([1, 0]))


def test_ohem_min_kept_with_top_k_is_refused():
    with pytest.raises(ValueError, match="min_kept"):
        OHEMLoss(top_k=2, min_kept=3)
