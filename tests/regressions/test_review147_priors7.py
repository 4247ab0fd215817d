"""Review 147, area ``priors7``: ThresholdMover prior correction and deploy_priors.

Reviewed ``rebalance/_priors.py`` (``adjust_priors``, ``em_priors``,
``_em_step``, ``check_priors``, ``series_by_label``, ``auto_train_priors``)
and ``ThresholdMover``'s docstring, checking the maths by hand against
numpy re-implementations:

* ``ResampledClassifier(RandomUnderSampler(), LogisticRegression())`` with
  ``train_priors='auto'``: ``train_priors_`` is the resampled (uniform) priors;
  ``predict_proba`` equals p_c·π_c/π'_c renormalised (binary and 4 classes,
  error ~1e-15) with ``deploy_priors`` as array, dict, pandas Series in
  another order, ``'train'``.
* ``em_priors`` against a plain Saerens et al. (2002) EM: train 1:1, deploy
  1:9 converges to the same priors (within ``tol``); 4 classes agree to 1e-13
  at a tight ``tol``. One row, all rows one class, exact 0/1 posteriors, a
  class of posterior 0 everywhere: no NaN, no warning, MLE-correct answers.
  ``max_iter=1`` gives a ConvergenceWarning; bad ``tol`` / ``max_iter`` clear
  errors.
* ``adjust_priors``: priors not summing to 1 are scaled (documented); zero
  train prior, NaN, negative, all-zero deploy priors refused by name; a row
  living only on deploy-prior-0 classes refused.
* ``strategy='prior'`` equals argmax p_c/π'_c (and the binary odds rule);
  ``strategy='cost'`` equals argmin p·C (with and without deploy_priors).
* ``FrozenEstimator`` bases with unsorted ``classes_`` ([2, 0, 1]) and string
  classes: priors, cost matrix and EM all follow ``classes_``.

No bug found; the pins below guard the maths most likely to regress.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from rebalance import ResampledClassifier, ThresholdMover
from rebalance.threshold import em_priors


def _data(shares, n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(shares), n, p=shares)
    X = rng.normal(size=(n, 3)) + y[:, None] * 0.7
    return X, y


def _moved(proba, train, deploy):
    out = proba * np.asarray(deploy) / np.asarray(train)
    return out / out.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("shares", [[0.8, 0.2], [0.6, 0.25, 0.1, 0.05]])
def test_undersampled_auto_priors_match_bayes_by_hand(shares):
    X, y = _data(shares)
    k = len(shares)
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    deploy = np.arange(1, k + 1) / np.arange(1, k + 1).sum()
    by_label = {c: deploy[c] for c in range(k)[::-1]}
    for given in ("train", deploy, by_label, pd.Series(by_label)):
        tm = ThresholdMover(model, strategy="argmax", deploy_priors=given).fit(X, y)
        np.testing.assert_allclose(tm.train_priors_, np.full(k, 1 / k))
        target = np.bincount(y) / len(y) if isinstance(given, str) else deploy
        np.testing.assert_allclose(tm.deploy_priors_, target, rtol=1e-12)
        expected = _moved(tm.estimator_.predict_proba(X), tm.train_priors_, target)
        np.testing.assert_allclose(tm.predict_proba(X), expected, rtol=1e-9)


def _plain_em(proba, train, tol=1e-14):
    priors = train.copy()
    for _ in range(100_000):
        new = _moved(proba, train, priors).mean(axis=0)
        if np.abs(new - priors).max() < tol:
            return new
        priors = new
    raise AssertionError("reference EM did not converge")


def test_em_matches_saerens_on_known_shift():
    rng = np.random.default_rng(1)
    y = rng.random(4000) < 0.9  # deployed at 1:9, classifier calibrated at 1:1
    s = rng.normal(size=4000) + np.where(y, 1.5, -1.5)
    p1 = 1 / (1 + np.exp(-3 * s))
    proba = np.c_[1 - p1, p1]
    got = em_priors(proba, [0.5, 0.5], tol=1e-13)
    np.testing.assert_allclose(got, _plain_em(proba, np.array([0.5, 0.5])), rtol=1e-9)
    assert 0.85 < got[1] < 0.95


@pytest.mark.parametrize(
    "proba, expected",
    [
        ([[1.0, 0.0]], [1.0, 0.0]),
        ([[0.0, 1.0]] * 5, [0.0, 1.0]),
        ([[0.3, 0.7, 0.0], [0.6, 0.4, 0.0]], None),  # a class never seen
    ],
)
def test_em_degenerate_batches_give_finite_priors_without_warning(proba, expected):
    n = len(proba[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = em_priors(proba, np.full(n, 1 / n))
    assert np.isfinite(got).all() and abs(got.sum() - 1) < 1e-12
    if expected is not None:
        np.testing.assert_allclose(got, expected, atol=1e-12)
    else:
        assert got[2] == 0.0


def test_em_warns_when_not_converged():
    proba = np.random.default_rng(0).dirichlet(np.ones(4) * 0.5, size=50)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        em_priors(proba, [0.1, 0.2, 0.3, 0.4], max_iter=1)


class _Unsorted(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose classes_ are [2, 0, 1]."""

    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return self.model.predict_proba(X)[:, [2, 0, 1]]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def test_unsorted_frozen_classes_prior_cost_and_deploy():
    X, y = _data([0.7, 0.2, 0.1], n=300)
    base = _Unsorted(LogisticRegression().fit(X, y))
    base.classes_, base.n_features_in_ = np.array([2, 0, 1]), 3
    proba = base.predict_proba(X)  # columns in classes_ order
    train = {0: 0.5, 1: 0.3, 2: 0.2}
    tr = np.array([0.2, 0.5, 0.3])  # train in classes_ order
    tm = ThresholdMover(FrozenEstimator(base), train_priors=train).fit(X, y)
    np.testing.assert_allclose(tm.train_priors_, tr)
    assert (tm.predict(X) == base.classes_[np.argmax(proba / tr, axis=1)]).all()

    cost = np.array([[0, 1, 5], [10, 0, 1], [20, 3, 0]], dtype=float)
    deploy = {0: 0.2, 1: 0.3, 2: 0.5}
    tm = ThresholdMover(
        FrozenEstimator(base),
        strategy="cost",
        cost_matrix=cost,
        train_priors=train,
        deploy_priors=deploy,
    ).fit(X, y)
    moved = _moved(proba, tr, [0.5, 0.2, 0.3])
    np.testing.assert_allclose(tm.predict_proba(X), moved, rtol=1e-9)
    assert (tm.predict(X) == base.classes_[np.argmin(moved @ cost, axis=1)]).all()
