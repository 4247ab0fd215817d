"""The scikit-learn and imbalanced-learn estimator contracts, run once over every
public estimator.

Skipped checks, with their reason:

* ``ThresholdMover(strategy='tuned')``, ``check_classifiers_train``: the check
  wants ``predict`` to equal the argmax of ``predict_proba``, which a tuned
  threshold moves on purpose (scikit-learn skips it for
  ``TunedThresholdClassifierCV`` for the same reason). The default
  ``strategy='prior'`` passes it: the check's classes are balanced.
* ``ResampledClassifier``, ``check_sample_weight_equivalence_on_dense_data`` and
  ``..._on_sparse_data``: resampling draws rows, so a row repeated twice is not
  the same as a row of weight 2 (the draw sees more rows, and a different random
  subset). Weights travelling with the resampled rows are tested in
  tests/test_compose.py.
"""

import pytest
from imblearn.utils.estimator_checks import (
    estimator_checks_generator as imblearn_checks_generator,
)
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.estimator_checks import parametrize_with_checks

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomOverSampler(random_state=0),
    RandomOverSampler(shrinkage=0.5, random_state=0),
    ClassBalancedSampler(random_state=0),
    LabelShuffleSampler(random_state=0),
]

META_ESTIMATORS = [
    ThresholdMover(LogisticRegression()),
    # GaussianNB keeps the cross-validated fits of the suite fast.
    ThresholdMover(GaussianNB(), strategy="tuned", cv=3, thresholds=20),
    ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
]

ESTIMATORS = SAMPLERS + META_ESTIMATORS
IMBLEARN_ESTIMATORS = SAMPLERS + META_ESTIMATORS


def _expected_failed_checks(estimator):
    """The documented skips at the top of this file."""
    if isinstance(estimator, ThresholdMover) and estimator.strategy == "tuned":
        return {"check_classifiers_train": "a tuned threshold moves predict"}
    if isinstance(estimator, ResampledClassifier):
        reason = "resampling: a repeated row is not a row of weight 2"
        return {
            "check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _imblearn_cases():
    for estimator in IMBLEARN_ESTIMATORS:
        for est, check in imblearn_checks_generator(estimator, legacy=True):
            name = getattr(check, "func", check).__name__
            yield pytest.param(est, check, id=f"{type(est).__name__}-{name}")


@pytest.mark.parametrize("estimator, check", list(_imblearn_cases()))
def test_imblearn_estimator_checks(estimator, check):
    check(estimator)
