"""Review 4 (regressions): the diff 3a73d41..HEAD.

Each test reproduces one bug in (or exposed by) the latest changes:
class_weight folded into the automatic training priors, Voting/Stacking
taking a bare sample_weight, and the tuned metrics on folds lacking a class.
Each fails on the reviewed code and passes once its bug is fixed.
"""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.utils.class_weight import compute_class_weight

from rebalance import (
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.metrics import g_mean_score

# scikit-learn >= 1.8: compute_class_weight takes sample_weight ('balanced'
# from the weighted counts) and looks a string class up as int(c).
needs_sklearn_1_8 = pytest.mark.skipif(
    tuple(int(p) for p in sklearn.__version__.split(".")[:2]) < (1, 8),
    reason="pins scikit-learn >= 1.8's class_weight rules",
)


def _data(n=300, rate=0.2, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None]
    return X, y


# --------------------------------------------------------------- bug 1


@needs_sklearn_1_8
def test_balanced_logistic_with_sample_weight_gets_uniform_train_priors():
    # scikit-learn >= 1.8 computes LogisticRegression's class_weight='balanced'
    # from the *weighted* class counts (compute_class_weight(...,
    # sample_weight=sample_weight)), so the model sits at uniform priors
    # whatever sample_weight is. with_class_weight divides the weighted priors
    # by the *unweighted* counts: train_priors_ = [0.25, 0.75] here, and
    # strategy='prior' moves an already balanced model a second time.
    X, y = _data()
    w = np.where(y == 1, 3.0, 1.0)
    moved = ThresholdMover(LogisticRegression(class_weight="balanced"), "prior")
    moved.fit(X, y, sample_weight=w)
    # Ground truth: the same model fitted with the equivalent sample_weight.
    factors = compute_class_weight(
        "balanced", classes=np.array([0, 1]), y=y, sample_weight=w
    )
    equivalent = ThresholdMover(LogisticRegression(), "prior").fit(
        X, y, sample_weight=w * factors[y]
    )
    np.testing.assert_allclose(
        moved.estimator_.predict_proba(X),
        equivalent.estimator_.predict_proba(X),
        atol=1e-6,
    )  # the same fitted model
    np.testing.assert_allclose(equivalent.train_priors_, [0.5, 0.5])
    np.testing.assert_allclose(moved.train_priors_, equivalent.train_priors_)
    np.testing.assert_array_equal(moved.predict(X), equivalent.predict(X))


@needs_sklearn_1_8
def test_resampled_priors_of_balanced_logistic_with_sample_weight():
    # The same rule in ResampledClassifier.resampled_priors_: after a 1:1
    # under-sampling, LogisticRegression(class_weight='balanced') fitted with
    # the resampled weights sits at uniform priors (its weighted mean
    # probability is 0.5), but resampled_priors_ is [0.25, 0.75].
    X, y = _data()
    w = np.where(y == 1, 3.0, 1.0)
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        LogisticRegression(class_weight="balanced"),
    ).fit(X, y, sample_weight=w)
    rows = model.sampler_.sample_indices_
    y_res, w_res = y[rows], w[rows]
    factors = compute_class_weight(
        "balanced", classes=np.array([0, 1]), y=y_res, sample_weight=w_res
    )
    seen = np.average(
        model.predict_proba(X[rows]), axis=0, weights=w_res * factors[y_res]
    )  # an intercept-fitted LR matches its (effective) weighted priors
    np.testing.assert_allclose(seen, [0.5, 0.5], atol=1e-3)
    np.testing.assert_allclose(model.resampled_priors_, seen, atol=1e-3)


# --------------------------------------------------------------- bug 2


def test_svc_probability_class_weight_is_calibrated_to_the_real_priors():
    # SVC(probability=True) calibrates its probabilities with Platt scaling
    # fitted on the unweighted labels: whatever class_weight is, its
    # predict_proba follows the real priors of y (as CalibratedClassifierCV,
    # scikit-learn's replacement for probability=True, which ThresholdMover
    # already leaves alone). with_class_weight reads the class_weight and
    # sets train_priors_ = [0.5, 0.5], so deploy_priors='train' now moves the
    # calibrated probabilities from 0.5 to 0.2 and predicts far fewer
    # positives (before this change train_priors_ were y's priors).
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # probability= in 1.9
        svc = SVC(probability=True, class_weight="balanced", random_state=0)
        moved = ThresholdMover(svc, "argmax", deploy_priors="train").fit(X, y)
        proba = moved.estimator_.predict_proba(X)
    # The model's own priors: its mean probability is y's prior (0.19).
    assert abs(proba[:, 1].mean() - y.mean()) < 0.02
    np.testing.assert_allclose(moved.train_priors_, [1 - y.mean(), y.mean()])


# --------------------------------------------------------------- bug 3


