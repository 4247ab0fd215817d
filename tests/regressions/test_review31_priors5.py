"""Review 31, priors5: ``train_priors='auto'`` must give the priors the
model's probabilities follow.

1. ``BaggingClassifier(bootstrap=False)`` fitted with ``sample_weight``
   draws each member's rows without replacement by ``sample_weight`` and
   fits it on them unweighted (all rows once with ``max_samples=None``):
   the weighted shares of ``y`` were reported.
2. ``DummyClassifier(strategy='uniform')`` gives ``1 / n_classes`` for every
   class: its probabilities follow uniform priors, not those of ``y``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import BaggingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from rebalance import ThresholdMover

# scikit-learn >= 1.8: BaggingClassifier takes max_samples=None, and draws the
# members' rows by sample_weight instead of passing the weights to them.
SKLEARN_1_8 = tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (1, 8)


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    # No information in X: the models' probabilities are their priors.
    X = np.zeros((n, 1))
    weight = rng.random(n) * np.where(y == 1, 3.0, 1.0)
    return X, y, weight


def _fit(model, X, y, weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ThresholdMover(model, "prior").fit(X, y, sample_weight=weight)


@pytest.mark.parametrize(
    "max_samples",
    [
        pytest.param(
            None,
            marks=pytest.mark.skipif(not SKLEARN_1_8, reason="scikit-learn < 1.8"),
        ),
        0.5,
        200,
    ],
)
@pytest.mark.parametrize(
    "inner",
    [
        DecisionTreeClassifier(),
        DecisionTreeClassifier(class_weight="balanced"),
        LogisticRegression(),
    ],
)
def test_bagging_without_bootstrap_with_sample_weight(inner, max_samples):
    X, y, weight = _data()
    bagging = BaggingClassifier(
        inner,
        n_estimators=4,
        bootstrap=False,
        max_samples=max_samples,
        random_state=0,
    )
    mover = _fit(bagging, X, y, weight)
    follows = mover.estimator_.predict_proba(X).mean(axis=0)
    np.testing.assert_allclose(mover.train_priors_, follows, atol=1e-4)


@pytest.mark.skipif(
    not SKLEARN_1_8,
    reason="scikit-learn < 1.8 passes the weights to every member (weighted priors)",
)
def test_bagging_all_rows_without_bootstrap_ignores_the_weights():
    X, y, weight = _data()
    mover = _fit(
        BaggingClassifier(DecisionTreeClassifier(), n_estimators=3, bootstrap=False),
        X,
        y,
        weight,
    )
    np.testing.assert_allclose(mover.train_priors_, np.bincount(y) / len(y))


def test_bagging_with_bootstrap_keeps_the_weighted_shares():
    X, y, weight = _data()
    mover = _fit(
        BaggingClassifier(LogisticRegression(), n_estimators=3, random_state=0),
        X,
        y,
        weight,
    )
    mass = np.array([weight[y == c].sum() for c in (0, 1)])
    np.testing.assert_allclose(mover.train_priors_, mass / mass.sum())


@pytest.mark.parametrize("weighted", [False, True])
def test_uniform_dummy_follows_uniform_priors(weighted):
    X, y, weight = _data()
    mover = _fit(
        DummyClassifier(strategy="uniform"), X, y, weight if weighted else None
    )
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5])
    # Moved to the priors of y, it predicts them.
    moved = ThresholdMover(
        DummyClassifier(strategy="uniform"), "prior", deploy_priors=[0.7, 0.3]
    ).fit(X, y)
    np.testing.assert_allclose(moved.predict_proba(X[:3]), [[0.7, 0.3]] * 3)


def test_prior_dummy_keeps_the_priors_of_y():
    X, y, weight = _data()
    mover = _fit(DummyClassifier(), X, y, weight)
    mass = np.array([weight[y == c].sum() for c in (0, 1)])
    np.testing.assert_allclose(mover.train_priors_, mass / mass.sum())
