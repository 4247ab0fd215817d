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

try:  # the version lives in pyproject.toml only
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("rebalance")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

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
