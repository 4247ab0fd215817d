"""Review 23 (loss Modules): the loss ``nn.Module``s as PyTorch users expect
them to behave, next to ``nn.CrossEntropyLoss`` / ``nn.BCEWithLogitsLoss``
(which register ``weight`` / ``pos_weight`` as buffers).

Bugs fixed (a test of each failed on the code before its fix; the others,
e.g. torch.compile, torch.func and weights of every kind, guard real use):

1. The tensor arguments of the loss Modules (``pos_weight``, ``alpha``,
   ``class_weight``, ``priors``, ``class_counts``) were plain attributes:
   ``.to()`` / ``.double()`` / ``.half()`` left them alone, ``state_dict()``
   did not hold them (a checkpoint of a model did not restore them), and
   ``nn.CrossEntropyLoss``'s state_dict (``weight``) did not load into
   ``ClassWeightedCrossEntropyLoss``. They are buffers now, as in torch (the
   very tensor given; an ``nn.Parameter`` stays a parameter); a state_dict
   saved before (no such key, version 1) still loads with ``strict=True``,
   and a Module pickled before gets its buffers when loaded.
2. ``repr(module)`` showed no argument (no ``extra_repr``).
3. Under CPU/CUDA autocast (bfloat16 / float16 logits),
   ``class_weighted_cross_entropy`` rounded the class weights,
   ``class_weighted_binary_cross_entropy`` the soft targets and
   ``logit_adjusted_cross_entropy`` / ``balanced_softmax_cross_entropy`` the
   adjusted logits to the logits' half precision before the float32 loss
   that autocast runs: up to 4e-4 (relative) off ``nn.CrossEntropyLoss(
   weight=w)`` / ``nn.BCEWithLogitsLoss(weight=...)`` under the same
   autocast. They are applied in float32 there now.
"""

from __future__ import annotations

import copy
import io
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch import losses as L  # noqa: E402

_G = torch.Generator().manual_seed(23)
_W3 = torch.tensor([1.25, 2.5, 0.75])

# name: (factory(tensor), tensor argument, binary target)
MODULES = {
    "sigmoid_focal": (lambda w: L.SigmoidFocalLoss(pos_weight=w), "pos_weight", True),
    "softmax_focal": (lambda w: L.SoftmaxFocalLoss(alpha=w), "alpha", False),
    "class_weighted": (L.ClassWeightedCrossEntropyLoss, "class_weight", False),
    "class_weighted_bce": (
        lambda w: L.ClassWeightedBinaryCrossEntropyLoss(w[:2]),
        "class_weight",
        True,
    ),
    "logit_adjusted": (L.LogitAdjustedCrossEntropyLoss, "priors", False),
    "balanced_softmax": (L.BalancedSoftmaxCrossEntropyLoss, "class_counts", False),
}


def _batch(n=12, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g)
    t = torch.randint(0, 3, (n,), generator=g)
    yb = (torch.rand(n, 3, generator=g) < 0.3).float()
    return x, t, yb


def _target(binary, t, yb):
    return yb if binary else t


class _Net(torch.nn.Module):
    def __init__(self, criterion):
        super().__init__()
        self.body = torch.nn.Linear(3, 3)
        self.criterion = criterion

    def forward(self, x, target):
        return self.criterion(self.body(x), target)


# --------------------------------------------------------------------------
# 1. Tensor arguments are buffers
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(MODULES))
def test_tensor_arguments_are_buffers_moved_and_cast_by_the_module(name):
    make, arg, binary = MODULES[name]
    w = _W3.clone()
    module = make(w)
    assert getattr(module, arg) is w or getattr(module, arg)._base is w
    assert dict(module.named_buffers()).keys() == {arg}
    x, t, yb = _batch()
    expected = module(x.double(), _target(binary, t, yb))
    as_double = copy.deepcopy(module).double()
    assert getattr(as_double, arg).dtype == torch.float64  # as BCEWithLogitsLoss
    got = as_double(x.double(), _target(binary, t, yb))
    torch.testing.assert_close(got, expected)
    assert getattr(copy.deepcopy(module).half(), arg).dtype == torch.float16
    assert getattr(copy.deepcopy(module).to(torch.bfloat16), arg).dtype == (
        torch.bfloat16
    )
    assert getattr(copy.deepcopy(module).to("meta"), arg).is_meta
    # the tensor given is not cast in place (the Module's copies are)
    assert w.dtype == torch.float32


