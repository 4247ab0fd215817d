"""Stop 56 (from review 127 failstate): a refit refused after its first
fitted attribute was set left a mix of the old fit and the new one.

* ``ThresholdMover``: a refit refused when the training priors are read
  (after the estimator is fitted) kept the new ``estimator_`` next to the
  old ``train_priors_``: ``predict_proba`` then corrected the new model's
  probabilities with the priors of another (**silent**). Every fitted
  attribute is now that of the last fit.
* The samplers' all-or-nothing check is pinned in test_review127_failstate;
  here the step that fails last (``validate_data``'s feature names)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import RandomOverSampler, ThresholdMover

RNG = np.random.RandomState(0)
X = RNG.randn(60, 3)
Y = (X[:, 0] + RNG.randn(60) * 0.5 > 0.8).astype(int)


def test_threshold_mover_refused_priors_keep_last_fit():
    mover = ThresholdMover(
        LogisticRegression(), strategy="prior", deploy_priors=[0.5, 0.5]
    ).fit(X, Y)
    before = {k: v for k, v in vars(mover).items() if k.endswith("_")}
    expected = mover.predict_proba(X)
    mover.set_params(estimator=LogisticRegression(class_weight={0: 1.0, 1: 0.0}))
    with pytest.raises(ValueError, match="class_weight gives the classes"):
        mover.fit(X[:40], Y[:40])
    after = {k: v for k, v in vars(mover).items() if k.endswith("_")}
    assert after.keys() == before.keys()
    assert after["estimator_"] is before["estimator_"]
    np.testing.assert_array_equal(mover.predict_proba(X), expected)


def test_sampler_refused_feature_names_keep_last_fit():
    # Column names of mixed types are refused by scikit-learn's
    # validate_data, the last check before the plan is stored.
    sampler = RandomOverSampler(shrinkage=0.5, random_state=0).fit(X, Y)
    before = {k: v for k, v in vars(sampler).items() if k.endswith("_")}
    frame = pd.DataFrame(X[:, :2], columns=["a", 1])
    with pytest.raises(TypeError, match="Feature names"):
        sampler.fit(frame, np.r_[np.zeros(50), np.ones(5), np.full(5, 2)][:60])
    after = {k: v for k, v in vars(sampler).items() if k.endswith("_")}
    assert repr(after) == repr(before)
