"""Review 129 (lossmodules6): every loss ``nn.Module`` exported by
``rebalance.torch`` as an object in a PyTorch training setup (not its
formula, pinned elsewhere).

For each of the ten Modules: deepcopy, pickle, ``torch.save`` of the Module,
``state_dict`` through ``torch.save``/``torch.load(weights_only=True)`` into a
fresh Module built with other arguments (a tensor, a list, a dict), with
``assign=True`` and into a Module built on the meta device; strict-loading
errors; ``.double()``, ``.half()``, ``.to('meta')``, ``.cpu()``;
``train()``/``eval()``, ``no_grad``, ``inference_mode``; registration in a
parent Module (buffers, learnable priors moved by an optimizer step as
autograd on the hand-written formula says); a tiny model's forward and
backward under ``torch.autocast('cpu', dtype=torch.bfloat16)``; ``repr``; the
``torch.jit.script`` refusal. Anchors are torch's own losses
(``F.cross_entropy`` with ``weight``, or with ``log`` priors / counts added)
or the Module's own float32 output before the move / copy.

The docstring examples already run: pyproject's ``testpaths`` holds
``rebalance`` and ``addopts`` has ``--doctest-modules``; they pass (checked by
hand in this review), so they are not repeated here. ``torch.compile`` of a
model holding a loss is pinned by test_review23_lossmodules.
"""

import copy
import io
import pickle

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

import rebalance.torch as rt  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedSoftmaxCrossEntropyLoss,
    ClassScaledCrossEntropyLoss,
    ClassWeightedBinaryCrossEntropyLoss,
    ClassWeightedCrossEntropyLoss,
    LogitAdjustedCrossEntropyLoss,
    MarginCrossEntropyLoss,
    OHEMLoss,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    WeightedSoftmaxLoss,
)

# name -> (build(tensor argument or None), binary?, buffer name or None,
#          another value of the buffer argument to build the target Module with)
W = torch.tensor([1.0, 2.0, 3.0])
PRIORS = torch.tensor([0.5, 0.3, 0.2])
COUNTS = torch.tensor([5, 3, 2])
POS_WEIGHT = torch.tensor([2.0])
ALPHA = torch.tensor([0.2, 0.3, 0.5])
BINARY_W = torch.tensor([1.0, 3.0])
MODULES = {
    "SigmoidFocalLoss": (
        lambda v=POS_WEIGHT: SigmoidFocalLoss(pos_weight=v),
        True,
        "pos_weight",
        torch.tensor([1.0]),
    ),
    "SoftmaxFocalLoss": (
        lambda v=ALPHA: SoftmaxFocalLoss(alpha=v),
        False,
        "alpha",
        [1 / 3, 1 / 3, 1 / 3],
    ),
    "MarginCrossEntropyLoss": (
        lambda v=None: MarginCrossEntropyLoss(margin=0.9),
        False,
        None,
        None,
    ),
    "ClassScaledCrossEntropyLoss": (
        lambda v=None: ClassScaledCrossEntropyLoss(class_index=1, scale=3.0),
        False,
        None,
        None,
    ),
    "WeightedSoftmaxLoss": (
        lambda v=None: WeightedSoftmaxLoss(pos_mult=3.0, pos_cid=1),
        False,
        None,
        None,
    ),
    "ClassWeightedCrossEntropyLoss": (
        lambda v=W: ClassWeightedCrossEntropyLoss(v),
        False,
        "class_weight",
        {0: 1.0, 1: 1.0, 2: 1.0},
    ),
    "ClassWeightedBinaryCrossEntropyLoss": (
        lambda v=BINARY_W: ClassWeightedBinaryCrossEntropyLoss(v),
        True,
        "class_weight",
        [1.0, 1.0],
    ),
    "OHEMLoss": (lambda v=None: OHEMLoss(top_k=0.5), False, None, None),
    "LogitAdjustedCrossEntropyLoss": (
        lambda v=PRIORS: LogitAdjustedCrossEntropyLoss(v),
        False,
        "priors",
        torch.ones(3) / 3,
    ),
    "BalancedSoftmaxCrossEntropyLoss": (
        lambda v=COUNTS: BalancedSoftmaxCrossEntropyLoss(v),
        False,
        "class_counts",
        [1, 1, 1],
    ),
}
NAMES = sorted(MODULES)


def _batch(binary, dtype=torch.float32):
    g = torch.Generator().manual_seed(0)
    if binary:
        return torch.randn(8, generator=g, dtype=dtype), (torch.arange(8) % 2).to(dtype)
    return torch.randn(8, 3, generator=g, dtype=dtype), torch.arange(8) % 3


def _anchor(name, x, y):
    """torch's own loss for the Modules that have one, else None."""
    if name == "ClassWeightedCrossEntropyLoss":
        return F.cross_entropy(x, y, weight=W.to(x.dtype))
    if name == "LogitAdjustedCrossEntropyLoss":
        return F.cross_entropy(x + PRIORS.to(x.dtype).log(), y)
    if name == "BalancedSoftmaxCrossEntropyLoss":
        return F.cross_entropy(x + COUNTS.to(x.dtype).log(), y)
    if name == "ClassWeightedBinaryCrossEntropyLoss":
        return F.binary_cross_entropy_with_logits(x, y, weight=1.0 + 2.0 * y)
    return None


