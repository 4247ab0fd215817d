"""Review 11: rebalance.metrics (g_mean_score, the threshold metrics) and
rebalance.weights, checked against imbalanced-learn and scikit-learn.

Each test reproduces one bug; see /tmp/review11/metrics.md.
"""

import warnings

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from rebalance import ThresholdMover
from rebalance.metrics import _threshold_metric, g_mean_score


def test_g_mean_score_of_many_classes_does_not_underflow_to_zero():
    # 350 classes, every class recognised on 1 row in 10: every recall is
    # 0.1, so the G-mean is 0.1 (imbalanced-learn: 0.1). The product of the
    # recalls, 0.1 ** 350 = 1e-350, underflows to 0.0 before its 350th root
    # is taken, and g_mean_score reports 0.0: "some class is never
    # recognised". A long-tailed problem with hundreds of classes (as
    # `rebalance compare` reports it) hits this with ordinary recalls
    # (0.45 ** 1000 underflows too).
    n_classes = 350
    y_true = np.repeat(np.arange(n_classes), 10)
    y_pred = (y_true + 1) % n_classes  # wrong ...
    y_pred[::10] = y_true[::10]  # ... except one row per class
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = geometric_mean_score(y_true, y_pred)
    assert reference == pytest.approx(0.1)
    assert g_mean_score(y_true, y_pred) == pytest.approx(0.1, rel=1e-9)


def test_threshold_g_mean_is_zero_when_every_negative_is_predicted_positive():
    # All rows predicted positive: the specificity is exactly 0, so the
    # G-mean is 0 (g_mean_score and imbalanced-learn: 0.0). The weighted
    # confusion counts compute tn = n_neg - fp from two sums of the same
    # weights in different orders, leaving a rounding residue (~1e-16) that
    # the square root blows up to ~1e-8.
    truth = np.array([False, False, False, True, False, False])
    scores = np.ones(6)
    weights = np.array([3.0, 0.5, 0.5, 3.0, 0.5, 0.5])
    # (two candidates: a matrix-vector product, as in every real tuning)
    thresholds = np.array([0.25, 0.5])
    expected = g_mean_score(truth, scores >= 0.5, sample_weight=weights)
    assert expected == 0.0
    got = _threshold_metric("g_mean")(truth, scores, thresholds, weights)
    np.testing.assert_allclose(got, [expected, expected], atol=1e-12)


def test_tuned_g_mean_cv_results_at_the_lowest_candidate_is_zero():
    # The same bug as a user sees it: the lowest candidate threshold of
    # strategy='tuned' is the lowest score, so every row of every fold is
    # predicted positive there and the G-mean is 0. With float sample
    # weights cv_results_['scores'] reports ~1e-8 instead.
    X, y = make_classification(60, weights=[0.8], random_state=0)
    w = np.random.default_rng(0).uniform(0.1, 3, 60)
    model = ThresholdMover(
        LogisticRegression(), strategy="tuned", scoring="g_mean", cv=3
    ).fit(X, y, sample_weight=w)
    lowest = model.cv_results_["thresholds"][0, 0]
    assert lowest == pytest.approx(model.cv_results_["thresholds"].min())
    assert model.cv_results_["scores"][0, 0] == pytest.approx(0.0, abs=1e-12)


def test_g_mean_score_names_y_true_when_a_label_is_missing():
    # rebalance's rule for labels: a missing label (None, NaN, NA) is an
    # error naming the argument. g_mean_score calls np.unique(y_true) itself
    # first and leaks numpy's "'<' not supported between instances of
    # 'NoneType' and 'str'", which names neither y_true nor the fix.
    with pytest.raises((ValueError, TypeError), match="y_true"):
        g_mean_score(["a", "b", None], ["a", "b", "b"])
