"""Review 36 (h-threshold): invariants fuzzed on ThresholdMover, the metrics
and the class weights, kept as small seeded property tests.

No bug was found by the fuzzing; these pin what was checked so that a later
change that breaks one of them is caught.
"""

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import f1_score, make_scorer, precision_score
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.class_weight import compute_class_weight

from rebalance import ThresholdMover
from rebalance.metrics import g_mean_score
from rebalance.weights import class_weights, sample_weights


def _problem(seed, n=80, k=2):
    rng = np.random.default_rng(seed)
    codes = np.r_[np.repeat(np.arange(k), 8), rng.integers(0, k, n - 8 * k)]
    rng.shuffle(codes)
    X = rng.normal(size=(n, 2)) + rng.normal(size=(k, 2))[codes]
    return rng, X, codes


@pytest.mark.parametrize("seed", range(20))
def test_g_mean_matches_imblearn_when_predictions_are_classes_of_y_true(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 30)), int(rng.integers(2, 5))
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, y_true[::-1])
    weights = rng.choice([0.5, 1.0, 2.0, 3.0], n)
    for sw in (None, weights):
        ours = g_mean_score(y_true, y_pred, sample_weight=sw)
        theirs = geometric_mean_score(y_true, y_pred, sample_weight=sw)
        assert ours == pytest.approx(theirs, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_g_mean_whole_weights_equal_repeated_rows(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 3, 25)
    y_pred = rng.integers(0, 3, 25)
    counts = rng.integers(1, 4, 25)
    weighted = g_mean_score(y_true, y_pred, sample_weight=counts.astype(float))
    repeated = g_mean_score(np.repeat(y_true, counts), np.repeat(y_pred, counts))
    assert weighted == pytest.approx(repeated)


@pytest.mark.parametrize("seed", range(10))
def test_class_weights_match_scikit_learn_balanced(seed):
    rng = np.random.default_rng(seed)
    y = np.array(["z", "a", "m", "b"])[rng.integers(0, 4, 40)]
    ours = class_weights(y)
    classes = np.unique(y)
    assert list(ours) == classes.tolist()
    expected = compute_class_weight("balanced", classes=classes, y=y)
    np.testing.assert_allclose(list(ours.values()), expected)
    np.testing.assert_allclose(sample_weights(y), [ours[v] for v in y.tolist()])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("scoring", ["f1", "g_mean", "balanced_accuracy"])
def test_frozen_tuned_whole_weights_equal_repeated_rows(seed, scoring):
    # No cross-validation with a FrozenEstimator: a weight of 2 is a
    # repeated row, for the thresholds and the scores (weights >= 1, so that
    # the candidate grid spans the same scores).
    rng, X, codes = _problem(seed, k=int(1 + seed % 2 + 1))
    y = np.array(["q", "c", "m"])[codes]
    model = FrozenEstimator(GaussianNB().fit(X, y))
    counts = rng.integers(1, 3, len(y))
    weighted = ThresholdMover(model, "tuned", scoring=scoring).fit(
        X, y, sample_weight=counts.astype(float)
    )
    repeated = ThresholdMover(model, "tuned", scoring=scoring).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts)
    )
    np.testing.assert_allclose(weighted.threshold_, repeated.threshold_)
    np.testing.assert_allclose(weighted.best_score_, repeated.best_score_)
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("scorer", [f1_score, precision_score])
def test_tuned_named_pos_label_scorer_equals_the_string_scoring(seed, scorer):
    rng, X, codes = _problem(seed)
    y = [np.array(["b", "a"])[codes], codes.astype(bool), codes + 3][seed % 3]
    pos = y[codes == seed % 2][0].item()
    weights = rng.integers(0, 3, len(y)).astype(float)
    weights[:16] = 1
    grid = np.linspace(0, 1, 41)
    common = dict(pos_label=pos, cv=3, thresholds=grid)
    by_name = ThresholdMover(
        GaussianNB(), "tuned", scoring=scorer.__name__.replace("_score", ""), **common
    ).fit(X, y, sample_weight=weights)
    by_scorer = ThresholdMover(
        GaussianNB(),
        "tuned",
        scoring=make_scorer(scorer, pos_label=pos, zero_division=0),
        **common,
    ).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(
        by_name.cv_results_["scores"], by_scorer.cv_results_["scores"]
    )


@pytest.mark.parametrize("seed", range(8))
def test_tuned_multiclass_predictions_follow_the_labels_not_their_names(seed):
    # The same folds, the labels renamed so that their sorted order changes:
    # the same decisions, row for row.
    rng, X, codes = _problem(seed, n=90, k=3)
    names = np.array(["d", "b", "a"])
    folds = [
        (np.flatnonzero(np.arange(90) % 3 != f), np.flatnonzero(np.arange(90) % 3 == f))
        for f in range(3)
    ]
    by_code = ThresholdMover(GaussianNB(), "tuned", cv=folds).fit(X, codes)
    by_name = ThresholdMover(GaussianNB(), "tuned", cv=folds).fit(X, names[codes])
    np.testing.assert_array_equal(names[by_code.predict(X)], by_name.predict(X))
    order = np.argsort(names)
    np.testing.assert_allclose(by_name.threshold_, by_code.threshold_[order])
    np.testing.assert_allclose(
        by_name.predict_proba(X), by_code.predict_proba(X)[:, order]
    )
