"""The scikit-learn and imbalanced-learn estimator contracts, run once over every
public estimator.

Skipped checks, with their reason:

* ``RandomOverSampler(shrinkage=...)`` runs the scikit-learn checks only. The
  smoothed bootstrap adds Gaussian noise, so it needs dense numeric X; the
  imbalanced-learn checks feed it sparse, string and pandas-sparse X, which it
  rejects with a clear error (tested in tests/test_samplers.py). Its tags say so,
  and scikit-learn's checks honour the tags.
"""

import pytest
from imblearn.utils.estimator_checks import (
    estimator_checks_generator as imblearn_checks_generator,
)
from sklearn.utils.estimator_checks import parametrize_with_checks

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomOverSampler(random_state=0),
    RandomOverSampler(shrinkage=0.5, random_state=0),
    ClassBalancedSampler(random_state=0),
    LabelShuffleSampler(random_state=0),
]

ESTIMATORS = SAMPLERS
IMBLEARN_ESTIMATORS = [s for s in SAMPLERS if getattr(s, "shrinkage", None) is None]


@parametrize_with_checks(ESTIMATORS)
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