def test_integer_counts_and_scalar_arguments_are_left_alone_by_casts():
    counts = torch.tensor([100_000, 10])  # above float16's 65504
    module = L.BalancedSoftmaxCrossEntropyLoss(counts).half()
    assert module.class_counts.dtype == torch.int64
    x = torch.tensor([[0.5, -0.5]], dtype=torch.float16)
    got = module(x, torch.tensor([1]))
    assert bool(got.isfinite())
    # SigmoidFocalLoss's alpha is a number, not a per-class tensor
    focal = L.SigmoidFocalLoss(alpha=torch.tensor(0.3))
    assert not dict(focal.named_buffers())
    assert focal.half().alpha.dtype == torch.float32


def test_torch_losses_register_the_same_buffers():
    # the convention followed (torch/nn/modules/loss.py)
    pw = torch.tensor([2.0])
    assert dict(torch.nn.BCEWithLogitsLoss(pos_weight=pw).named_buffers()) == {
        "pos_weight": pw
    }
    assert dict(L.SigmoidFocalLoss(pos_weight=pw).named_buffers()) == {"pos_weight": pw}
    assert torch.nn.BCEWithLogitsLoss(pos_weight=pw).double().pos_weight.dtype == (
        L.SigmoidFocalLoss(pos_weight=pw).double().pos_weight.dtype
    )


@pytest.mark.parametrize("name", list(MODULES))
def test_a_checkpoint_of_a_model_restores_the_loss_tensors(name):
    make, arg, binary = MODULES[name]
    x, t, yb = _batch()
    target = _target(binary, t, yb)
    trained = _Net(make(_W3.clone()))
    state = trained.state_dict()
    assert f"criterion.{arg}" in state
    fresh = _Net(make(torch.ones(3)))
    assert not torch.equal(fresh(x, target), trained(x, target))
    fresh.load_state_dict(state)  # strict
    assert torch.equal(getattr(fresh.criterion, arg), getattr(trained.criterion, arg))
    assert torch.equal(fresh(x, target), trained(x, target))
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    other = _Net(make(torch.ones(3)))
    other.load_state_dict(torch.load(buffer, weights_only=True))
    assert torch.equal(other(x, target), trained(x, target))


@pytest.mark.parametrize("name", list(MODULES))
def test_a_state_dict_saved_before_the_buffers_still_loads_strictly(name):
    make, arg, binary = MODULES[name]
    x, t, yb = _batch()
    target = _target(binary, t, yb)
    net = _Net(make(_W3.clone()))
    assert f"criterion.{arg}" in net.state_dict()
    # what rebalance <= review 22 saved: no key for the loss, version 1
    old = net.state_dict()
    del old[f"criterion.{arg}"]
    old._metadata["criterion"]["version"] = 1
    restored = _Net(make(_W3.clone()))
    restored.load_state_dict(old)  # strict: no missing key
    assert torch.equal(restored(x, target), net(x, target))
    # and without metadata (a dict rebuilt by hand, safetensors)
    _Net(make(_W3.clone())).load_state_dict(dict(old))
    # nor one saved by a Module given a list (no key either): the Module
    # keeps the tensor it was built with
    from_list = _Net(make(_W3.tolist()))
    assert f"criterion.{arg}" not in from_list.state_dict()
    built = _Net(make(_W3.clone()))
    held = getattr(built.criterion, arg).clone()
    built.load_state_dict(from_list.state_dict())  # strict, key missing
    assert torch.equal(getattr(built.criterion, arg), held)


