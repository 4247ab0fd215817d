"""The public names of ``rebalance.torch``, and the one pattern of its loss Modules.

The package exports exactly what its public submodules export in their
``__all__`` (lazily, and to type checkers through a ``TYPE_CHECKING`` block),
every name resolves to the submodule's object, and each loss Module is its
function's arguments plus a forward that passes them on.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pickle
import pkgutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import rebalance.torch as rt  # noqa: E402
from rebalance.torch import losses  # noqa: E402

PUBLIC_SUBMODULES = sorted(
    info.name for info in pkgutil.iter_modules(rt.__path__) if info.name[0] != "_"
)


def submodule_exports() -> dict[str, str]:
    """``{name: submodule}`` over the public submodules' ``__all__``."""
    exports: dict[str, str] = {}
    for submodule in PUBLIC_SUBMODULES:
        module = importlib.import_module(f"rebalance.torch.{submodule}")
        assert hasattr(module, "__all__"), f"rebalance.torch.{submodule} lacks __all__"
        for name in module.__all__:
            assert name not in exports, f"{name} exported by two submodules"
            exports[name] = submodule
    return exports


def type_checking_imports() -> dict[str, str]:
    """``{name: submodule}`` imported under ``if TYPE_CHECKING:`` in __init__.py."""
    tree = ast.parse(Path(rt.__file__).read_text(encoding="utf-8"))
    imports: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
                submodule = statement.module.rsplit(".", 1)[1]
                imports.update({alias.name: submodule for alias in statement.names})
    return imports


def test_all_is_what_the_submodules_export():
    exports = submodule_exports()
    # estimators only serves the deprecated TorchMLPClassifier: empty __all__
    assert PUBLIC_SUBMODULES == ["estimators", "loaders", "losses", "samplers"]
    assert rt.__all__ == sorted(exports)
    assert rt._SUBMODULE_OF == exports
    assert type_checking_imports() == exports


def test_every_name_resolves_to_its_submodule_object():
    for name, submodule in submodule_exports().items():
        module = importlib.import_module(f"rebalance.torch.{submodule}")
        assert getattr(rt, name) is getattr(module, name), name
        assert name in dir(rt)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'focal_loss'"):
        rt.focal_loss  # noqa: B018


# --------------------------------------------------------------------------
# The loss Modules: constructor arguments stored, forward delegates
# --------------------------------------------------------------------------
x2 = torch.tensor([[2.0, -1.0, 0.5], [0.0, 1.0, 3.0], [1.0, 1.0, -2.0]])
t2 = torch.tensor([0, 1, 2])
xb = torch.tensor([3.0, -2.0, 0.5, -4.0])
yb = torch.tensor([1.0, 0.0, 0.0, 1.0])

# (Module, function, inputs, constructor arguments other than the defaults)
CASES = [
    (
        losses.SigmoidFocalLoss,
        losses.sigmoid_focal_loss,
        (xb, yb),
        {"alpha": 0.6, "gamma": 1.5, "reduction": "sum", "rescale": True},
    ),
    (
        losses.SoftmaxFocalLoss,
        losses.softmax_focal_loss,
        (x2, t2),
        {"alpha": [1.0, 2.0, 0.5], "gamma": 0.5, "label_smoothing": 0.1},
    ),
    (
        losses.MarginCrossEntropyLoss,
        losses.margin_cross_entropy,
        (x2, t2),
        {"margin": 0.7, "reduction": "none"},
    ),
    (
        losses.WeightedSoftmaxLoss,
        losses.weighted_softmax_loss,
        (x2, t2),
        {"pos_mult": 3.0, "pos_cid": 2, "ignore_index": 0},
    ),
    (
        losses.ClassScaledCrossEntropyLoss,
        losses.class_scaled_cross_entropy,
        (x2, t2),
        {"class_index": 2, "scale": 3.0, "ignore_index": 0},
    ),
    (
        losses.ClassWeightedCrossEntropyLoss,
        losses.class_weighted_cross_entropy,
        (x2, t2),
        {"class_weight": {0: 1.0, 1: 4.0, 2: 2.0}, "label_smoothing": 0.2},
    ),
    (
        losses.ClassWeightedBinaryCrossEntropyLoss,
        losses.class_weighted_binary_cross_entropy,
        (xb, yb),
        {"class_weight": [1.0, 3.0], "reduction": "sum"},
    ),
    (
        losses.LogitAdjustedCrossEntropyLoss,
        losses.logit_adjusted_cross_entropy,
        (x2, t2),
        {"priors": [70, 20, 10], "tau": 0.5, "ignore_index": 1},
    ),
    (
        losses.BalancedSoftmaxCrossEntropyLoss,
        losses.balanced_softmax_cross_entropy,
        (x2, t2),
        {"class_counts": (5, 3, 1), "reduction": "none"},
    ),
]
LOSS_MODULES = [case[0] for case in CASES]


