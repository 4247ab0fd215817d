"""Regression tests from the algorithm-level review of ThresholdMover & co.

Each test fails on the reviewed code and passes once its bug is fixed.
"""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _binary(n=200, rate=0.3, seed=0, n_features=2):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    X = rng.normal(size=(n, n_features)) + y[:, None]
    return X, y, rng


@pytest.mark.parametrize("param", ["deploy_priors", "train_priors"])
def test_priors_as_labelled_series_follow_their_index_not_their_position(param):
    # A pandas Series of priors indexed by class (e.g. y.value_counts(normalize=True))
    # must be read by label like a dict, not by position (or be refused).
    X, y01, _ = _binary()
    y = np.array(["neg", "pos"])[y01]
    priors = pd.Series({"pos": 0.1, "neg": 0.9})  # not in classes_ order
    mover = ThresholdMover(LogisticRegression(), "argmax", **{param: priors})
    try:
        mover.fit(X, y)
    except (ValueError, TypeError):
        return  # refusing the ambiguous input is also a fix
    fitted = mover.train_priors_ if param == "train_priors" else mover.deploy_priors_
    assert list(mover.classes_) == ["neg", "pos"]
    np.testing.assert_allclose(fitted, [0.9, 0.1])


def test_tuned_threshold_honours_sample_weight_like_repeated_rows():
    # Integer sample_weight must tune the threshold (and best_score_) as if each
    # row were repeated that many times, as it already does for train_priors_.
    rng = np.random.default_rng(3)
    y = (rng.random(60) < 0.3).astype(int)
    X = rng.normal(size=(60, 1)) + y[:, None]
    k = rng.integers(1, 6, 60)
    fitted = LogisticRegression().fit(X, y)
    grid = np.linspace(0, 1, 21)
    weighted = ThresholdMover(FrozenEstimator(fitted), "tuned", thresholds=grid)
    weighted.fit(X, y, sample_weight=k)
    repeated = ThresholdMover(FrozenEstimator(fitted), "tuned", thresholds=grid)
    repeated.fit(np.repeat(X, k, axis=0), np.repeat(y, k))
    np.testing.assert_allclose(weighted.train_priors_, repeated.train_priors_)
    assert weighted.threshold_ == pytest.approx(repeated.threshold_)
    assert weighted.best_score_ == pytest.approx(repeated.best_score_)


def test_resampled_classifier_accepts_pandas_nullable_boolean_labels():
    # scikit-learn classifiers (and TunedThresholdClassifierCV) accept a pandas
    # "boolean" y (classes_ become [0., 1.]); ResampledClassifier must too.
    X, y01, _ = _binary(100)
    y = pd.Series(y01.astype(bool), dtype="boolean")
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    model.fit(X, y)
    np.testing.assert_allclose(model.resampled_priors_, [0.5, 0.5])


def test_threshold_mover_accepts_pandas_nullable_boolean_labels():
    # Same for ThresholdMover: LogisticRegression fits y of dtype "boolean", so
    # the mover must not reject its classes_ [0., 1.] against y's [False, True].
    X, y01, _ = _binary(100)
    y = pd.Series(y01.astype(bool), dtype="boolean")
    mover = ThresholdMover(LogisticRegression(), "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [1 - y01.mean(), y01.mean()])


def test_routed_away_sample_weight_does_not_weight_train_priors():
    # With routing on and the estimator not requesting sample_weight, the
    # estimator is fitted unweighted, so train_priors_ (the priors its
    # probabilities are calibrated to) must be the unweighted priors of y.
    X, y, rng = _binary(300, rate=0.2)
    w = np.where(y == 1, 3.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        estimator = LogisticRegression().set_fit_request(sample_weight=False)
        mover = ThresholdMover(estimator, "prior").fit(X, y, sample_weight=w)
    np.testing.assert_allclose(mover.train_priors_, [1 - y.mean(), y.mean()])
