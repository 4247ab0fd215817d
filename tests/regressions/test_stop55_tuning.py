"""Stop 55: ``ThresholdMover(strategy='tuned')`` refuses a cv that yields no
folds before it fits anything (it fitted the estimator on every row first,
then refused, leaving a fitted mover without ``threshold_``)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from rebalance import ThresholdMover


class _NoFolds:
    """A splitter of another library: counts its folds only with X, yields none."""

    def get_n_splits(self, X=None, y=None, groups=None):
        if X is None:
            raise ValueError("X is needed")
        return 0

    def split(self, X, y=None, groups=None):
        return iter(())


class _Counting(ClassifierMixin, BaseEstimator):
    fits = 0

    def fit(self, X, y):
        type(self).fits += 1
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + rng.normal(scale=0.5, size=60) > 0.8).astype(int)
    return X, y


def test_no_folds_refused_before_any_fit():
    X, y = _data()
    _Counting.fits = 0
    mover = ThresholdMover(_Counting(), "tuned", cv=_NoFolds())
    with pytest.raises(ValueError, match=r"cv=.* gave no \(train, validation\) folds"):
        mover.fit(X, y)
    assert _Counting.fits == 0
    assert not hasattr(mover, "estimator_")


def test_folds_still_tuned():
    X, y = _data()
    _Counting.fits = 0
    mover = ThresholdMover(_Counting(), "tuned", cv=3, thresholds=5).fit(X, y)
    assert _Counting.fits == 4  # three folds and the final model
    assert mover.cv_results_["thresholds"].shape == (1, 5)
