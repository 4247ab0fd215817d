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


def _version() -> str:
    """The installed version (it lives in pyproject.toml only)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rebalance")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


__version__ = _version()

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


def __dir__() -> list[str]:
    # what tab completion shows (rebalance._namespace.public_names)
    from rebalance._namespace import public_names

    return public_names(globals(), __all__)
