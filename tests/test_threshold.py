"""ThresholdMover: decision rules, prior correction, and their error messages."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, log_loss, make_scorer
from sklearn.model_selection import (
    FixedThresholdClassifier,
    KFold,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from rebalance import (
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.threshold import adjust_priors, em_priors, g_mean_score


class GaussianPosterior(ClassifierMixin, BaseEstimator):
    """Exact posteriors of 1-D classes N(means[c], 1) with the given priors."""

    def __init__(self, means=(0.0, 2.0), priors=(0.9, 0.1)):
        self.means = means
        self.priors = priors

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def log_joint(self, X):
        x = np.asarray(X, dtype=float)[:, :1]
        return -0.5 * (x - np.asarray(self.means)) ** 2 + np.log(self.priors)

    def predict_proba(self, X):
        log = self.log_joint(X)
        proba = np.exp(log - log.max(axis=1, keepdims=True))
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.log_joint(X).argmax(axis=1)]


class MustNotFit(GaussianPosterior):
    """Fails the test if fit is reached: errors must come first."""

    def fit(self, X, y, sample_weight=None):
        raise AssertionError("the estimator was fitted before the error was raised")


def _gaussians(n, priors, means=(0.0, 2.0), seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(priors), size=n, p=priors)
    X = (np.asarray(means)[y] + rng.normal(size=n))[:, None]
    return X, y


def _binary(n=600, seed=0):
    return make_classification(
        n_samples=n, weights=[0.9, 0.1], class_sep=0.8, random_state=seed
    )


def _away_from(x, boundary):
    return np.abs(x - boundary) > 1e-9


# ------------------------------------------------------------ decision theory


def test_prior_rule_equals_bayes_rule_at_balanced_priors():
    mu, true = 2.0, np.array([0.9, 0.1])
    X, y = _gaussians(5000, true)
    model = ThresholdMover(GaussianPosterior(priors=tuple(true))).fit(X, y)
    counts = np.bincount(y) / y.shape[0]
    np.testing.assert_allclose(model.train_priors_, counts)
    # p/(1-p) > n+/n-  <=>  x > mu/2 + (log(n+/n-) - log(pi1/pi0)) / mu
    boundary = mu / 2 + (np.log(counts[1] / counts[0]) - np.log(true[1] / true[0])) / mu
    x = X[:, 0]
    keep = _away_from(x, boundary)
    np.testing.assert_array_equal(model.predict(X)[keep], (x > boundary)[keep])


@pytest.mark.parametrize("cost", [[[0, 1], [5, 0]], [[1, 3], [8, 2]]])
def test_cost_rule_equals_bayes_rule(cost):
    mu, true = 2.0, np.array([0.9, 0.1])
    X, y = _gaussians(5000, true)
    model = ThresholdMover(
        GaussianPosterior(priors=tuple(true)), strategy="cost", cost_matrix=cost
    ).fit(X, y)
    (c00, c01), (c10, c11) = cost
    # positive when p1 (c10 - c11) > p0 (c01 - c00)
    odds = (c01 - c00) / (c10 - c11)
    boundary = mu / 2 + (np.log(odds) - np.log(true[1] / true[0])) / mu
    x = X[:, 0]
    keep = _away_from(x, boundary)
    np.testing.assert_array_equal(model.predict(X)[keep], (x > boundary)[keep])


def test_multiclass_prior_and_cost_rules_equal_bayes_rule():
    means, true = (0.0, 1.5, 3.0), np.array([0.7, 0.2, 0.1])
    X, y = _gaussians(3000, true, means)
    estimator = GaussianPosterior(means=means, priors=tuple(true))
    log_likelihood = -0.5 * (X - np.asarray(means)) ** 2

    zero_one = 1 - np.eye(3)
    cost = ThresholdMover(estimator, strategy="cost", cost_matrix=zero_one).fit(X, y)
    bayes = (log_likelihood + np.log(true)).argmax(axis=1)
    np.testing.assert_array_equal(cost.predict(X), bayes)

    prior = ThresholdMover(estimator, strategy="prior").fit(X, y)
    counts = np.bincount(y) / y.shape[0]
    balanced = (log_likelihood + np.log(true) - np.log(counts)).argmax(axis=1)
    np.testing.assert_array_equal(prior.predict(X), balanced)

    # a costly miss of class 2 moves decisions towards class 2 only
    costly = zero_one.copy()
    costly[2] = [10, 10, 0]
    shifted = ThresholdMover(estimator, strategy="cost", cost_matrix=costly).fit(X, y)
    moved = shifted.predict(X) != cost.predict(X)
    assert moved.any() and (shifted.predict(X)[moved] == 2).all()


def test_prior_correction_after_under_sampling_restores_the_true_priors():
    true = [0.9, 0.1]
    X, y = _gaussians(4000, true, seed=1)
    X_test, y_test = _gaussians(20000, true, seed=2)
    under = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(X, y)
    corrected = ThresholdMover(
        FrozenEstimator(under), strategy="argmax", deploy_priors="train"
    ).fit(X, y)
    raw = under.predict_proba(X_test)
    fixed = corrected.predict_proba(X_test)
    assert log_loss(y_test, fixed) < log_loss(y_test, raw) - 0.05
    assert fixed[:, 1].mean() == pytest.approx(0.1, abs=0.015)
    assert raw[:, 1].mean() > 0.2
    # the same through the sampler, an explicit array and ThresholdMover's own fit
    sampler = under.sampler_
    via_sampler = ThresholdMover(
        FrozenEstimator(under),
        "argmax",
        train_priors=FrozenEstimator(sampler),
        deploy_priors="train",
    )
    via_sampler = clone(via_sampler).fit(X, y)
    via_array = ThresholdMover(
        FrozenEstimator(under),
        "argmax",
        train_priors=np.array([0.5, 0.5]),
        deploy_priors=np.array(true),
    ).fit(X, y)
    refit = ThresholdMover(
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
        strategy="argmax",
        deploy_priors="train",
    ).fit(X, y)
    np.testing.assert_allclose(via_sampler.predict_proba(X_test), fixed)
    np.testing.assert_allclose(via_array.predict_proba(X_test), fixed, atol=0.02)
    np.testing.assert_allclose(refit.predict_proba(X_test), fixed)


def test_auto_train_priors_are_read_through_a_pipeline():
    X, y = _gaussians(400, [0.9, 0.1])
    pipe = make_pipeline(
        StandardScaler(),
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
    )
    model = ThresholdMover(pipe, "argmax", deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(model.train_priors_, [0.5, 0.5])


def test_em_recovers_a_shifted_deployment_prior():
    X, y = _gaussians(4000, [0.5, 0.5], seed=3)
    X_deploy, _ = _gaussians(20000, [0.8, 0.2], seed=4)
    model = LogisticRegression().fit(X, y)
    estimated = em_priors(model.predict_proba(X_deploy), np.bincount(y) / len(y))
    np.testing.assert_allclose(estimated, [0.8, 0.2], atol=0.02)
    mover = ThresholdMover(LogisticRegression(), "argmax", deploy_priors="em")
    proba = mover.fit(X, y).predict_proba(X_deploy)
    assert proba[:, 1].mean() == pytest.approx(0.2, abs=0.02)
    assert mover.deploy_priors_ is None


def test_adjust_priors_is_bayes_rule_at_new_priors():
    X, _ = _gaussians(100, [0.5, 0.5])
    at_train = GaussianPosterior(priors=(0.5, 0.5)).predict_proba(X)
    at_deploy = GaussianPosterior(priors=(0.9, 0.1)).predict_proba(X)
    moved = adjust_priors(at_train, np.array([0.5, 0.5]), np.array([0.9, 0.1]))
    np.testing.assert_allclose(moved, at_deploy)


# ----------------------------------------- same answers as scikit-learn


@pytest.mark.parametrize("threshold", [0.1, 0.5, 0.83])
@pytest.mark.parametrize("pos_label", [None, 0, 1])
def test_fixed_equals_fixed_threshold_classifier(threshold, pos_label):
    X, y = _binary()
    ours = ThresholdMover(
        LogisticRegression(), "fixed", threshold=threshold, pos_label=pos_label
    ).fit(X, y)
    theirs = FixedThresholdClassifier(
        LogisticRegression(), threshold=threshold, pos_label=pos_label
    ).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_fixed_on_decision_function_equals_fixed_threshold_classifier():
    X, y = _binary()
    ours = ThresholdMover(LinearSVC(), "fixed", threshold=-0.5).fit(X, y)
    theirs = FixedThresholdClassifier(LinearSVC(), threshold=-0.5).fit(X, y)
    assert ours.response_method_ == "decision_function"
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def _cv_score(X, y, cv, threshold, metric):
    scores = []
    for train, test in cv.split(X, y):
        model = LogisticRegression().fit(X[train], y[train])
        predicted = model.predict_proba(X[test])[:, 1] >= threshold
        scores.append(metric(y[test], predicted.astype(int)))
    return np.mean(scores)


@pytest.mark.parametrize(
    "scoring, metric", [("f1", f1_score), ("g_mean", g_mean_score)]
)
def test_tuned_binary_scores_as_well_as_tuned_threshold_classifier_cv(scoring, metric):
    X, y = _binary()
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    ours = ThresholdMover(
        LogisticRegression(), "tuned", scoring=scoring, cv=cv, thresholds=40
    )
    ours.fit(X, y)
    sk_scoring = make_scorer(metric)
    theirs = TunedThresholdClassifierCV(
        LogisticRegression(), scoring=sk_scoring, cv=cv, thresholds=40
    )
    theirs.fit(X, y)
    ours_score = _cv_score(X, y, cv, ours.threshold_, metric)
    theirs_score = _cv_score(X, y, cv, theirs.best_threshold_, metric)
    assert ours.best_score_ == pytest.approx(ours_score)
    assert ours_score >= theirs_score - 0.01
    assert ours.cv_results_["scores"].shape == (1, 40)


def test_tuned_any_scorer_gives_the_same_threshold_as_the_fast_path():
    X, y = _binary(n=300)
    fast = ThresholdMover(LogisticRegression(), "tuned", scoring="f1", thresholds=15)
    slow = ThresholdMover(
        LogisticRegression(), "tuned", scoring=make_scorer(f1_score), thresholds=15
    )
    assert fast.fit(X, y).threshold_ == slow.fit(X, y).threshold_
    np.testing.assert_allclose(fast.cv_results_["scores"], slow.cv_results_["scores"])


def test_tuned_multiclass_has_one_threshold_per_class():
    X, y = make_classification(
        n_samples=900,
        n_classes=3,
        n_informative=4,
        weights=[0.8, 0.15, 0.05],
        random_state=0,
    )
    X_fit, y_fit, X_test, y_test = X[:600], y[:600], X[600:], y[600:]
    tuned = ThresholdMover(
        LogisticRegression(), "tuned", scoring="balanced_accuracy"
    ).fit(X_fit, y_fit)
    assert tuned.threshold_.shape == (3,)
    assert tuned.best_score_.shape == (3,)
    np.testing.assert_allclose(tuned.best_score_, tuned.cv_results_["scores"].max(1))
    plain = LogisticRegression().fit(X_fit, y_fit)
    assert balanced_accuracy_score(
        y_test, tuned.predict(X_test)
    ) > balanced_accuracy_score(y_test, plain.predict(X_test))


def test_two_class_tuned_rule_is_the_binary_rule():
    X, y = _binary(n=300)
    model = ThresholdMover(LogisticRegression(), "tuned", thresholds=20).fit(X, y)
    p = model.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(model.predict(X), (p >= model.threshold_).astype(int))


# ------------------------------------------------------------- behaviour


def test_frozen_estimator_is_used_as_is_and_survives_clone():
    X, y = _binary(n=200)
    fitted = LogisticRegression().fit(X, y)
    coef = fitted.coef_.copy()
    model = ThresholdMover(FrozenEstimator(fitted), "fixed", threshold=0.3)
    copy = clone(model)
    copy.fit(X[:50], y[:50])
    assert copy.estimator_.estimator is fitted
    np.testing.assert_array_equal(fitted.coef_, coef)
    p = fitted.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(copy.predict(X), (p >= 0.3).astype(int))


def test_frozen_estimator_in_cross_validate():
    # A fitted classifier through clone: prefit=True lost it (NotFittedError).
    X, y = _binary(n=300)
    fitted = LogisticRegression().fit(X, y)
    coef = fitted.coef_.copy()
    moved = ThresholdMover(FrozenEstimator(fitted), "prior")
    results = cross_validate(
        moved, X, y, cv=3, return_estimator=True, error_score="raise"
    )
    for fold in results["estimator"]:
        assert fold.estimator_.estimator is fitted
    np.testing.assert_array_equal(fitted.coef_, coef)
    prefit = ThresholdMover(fitted, "prior", prefit=True)
    with pytest.warns(FutureWarning), pytest.raises(Exception, match="not fitted"):
        cross_validate(prefit, X, y, cv=3, error_score="raise")


def test_frozen_estimator_accepts_labels_with_fewer_classes():
    # As prefit did: the fitted classes rule, y may miss some of them.
    X, y = _gaussians(600, [0.5, 0.3, 0.2], means=(0.0, 2.0, 4.0))
    fitted = LogisticRegression().fit(X, y)
    keep = y < 2
    model = ThresholdMover(
        FrozenEstimator(fitted), "argmax", train_priors=[0.5, 0.3, 0.2]
    ).fit(X[keep], y[keep])
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    np.testing.assert_array_equal(model.predict(X), fitted.predict(X))


def test_frozen_tuned_thresholds_come_from_all_the_data():
    # The frozen model is not refitted per fold: cv must not change the result.
    X, y = _binary(n=400)
    fitted = LogisticRegression().fit(X, y)
    p = fitted.predict_proba(X)[:, 1]
    grid = np.linspace(0.05, 0.95, 19)
    models = [
        ThresholdMover(FrozenEstimator(fitted), "tuned", thresholds=grid, cv=cv).fit(
            X, y
        )
        for cv in (3, 5)
    ]
    expected = [balanced_accuracy_score(y, (p >= t).astype(int)) for t in grid]
    for model in models:
        np.testing.assert_allclose(model.cv_results_["scores"][0], expected)
        assert model.threshold_ == grid[int(np.argmax(expected))]


def test_prefit_is_deprecated_and_still_works():
    X, y = _binary(n=200)
    fitted = LogisticRegression().fit(X, y)
    coef = fitted.coef_.copy()
    model = ThresholdMover(fitted, "fixed", threshold=0.3, prefit=True)
    with pytest.warns(FutureWarning, match=r"FrozenEstimator\(clf\)"):
        model.fit(X[:50], y[:50])
    assert model.estimator_ is fitted
    np.testing.assert_array_equal(fitted.coef_, coef)
    frozen = ThresholdMover(FrozenEstimator(fitted), "fixed", threshold=0.3)
    frozen.fit(X[:50], y[:50])
    np.testing.assert_array_equal(model.predict(X), frozen.predict(X))


def test_frozen_and_prefit_need_a_fitted_estimator():
    X, y = _binary(n=200)
    with pytest.raises(Exception, match="FrozenEstimator.*not fitted"):
        ThresholdMover(FrozenEstimator(LogisticRegression())).fit(X, y)
    with pytest.warns(FutureWarning), pytest.raises(Exception, match="prefit=True"):
        ThresholdMover(LogisticRegression(), prefit=True).fit(X, y)


def test_string_labels_and_sample_weight():
    X, y = _binary(n=300)
    labels = np.array(["no", "yes"])[y]
    weights = np.where(y == 1, 3.0, 1.0)
    model = ThresholdMover(LogisticRegression(), "prior").fit(
        X, labels, sample_weight=weights
    )
    share = 3 * y.sum() / (3 * y.sum() + (1 - y).sum())
    np.testing.assert_allclose(model.train_priors_, [1 - share, share])
    assert set(model.predict(X)) <= {"no", "yes"}


def test_dict_priors_are_matched_by_class():
    X, y = _binary(n=300)
    by_dict = ThresholdMover(
        LogisticRegression(), "argmax", deploy_priors={1: 0.3, 0: 0.7}
    ).fit(X, y)
    np.testing.assert_allclose(by_dict.deploy_priors_, [0.7, 0.3])


def test_inputs_are_not_modified():
    X, y = _binary(n=200)
    weights = np.ones(len(y))
    before = X.copy(), y.copy(), weights.copy()
    ThresholdMover(LogisticRegression(), "tuned", thresholds=10).fit(
        X, y, sample_weight=weights
    )
    for after, original in zip((X, y, weights), before):
        np.testing.assert_array_equal(after, original)


# ------------------------------------------------------------- bad input


X_BAD, Y_BAD = _gaussians(60, [0.7, 0.3])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"strategy": "cost"}, "needs cost_matrix"),
        ({"strategy": "cost", "cost_matrix": np.ones((3, 3))}, r"shape \(3, 3\)"),
        ({"strategy": "cost", "cost_matrix": [[0, -1], [1, 0]]}, "non-negative"),
        ({"strategy": "cost", "cost_matrix": [[0, np.nan], [1, 0]]}, "NaN"),
        ({"strategy": "prior", "cost_matrix": [[0, 1], [1, 0]]}, "only used by"),
        ({"strategy": "fixed", "threshold": 1.5}, r"outside \[0, 1\]"),
        ({"strategy": "fixed", "threshold": -0.1}, r"outside \[0, 1\]"),
        ({"strategy": "prior", "threshold": 0.3}, "only used by strategy='fixed'"),
        ({"strategy": "tuned", "thresholds": [0.2, 1.2]}, r"outside \[0, 1\]"),
        ({"strategy": "tuned", "scoring": "roc_auc"}, "predicted labels"),
        ({"strategy": "fixed", "pos_label": 7}, "pos_label"),
        ({"strategy": "prior", "pos_label": 1}, "pos_label is only used"),
        ({"deploy_priors": [0.5, 0.6]}, "sums to 1.1"),
        ({"deploy_priors": [0.2, 0.3, 0.5]}, "one prior per class"),
        ({"deploy_priors": [1.5, -0.5]}, "non-negative"),
        ({"train_priors": [1.0, 0.0]}, "zero prior"),
        ({"train_priors": [0.5, 0.2]}, "sums to 0.7"),
        ({"deploy_priors": {0: 0.5, 2: 0.5}}, "one prior per class"),
        ({"train_priors": RandomUnderSampler()}, "fit_resample"),
        ({"train_priors": LogisticRegression()}, "resampled_priors_"),
    ],
)
def test_bad_parameters_fail_before_fitting(params, match):
    with pytest.raises(ValueError, match=match):
        ThresholdMover(MustNotFit(), **params).fit(X_BAD, Y_BAD)


def test_multiclass_fixed_threshold_is_an_error():
    X, y = _gaussians(60, [0.4, 0.3, 0.3], means=(0, 1, 2))
    with pytest.raises(ValueError, match="binary"):
        ThresholdMover(MustNotFit(), "fixed", threshold=0.4).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"strategy": "prior"}, "strategy='prior' needs class probabilities"),
        ({"strategy": "cost", "cost_matrix": [[0, 1], [1, 0]]}, "strategy='cost'"),
        ({"strategy": "fixed", "deploy_priors": "train"}, "deploy_priors='train'"),
        ({"response_method": "predict_proba"}, "has no predict_proba"),
    ],
)
def test_probability_strategies_need_predict_proba(params, match):
    with pytest.raises(ValueError, match=match):
        ThresholdMover(LinearSVC(), **params).fit(X_BAD, Y_BAD)


def test_class_mismatches_are_errors():
    fitted = LogisticRegression().fit(X_BAD, Y_BAD)
    other_labels = np.where(Y_BAD == 1, 2, 0)
    with pytest.raises(ValueError, match=r"classes \[2\]"):
        ThresholdMover(FrozenEstimator(fitted)).fit(X_BAD, other_labels)
    three = np.arange(len(Y_BAD)) % 3
    resampled = ResampledClassifier(RandomUnderSampler(), LogisticRegression())
    resampled.fit(X_BAD, three)
    with pytest.raises(ValueError, match="train_priors has classes"):
        ThresholdMover(MustNotFit(), train_priors=resampled).fit(X_BAD, Y_BAD)
    sampler = RandomUnderSampler()
    sampler.fit_resample(np.zeros((200, 1)), np.arange(200) % 2)
    with pytest.raises(ValueError, match="same y"):
        ThresholdMover(MustNotFit(), train_priors=sampler).fit(X_BAD, Y_BAD)


def test_bad_labels_are_errors():
    with pytest.raises(ValueError, match="one class"):
        ThresholdMover(MustNotFit()).fit(X_BAD, np.zeros(len(Y_BAD)))
    with pytest.raises(ValueError, match="one-hot"):
        ThresholdMover(MustNotFit()).fit(X_BAD, np.eye(2)[Y_BAD])


class _DrawnRows:
    """A fitted sampler stand-in: ``sample_indices_`` are the rows it drew."""

    def __init__(self, rows):
        self.sample_indices_ = np.asarray(rows)

    def fit_resample(self, X, y):
        return X, y


def test_sampler_train_priors_are_resolved_before_fitting():
    # the sampler drew no row of class 1: its priors have a zero, found before
    # the estimator is fitted
    sampler = _DrawnRows(np.flatnonzero(Y_BAD == 0))
    with pytest.raises(ValueError, match="train_priors has a zero prior"):
        ThresholdMover(MustNotFit(), train_priors=sampler).fit(X_BAD, Y_BAD)


def test_sampler_train_priors_are_the_priors_of_the_drawn_rows():
    rows = np.concatenate([np.flatnonzero(Y_BAD == 0)[:10], np.flatnonzero(Y_BAD)])
    mover = ThresholdMover(GaussianPosterior(), train_priors=_DrawnRows(rows))
    n_pos = int(Y_BAD.sum())
    expected = np.array([10, n_pos]) / (10 + n_pos)
    np.testing.assert_allclose(mover.fit(X_BAD, Y_BAD).train_priors_, expected)


def test_each_strategy_stores_what_it_checked():
    X, y = _binary(200)
    fixed = ThresholdMover(LinearSVC(), "fixed").fit(X, y)
    assert type(fixed.threshold_) is float and fixed.threshold_ == 0.0
    cost = ThresholdMover(
        LogisticRegression(), "cost", cost_matrix=[[0, 1], [4, 0]]
    ).fit(X, y)
    assert cost.cost_matrix_.dtype == np.float64
    np.testing.assert_array_equal(cost.cost_matrix_, [[0, 1], [4, 0]])
    grid = [0.7, 0.1, 0.4]
    tuned = ThresholdMover(LogisticRegression(), "tuned", thresholds=grid).fit(X, y)
    np.testing.assert_array_equal(tuned.cv_results_["thresholds"], [sorted(grid)])
    assert tuned.threshold_ in grid and type(tuned.threshold_) is float


def test_refit_with_another_strategy_drops_the_old_rule():
    X, y = _binary(200)
    mover = ThresholdMover(LogisticRegression(), "tuned", thresholds=5).fit(X, y)
    assert hasattr(mover, "threshold_") and hasattr(mover, "cv_results_")
    mover.set_params(strategy="cost", thresholds=100, cost_matrix=[[0, 1], [2, 0]])
    mover.fit(X, y)
    for stale in ("threshold_", "best_score_", "cv_results_"):
        assert not hasattr(mover, stale), stale
    assert hasattr(mover, "cost_matrix_")


def test_tuned_fold_without_a_class_is_a_clear_error():
    # unshuffled KFold on sorted labels: a fold trains without class 2, so its
    # score columns would not be the classes' columns
    X, y = _gaussians(90, [1 / 3, 1 / 3, 1 / 3], means=(0, 1, 2))
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    mover = ThresholdMover(LogisticRegression(), "tuned", cv=KFold(3))
    with pytest.raises(ValueError, match="fold 0 training rows without the classes"):
        mover.fit(X, y)
