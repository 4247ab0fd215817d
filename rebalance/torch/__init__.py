"""PyTorch front end: DataLoader samplers, batch loaders and imbalance-aware
losses.

This subpackage imports torch; ``import rebalance`` never does. Names load
from their submodules on first use; deprecated names still work, with a
``FutureWarning``, until 0.3.
"""

# ``__all__`` is what the public submodules export in their own ``__all__``;
# tests/test_torch_api.py checks the three lists here (type-checking imports,
# ``_SUBMODULE_OF``, ``__all__``) against them. Deprecated names
# (``_DEPRECATED``) are served too, but are in none of the three lists.

from __future__ import annotations

from importlib.util import find_spec as _find_spec
from typing import TYPE_CHECKING
from typing import Any as _Any

if _find_spec("torch") is None:
    # Any name or submodule of rebalance.torch runs this first: name the
    # extra instead of a bare "No module named 'torch'" from a submodule.
    raise ModuleNotFoundError(
        "rebalance.torch needs PyTorch, which is not installed: pip install "
        "torch (the build you want, e.g. torch==2.13.0 --index-url "
        "https://download.pytorch.org/whl/cpu), then pip install "
        "'rebalance[torch]'.",
        name="torch",
    )

if TYPE_CHECKING:  # what type checkers see; at run time, ``__getattr__``
    from rebalance.torch.loaders import IndexBatchSampler, TensorBatchLoader
    from rebalance.torch.losses import (
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
        adjust_logits,
        balanced_softmax_cross_entropy,
        class_scaled_cross_entropy,
        class_weighted_binary_cross_entropy,
        class_weighted_cross_entropy,
        logit_adjusted_cross_entropy,
        margin_cross_entropy,
        ohem_loss,
        sigmoid_focal_loss,
        softmax_focal_loss,
        weighted_softmax_loss,
    )
    from rebalance.torch.samplers import (
        BalancedBatchSampler,
        HardExampleSampler,
        RebalancedLoader,
        RebalanceSampler,
    )

_SUBMODULE_OF = {
    "RebalanceSampler": "samplers",
    "BalancedBatchSampler": "samplers",
    "HardExampleSampler": "samplers",
    "RebalancedLoader": "samplers",
    "IndexBatchSampler": "loaders",
    "TensorBatchLoader": "loaders",
    "sigmoid_focal_loss": "losses",
    "softmax_focal_loss": "losses",
    "SigmoidFocalLoss": "losses",
    "SoftmaxFocalLoss": "losses",
    "margin_cross_entropy": "losses",
    "MarginCrossEntropyLoss": "losses",
    "weighted_softmax_loss": "losses",
    "WeightedSoftmaxLoss": "losses",
    "class_scaled_cross_entropy": "losses",
    "ClassScaledCrossEntropyLoss": "losses",
    "class_weighted_cross_entropy": "losses",
    "ClassWeightedCrossEntropyLoss": "losses",
    "class_weighted_binary_cross_entropy": "losses",
    "ClassWeightedBinaryCrossEntropyLoss": "losses",
    "ohem_loss": "losses",
    "OHEMLoss": "losses",
    "logit_adjusted_cross_entropy": "losses",
    "LogitAdjustedCrossEntropyLoss": "losses",
    "balanced_softmax_cross_entropy": "losses",
    "BalancedSoftmaxCrossEntropyLoss": "losses",
    "adjust_logits": "losses",
}

# Deprecated names, served until rebalance 0.3 but not exported. The old loss
# Module names are subclasses of the new ones that warn when instantiated;
# TorchMLPClassifier (now private to ``rebalance compare``) warns when it is
# looked up.
_DEPRECATED = {
    "BalancedSoftmaxLoss": "losses",
    "ClassWeightedBCEWithLogitsLoss": "losses",
    "TorchMLPClassifier": "_compare_model",
}

__all__ = [
    "BalancedBatchSampler",
    "BalancedSoftmaxCrossEntropyLoss",
    "ClassScaledCrossEntropyLoss",
    "ClassWeightedBinaryCrossEntropyLoss",
    "ClassWeightedCrossEntropyLoss",
    "HardExampleSampler",
    "IndexBatchSampler",
    "LogitAdjustedCrossEntropyLoss",
    "MarginCrossEntropyLoss",
    "OHEMLoss",
    "RebalanceSampler",
    "RebalancedLoader",
    "SigmoidFocalLoss",
    "SoftmaxFocalLoss",
    "TensorBatchLoader",
    "WeightedSoftmaxLoss",
    "adjust_logits",
    "balanced_softmax_cross_entropy",
    "class_scaled_cross_entropy",
    "class_weighted_binary_cross_entropy",
    "class_weighted_cross_entropy",
    "logit_adjusted_cross_entropy",
    "margin_cross_entropy",
    "ohem_loss",
    "sigmoid_focal_loss",
    "softmax_focal_loss",
    "weighted_softmax_loss",
]


def __getattr__(name: str) -> _Any:
    from importlib import import_module

    if name in _SUBMODULE_OF:
        module = import_module(f"rebalance.torch.{_SUBMODULE_OF[name]}")
        return getattr(module, name)
    if name in _DEPRECATED:
        module = import_module(f"rebalance.torch.{_DEPRECATED[name]}")
        if name == "TorchMLPClassifier":
            return module.deprecated_public_name(f"rebalance.torch.{name}")
        return getattr(module, name)
    raise AttributeError(f"module 'rebalance.torch' has no attribute {name!r}")


def __dir__() -> list[str]:
    # what tab completion shows (rebalance._namespace.public_names)
    from rebalance._namespace import public_names

    return public_names(globals(), __all__)


# not public names: the ``__future__`` feature and the type-checking guard
del annotations, TYPE_CHECKING
