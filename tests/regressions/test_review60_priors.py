"""Review 60, prior-shift corrections: ``adjust_priors``, ``em_priors`` and
``ThresholdMover``'s ``train_priors`` / ``deploy_priors``, against Saerens,
Latinne & Decaestecker (2002) written out by hand.

The tests of a bug fixed in this round say what happened before.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from rebalance import (
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.threshold import adjust_priors, em_priors


def _bayes(proba, train, deploy):
    """p'(c|x) ∝ p(c|x) q(c) / p(c), renormalised (Saerens et al. 2002, eq. 2.4)."""
    moved = np.asarray(proba, float) * np.asarray(deploy, float) / np.asarray(train)
    return moved / moved.sum(axis=1, keepdims=True)


def _em(proba, train, n_iter=20_000):
    """Saerens et al. (2002), eqs. 2.9-2.10: E-step Bayes, M-step mean."""
    priors = np.asarray(train, float) / np.sum(train)
    for _ in range(n_iter):
        new = _bayes(proba, train, priors).mean(axis=0)
        if np.abs(new - priors).max() < 1e-13:
            return new
        priors = new
    return priors


# ------------------------------------------------------- against the paper


@pytest.mark.parametrize("seed", range(10))
def test_adjust_and_em_priors_agree_with_the_paper_on_random_posteriors(seed):
    rng = np.random.default_rng(seed)
    n_classes = int(rng.choice([2, 3, 5, 20]))
    proba = rng.dirichlet(np.full(n_classes, rng.choice([0.1, 1.0])), size=12)
    proba[rng.random(proba.shape) < 0.2] = 0.0  # exact zeros (and ones)
    proba[proba.sum(axis=1) == 0, 0] = 1.0
    proba /= proba.sum(axis=1, keepdims=True)
    train = rng.dirichlet(np.ones(n_classes)) * 10.0 ** rng.uniform(-3, 3)
    deploy = rng.dirichlet(np.ones(n_classes))
    given = proba.copy()

    moved = adjust_priors(proba, train, deploy)

    assert moved.dtype == np.float64
    np.testing.assert_allclose(moved, _bayes(proba, train, deploy), atol=1e-12)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        estimated = em_priors(proba, train)
    if not caught:  # converged: at the fixed point of the paper's EM
        np.testing.assert_allclose(estimated, _em(proba, train), atol=1e-5)
    np.testing.assert_array_equal(proba, given)


def test_threshold_mover_deploy_priors_undo_resampling_of_a_logistic_regression():
    # Gaussian classes of equal covariance: logistic regression is the true
    # model, and moving a resampled fit to the real priors recovers the fit
    # on the real data up to noise (only the intercepts differ).
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=4000, p=[0.8, 0.15, 0.05])
    means = np.array([[0.0, 0.0], [1.5, 0.0], [0.0, 1.5]])
    X = rng.normal(size=(4000, 2)) + means[y]
    X_new = rng.normal(size=(500, 2)) + means[rng.integers(0, 3, 500)]
    plain = LogisticRegression().fit(X, y).predict_proba(X_new)
    resampled = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    # deploy_priors by class label, in another order than classes_.
    mover = ThresholdMover(
        resampled, "argmax", deploy_priors={2: 0.05, 0: 0.8, 1: 0.15}
    ).fit(X, y)

    moved = mover.predict_proba(X_new)

    np.testing.assert_allclose(mover.train_priors_, [1 / 3] * 3)
    assert np.abs(mover.estimator_.predict_proba(X_new) - plain).mean() > 0.2
    assert np.abs(moved - plain).mean() < 0.04


# ------------------------------------------------------------ fixed bugs


