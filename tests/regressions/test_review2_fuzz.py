"""Review round 2: fuzzing rebalance's data paths against references.

Each test reproduces one bug found by differential fuzzing (hypothesis and
seeded random searches) of the samplers, the threshold tuning and the
fit-parameter paths against scikit-learn / imbalanced-learn and the
documented semantics. See /tmp/review2/fuzz.md for the report.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover
from rebalance.metrics import g_mean_score

FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _binary(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = rng.normal(size=(n, 2)) + 1.5 * y[:, None]
    return X, y, rng


# --------------------------------------------------------------------------
# ThresholdMover(strategy='tuned', scoring='g_mean') with float sample_weight
# --------------------------------------------------------------------------
def test_tuned_g_mean_with_float_weights_does_not_pick_the_lowest_score():
    # Weighted confusion counts are summed in two orders (n_neg by a pairwise
    # sum, fp by a matmul): at the lowest candidate, where every row is
    # predicted positive, TNR = (n_neg - fp) / n_neg comes out as -2e-16,
    # sqrt(TPR * TNR) is NaN, and np.argmax picks the NaN: the threshold
    # becomes the lowest score and every row is predicted positive.
    X, y, rng = _binary(0)
    w = rng.random(y.shape[0]) + 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        tm = ThresholdMover(
            LogisticRegression(), strategy="tuned", scoring="g_mean", cv=3
        ).fit(X, y, sample_weight=w)
    assert np.isfinite(tm.best_score_), tm.best_score_
    assert not np.isnan(tm.cv_results_["scores"]).any()
    pred = tm.predict(X)
    assert pred.mean() < 0.6  # not "everything positive"
    assert g_mean_score(y, pred, sample_weight=w) > 0.7


@FUZZ
@given(seed=st.integers(0, 2**16))
def test_tuned_g_mean_scores_are_never_nan_with_float_weights(seed):
    X, y, rng = _binary(seed, 200)
    model = FrozenEstimator(LogisticRegression().fit(X, y))
    w = rng.random(y.shape[0]) + 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        tm = ThresholdMover(model, strategy="tuned", scoring="g_mean", cv=3).fit(
            X, y, sample_weight=w
        )
    scores = tm.cv_results_["scores"]
    assert not np.isnan(scores).any()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert tm.best_score_ == pytest.approx(np.max(scores))


# --------------------------------------------------------------------------
# ThresholdMover(strategy='tuned') with huge (finite) sample_weight
# --------------------------------------------------------------------------
@pytest.mark.parametrize("scoring", ["balanced_accuracy", "f1", "g_mean", "accuracy"])
def test_tuned_threshold_does_not_depend_on_the_scale_of_the_weights(scoring):
    # Weights are accepted when finite; 1e308 per row overflows the weighted
    # confusion sums to inf, every score is NaN and the threshold the lowest
    # candidate. class_priors already rescales weights for this reason.
    X, y, _ = _binary(3)
    model = FrozenEstimator(LogisticRegression().fit(X, y))
    plain = ThresholdMover(model, strategy="tuned", scoring=scoring, cv=3).fit(
        X, y, sample_weight=np.full(y.shape[0], 4.0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        huge = ThresholdMover(model, strategy="tuned", scoring=scoring, cv=3).fit(
            X, y, sample_weight=np.full(y.shape[0], 1e308)
        )
    assert huge.best_score_ == pytest.approx(plain.best_score_)
    assert huge.threshold_ == pytest.approx(plain.threshold_)


# --------------------------------------------------------------------------
# Whole-number weights applied as repeated rows (classifier without
# sample_weight): huge counts
# --------------------------------------------------------------------------
@pytest.mark.parametrize("weight", [1e300, 2.0**70, 2.0**50])
@pytest.mark.parametrize("meta", ["resampled", "threshold"])
def test_huge_repetition_counts_raise_an_error_naming_sample_weight(weight, meta):
    # weights_as_rows accepts any finite whole number; 1e300 (and 2**70) then
    # wrap to a negative int64 and numpy says "repeats may not contain
    # negative values"; 2**50 makes np.repeat ask for 8 PiB (MemoryError).
    # Neither names sample_weight nor says what to do.
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0] * 6 + [1] * 4)
    w = np.ones(10)
    w[0] = weight
    if meta == "resampled":
        est = ResampledClassifier(
            RandomUnderSampler(random_state=0), KNeighborsClassifier(1)
        )
    else:
        est = ThresholdMover(KNeighborsClassifier(1), strategy="fixed", threshold=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises((ValueError, TypeError), match="sample_weight"):
            est.fit(X, y, sample_weight=w)
