"""Stop 53: a TimeSeriesSplit fold without a class is not told to shuffle.

Review 103 inspect noticed that ``ThresholdMover(strategy='tuned')`` with a
``TimeSeriesSplit`` whose first training fold lacks a class advised
"shuffle the rows": time-ordered rows shuffled would train on the future.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, TimeSeriesSplit

from rebalance import ThresholdMover

X = np.arange(40.0).reshape(-1, 1)
Y = np.r_[np.zeros(30, int), np.ones(10, int)]


def _error(cv, **fit):
    mover = ThresholdMover(LogisticRegression(), "tuned", cv=cv)
    with pytest.raises(ValueError, match="cv gave fold") as e:
        mover.fit(X, Y, **fit)
    return str(e.value)


def test_time_series_split_fold_without_a_class_names_n_splits():
    message = _error(TimeSeriesSplit(3))
    assert "shuffle the rows" not in message
    assert "fewer n_splits" in message
    assert "would train on the future" in message


def test_time_series_split_fold_of_zero_weights_names_n_splits():
    y = Y.copy()
    y[10:14] = 1  # fold 0 trains on rows 0-13: its class-1 rows weigh 0
    mover = ThresholdMover(LogisticRegression(), "tuned", cv=TimeSeriesSplit(2))
    w = np.ones(len(y))
    w[10:14] = 0.0
    with pytest.raises(ValueError, match="sample_weight is 0") as e:
        mover.fit(X, y, sample_weight=w)
    assert "shuffle the rows" not in str(e.value)
    assert "fewer n_splits" in str(e.value)


def test_other_cv_still_advises_shuffling():
    message = _error(KFold(4))
    assert "or shuffle the rows" in message
    assert "n_splits" not in message
