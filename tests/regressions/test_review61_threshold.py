"""Review 61, ThresholdMover: multiclass rules, cost matrices, classifiers
without predict_proba, labels and pos_label, frozen estimators, cv forms,
tiny classes (the one fix: a fold training without a class is refused before
any fold is fitted, naming the fold and the class)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Perceptron, RidgeClassifier
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import (
    FixedThresholdClassifier,
    KFold,
    StratifiedKFold,
)
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from rebalance import ThresholdMover


def _three(n=150, seed=0, labels=("a", "b", "c")):
    rng = np.random.default_rng(seed)
    codes = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    X = rng.normal(size=(n, 2)) + codes[:, None] * 0.9
    return X, np.asarray(labels)[codes], codes


def _binary(n=120, seed=1):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None] * 1.2
    return X, y


class _CountingLR(LogisticRegression):
    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


# Bug (unclear message): a class with fewer rows than folds left a fold's
# training rows without it; a binary estimator then failed with its own
# "This solver needs samples of at least 2 classes", naming neither cv, the
# fold nor the class (a multiclass one was refused only after the folds
# before it were fitted). _tuning._check_fold_training_classes.
@pytest.mark.filterwarnings("ignore:The least populated class")
def test_fold_training_without_a_class_is_refused_before_any_fold_fit():
    X, y = _binary(21)
    y = np.r_[np.zeros(20, int), 1]
    _CountingLR.fits = 0
    with pytest.raises(
        ValueError,
        match=r"cv gave fold 0 training rows without the classes \[1 \(1 row in "
        r"all\)\].*fewer folds",
    ):
        ThresholdMover(_CountingLR(), "tuned", cv=2).fit(X, y)
    # No fit at all: the folds are checked before the final model (stop 54)
    assert _CountingLR.fits == 0


def test_unstratified_fold_without_a_class_names_it_before_fitting_folds():
    X, y, _ = _three(60)
    order = np.argsort(y, kind="stable")
    _CountingLR.fits = 0
    with pytest.raises(
        ValueError, match=r"fold 2 training rows without the classes \['c'"
    ):
        ThresholdMover(_CountingLR(), "tuned", cv=KFold(3)).fit(X[order], y[order])
    # No fit at all: the folds are checked before the final model (stop 54)
    assert _CountingLR.fits == 0


# --- checked, correct: pinned ------------------------------------------------


def test_multiclass_prior_cost_and_deploy_match_a_hand_computation():
    X, y, codes = _three()
    priors = np.bincount(codes) / len(codes)
    prior = ThresholdMover(LogisticRegression(), "prior").fit(X, y)
    p = prior.estimator_.predict_proba(X)
    np.testing.assert_allclose(prior.train_priors_, priors)
    np.testing.assert_array_equal(
        prior.predict(X), prior.classes_[(p / priors).argmax(1)]
    )
    cost = np.array([[0, 1, 2], [5, 0, 1], [10, 3, 0.0]])
    deploy = np.array([0.5, 0.3, 0.2])
    moved = p * deploy / priors
    moved /= moved.sum(1, keepdims=True)
    by_cost = ThresholdMover(
        LogisticRegression(), "cost", cost_matrix=cost, deploy_priors=deploy
    ).fit(X, y)
    np.testing.assert_allclose(by_cost.predict_proba(X), moved)
    expected = [
        np.argmin([sum(r[i] * cost[i, j] for i in range(3)) for j in range(3)])
        for r in moved
    ]
    np.testing.assert_array_equal(by_cost.predict(X), by_cost.classes_[expected])


def test_binary_false_negative_cost_five_is_threshold_one_sixth():
    X, y = _binary()
    mover = ThresholdMover(
        LogisticRegression(), "cost", cost_matrix=[[0, 1], [5, 0]]
    ).fit(X, y)
    p = mover.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(mover.predict(X), (p > 1 / 6).astype(int))
    assert ((p > 1 / 6) != (p >= 0.5)).any()  # the threshold moved


def _weighted_metrics(truth, predicted, w):
    """(balanced accuracy, F1) of boolean truth and predictions, by hand."""
    tp = w[truth & predicted].sum()
    fn = w[truth & ~predicted].sum()
    fp = w[~truth & predicted].sum()
    tn = w[~truth & ~predicted].sum()
    return (tp / (tp + fn) + tn / (tn + fp)) / 2, 2 * tp / (2 * tp + fp + fn)


def test_multiclass_tuned_with_weights_matches_one_vs_rest_by_hand():
    X, y, codes = _three(120, seed=3)
    w = np.random.default_rng(4).uniform(0.5, 3, size=len(y))
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = np.linspace(0.05, 0.95, 10)
    fold_scores = [
        GaussianNB().fit(X[tr], y[tr], sample_weight=w[tr]).predict_proba(X[va])
        for tr, va in splits
    ]
    for which, scoring in enumerate(("balanced_accuracy", "f1")):
        mover = ThresholdMover(
            GaussianNB(), "tuned", cv=splits, thresholds=grid, scoring=scoring
        ).fit(X, y, sample_weight=w)
        for c in range(3):
            means = np.mean(
                [
                    [
                        _weighted_metrics(codes[va] == c, p[:, c] >= t, w[va])[which]
                        for t in grid
                    ]
                    for p, (_, va) in zip(fold_scores, splits)
                ],
                axis=0,
            )
            assert mover.threshold_[c] == pytest.approx(grid[np.argmax(means)])
        p = mover.predict_proba(X)
        np.testing.assert_array_equal(
            mover.predict(X), mover.classes_[(p - mover.threshold_).argmax(1)]
        )


@pytest.mark.parametrize(
    "make", [SVC, RidgeClassifier, lambda: Perceptron(random_state=0)]
)
def test_classifiers_without_predict_proba(make):
    X, y, _ = _three(90)
    for strategy, extra in (
        ("prior", {}),
        ("argmax", {}),
        ("cost", {"cost_matrix": np.ones((3, 3)) - np.eye(3)}),
    ):
        with pytest.raises(ValueError, match="needs class probabilities"):
            ThresholdMover(make(), strategy, **extra).fit(X, y)
    tuned = ThresholdMover(make(), "tuned", cv=3, thresholds=20).fit(X, y)
    assert tuned.response_method_ == "decision_function"
    d = tuned.decision_function(X)
    np.testing.assert_array_equal(
        tuned.predict(X), tuned.classes_[(d - tuned.threshold_).argmax(1)]
    )
    yb = (y == "c").astype(int)
    fixed = ThresholdMover(make(), "fixed", threshold=-0.3).fit(X, yb)
    np.testing.assert_array_equal(
        fixed.predict(X), (fixed.decision_function(X) >= -0.3).astype(int)
    )


@pytest.mark.parametrize("pos_label", ["cancer", "benign"])
@pytest.mark.parametrize(
    "make, threshold",
    [(LogisticRegression, 0.3), (RidgeClassifier, -0.2), (SVC, "auto")],
)
def test_fixed_matches_scikit_learn_on_string_labels(make, threshold, pos_label):
    X, y = _binary()
    ys = np.where(y == 1, "cancer", "benign")
    ours = ThresholdMover(
        make(), "fixed", threshold=threshold, pos_label=pos_label
    ).fit(X, ys)
    theirs = FixedThresholdClassifier(
        make(), threshold=threshold, pos_label=pos_label
    ).fit(X, ys)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_bool_labels_pos_label_of_another_type_is_refused():
    X, y = _binary()
    yb = y.astype(bool)
    mover = ThresholdMover(
        LogisticRegression(), "fixed", threshold=0.3, pos_label=False
    ).fit(X, yb)
    p = mover.predict_proba(X)[:, 0]
    np.testing.assert_array_equal(mover.predict(X), ~(p >= 0.3))
    with pytest.raises(ValueError, match="pos_label=True"):
        ThresholdMover(LogisticRegression(), "fixed", pos_label=1).fit(X, yb)


def test_frozen_is_not_refitted_and_survives_clone_and_pickle():
    X, y, _ = _three(90)
    base = LogisticRegression().fit(X, y)
    coef = base.coef_.copy()
    for strategy in ("prior", "argmax", "tuned"):
        mover = ThresholdMover(FrozenEstimator(base), strategy).fit(X[:60], y[:60])
        assert mover.estimator_.estimator is base
        np.testing.assert_array_equal(mover.classes_, base.classes_)
        again = pickle.loads(pickle.dumps(mover))
        np.testing.assert_array_equal(again.predict(X), mover.predict(X))
        assert clone(mover).fit(X[:60], y[:60]).estimator_.estimator is base
    np.testing.assert_array_equal(base.coef_, coef)


def test_cv_int_splitter_list_and_generator_agree():
    X, y = _binary(80)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    splits = list(cv.split(X, y))
    got = [
        ThresholdMover(GaussianNB(), "tuned", cv=c, thresholds=10).fit(X, y).threshold_
        for c in (cv, splits, iter(splits))
    ]
    assert got[0] == got[1] == got[2]


def test_counts_as_rows_for_an_estimator_without_sample_weight():
    rng = np.random.default_rng(7)
    y = rng.choice(2, size=80, p=[0.7, 0.3])
    X = rng.normal(size=(80, 2)) + y[:, None]
    w = rng.integers(0, 4, size=80).astype(float)
    w[:4] = 1
    cv = StratifiedKFold(3, shuffle=True, random_state=1)
    grid = np.linspace(0.1, 0.9, 9)
    mover = ThresholdMover(KNeighborsClassifier(), "tuned", cv=cv, thresholds=grid).fit(
        X, y, sample_weight=w
    )
    means = np.zeros(len(grid))
    for tr, va in cv.split(X, y):
        rows = np.repeat(tr, w[tr].astype(int))
        p = KNeighborsClassifier().fit(X[rows], y[rows]).predict_proba(X[va])[:, 1]
        means += [
            balanced_accuracy_score(y[va], p >= t, sample_weight=w[va]) for t in grid
        ]
    assert mover.threshold_ == pytest.approx(grid[np.argmax(means)])
