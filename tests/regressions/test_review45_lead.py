"""Review 45, the lead's fixes from the helpers' reports (files they did not own)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import ThresholdMover


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return rng.normal(size=(n, 2)) + y[:, None], y


class _CountingLogistic(LogisticRegression):
    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "cv", [[0.1, 0.2], np.array([2]), {"x": 1}, [(np.arange(30),)]]
)
def test_tuned_cv_items_that_are_not_pairs_name_cv(cv):
    # Was "TypeError: cannot unpack non-iterable float object" (no argument).
    X, y = _data()
    with pytest.raises(ValueError, match=r"cv gave fold 0 as .*\(train, validation\)"):
        ThresholdMover(LogisticRegression(), "tuned", cv=cv).fit(X, y)


def test_tuned_cv_rows_outside_the_data_are_refused_before_any_fold_is_fitted():
    # Was a bare IndexError after the first fold had been fitted.
    X, y = _data()
    good = (np.arange(0, 60, 2), np.arange(1, 60, 2))
    cv = [good, (np.arange(40), np.array([5, 999]))]
    _CountingLogistic.fits = 0
    with pytest.raises(ValueError, match="fold 1 the validation row 999, outside"):
        ThresholdMover(_CountingLogistic(), "tuned", cv=cv).fit(X, y)
    assert _CountingLogistic.fits == 0  # refused before the final model (review 47)
    with pytest.raises(ValueError, match="training row -61"):
        ThresholdMover(
            LogisticRegression(), "tuned", cv=[(np.array([-61, 0]), np.arange(2, 60))]
        ).fit(X, y)


def test_tuned_cv_negative_positions_still_count_from_the_end():
    X, y = _data()
    train, validation = np.arange(0, 40), np.arange(40, 60)
    a = ThresholdMover(LogisticRegression(), "tuned", cv=[(train, validation)]).fit(
        X, y
    )
    b = ThresholdMover(
        LogisticRegression(), "tuned", cv=[(train, validation - 60)]
    ).fit(X, y)
    assert a.threshold_ == b.threshold_


def test_a_fraction_beyond_a_float_is_refused_by_the_parameter_check():
    # Was "OverflowError: integer division result too large for a float"
    # from the constraint check itself (review 45, errors fuzz).
    from fractions import Fraction

    from sklearn.utils._param_validation import InvalidParameterError

    from rebalance import RandomOverSampler

    X, y = np.zeros((13, 1)), np.array([0] * 10 + [1] * 3)
    with pytest.raises(InvalidParameterError, match="'shrinkage' parameter"):
        RandomOverSampler(shrinkage=Fraction(10**400, 3)).fit_resample(X, y)