def test_every_loss_module_follows_the_pattern():
    # the Module forms of loss functions, all of them (OHEMLoss wraps a
    # criterion instead; tests/test_losses.py covers it)
    modules = {
        name
        for name in losses.__all__
        if inspect.isclass(getattr(losses, name))
        and issubclass(getattr(losses, name), losses._LossModule)
    }
    assert modules == {cls.__name__ for cls in LOSS_MODULES}
    assert not issubclass(losses.OHEMLoss, losses._LossModule)


# the naming rule: a Module is its function's name in CamelCase plus "Loss",
# a trailing "_loss" dropped, acronyms upper-case (as torch's nll_loss/NLLLoss)
ACRONYMS = {"ohem"}


def module_name_of(function_name: str) -> str:
    stem = function_name.removesuffix("_loss")
    words = [w.upper() if w in ACRONYMS else w.capitalize() for w in stem.split("_")]
    return "".join(words) + "Loss"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case[0].__name__)
def test_module_is_named_after_its_function(case):
    module_class, function, _, _ = case
    assert module_class.__name__ == module_name_of(function.__name__)


def test_ohem_module_is_named_after_its_function():
    assert losses.OHEMLoss.__name__ == module_name_of(losses.ohem_loss.__name__)


def test_every_loss_takes_logits_then_target():
    # like torch.nn.functional: (input, target); ohem_loss reduces per-sample
    # losses and adjust_logits is no loss, so neither takes a target
    not_losses = {"ohem_loss", "adjust_logits"}
    functions = [
        getattr(losses, name)
        for name in losses.__all__
        if inspect.isfunction(getattr(losses, name)) and name not in not_losses
    ]
    assert functions
    for function in functions:
        params = list(inspect.signature(function).parameters)
        assert params[:2] == ["logits", "target"], function.__name__
    modules = [*LOSS_MODULES, losses.OHEMLoss]
    for module_class in modules:
        params = list(inspect.signature(module_class.forward).parameters)
        assert params == ["self", "logits", "target"], module_class.__name__


@pytest.mark.parametrize("case", CASES, ids=lambda case: case[0].__name__)
def test_module_stores_its_arguments_and_calls_its_function(case):
    module_class, function, inputs, arguments = case
    module = module_class(**arguments)
    params = list(inspect.signature(module_class).parameters)
    function_params = inspect.signature(function).parameters
    assert params == list(function_params)[2:]
    for name in params:
        given = arguments[name] if name in arguments else function_params[name].default
        assert getattr(module, name) is given, name
    torch.testing.assert_close(module(*inputs), function(*inputs, **arguments))
    # an attribute set later is used by the next call (as the function's argument)
    module.reduction = "mean"
    torch.testing.assert_close(
        module(*inputs), function(*inputs, **{**arguments, "reduction": "mean"})
    )
    # a Module survives pickling (checkpoints, DataParallel) with its arguments
    clone = pickle.loads(pickle.dumps(module))
    torch.testing.assert_close(clone(*inputs), module(*inputs))


def test_module_checks_its_arguments_when_built_and_at_the_call():
    # rejected by name when built; an attribute set later (scikit-learn
    # style, e.g. skorch's criterion__gamma) is rejected by the function
    with pytest.raises(ValueError, match="gamma must be a finite number >= 0"):
        losses.SigmoidFocalLoss(gamma=-1.0)
    criterion = losses.SigmoidFocalLoss()
    criterion.gamma = -1.0
    with pytest.raises(ValueError, match="gamma must be a finite number >= 0"):
        criterion(xb, yb)


def test_module_that_does_not_mirror_its_function_is_rejected():
    with pytest.raises(TypeError, match="must take the arguments of sigmoid_focal"):

        class Drifted(losses._LossModule, function=losses.sigmoid_focal_loss):
            def __init__(self, *, alpha: float = 0.5, gamma: float = 2.0) -> None:
                super().__init__(alpha=alpha, gamma=gamma)