@pytest.mark.parametrize("name", list(MODULES))
def test_a_checkpoint_loads_into_a_module_given_a_list_or_a_dict(name):
    make, arg, binary = MODULES[name]
    x, t, yb = _batch()
    target = _target(binary, t, yb)
    trained = _Net(make(_W3.clone()))
    for held in (torch.ones(3).tolist(), dict(enumerate(torch.ones(3).tolist()))):
        fresh = _Net(make(torch.ones(3)))
        setattr(
            fresh.criterion, arg, held if name != "class_weighted_bce" else [1.0, 1.0]
        )
        assert f"criterion.{arg}" not in fresh.state_dict()
        fresh.load_state_dict(trained.state_dict())  # strict: restored
        assert arg in fresh.criterion._buffers
        assert torch.equal(fresh(x, target), trained(x, target))
    wrong = _Net(make(torch.ones(3)))
    setattr(wrong.criterion, arg, [1.0] * 5)
    with pytest.raises(RuntimeError, match=f"size mismatch for {arg}"):
        wrong.load_state_dict(trained.state_dict())


def test_torch_style_state_dicts_load_into_the_modules():
    w = torch.tensor([1.0, 3.0, 0.5])
    module = L.ClassWeightedCrossEntropyLoss(torch.ones(3))
    module.load_state_dict(torch.nn.CrossEntropyLoss(weight=w).state_dict())
    assert torch.equal(module.class_weight, w)
    x, t, _ = _batch()
    torch.testing.assert_close(module(x, t), F.cross_entropy(x, t, weight=w))
    focal = L.SigmoidFocalLoss(pos_weight=torch.ones(3))
    focal.load_state_dict(torch.nn.BCEWithLogitsLoss(pos_weight=w).state_dict())
    assert torch.equal(focal.pos_weight, w)
    # the caller's state_dict is left as it was
    state = torch.nn.CrossEntropyLoss(weight=w).state_dict()
    L.ClassWeightedCrossEntropyLoss(torch.ones(3)).load_state_dict(state)
    assert list(state) == ["weight"]


def test_a_module_pickled_before_the_buffers_gets_them_when_loaded():
    module = L.SigmoidFocalLoss(pos_weight=torch.tensor([2.0]))
    # the layout of a Module pickled by rebalance <= review 22
    del module._buffers["pos_weight"]
    module.__dict__["pos_weight"] = torch.tensor([2.0])
    old = pickle.dumps(module)
    restored = pickle.loads(old)
    assert "pos_weight" in restored._buffers
    assert "pos_weight" not in restored.__dict__
    assert restored.double().pos_weight.dtype == torch.float64
    x, _, yb = _batch()
    expected = L.sigmoid_focal_loss(x, yb, pos_weight=torch.tensor([2.0]))
    torch.testing.assert_close(pickle.loads(old)(x, yb), expected)


@pytest.mark.parametrize("name", list(MODULES))
def test_copies_keep_the_buffers(name):
    make, arg, binary = MODULES[name]
    x, t, yb = _batch()
    target = _target(binary, t, yb)
    module = make(_W3.clone())
    expected = module(x, target)
    buffer = io.BytesIO()
    torch.save(module, buffer)
    buffer.seek(0)
    for clone in (
        copy.deepcopy(module),
        pickle.loads(pickle.dumps(module)),
        torch.load(buffer, weights_only=False),
    ):
        assert arg in clone._buffers
        assert getattr(clone, arg) is not getattr(module, arg)
        assert torch.equal(clone(x, target), expected)


def test_functional_call_swaps_the_buffers():
    from torch.func import functional_call

    x, t, _ = _batch()
    module = L.ClassWeightedCrossEntropyLoss(torch.ones(3))
    w = torch.tensor([1.0, 4.0, 0.25])
    got = functional_call(module, {"class_weight": w}, (x, t))
    torch.testing.assert_close(got, F.cross_entropy(x, t, weight=w))
    assert torch.equal(module.class_weight, torch.ones(3))  # left as it was
    focal = L.SoftmaxFocalLoss(alpha=torch.ones(3), gamma=0.0)
    got = functional_call(focal, {"alpha": w}, (x, t))
    expected = (F.cross_entropy(x, t, reduction="none") * w[t]).mean()
    torch.testing.assert_close(got, expected)