def test_the_modules_reviewed_are_every_exported_loss_module():
    from rebalance.torch import losses

    exported = {
        n
        for n in rt.__all__
        if rt._SUBMODULE_OF[n] == "losses"
        and isinstance(getattr(losses, n), type)
        and issubclass(getattr(losses, n), nn.Module)
    }
    assert exported == set(MODULES)


@pytest.mark.parametrize("name", NAMES)
def test_copies_and_checkpoints_give_the_same_loss(name):
    build, binary, buffer, other = MODULES[name]
    module = build()
    x, y = _batch(binary)
    expected = module(x, y)
    anchor = _anchor(name, x, y)
    if anchor is not None:
        torch.testing.assert_close(expected, anchor)
    torch.testing.assert_close(copy.deepcopy(module)(x, y), expected)
    torch.testing.assert_close(pickle.loads(pickle.dumps(module))(x, y), expected)
    buf = io.BytesIO()
    torch.save(module, buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=False)
    torch.testing.assert_close(loaded(x, y), expected)
    # the state_dict, through weights_only loading, into a Module built with
    # other values of its tensor argument (a tensor, a list or a dict)
    buf = io.BytesIO()
    torch.save(module.state_dict(), buf)
    buf.seek(0)
    state = torch.load(buf, weights_only=True)
    assert list(state) == ([] if buffer is None else [buffer])
    fresh = build(other) if buffer is not None else build()
    if buffer is not None:
        assert not torch.allclose(fresh(x, y), expected)
    result = fresh.load_state_dict(state, strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    torch.testing.assert_close(fresh(x, y), expected)


@pytest.mark.parametrize("name", NAMES)
def test_a_whole_module_is_refused_by_weights_only_load(name):
    # torch's rule, not rebalance's: weights_only=True loads tensors and
    # containers, not Modules (save the state_dict instead, as above)
    buf = io.BytesIO()
    torch.save(MODULES[name][0](), buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="weights_only"):
        torch.load(buf, weights_only=True)


@pytest.mark.parametrize("name", NAMES)
def test_dtype_and_device_moves(name):
    build, binary, buffer, _ = MODULES[name]
    module = build()
    x, y = _batch(binary)
    expected = module(x, y)
    # .double(): float buffers float64, the loss in float64
    double = copy.deepcopy(module).to(torch.float64)
    x64, y64 = x.double(), (y.double() if binary else y)
    out = double(x64, y64)
    assert out.dtype == torch.float64
    anchor = _anchor(name, x64, y64)
    torch.testing.assert_close(out, expected.double() if anchor is None else anchor)
    # .half(): a float buffer float16 (integer counts stay integers), the loss
    # close to float32's
    half = copy.deepcopy(module).half()
    if buffer is not None:
        held = getattr(half, buffer)
        expect = torch.int64 if name.startswith("Balanced") else torch.float16
        assert held.dtype == expect
    out = half(x.half(), y.half() if binary else y)
    assert torch.isfinite(out)
    torch.testing.assert_close(out.float(), expected, atol=2e-3, rtol=2e-3)
    # .to("meta"): the buffer and the loss on meta
    meta = copy.deepcopy(module).to("meta")
    if buffer is not None:
        assert getattr(meta, buffer).device.type == "meta"
    out = meta(x.to("meta"), y.to("meta"))
    assert out.device.type == "meta" and out.shape == ()
    # .cpu(): nothing moves
    assert module.cpu() is module
    torch.testing.assert_close(module(x, y), expected)


@pytest.mark.parametrize("name", NAMES)
def test_train_eval_no_grad_and_inference_mode_change_nothing(name):
    build, binary, _, _ = MODULES[name]
    module = build()
    x, y = _batch(binary)
    expected = module(x, y)
    assert module.eval() is module and not module.training
    torch.testing.assert_close(module(x, y), expected)
    module.train()
    with torch.no_grad():
        out = module(x.requires_grad_(), y)
    assert not out.requires_grad
    torch.testing.assert_close(out, expected)
    with torch.inference_mode():
        out = module(x.detach(), y)
    assert out.is_inference()
    torch.testing.assert_close(out, expected)


@pytest.mark.parametrize("name", NAMES)
def test_tiny_model_under_bfloat16_autocast(name):
    build, binary, _, _ = MODULES[name]
    criterion = build()
    torch.manual_seed(0)
    model = nn.Linear(4, 1 if binary else 3)
    x = torch.randn(8, 4)
    y = (torch.arange(8) % 2).float() if binary else torch.arange(8) % 3
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(x)
        out = out.squeeze(1) if binary else out
        assert out.dtype == torch.bfloat16
        loss = criterion(out, y)
        anchor = _anchor(name, out.float(), y)
    # documented: half-precision logits give a float32 loss
    assert loss.dtype == torch.float32 and torch.isfinite(loss)
    if anchor is not None:
        torch.testing.assert_close(loss, anchor)
    loss.backward()
    assert model.weight.grad.dtype == torch.float32
    assert torch.isfinite(model.weight.grad).all()
    assert model.weight.grad.abs().sum() > 0


def test_a_parent_lists_the_buffers_and_an_optimizer_moves_learnable_priors():
    parent = nn.Module()
    parent.head = nn.Linear(3, 3)
    parent.weighted = ClassWeightedCrossEntropyLoss(W.clone())
    parent.ohem = OHEMLoss(
        BalancedSoftmaxCrossEntropyLoss(COUNTS, reduction="none"), top_k=2
    )
    priors = nn.Parameter(PRIORS.clone())
    parent.adjusted = LogitAdjustedCrossEntropyLoss(priors)
    assert dict(parent.named_buffers()).keys() == {
        "weighted.class_weight",
        "ohem.criterion.class_counts",
    }
    assert [n for n, _ in parent.named_parameters()] == [
        "head.weight",
        "head.bias",
        "adjusted.priors",
    ]
    assert parent.adjusted.priors is priors and priors.requires_grad
    assert "adjusted.priors" in parent.state_dict()
    x, y = _batch(False)
    # the gradient of the priors, from autograd on the formula by hand
    p = PRIORS.clone().requires_grad_()
    F.cross_entropy(x + p.log(), y).backward()
    opt = torch.optim.SGD([priors], lr=0.1)
    parent.adjusted(x, y).backward()
    torch.testing.assert_close(priors.grad, p.grad)
    opt.step()
    torch.testing.assert_close(priors.detach(), PRIORS - 0.1 * p.grad)
    # the moved priors are used by the next call
    torch.testing.assert_close(
        parent.adjusted(x, y), F.cross_entropy(x + priors.detach().log(), y)
    )


def test_loading_with_assign_and_into_a_module_built_on_meta():
    x, y = _batch(False)
    source = LogitAdjustedCrossEntropyLoss(PRIORS)
    expected = F.cross_entropy(x + PRIORS.log(), y)
    for init in (torch.ones(3) / 3, [1 / 3] * 3, {0: 1, 1: 1, 2: 1}):
        target = LogitAdjustedCrossEntropyLoss(init)
        target.load_state_dict(source.state_dict(), assign=True)
        torch.testing.assert_close(target(x, y), expected)
    with torch.device("meta"):
        target = LogitAdjustedCrossEntropyLoss(torch.ones(3) / 3)
    assert target.priors.device.type == "meta"
    target.load_state_dict(source.state_dict(), assign=True)
    assert target.priors.device.type == "cpu"
    torch.testing.assert_close(target(x, y), expected)
    empty = LogitAdjustedCrossEntropyLoss(torch.ones(3) / 3).to("meta")
    empty = empty.to_empty(device="cpu")
    empty.load_state_dict(source.state_dict())
    torch.testing.assert_close(empty(x, y), expected)


def test_strict_loading_into_a_module_built_without_the_tensor_names_the_key():
    # as nn.BCEWithLogitsLoss() (pos_weight=None) does: an unexpected key
    source = SigmoidFocalLoss(pos_weight=torch.tensor([2.0]))
    target = SigmoidFocalLoss()
    with pytest.raises(RuntimeError, match='Unexpected key.*"pos_weight"'):
        target.load_state_dict(source.state_dict())
    torch_target = nn.BCEWithLogitsLoss()
    with pytest.raises(RuntimeError, match='Unexpected key.*"pos_weight"'):
        torch_target.load_state_dict(nn.BCEWithLogitsLoss(pos_weight=W).state_dict())
    result = target.load_state_dict(source.state_dict(), strict=False)
    assert result.unexpected_keys == ["pos_weight"] and target.pos_weight is None


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("SigmoidFocalLoss", "pos_weight=tensor([2.])"),
        ("SoftmaxFocalLoss", "alpha=tensor([0.2000, 0.3000, 0.5000])"),
        ("MarginCrossEntropyLoss", "margin=0.9"),
        ("ClassScaledCrossEntropyLoss", "class_index=1, scale=3.0"),
        ("WeightedSoftmaxLoss", "pos_mult=3.0, pos_cid=1"),
        ("ClassWeightedCrossEntropyLoss", "class_weight=tensor([1., 2., 3.])"),
        ("ClassWeightedBinaryCrossEntropyLoss", "class_weight=tensor([1., 3.])"),
        ("OHEMLoss", "top_k=0.5"),
        ("LogitAdjustedCrossEntropyLoss", "priors=tensor([0.5000, 0.3000, 0.2000])"),
        ("BalancedSoftmaxCrossEntropyLoss", "class_counts=tensor([5, 3, 2])"),
    ],
)
def test_repr_shows_the_settings(name, shown):
    assert repr(MODULES[name][0]()) == f"{name}({shown})"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", NAMES)
def test_jit_script_is_refused_naming_the_module_and_the_way_out(name):
    with pytest.raises(TypeError, match=f"cannot compile {name}.*torch.jit.trace"):
        torch.jit.script(MODULES[name][0]())