@needs_sklearn_1_8
def test_class_weight_int_keys_of_numeric_string_labels_are_read():
    # Labels read from a CSV are often the strings '0'/'1'. scikit-learn's
    # compute_class_weight looks a class up as int(c) when it can, so the
    # keys must be ints ({1: 4}; {'1': 4} is refused at fit), and the weight
    # IS applied. with_class_weight looks up '1' in {1: 4}, finds nothing and
    # silently uses factor 1: train_priors_ stay the raw priors of y.
    X, y = _data()
    labels = y.astype(str)
    moved = ThresholdMover(
        LogisticRegression(class_weight={0: 1.0, 1: 4.0}), "prior"
    ).fit(X, labels)
    # Ground truth: the same weights as sample_weight.
    equivalent = ThresholdMover(LogisticRegression(), "prior").fit(
        X, labels, sample_weight=np.where(y == 1, 4.0, 1.0)
    )
    np.testing.assert_allclose(
        moved.estimator_.predict_proba(X),
        equivalent.estimator_.predict_proba(X),
        atol=1e-6,
    )  # scikit-learn did apply the weights
    np.testing.assert_allclose(moved.train_priors_, equivalent.train_priors_)


# --------------------------------------------------------------- bug 4


def test_binary_one_vs_rest_of_a_balanced_model_gets_its_priors():
    # A binary OneVsRestClassifier fits ONE estimator: its predict_proba is
    # exactly LogisticRegression(class_weight='balanced')'s. The bare LR now
    # gets train_priors_ [0.5, 0.5]; wrapped in OvR the same model gets y's
    # raw priors, so strategy='prior' double-corrects it.
    X, y = _data()
    bare = ThresholdMover(LogisticRegression(class_weight="balanced"), "prior")
    wrapped = ThresholdMover(
        OneVsRestClassifier(LogisticRegression(class_weight="balanced")), "prior"
    )
    bare.fit(X, y)
    wrapped.fit(X, y)
    np.testing.assert_allclose(
        wrapped.estimator_.predict_proba(X), bare.estimator_.predict_proba(X)
    )  # the same model
    np.testing.assert_allclose(wrapped.train_priors_, bare.train_priors_)
    np.testing.assert_array_equal(wrapped.predict(X), bare.predict(X))


# --------------------------------------------------------------- bug 5


@pytest.mark.parametrize("wrap", ["ThresholdMover", "ResampledClassifier"])
@pytest.mark.parametrize("kind", ["voting", "stacking"])
def test_ensemble_with_a_member_without_sample_weight_still_takes_counts(wrap, kind):
    # _fit_takes now says every Voting/Stacking ensemble takes sample_weight,
    # but scikit-learn refuses it when one member's fit does not (KNN):
    # "Underlying estimator KNeighborsClassifier does not support sample
    # weights". Before this change the whole-number weights were applied as
    # repeated rows and the fit worked; now it raises.
    rng = np.random.default_rng(0)
    y = np.r_[[0] * 40, [1] * 20]
    X = rng.normal(size=(60, 2)) + y[:, None]
    counts = rng.integers(1, 3, 60).astype(float)
    members = [("knn", KNeighborsClassifier()), ("lr", LogisticRegression())]
    if kind == "voting":
        ensemble = VotingClassifier(members, voting="soft")
    else:
        ensemble = StackingClassifier(
            members, final_estimator=LogisticRegression(), cv=3
        )

    def make():
        if wrap == "ThresholdMover":
            return ThresholdMover(ensemble, "prior")
        return ResampledClassifier(RandomUnderSampler(random_state=0), ensemble)

    weighted = make().fit(X, y, sample_weight=counts)
    rows = np.repeat(np.arange(60), counts.astype(int))
    repeated = make().fit(X[rows], y[rows])
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))


# --------------------------------------------------------------- bug 6


def test_tuned_g_mean_by_name_equals_g_mean_score_when_a_class_weighs_zero():
    # The fast path now drops a class whose weight in the validation fold is
    # 0 ("present" is decided by the weighted count), so the fold scores TNR;
    # rebalance's own g_mean_score (the metric 'g_mean' stands for, and the
    # scorer make_scorer(g_mean_score)) keeps that class, whose rows are in
    # y_true, with recall 0: G-mean 0. By name and as a scorer they tune
    # different scores (before this change both gave 0).
    rng = np.random.default_rng(0)
    y = np.r_[[0] * 24, [1] * 6]
    X = rng.normal(size=(30, 2)) + y[:, None]
    w = np.ones(30)
    w[[24, 25]] = 0.0  # the two positives of the first validation fold
    first = np.r_[np.arange(0, 8), [24, 25]]
    second = np.r_[np.arange(8, 16), [26, 27]]
    third = np.r_[np.arange(16, 24), [28, 29]]
    everything = np.arange(30)
    cv = [(np.setdiff1d(everything, fold), fold) for fold in (first, second, third)]
    grid = np.linspace(0.05, 0.95, 19)
    by_name = ThresholdMover(
        LogisticRegression(), "tuned", scoring="g_mean", thresholds=grid, cv=cv
    ).fit(X, y, sample_weight=w)
    by_scorer = ThresholdMover(
        LogisticRegression(),
        "tuned",
        scoring=make_scorer(g_mean_score),
        thresholds=grid,
        cv=cv,
    ).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(
        by_name.cv_results_["scores"], by_scorer.cv_results_["scores"]
    )
