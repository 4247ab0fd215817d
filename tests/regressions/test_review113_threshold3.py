"""Review 113 (threshold3): a white-box audit of ``ThresholdMover`` and its
cross-validated tuning (``rebalance/threshold.py``, ``rebalance/_tuning.py``):
binary tuning against scikit-learn's ``TunedThresholdClassifierCV`` (plain,
``pos_label`` of the first class, ``decision_function``, routed weights),
``'fixed'`` against ``FixedThresholdClassifier`` (``pos_label`` of the first
class, a float32 score tied with the threshold), ``pos_label`` of another type
than the classes, a scorer with its own ``pos_label`` on a multiclass tuning,
a ``FrozenEstimator`` whose classes are of another type than ``y``, pickling,
and a cv whose folds lack a class (refused only after the estimator is
fitted on every row, leaving a refitted mover half-updated).
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, make_scorer
from sklearn.model_selection import (
    FixedThresholdClassifier,
    StratifiedKFold,
    TunedThresholdClassifierCV,
)
from sklearn.svm import LinearSVC

from rebalance import ThresholdMover

GRID = np.linspace(0.01, 0.99, 20)


def _binary(n: int = 180, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = rng.normal(size=(n, 2)) + 1.0 * y[:, None]
    return X, y


@pytest.mark.parametrize("scoring", ["balanced_accuracy", "precision"])
def test_tuned_binary_matches_tuned_threshold_classifier_cv(scoring):
    X, y = _binary()
    ours = ThresholdMover(
        LogisticRegression(), "tuned", scoring=scoring, thresholds=GRID,
        cv=StratifiedKFold(3),
    ).fit(X, y)  # fmt: skip
    theirs = TunedThresholdClassifierCV(
        LogisticRegression(), scoring=scoring, thresholds=GRID, cv=StratifiedKFold(3)
    ).fit(X, y)
    assert ours.threshold_ == pytest.approx(theirs.best_threshold_)
    assert ours.best_score_ == pytest.approx(theirs.best_score_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_tuned_pos_label_first_class_matches_scorer_pos_label():
    # pos_label=0 with 'f1' tunes the threshold on class 0's probability for
    # class 0's F1, as scikit-learn does for make_scorer(f1_score, pos_label=0).
    X, y = _binary()
    ours = ThresholdMover(
        LogisticRegression(), "tuned", scoring="f1", thresholds=GRID,
        cv=StratifiedKFold(3), pos_label=0,
    ).fit(X, y)  # fmt: skip
    theirs = TunedThresholdClassifierCV(
        LogisticRegression(), scoring=make_scorer(f1_score, pos_label=0),
        thresholds=GRID, cv=StratifiedKFold(3),
    ).fit(X, y)  # fmt: skip
    assert ours.threshold_ == pytest.approx(theirs.best_threshold_)
    assert ours.best_score_ == pytest.approx(theirs.best_score_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_tuned_decision_function_matches_sklearn():
    X, y = _binary()
    grid = np.linspace(-2, 2, 41)
    ours = ThresholdMover(
        LinearSVC(), "tuned", thresholds=grid, cv=StratifiedKFold(3)
    ).fit(X, y)
    theirs = TunedThresholdClassifierCV(
        LinearSVC(), thresholds=grid, cv=StratifiedKFold(3)
    ).fit(X, y)
    assert ours.threshold_ == pytest.approx(theirs.best_threshold_)
    assert ours.best_score_ == pytest.approx(theirs.best_score_)


def test_tuned_weighted_matches_sklearn_routed_weights():
    # Without routing, sample_weight weights the fit and the metric: the same
    # as scikit-learn with both requested through metadata routing.
    import sklearn

    X, y = _binary()
    w = np.random.default_rng(2).integers(1, 4, len(y)).astype(float)
    ours = ThresholdMover(
        LogisticRegression(), "tuned", thresholds=GRID, cv=StratifiedKFold(3)
    ).fit(X, y, sample_weight=w)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_scorer(balanced_accuracy_score).set_score_request(
            sample_weight=True
        )
        theirs = TunedThresholdClassifierCV(
            LogisticRegression().set_fit_request(sample_weight=True),
            scoring=scorer, thresholds=GRID, cv=StratifiedKFold(3),
        ).fit(X, y, sample_weight=w)  # fmt: skip
    assert ours.threshold_ == pytest.approx(theirs.best_threshold_)
    assert ours.best_score_ == pytest.approx(theirs.best_score_)


@pytest.mark.parametrize(
    ("make", "threshold", "method"),
    [
        (LogisticRegression, 0.8, "predict_proba"),
        (LinearSVC, 0.2, "decision_function"),
    ],
)
def test_fixed_pos_label_first_class_matches_fixed_threshold_classifier(
    make, threshold, method
):
    X, y = _binary(150, 0)
    ours = ThresholdMover(make(), "fixed", pos_label=0, threshold=threshold).fit(X, y)
    theirs = FixedThresholdClassifier(
        make(), pos_label=0, threshold=threshold, response_method=method
    ).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


class _Float32Proba(LogisticRegression):
    def predict_proba(self, X):
        return super().predict_proba(X).astype(np.float32)


def test_fixed_float32_score_equal_to_threshold_is_positive():
    X, y = _binary(150, 0)
    model = _Float32Proba().fit(X, y)
    threshold = float(model.predict_proba(X[5:6])[0, 1])
    ours = ThresholdMover(FrozenEstimator(model), "fixed", threshold=threshold)
    theirs = FixedThresholdClassifier(FrozenEstimator(model), threshold=threshold)
    assert ours.fit(X, y).predict(X[5:6])[0] == 1
    assert theirs.fit(X, y).predict(X[5:6])[0] == 1


@pytest.mark.parametrize(
    ("labels", "pos_label"),
    [("int", "1"), ("int", True), ("str", 1)],
)
def test_pos_label_of_another_type_than_the_classes_is_refused(labels, pos_label):
    X, y = _binary(60, 0)
    if labels == "str":
        y = y.astype(str)
    mover = ThresholdMover(LogisticRegression(), "fixed", pos_label=pos_label)
    with pytest.raises(ValueError, match="pos_label"):
        mover.fit(X, y)


def test_pos_label_float_of_int_class_is_that_class():
    X, y = _binary(150, 0)
    as_float = ThresholdMover(
        LogisticRegression(), "fixed", pos_label=1.0, threshold=0.3
    ).fit(X, y)
    as_int = ThresholdMover(
        LogisticRegression(), "fixed", pos_label=1, threshold=0.3
    ).fit(X, y)
    np.testing.assert_array_equal(as_float.predict(X), as_int.predict(X))


def test_multiclass_tuning_refuses_a_scorer_with_its_own_pos_label():
    rng = np.random.default_rng(0)
    y = np.array(["a", "b", "c"])[np.r_[np.zeros(60, int), np.ones(30, int), [2] * 30]]
    X = rng.normal(size=(120, 2)) + (y == "b")[:, None] + 2 * (y == "c")[:, None]
    mover = ThresholdMover(
        LogisticRegression(), "tuned", cv=2, thresholds=5,
        scoring=make_scorer(f1_score, pos_label="b"),
    )  # fmt: skip
    with pytest.raises(ValueError, match="pos_label"):
        mover.fit(X, y)


def test_frozen_classes_of_another_type_than_y():
    X, y = _binary(150, 0)
    ints = LogisticRegression().fit(X, y)
    # floats equal to the int classes are those classes
    tuned = ThresholdMover(FrozenEstimator(ints), "tuned", thresholds=5)
    assert tuned.fit(X, y.astype(float)).classes_.tolist() == [0, 1]
    # booleans are not ints: refused naming y
    with pytest.raises(ValueError, match="y has classes"):
        ThresholdMover(FrozenEstimator(ints), "tuned", thresholds=5).fit(
            X, y.astype(bool)
        )


def test_tuned_mover_pickles_with_its_thresholds():
    X, y = _binary(150, 0)
    mover = ThresholdMover(LogisticRegression(), "tuned", cv=2, thresholds=7).fit(X, y)
    again = pickle.loads(pickle.dumps(mover))
    assert again.threshold_ == mover.threshold_
    np.testing.assert_array_equal(again.predict(X), mover.predict(X))


class _CountingLogistic(LogisticRegression):
    fits: list[int] = []

    def fit(self, X, y, sample_weight=None):
        _CountingLogistic.fits.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight)


def test_cv_fold_without_a_class_is_refused_before_any_fit():
    X, y = _binary(150, 0)
    mover = ThresholdMover(_CountingLogistic(), "tuned", cv=2, thresholds=5)
    mover.fit(X, y)
    before = mover.predict(X)
    y_one = np.zeros_like(y)
    y_one[0] = 1  # one row of class 1: cv=2 leaves a training fold without it
    _CountingLogistic.fits.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # StratifiedKFold's
        with pytest.raises(ValueError, match="training rows without the classes"):
            mover.fit(X, y_one)
    # "Every parameter is checked against the labels before the estimator is
    # fitted": no fit ran, and the mover still holds its previous fit
    # (now: a new estimator_ and no threshold_, predict's AttributeError).
    assert _CountingLogistic.fits == []
    np.testing.assert_array_equal(mover.predict(X), before)
