"""Review 69 (ensembles): rebalance's meta-estimators inside scikit-learn's
compositions, each checked against the same computation written by hand or
against scikit-learn's own peer estimator (same seeds, same grids)."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_val_predict,
    cross_val_score,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import ClassifierChain

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _binary(n=90, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    X = rng.normal(size=(n, 3))
    X[:, 0] += 1.5 * y
    return X, y, rng.uniform(0.2, 1.2, n)


def _resampled(sampler, seed=0):
    return ResampledClassifier(sampler(random_state=seed), LogisticRegression())


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_soft_voting_of_resampled_classifiers_on_reversed_string_labels(sampler):
    # "z" is the minority class, sorted last: columns must follow classes_.
    X, y, weights = _binary()
    labels = np.where(y == 1, "a", "z")
    member = _resampled(sampler)
    vote = VotingClassifier(
        [("m", member), ("lr", LogisticRegression())], voting="soft"
    )
    vote.fit(X, labels, sample_weight=weights)
    drawn = sampler(random_state=0)
    Xr, yr = drawn.fit_resample(X, labels)
    hand = LogisticRegression().fit(
        Xr, yr, sample_weight=weights[drawn.sample_indices_]
    )
    plain = LogisticRegression().fit(X, labels, sample_weight=weights)
    assert list(vote.classes_) == ["a", "z"]
    np.testing.assert_allclose(
        vote.predict_proba(X),
        (hand.predict_proba(X) + plain.predict_proba(X)) / 2,
        rtol=1e-6,
    )


@pytest.mark.parametrize("labels", ["str", "bool"])
@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize(
    "response, threshold", [("predict_proba", 0.3), ("decision_function", -0.5)]
)
def test_fixed_threshold_matches_scikit_learns_fixed_threshold(
    labels, first, response, threshold
):
    X, y, _ = _binary()
    target = np.where(y == 1, "pos", "neg") if labels == "str" else y.astype(bool)
    pos_label = np.unique(target)[0 if first else 1]
    ours = ThresholdMover(
        LogisticRegression(),
        "fixed",
        threshold=threshold,
        pos_label=pos_label,
        response_method=response,
    ).fit(X, target)
    peer = FixedThresholdClassifier(
        LogisticRegression(),
        threshold=threshold,
        pos_label=pos_label,
        response_method=response,
    ).fit(X, target)
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))


def test_tuned_threshold_matches_scikit_learns_tuned_threshold_weighted():
    # Same candidate grid, same folds, weights routed to fit and scorer.
    X, y, weights = _binary(n=150, seed=3)
    target = np.where(y == 1, "pos", "neg")
    grid = np.linspace(0.05, 0.95, 19)
    cv = StratifiedKFold(3)
    with sklearn.config_context(enable_metadata_routing=True):
        model = LogisticRegression().set_fit_request(sample_weight=True)
        ours = ThresholdMover(model, "tuned", cv=cv, thresholds=grid)
        ours.set_fit_request(sample_weight=True).fit(X, target, sample_weight=weights)
        scorer = get_scorer("balanced_accuracy").set_score_request(sample_weight=True)
        peer = TunedThresholdClassifierCV(model, scoring=scorer, cv=cv, thresholds=grid)
        peer.fit(X, target, sample_weight=weights)
    assert ours.threshold_ == pytest.approx(peer.best_threshold_)
    assert ours.best_score_ == pytest.approx(peer.best_score_)
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))


def test_stacking_with_passthrough_matches_the_hand_built_stack():
    X, y, _ = _binary()
    member = ThresholdMover(
        _resampled(RandomUnderSampler), "argmax", deploy_priors="train"
    )
    target = np.where(y == 1, "yes", "no")
    stack = StackingClassifier(
        [("m", member)], LogisticRegression(), cv=3, passthrough=True
    ).fit(X, target)
    folds = cross_val_predict(member, X, target, cv=3, method="predict_proba")
    final = LogisticRegression().fit(np.hstack([folds[:, 1:], X]), target)
    full = clone(member).fit(X, target).predict_proba(X)[:, 1:]
    np.testing.assert_allclose(
        stack.predict_proba(X),
        final.predict_proba(np.hstack([full, X])),
        rtol=1e-6,
    )


def test_categorical_target_with_unsorted_categories_keeps_sorted_classes():
    # scikit-learn sorts a categorical target's values, not its categories.
    X, y, _ = _binary()
    target = pd.Series(
        pd.Categorical(np.where(y == 1, "a", "b"), categories=["b", "a"])
    )
    plain = LogisticRegression().fit(X, target)
    for model in [
        ThresholdMover(LogisticRegression()),
        ThresholdMover(LogisticRegression(), "fixed", threshold=0.3),
        _resampled(RandomUnderSampler),
    ]:
        fitted = model.fit(X, target)
        assert list(fitted.classes_) == list(plain.classes_) == ["a", "b"]
    drawn = RandomUnderSampler(random_state=0)
    Xr, yr = drawn.fit_resample(X, target)
    np.testing.assert_allclose(
        fitted.predict_proba(X), LogisticRegression().fit(Xr, yr).predict_proba(X)
    )


def test_cost_matrix_frame_in_any_label_order_equals_the_array():
    rng = np.random.default_rng(4)
    target = np.array(["z", "m", "a"])[rng.integers(0, 3, 120)]
    X = rng.normal(size=(120, 3)) + (target == "m")[:, None]
    cost = np.array([[0, 1, 1], [10, 0, 1], [1, 1, 0]], float)  # a, m, z
    frame = pd.DataFrame(cost, index=list("amz"), columns=list("amz"))
    frame = frame.loc[["z", "a", "m"], ["m", "z", "a"]]
    by_array = ThresholdMover(LogisticRegression(), "cost", cost_matrix=cost)
    by_frame = ThresholdMover(LogisticRegression(), "cost", cost_matrix=frame)
    proba = LogisticRegression().fit(X, target).predict_proba(X)
    expected = np.array(["a", "m", "z"])[(proba @ cost).argmin(axis=1)]
    np.testing.assert_array_equal(by_array.fit(X, target).predict(X), expected)
    np.testing.assert_array_equal(by_frame.fit(X, target).predict(X), expected)


@pytest.mark.parametrize("sampler", [RandomUnderSampler, LabelShuffleSampler])
def test_cross_val_predict_decision_function_is_the_folds_by_hand(sampler):
    X, y, _ = _binary()
    model = ThresholdMover(_resampled(sampler), "argmax", deploy_priors="train")
    cv = StratifiedKFold(3)
    scores = cross_val_predict(model, X, y, cv=cv, method="decision_function")
    hand = np.zeros(y.size)
    for train, test in cv.split(X, y):
        hand[test] = clone(model).fit(X[train], y[train]).decision_function(X[test])
    np.testing.assert_allclose(scores, hand)


def test_grid_search_refit_callable_with_several_scorers_refits_nested_params():
    X, y, _ = _binary()
    target = np.where(y == 1, "pos", "neg")
    model = ThresholdMover(_resampled(RandomUnderSampler), "fixed")
    grid = {"estimator__sampler__random_state": [1], "threshold": [0.3, 0.6]}
    search = GridSearchCV(
        model,
        grid,
        cv=2,
        scoring=["balanced_accuracy", "recall_macro"],
        refit=lambda results: int(np.argmax(results["mean_test_recall_macro"])),
    ).fit(X, target)
    hand = clone(model).set_params(**search.best_params_).fit(X, target)
    np.testing.assert_array_equal(search.predict(X), hand.predict(X))
    np.testing.assert_allclose(search.predict_proba(X), hand.predict_proba(X))


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_same_seed_same_model_other_seed_other_draw(sampler):
    X, y, _ = _binary()
    one = _resampled(sampler, seed=3).fit(X, y)
    again = clone(_resampled(sampler, seed=3)).fit(X, y)
    other = _resampled(sampler, seed=4).fit(X, y)
    np.testing.assert_allclose(one.predict_proba(X), again.predict_proba(X))
    assert not np.array_equal(
        one.sampler_.sample_indices_, other.sampler_.sample_indices_
    )


def test_classifier_chain_of_threshold_movers_is_the_chain_by_hand():
    X, y, _ = _binary()
    Y = np.column_stack([y, (X[:, 1] > 0.5).astype(int)])
    link = ThresholdMover(LogisticRegression(), "fixed", threshold=0.2)
    chain = ClassifierChain(link, order=[0, 1]).fit(X, Y)
    first = clone(link).fit(X, Y[:, 0])
    second = clone(link).fit(np.column_stack([X, Y[:, 0]]), Y[:, 1])
    expected = np.column_stack(
        [first.predict(X), second.predict(np.column_stack([X, first.predict(X)]))]
    )
    np.testing.assert_array_equal(chain.predict(X), expected)


def test_tuning_folds_made_for_other_rows_name_cv_inside_an_outer_cv():
    X, y, _ = _binary()
    folds = list(StratifiedKFold(3).split(X, y))
    model = ThresholdMover(LogisticRegression(), "tuned", cv=folds, thresholds=10)
    with pytest.raises(ValueError, match="cv gave fold 0 the training row"):
        cross_val_score(model, X, y, cv=3, error_score="raise")


def test_decision_function_doc_warns_that_one_vs_rest_ignores_the_rule():
    # OneVsRestClassifier ranks its members by decision_function, which a
    # ThresholdMover leaves unchanged (as FixedThresholdClassifier does): the
    # threshold has no effect there, and the docstring must say so.
    X, y, _ = _binary()
    moved = OneVsRestClassifier(
        ThresholdMover(LogisticRegression(), "fixed", threshold=0.2)
    ).fit(X, y)
    plain = OneVsRestClassifier(LogisticRegression()).fit(X, y)
    np.testing.assert_array_equal(moved.predict(X), plain.predict(X))
    doc = ThresholdMover.decision_function.__doc__
    assert "OneVsRestClassifier" in doc and "CalibratedClassifierCV" in doc
