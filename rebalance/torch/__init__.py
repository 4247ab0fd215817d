"""PyTorch front end: DataLoader samplers and imbalance-aware losses.

This subpackage imports torch; ``import rebalance`` never does. Names are
loaded from their submodules on first use.
"""

from importlib import import_module

_SUBMODULE_OF = {
    "RebalanceSampler": "samplers",
    "BalancedBatchSampler": "samplers",
    "HardExampleSampler": "samplers",
    "RebalancedLoader": "samplers",
    "IndexBatchSampler": "loaders",
    "TensorBatchLoader": "loaders",
    "TorchMLPClassifier": "estimators",
    "sigmoid_focal_loss": "losses",
    "softmax_focal_loss": "losses",
    "SigmoidFocalLoss": "losses",
    "SoftmaxFocalLoss": "losses",
    "margin_cross_entropy": "losses",
    "MarginCrossEntropyLoss": "losses",
    "weighted_softmax_loss": "losses",
    "WeightedSoftmaxLoss": "losses",
    "class_weighted_cross_entropy": "losses",
    "ClassWeightedCrossEntropyLoss": "losses",
    "class_weighted_binary_cross_entropy": "losses",
    "ClassWeightedBCEWithLogitsLoss": "losses",
    "ohem_loss": "losses",
    "OHEMLoss": "losses",
    "logit_adjusted_cross_entropy": "losses",
    "LogitAdjustedCrossEntropyLoss": "losses",
    "balanced_softmax_cross_entropy": "losses",
    "BalancedSoftmaxLoss": "losses",
    "adjust_logits": "losses",
}

__all__ = sorted(_SUBMODULE_OF)


def __getattr__(name: str):
    if name in _SUBMODULE_OF:
        module = import_module(f"rebalance.torch.{_SUBMODULE_OF[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'rebalance.torch' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
