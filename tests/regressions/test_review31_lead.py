"""Review 31 (lead): changes made by the lead while merging the round.

Each test failed on the reviewed code."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.semi_supervised import SelfTrainingClassifier

from rebalance import ThresholdMover


def test_semi_supervised_unlabeled_rows_say_what_to_do():
    # Before: only "classes_ [0, 1] are not the sorted classes of y [-1, 0, 1]".
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = np.where(rng.random(120) < 0.3, 1, 0)
    y[::4] = -1
    model = ThresholdMover(SelfTrainingClassifier(LogisticRegression()))
    with pytest.raises(ValueError, match=r"-1.*unlabeled rows.*y != -1"):
        model.fit(X, y)
