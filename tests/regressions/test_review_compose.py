"""Regressions found composing rebalance's meta-estimators with sklearn's own."""

import numpy as np
import pytest
from sklearn.ensemble import BaggingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.25).astype(int)
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y


def _resampled_knn():
    sampler = RandomUnderSampler(random_state=0)
    return ResampledClassifier(sampler, KNeighborsClassifier(3))


@pytest.mark.parametrize(
    "make",
    [_resampled_knn, lambda: ThresholdMover(KNeighborsClassifier(3))],
    ids=["ResampledClassifier", "ThresholdMover"],
)
def test_bagging_around_a_classifier_without_sample_weight(make):
    # Bagging sees sample_weight in fit and passes bootstrap counts: KNN.fit TypeError
    X, y = _data()
    bagging = BaggingClassifier(make(), n_estimators=2, random_state=0).fit(X, y)
    assert bagging.predict(X).shape == (len(y),)


def test_auto_train_priors_of_a_searched_resampled_classifier():
    # TM(GridSearchCV(RC)) silently takes y's priors, not best_estimator_'s resampled
    X, y = _data()
    search = GridSearchCV(
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
        {"sampler__sampling_strategy": [0.6]},
        cv=3,
    ).fit(X, y)
    mover = ThresholdMover(FrozenEstimator(search), "argmax", deploy_priors="train")
    mover.fit(X, y)
    resampled = search.best_estimator_.resampled_priors_
    np.testing.assert_allclose(mover.train_priors_, resampled)