def test_arguments_set_later_switch_between_buffer_and_attribute():
    x, t, _ = _batch()
    module = L.ClassWeightedCrossEntropyLoss({0: 1.0, 1: 2.0, 2: 3.0})
    assert not dict(module.named_buffers())
    assert module.state_dict() == {}
    w = torch.tensor([3.0, 2.0, 1.0])
    module.class_weight = w
    assert module.class_weight is w and "class_weight" in module._buffers
    torch.testing.assert_close(module(x, t), F.cross_entropy(x, t, weight=w))
    module.class_weight = [1.0, 1.0, 2.0]  # a list again: a plain attribute
    assert module.class_weight == [1.0, 1.0, 2.0] and not module._buffers
    expected = F.cross_entropy(x, t, weight=torch.tensor([1.0, 1.0, 2.0]))
    torch.testing.assert_close(module(x, t), expected)
    module.reduction = "sum"
    torch.testing.assert_close(
        module(x, t),
        F.cross_entropy(x, t, weight=torch.tensor([1.0, 1.0, 2.0]), reduction="sum"),
    )
    # None and a tensor for pos_weight, as BCEWithLogitsLoss's buffer
    focal = L.SigmoidFocalLoss()
    assert "pos_weight" in focal._buffers and focal.pos_weight is None
    focal.pos_weight = torch.tensor([2.0])
    assert focal.state_dict().keys() == {"pos_weight"}
    # a Parameter stays a parameter (review 14), moved and saved as one
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))
    learnt = L.ClassWeightedCrossEntropyLoss(p)
    assert dict(learnt.named_parameters()) == {"class_weight": p}
    assert not dict(learnt.named_buffers())
    learnt.class_weight = torch.tensor([1.0, 1.0, 1.0])  # replaced by a tensor
    assert not dict(learnt.named_parameters())
    assert "class_weight" in learnt._buffers


@pytest.mark.parametrize(
    "weights",
    [
        [1.25, 2.5, 0.75],
        (1.25, 2.5, 0.75),
        np.array([1.25, 2.5, 0.75]),
        np.array([1.25, 2.5, 0.75], dtype=np.float32),
        {2: 0.75, 0: 1.25, 1: 2.5},
        torch.tensor([1.25, 2.5, 0.75], dtype=torch.float64),
        torch.tensor([1.25, 2.5, 0.75], dtype=torch.float16),
        torch.tensor([1.25, 2.5, 0.75]).requires_grad_(),
    ],
)
def test_weights_of_any_kind_give_torch_s_loss(weights):
    x, t, _ = _batch()
    expected = torch.nn.CrossEntropyLoss(weight=_W3)(x, t)
    module = L.ClassWeightedCrossEntropyLoss(weights)
    torch.testing.assert_close(module(x, t), expected)
    torch.testing.assert_close(module.double()(x.double(), t), expected.double())


# --------------------------------------------------------------------------
# 2. extra_repr
# --------------------------------------------------------------------------
def test_repr_shows_the_arguments_that_differ_from_their_defaults():
    assert repr(L.SigmoidFocalLoss()) == "SigmoidFocalLoss()"
    assert repr(L.SoftmaxFocalLoss(gamma=1.0, reduction="sum")) == (
        "SoftmaxFocalLoss(gamma=1.0, reduction='sum')"
    )
    assert repr(L.SigmoidFocalLoss(pos_weight=torch.tensor([2.0]))) == (
        "SigmoidFocalLoss(pos_weight=tensor([2.]))"
    )
    assert repr(L.ClassWeightedCrossEntropyLoss({0: 1.0, 1: 3.0})) == (
        "ClassWeightedCrossEntropyLoss(class_weight={0: 1.0, 1: 3.0})"
    )
    assert repr(L.WeightedSoftmaxLoss(3.0, 1)) == (
        "WeightedSoftmaxLoss(pos_mult=3.0, pos_cid=1)"
    )
    long = repr(L.LogitAdjustedCrossEntropyLoss(torch.ones(1000), tau=0.5))
    assert long == (
        "LogitAdjustedCrossEntropyLoss(priors=tensor(<shape (1000,)>, "
        "dtype=torch.float32), tau=0.5)"
    )
    assert len(repr(L.BalancedSoftmaxCrossEntropyLoss(list(range(1, 1001))))) < 120
    net = _Net(L.ClassWeightedCrossEntropyLoss([1.0, 2.0, 3.0]))
    assert "(criterion): ClassWeightedCrossEntropyLoss(class_weight=[1.0, 2.0" in (
        repr(net)
    )


