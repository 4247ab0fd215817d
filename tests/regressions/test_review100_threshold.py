"""Review 100 threshold: ThresholdMover and prior correction against sklearn.

Oracles: scikit-learn's ``FixedThresholdClassifier`` for binary fixed
thresholds (ties at exactly the threshold, ``pos_label``, both response
methods) and Bayes' rule with new priors, p'(c|x) ∝ p(c|x) · π'(c) / π(c),
written out here for multiclass.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.svm import LinearSVC

from rebalance import ThresholdMover
from rebalance.threshold import adjust_priors


def _binary(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + rng.normal(size=n) > 0.3).astype(int)
    return X, y


def _multiclass(seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 3))
    y = np.array(["c", "a", "d", "b"])[rng.integers(0, 4, 80)]
    X[:, 0] += y == "a"
    X[:, 1] += y == "d"
    return X, y


class _Reversed(ClassifierMixin, BaseEstimator):
    """A classifier whose classes_ are in reverse sorted order."""

    def fit(self, X, y, sample_weight=None):
        self.lr_ = LogisticRegression().fit(X, y)
        self.classes_ = self.lr_.classes_[::-1].copy()
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)[:, ::-1]

    def decision_function(self, X):
        return -self.lr_.decision_function(X)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class _Float32LR(LogisticRegression):
    def predict_proba(self, X):
        return super().predict_proba(X).astype(np.float32)


@pytest.mark.parametrize("classes", [[-1, 1], [False, True], ["no", "yes"], ["b", "a"]])
def test_fixed_matches_sklearn_fixed_threshold_classifier(classes):
    X, yb = _binary()
    kind = object if isinstance(classes[0], str) else None
    y = np.array(classes, dtype=kind)[yb]
    for pos_label in (None, classes[0], classes[1]):
        for method, threshold in (("predict_proba", 0.4), ("decision_function", 0.2)):
            ours = ThresholdMover(
                LogisticRegression(),
                "fixed",
                threshold=threshold,
                pos_label=pos_label,
                response_method=method,
            ).fit(X, y)
            theirs = FixedThresholdClassifier(
                LogisticRegression(),
                threshold=threshold,
                pos_label=pos_label,
                response_method=method,
            ).fit(X, y)
            np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_fixed_ties_at_exactly_the_threshold_match_sklearn():
    X, y = _binary()
    lr = LogisticRegression().fit(X, y)
    proba, decision = lr.predict_proba(X), lr.decision_function(X)
    cases = [
        ("predict_proba", None, float(proba[3, 1]), 3),
        ("predict_proba", 0, float(proba[5, 0]), 5),
        ("decision_function", None, float(decision[7]), 7),
        ("decision_function", 0, float(-decision[7]), 7),
    ]
    for method, pos_label, threshold, row in cases:
        kw = dict(threshold=threshold, pos_label=pos_label, response_method=method)
        ours = ThresholdMover(FrozenEstimator(lr), "fixed", **kw).fit(X, y)
        theirs = FixedThresholdClassifier(FrozenEstimator(lr), **kw).fit(X, y)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
        # ">=": the row whose score is exactly the threshold is positive.
        positive = 1 if pos_label is None else pos_label
        assert ours.predict(X)[row] == positive


def test_frozen_unsorted_classes_match_sklearn_and_priors_follow_classes():
    X, yb = _binary(80)
    y = np.array(["no", "yes"], dtype=object)[yb]
    model = _Reversed().fit(X, y)
    for pos_label in (None, "yes", "no"):
        for method, threshold in (("predict_proba", 0.3), ("decision_function", 0.1)):
            kw = dict(threshold=threshold, pos_label=pos_label, response_method=method)
            ours = ThresholdMover(FrozenEstimator(model), "fixed", **kw).fit(X, y)
            theirs = FixedThresholdClassifier(FrozenEstimator(model), **kw).fit(X, y)
            np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    moved = ThresholdMover(
        FrozenEstimator(model),
        "argmax",
        train_priors={"yes": 0.5, "no": 0.5},
        deploy_priors={"no": 0.8, "yes": 0.2},
    ).fit(X, y)
    assert list(moved.classes_) == ["yes", "no"]
    np.testing.assert_allclose(moved.deploy_priors_, [0.2, 0.8])
    expected = model.predict_proba(X) * np.array([0.2, 0.8]) / 0.5
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(moved.predict_proba(X), expected)
    prior = ThresholdMover(FrozenEstimator(model), "prior").fit(X, y)
    np.testing.assert_allclose(prior.train_priors_, [yb.mean(), 1 - yb.mean()])


def test_unfrozen_unsorted_classes_refused_with_the_fix():
    X, yb = _binary(80)
    y = np.array(["no", "yes"], dtype=object)[yb]
    with pytest.raises(ValueError, match="FrozenEstimator"):
        ThresholdMover(_Reversed(), "fixed").fit(X, y)


def test_multiclass_bayes_prior_shift_any_prior_form_and_order():
    X, y = _multiclass()
    lr = LogisticRegression().fit(X, y)
    proba, classes = lr.predict_proba(X), lr.classes_
    train = np.array([0.1, 0.2, 0.3, 0.4])
    deploy = np.array([0.4, 0.3, 0.0, 0.3])  # a zero entry: class 'c'
    expected = proba * deploy / train
    expected /= expected.sum(axis=1, keepdims=True)
    deploys = [
        deploy,
        list(deploy),
        dict(zip(classes, deploy)),
        dict(zip(classes[::-1], deploy[::-1])),
    ]
    trains = [train, dict(zip(classes[[2, 0, 3, 1]], train[[2, 0, 3, 1]]))]
    for deploy_priors in deploys:
        for train_priors in trains:
            moved = ThresholdMover(
                FrozenEstimator(lr),
                "argmax",
                train_priors=train_priors,
                deploy_priors=deploy_priors,
            ).fit(X, y)
            got = moved.predict_proba(X)
            np.testing.assert_allclose(got, expected)
            # 'argmax': predict is the argmax of predict_proba.
            np.testing.assert_array_equal(moved.predict(X), classes[got.argmax(1)])
            assert "c" not in set(moved.predict(X))


def test_prior_and_cost_strategies_are_the_written_out_rules():
    X, y = _multiclass()
    lr = LogisticRegression().fit(X, y)
    proba, classes = lr.predict_proba(X), lr.classes_
    fitted = np.array([(y == c).mean() for c in classes])
    prior = ThresholdMover(FrozenEstimator(lr), "prior").fit(X, y)
    np.testing.assert_allclose(prior.train_priors_, fitted)
    np.testing.assert_array_equal(prior.predict(X), classes[(proba / fitted).argmax(1)])
    cost = np.random.default_rng(2).random((4, 4))
    np.fill_diagonal(cost, 0)
    train, deploy = np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.4, 0.3, 0.0, 0.3])
    shifted = proba * deploy / train
    shifted /= shifted.sum(axis=1, keepdims=True)
    by_cost = ThresholdMover(
        FrozenEstimator(lr),
        "cost",
        cost_matrix=cost,
        train_priors=train,
        deploy_priors=deploy,
    ).fit(X, y)
    np.testing.assert_array_equal(
        by_cost.predict(X), classes[(shifted @ cost).argmin(1)]
    )


def test_float32_predict_proba_is_shifted_in_float64():
    X, y = _multiclass()
    model = _Float32LR().fit(X, y)
    train, deploy = np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.4, 0.3, 0.1, 0.2])
    expected = model.predict_proba(X).astype(np.float64) * deploy / train
    expected /= expected.sum(axis=1, keepdims=True)
    moved = ThresholdMover(
        FrozenEstimator(model), "argmax", train_priors=train, deploy_priors=deploy
    ).fit(X, y)
    got = moved.predict_proba(X)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-12)


def test_adjust_priors_exact_zero_and_one_probabilities():
    train, deploy = [0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.0, 0.3]
    proba = np.array([[1.0, 0, 0, 0], [0, 0.5, 0.5, 0]])
    before = proba.copy()
    np.testing.assert_allclose(
        adjust_priors(proba, train, deploy), [[1, 0, 0, 0], [0, 1, 0, 0]]
    )
    np.testing.assert_array_equal(proba, before)
    with pytest.raises(ValueError, match="small positive deploy prior"):
        adjust_priors(np.array([[0, 0, 1.0, 0]]), train, deploy)


def test_linear_svc_without_predict_proba_error_names_the_fix():
    X, y = _binary()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for strategy, kw in (
            ("prior", {}),
            ("argmax", {"deploy_priors": [0.5, 0.5]}),
            ("cost", {"cost_matrix": [[0, 1], [1, 0]]}),
        ):
            with pytest.raises(ValueError, match="CalibratedClassifierCV"):
                ThresholdMover(LinearSVC(), strategy, **kw).fit(X, y)
        with pytest.raises(ValueError, match="response_method='decision_function'"):
            ThresholdMover(LinearSVC(), "fixed", response_method="predict_proba").fit(
                X, y
            )
        fixed = ThresholdMover(LinearSVC(), "fixed").fit(X, y)
        theirs = FixedThresholdClassifier(LinearSVC()).fit(X, y)
        np.testing.assert_array_equal(fixed.predict(X), theirs.predict(X))


def test_tuned_binary_minus_one_plus_one_matches_sklearn_tuned():
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import TunedThresholdClassifierCV

    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.array([-1, 1])[(X[:, 1] + rng.normal(size=90) > 0.5).astype(int)]
    for pos_label in (-1, 1):
        scorer = make_scorer(f1_score, pos_label=pos_label)
        kw = dict(scoring=scorer, cv=3, thresholds=30)
        ours = ThresholdMover(
            LogisticRegression(), "tuned", pos_label=pos_label, **kw
        ).fit(X, y)
        theirs = TunedThresholdClassifierCV(LogisticRegression(), **kw).fit(X, y)
        assert ours.threshold_ == pytest.approx(theirs.best_threshold_)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_tuned_multiclass_predict_is_argmax_of_score_minus_threshold():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 90)]
    X[:, 0] += y == "a"
    tuned = ThresholdMover(LogisticRegression(), "tuned", cv=3, thresholds=10)
    tuned.fit(X, y)
    scores = tuned.estimator_.predict_proba(X) - tuned.threshold_
    np.testing.assert_array_equal(tuned.predict(X), tuned.classes_[scores.argmax(1)])
