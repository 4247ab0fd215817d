"""rebalance: class-imbalance fixes for scikit-learn and PyTorch.

Data-level fixes are estimator samplers (``fit_resample``, imbalanced-learn
compatible); the torch front end lives in :mod:`rebalance.torch`, which is the
only part of the package that imports torch.
"""

from rebalance import weights
from rebalance.base import BaseSampler, SamplingPlan
from rebalance.compose import ResampledClassifier
from rebalance.samplers import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.threshold import ThresholdMover
from rebalance.weights import class_weights, sample_weights

__version__ = "0.1.0.dev0"

__all__ = [
    "BaseSampler",
    "SamplingPlan",
    "RandomUnderSampler",
    "RandomOverSampler",
    "ClassBalancedSampler",
    "LabelShuffleSampler",
    "ResampledClassifier",
    "ThresholdMover",
    "class_weights",
    "sample_weights",
    "weights",
    "__version__",
]