# --------------------------------------------------------------------------
# 3. Autocast: weights, soft targets and adjustments in float32
# --------------------------------------------------------------------------
def test_autocast_applies_class_weights_in_float32_as_torch_does():
    x, t, _ = _batch(64, seed=1)
    lin = torch.nn.Linear(3, 3)
    w = torch.tensor([1.2345, 2.3456, 0.3333])  # not bfloat16 numbers
    soft = torch.rand(64, 3, generator=_G)
    priors = torch.tensor([0.5123, 0.3111, 0.1766])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = lin(x)
        assert out.dtype == torch.bfloat16
        expected = torch.nn.CrossEntropyLoss(weight=w)(out, t)
        for weights in (w, w.tolist()):
            got = L.ClassWeightedCrossEntropyLoss(weights)(out, t)
            torch.testing.assert_close(got, expected, rtol=1e-6, atol=0)
        bw = [0.7654, 2.3456]
        expected = torch.nn.BCEWithLogitsLoss(weight=bw[1] * soft + bw[0] * (1 - soft))(
            out, soft
        )
        got = L.ClassWeightedBinaryCrossEntropyLoss(bw)(out, soft)
        torch.testing.assert_close(got, expected, rtol=1e-6, atol=0)
        # the plain formula, as a user writes it: bf16 logits + float32 priors
        expected = F.cross_entropy(out + priors.log(), t)
        got = L.LogitAdjustedCrossEntropyLoss(priors)(out, t)
        torch.testing.assert_close(got, expected, rtol=1e-6, atol=0)
        got = L.BalancedSoftmaxCrossEntropyLoss(priors * 1000)(out, t)
        torch.testing.assert_close(got, expected, rtol=1e-6, atol=0)
    # the gradient reaches the logits in their dtype
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = lin(x)
        L.ClassWeightedCrossEntropyLoss(w)(out, t).backward()
    assert lin.weight.grad.dtype == torch.float32
    # outside autocast nothing changes: bfloat16 in, bfloat16 out
    got = L.class_weighted_cross_entropy(x.bfloat16(), t, w)
    assert got.dtype == torch.bfloat16


# --------------------------------------------------------------------------
# 4. Real use: compiled, DDP-style copies, torch.func
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sigmoid_focal", "class_weighted", "logit_adjusted"])
def test_compiled_model_holding_a_loss_with_buffers(name):
    make, _, binary = MODULES[name]
    x, t, yb = _batch()
    target = _target(binary, t, yb)
    net = _Net(make(_W3.clone()))
    expected = net(x, target)
    compiled = torch.compile(net, fullgraph=True, backend="eager")
    torch.testing.assert_close(compiled(x, target), expected)
    # a new buffer value (set in place, as load_state_dict does) is used
    with torch.no_grad():
        getattr(net.criterion, MODULES[name][1]).mul_(2.0)
    torch.testing.assert_close(compiled(x, target), net(x, target))


def test_ddp_style_replicas_hold_their_own_buffers():
    # DDP / DataParallel replicate the model (deepcopy, .to(device)): each
    # replica has its own loss buffers, moved with it
    net = _Net(L.SigmoidFocalLoss(pos_weight=torch.tensor([2.0])))
    replica = copy.deepcopy(net).to(torch.float64)
    assert replica.criterion.pos_weight.dtype == torch.float64
    assert net.criterion.pos_weight.dtype == torch.float32
    buffers = dict(replica.named_buffers())
    assert list(buffers) == ["criterion.pos_weight"]
