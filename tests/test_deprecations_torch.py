"""The deprecated names of ``rebalance.torch`` keep working until 0.3.

Each old name or keyword gives a ``FutureWarning`` that names its
replacement and the release that removes it, and computes exactly what the
new name computes (losses and gradients); none of them is exported.
"""

from __future__ import annotations

import inspect
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import rebalance.torch as rt  # noqa: E402
from rebalance.torch import _compare_model, estimators, losses  # noqa: E402
from rebalance.torch._deprecations import renamed_keyword  # noqa: E402


def small_binary_case():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 3, generator=g, dtype=torch.float64) * 2
    target = (torch.rand(6, 3, generator=g) < 0.3).double()
    return logits, target


def small_class_case():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(7, 3, generator=g, dtype=torch.float64) * 2
    target = torch.randint(0, 3, (7,), generator=g)
    return logits, target


def loss_and_grad(call, logits, *args, **kwargs):
    """The loss of ``call(logits, *args, **kwargs)`` and its gradient to logits."""
    x = logits.clone().requires_grad_()
    loss = call(x, *args, **kwargs)
    (grad,) = torch.autograd.grad(loss.sum(), x)
    return loss.detach(), grad


def assert_same(got, expected):
    for a, b in zip(got, expected, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


# --------------------------------------------------------------------------
# The keyword targets= -> target=
# --------------------------------------------------------------------------
# (name, callable taking (logits, **kwargs), the other arguments)
RENAMED_KEYWORD = [
    ("sigmoid_focal_loss", rt.sigmoid_focal_loss, {"gamma": 1.5, "alpha": 0.3}),
    (
        "class_weighted_binary_cross_entropy",
        rt.class_weighted_binary_cross_entropy,
        {"class_weight": {0: 1.0, 1: 4.0}},
    ),
    (
        "SigmoidFocalLoss.forward",
        rt.SigmoidFocalLoss(gamma=1.5, alpha=0.3, reduction="none"),
        {},
    ),
    (
        "ClassWeightedBinaryCrossEntropyLoss.forward",
        rt.ClassWeightedBinaryCrossEntropyLoss([1.0, 4.0], reduction="sum"),
        {},
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "kwargs"), RENAMED_KEYWORD, ids=[c[0] for c in RENAMED_KEYWORD]
)
def test_targets_keyword_warns_and_equals_target(name, call, kwargs):
    logits, target = small_binary_case()
    expected = loss_and_grad(call, logits, target=target, **kwargs)
    with pytest.warns(FutureWarning, match=r"use target= instead") as record:
        got = loss_and_grad(call, logits, targets=target, **kwargs)
    message = str(record[0].message)
    assert message.startswith(f"{name}(targets=...) is deprecated")
    assert "removed in rebalance 0.3" in message
    assert record[0].filename == __file__  # points at the caller, not at torch
    assert_same(got, expected)


@pytest.mark.parametrize(
    ("name", "call", "kwargs"), RENAMED_KEYWORD, ids=[c[0] for c in RENAMED_KEYWORD]
)
def test_target_and_targets_together_are_a_type_error(name, call, kwargs):
    logits, target = small_binary_case()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # raised before any warning
        with pytest.raises(TypeError, match="'target' and its deprecated name"):
            call(logits, target, targets=target, **kwargs)
        with pytest.raises(TypeError, match="'target' and its deprecated name"):
            call(logits, target=target, targets=target, **kwargs)


@pytest.mark.parametrize(
    ("name", "call", "kwargs"), RENAMED_KEYWORD, ids=[c[0] for c in RENAMED_KEYWORD]
)
def test_target_by_position_or_keyword_does_not_warn(name, call, kwargs):
    logits, target = small_binary_case()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(
            loss_and_grad(call, logits, target, **kwargs),
            loss_and_grad(call, logits, target=target, **kwargs),
        )


def test_renamed_keyword_keeps_the_signature_and_name():
    for function in (rt.sigmoid_focal_loss, rt.class_weighted_binary_cross_entropy):
        params = list(inspect.signature(function).parameters)
        assert params[:2] == ["logits", "target"]
        assert "targets" not in params
        assert function.__name__ in losses.__all__
    forward = rt.SigmoidFocalLoss.forward
    assert list(inspect.signature(forward).parameters) == ["self", "logits", "target"]


def test_renamed_keyword_leaves_other_keywords_alone():
    @renamed_keyword("old", "new")
    def f(a, new, *, other=0):
        return a, new, other

    assert f(1, 2, other=3) == (1, 2, 3)
    with pytest.warns(FutureWarning, match=r"f\(old=\.\.\.\).*use new= instead"):
        assert f(1, old=2, other=3) == (1, 2, 3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'oldest'"):
        f(1, 2, oldest=3)


# --------------------------------------------------------------------------
# Old Module names
# --------------------------------------------------------------------------
# (old name, new name, constructor arguments, the small case it is called on)
RENAMED_MODULES = [
    (
        "ClassWeightedBCEWithLogitsLoss",
        "ClassWeightedBinaryCrossEntropyLoss",
        {"class_weight": [1.0, 3.0], "reduction": "none"},
        small_binary_case,
    ),
    (
        "BalancedSoftmaxLoss",
        "BalancedSoftmaxCrossEntropyLoss",
        {"class_counts": [50, 10, 2], "reduction": "none"},
        small_class_case,
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "arguments", "case"),
    RENAMED_MODULES,
    ids=[c[0] for c in RENAMED_MODULES],
)
def test_old_module_name_warns_on_instantiation_and_equals_the_new(
    old, new, arguments, case
):
    logits, target = case()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # looking the name up does not warn
        old_class = getattr(rt, old)
        assert getattr(losses, old) is old_class
        new_module = getattr(rt, new)(**arguments)
    with pytest.warns(FutureWarning, match=rf"use rebalance\.torch\.{new} instead"):
        old_module = old_class(**arguments)
    with pytest.warns(FutureWarning, match=r"removed in rebalance 0\.3"):
        old_class(**arguments)
    assert isinstance(old_module, getattr(rt, new))
    assert_same(
        loss_and_grad(old_module, logits, target),
        loss_and_grad(new_module, logits, target),
    )
    for name in arguments:
        assert getattr(old_module, name) is arguments[name]


@pytest.mark.parametrize(
    ("old", "new", "arguments", "case"),
    RENAMED_MODULES,
    ids=[c[0] for c in RENAMED_MODULES],
)
def test_old_module_pickles_without_warning(old, new, arguments, case):
    logits, target = case()
    with pytest.warns(FutureWarning, match=new):
        module = getattr(rt, old)(**arguments)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clone = pickle.loads(pickle.dumps(module))
    assert type(clone) is type(module)
    torch.testing.assert_close(clone(logits, target), module(logits, target))


def test_old_module_names_are_not_exported():
    for old, new, _, _ in RENAMED_MODULES:
        assert old not in rt.__all__ and old not in losses.__all__
        assert new in rt.__all__ and new in losses.__all__
        assert old not in dir(rt)
    assert "TorchMLPClassifier" not in rt.__all__
    assert estimators.__all__ == []


# --------------------------------------------------------------------------
# TorchMLPClassifier: private to rebalance compare
# --------------------------------------------------------------------------
def test_torch_mlp_classifier_old_names_warn_and_are_the_private_class():
    private = _compare_model.TorchMLPClassifier
    with pytest.warns(FutureWarning, match=r"rebalance compare --model mlp") as rec:
        from_package = rt.TorchMLPClassifier
    assert "rebalance.torch.TorchMLPClassifier is deprecated" in str(rec[0].message)
    assert rec[0].filename == __file__
    with pytest.warns(FutureWarning, match=r"removed in rebalance 0\.3") as rec:
        from rebalance.torch.estimators import TorchMLPClassifier
    message = str(rec[0].message)
    assert "rebalance.torch.estimators.TorchMLPClassifier is deprecated" in message
    assert from_package is TorchMLPClassifier is private


def test_torch_mlp_classifier_old_name_fits_like_the_private_one():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [30, 12, 6])
    X = rng.normal(size=(48, 3)) + y[:, None]
    with pytest.warns(FutureWarning, match="rebalance compare --model mlp"):
        old = rt.TorchMLPClassifier
    kwargs = {"loss": "focal", "epochs": 2, "batch_size": 16, "random_state": 0}
    got = old(**kwargs).fit(X, y).predict_proba(X)
    expected = _compare_model.TorchMLPClassifier(**kwargs).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(got, expected)


def test_compare_uses_the_private_classifier_without_warning():
    from rebalance.compare import Setup

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = Setup(model="mlp", seed=3).classifier(loss="margin")
    assert type(model) is _compare_model.TorchMLPClassifier
    assert model.random_state == 3


def test_unknown_estimators_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'TorchMLP'"):
        estimators.TorchMLP  # noqa: B018


def test_import_rebalance_and_compare_still_do_not_import_torch():
    code = "import sys, rebalance, rebalance.compare; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