class _HalfPrecision(ClassifierMixin, BaseEstimator):
    """A classifier whose predict_proba is float16 (a half-precision network's
    softmax): its rows sum to 1 only within ~1e-3."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X).astype(np.float16)


@pytest.mark.parametrize("deploy", ["train", "em"])
def test_threshold_mover_moves_float16_probabilities(deploy):
    # Before: ThresholdMover cast them to float64 first, so adjust_priors
    # held them to float64's 1e-4 and refused "proba row 0 sums to 1.00032"
    # (adjust_priors itself takes float16 within 1e-2).
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    X = rng.normal(size=(200, 4)) + y[:, None]
    half = _HalfPrecision().fit(X, y).predict_proba(X)
    assert np.abs(half.astype(float).sum(axis=1) - 1).max() > 1e-4

    mover = ThresholdMover(_HalfPrecision(), "argmax", deploy_priors=deploy).fit(X, y)
    moved = mover.predict_proba(X)

    expected = adjust_priors(
        half,
        mover.train_priors_,
        mover.deploy_priors_
        if deploy == "train"
        else em_priors(half, mover.train_priors_),
    )
    np.testing.assert_allclose(moved, expected)


def test_priors_by_label_are_refused_for_repeated_column_names():
    # Before: both columns named "a" got the prior of "a", silently.
    proba = pd.DataFrame([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], columns=["a", "a", "b"])
    with pytest.raises(
        ValueError,
        match=r"^train_priors is given by class label.*"
        r"repeat the names \['a'\].*as an array",
    ):
        adjust_priors(proba, {"a": 0.3, "b": 0.7}, [1, 1, 1])
    with pytest.raises(ValueError, match=r"^deploy_priors .*repeat the names"):
        adjust_priors(proba, [1, 1, 1], pd.Series({"a": 0.3, "b": 0.7}))
    with pytest.raises(ValueError, match=r"^train_priors .*repeat the names"):
        em_priors(proba, {"a": 0.3, "b": 0.7})
    # By position the repeated names are only names.
    np.testing.assert_allclose(
        adjust_priors(proba, [1, 1, 1], [1, 2, 3]),
        _bayes(proba.to_numpy(), [1, 1, 1], [1, 2, 3]),
    )


def test_masked_probabilities_and_priors_are_refused():
    # Before: np.asarray dropped the mask and the values under it were used.
    proba = np.ma.masked_array([[0.2, 0.8], [0.6, 0.4]], mask=[[1, 0], [0, 0]])
    with pytest.raises(ValueError, match=r"^proba has 1 masked \(missing\) entries"):
        adjust_priors(proba, [1, 1], [1, 2])
    with pytest.raises(ValueError, match=r"^proba has 1 masked"):
        em_priors(proba, [1, 1])
    priors = np.ma.masked_array([0.5, 0.5], mask=[0, 1])
    with pytest.raises(ValueError, match=r"^deploy_priors has 1 masked.*filled"):
        adjust_priors(proba.data, [1, 1], priors)
    # A masked array without masked entries is its values.
    unmasked = np.ma.masked_array(proba.data)
    np.testing.assert_allclose(
        adjust_priors(unmasked, [1, 1], [1, 2]), _bayes(proba.data, [1, 1], [1, 2])
    )


def test_torch_tensors_numpy_cannot_read_are_refused_naming_the_fix():
    torch = pytest.importorskip("torch")
    proba = torch.tensor([[0.2, 0.8], [0.6, 0.4]], dtype=torch.float64)
    # Before: torch's RuntimeError (requires grad), or a ValueError without
    # the fix (bfloat16).
    with pytest.raises(TypeError, match=r"^proba could not be read.*detach\(\)"):
        adjust_priors(proba.clone().requires_grad_(True), [1, 1], [1, 2])
    with pytest.raises(TypeError, match=r"^proba could not be read.*detach\(\)"):
        em_priors(proba.to(torch.bfloat16), [1, 1])
    with pytest.raises(TypeError, match=r"^train_priors could not be read"):
        adjust_priors(proba, torch.ones(2, requires_grad=True), [1, 2])
    # A plain CPU tensor is read as its values.
    np.testing.assert_allclose(
        adjust_priors(proba, torch.tensor([1.0, 1.0]), [1, 2]),
        _bayes(proba.numpy(), [1, 1], [1, 2]),
    )
