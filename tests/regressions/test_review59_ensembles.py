"""Review 59 (ensembles): rebalance's estimators inside scikit-learn and
imbalanced-learn ensembles and meta-estimators, checked against the same
computation written by hand (same seeds)."""

import numpy as np
import pytest
from imblearn.ensemble import BalancedBaggingClassifier
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance._priors import class_priors, class_weight_sums


def _three_classes():
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 20 + [2] * 10)
    X = rng.normal(size=(y.size, 3)) + y[:, None]
    return X, y, rng.uniform(0.5, 2.0, y.size)


def _undersampled(classifier=None):
    return ResampledClassifier(
        RandomUnderSampler(random_state=0), classifier or LogisticRegression()
    )


def _tiny_minority():
    rng = np.random.default_rng(0)
    y = np.array([0] * 40 + [1] * 3)
    return rng.normal(size=(y.size, 2)) + y[:, None], y


# --- known item 1: a bootstrap's counts of 0 on every drawn row of a class


def test_bagging_bootstrap_that_leaves_a_class_no_weight_names_the_fixes():
    X, y = _tiny_minority()
    bagging = BaggingClassifier(_undersampled(), n_estimators=2, random_state=6)
    with pytest.raises(ValueError, match="of the class 0") as error:
        bagging.fit(X, y)
    message = str(error.value)
    assert "BaggingClassifier's bootstrap counts" in message
    assert "RandomOverSampler" in message
    assert "sampling_strategy=0.5" in message


@pytest.mark.parametrize(
    "sampler",
    [
        RandomOverSampler(random_state=0),
        RandomUnderSampler(sampling_strategy=0.5, random_state=0),
    ],
)
def test_the_fixes_the_bootstrap_message_names_fit_the_same_bagging(sampler):
    X, y = _tiny_minority()
    model = ResampledClassifier(sampler, LogisticRegression())
    BaggingClassifier(model, n_estimators=2, random_state=6).fit(X, y)


def test_weights_that_are_not_counts_get_no_bootstrap_hint():
    X, y = _tiny_minority()
    weights = np.full(y.size, 0.5)
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, y)
    kept = sampler.sample_indices_
    weights[kept[y[kept] == 0]] = 0.0
    with pytest.raises(ValueError, match="of the class 0") as error:
        _undersampled().fit(X, y, sample_weight=weights)
    assert "bootstrap" not in str(error.value)


def test_bagging_members_match_their_hand_fit_on_the_bootstrap_counts():
    X, y, _ = _three_classes()
    bagging = BaggingClassifier(_undersampled(), n_estimators=2, random_state=1)
    bagging.fit(X, y)
    for member, rows in zip(bagging.estimators_, bagging.estimators_samples_):
        counts = np.bincount(rows, minlength=y.size)
        drawn = member.sampler_.sample_indices_
        by_hand = LogisticRegression().fit(
            X[drawn], y[drawn], sample_weight=counts[drawn]
        )
        np.testing.assert_allclose(member.classifier_.coef_, by_hand.coef_)
        np.testing.assert_allclose(
            member.resampled_priors_, class_priors(y[drawn], [0, 1, 2], counts[drawn])
        )


# --- known item 2: one per-class weight sum for the priors and the checks


def test_class_weight_sums_are_what_class_priors_normalise():
    y = np.array(["b", "a", "b", "c"])
    weights = np.array([1e308, 2e307, 1e308, 0.0])
    labels, sums = class_weight_sums(y, weights)
    assert labels.classes.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(sums, [0.2, 2.0, 0.0])
    np.testing.assert_allclose(
        class_priors(y, np.array(["a", "b", "c"]), weights), sums / sums.sum()
    )
    np.testing.assert_array_equal(class_weight_sums(y)[1], [1.0, 2.0, 1.0])


# --- known item 3: a Pipeline step's weights and deploy_priors='train'


def test_deploy_priors_train_is_weighted_by_a_pipeline_steps_weights():
    X, y, weights = _three_classes()
    pipe = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression())])
    mover = ThresholdMover(pipe, deploy_priors="train")
    mover.fit(X, y, lr__sample_weight=weights)
    weighted = class_priors(y, np.array([0, 1, 2]), weights)
    np.testing.assert_allclose(mover.train_priors_, weighted)
    np.testing.assert_allclose(mover.deploy_priors_, weighted)
    # The same weights as sample_weight, to the classifier alone: the same.
    scaled = StandardScaler().fit_transform(X)
    direct = ThresholdMover(LogisticRegression(), deploy_priors="train")
    direct.fit(scaled, y, sample_weight=weights)
    np.testing.assert_allclose(mover.deploy_priors_, direct.deploy_priors_)
    np.testing.assert_allclose(
        mover.predict_proba(X), direct.predict_proba(scaled), rtol=1e-6
    )


def test_deploy_priors_train_is_weighted_through_a_resampled_pipeline():
    X, y, weights = _three_classes()
    pipe = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression())])
    mover = ThresholdMover(
        ResampledClassifier(RandomUnderSampler(random_state=0), pipe),
        deploy_priors="train",
    )
    mover.fit(X, y, lr__sample_weight=weights)
    drawn = mover.estimator_.sampler_.sample_indices_
    classes = np.array([0, 1, 2])
    np.testing.assert_allclose(
        mover.train_priors_, class_priors(y[drawn], classes, weights[drawn])
    )
    np.testing.assert_allclose(mover.deploy_priors_, class_priors(y, classes, weights))


# --- ensembles and meta-estimators, against the hand computation


def test_balanced_bagging_with_a_rebalance_sampler_fits_each_bootstrap_draw():
    X, y, _ = _three_classes()
    bagging = BalancedBaggingClassifier(
        estimator=LogisticRegression(),
        sampler=RandomUnderSampler(random_state=0),
        n_estimators=2,
        random_state=2,
    ).fit(X, y)
    for member, rows in zip(bagging.estimators_, bagging.estimators_samples_):
        drawn = member.steps[0][1].sample_indices_
        by_hand = LogisticRegression().fit(X[rows][drawn], y[rows][drawn])
        np.testing.assert_allclose(member.steps[-1][1].coef_, by_hand.coef_)


def test_stacking_and_soft_voting_pass_sample_weight_to_each_member():
    X, y, weights = _three_classes()
    members = [
        ("resampled", _undersampled()),
        ("moved", ThresholdMover(LogisticRegression(), deploy_priors=[0.5, 0.3, 0.2])),
    ]
    resampled = _undersampled().fit(X, y, sample_weight=weights)
    moved = ThresholdMover(LogisticRegression(), deploy_priors=[0.5, 0.3, 0.2])
    moved.fit(X, y, sample_weight=weights)
    voting = VotingClassifier(members, voting="soft").fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(
        voting.predict_proba(X),
        (resampled.predict_proba(X) + moved.predict_proba(X)) / 2,
    )
    stacking = StackingClassifier(members, cv=2).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(
        stacking.estimators_[0].predict_proba(X), resampled.predict_proba(X)
    )
    np.testing.assert_allclose(
        stacking.estimators_[1].predict_proba(X), moved.predict_proba(X)
    )


def test_one_vs_rest_resamples_each_binary_problem():
    X, y, _ = _three_classes()
    ovr = OneVsRestClassifier(_undersampled()).fit(X, y)
    for label, member in enumerate(ovr.estimators_):
        binary = (y == label).astype(int)
        drawn = member.sampler_.sample_indices_
        by_hand = LogisticRegression().fit(X[drawn], binary[drawn])
        np.testing.assert_allclose(member.classifier_.coef_, by_hand.coef_)


def test_cross_val_predict_proba_with_weights_matches_the_folds_by_hand():
    X, y, weights = _three_classes()
    labels = np.array(["c", "a", "b"])[y]
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    model = ThresholdMover(_undersampled(), deploy_priors="train")
    got = cross_val_predict(
        model,
        X,
        labels,
        cv=cv,
        method="predict_proba",
        params={"sample_weight": weights},
    )
    expected = np.zeros_like(got)
    for train, test in cv.split(X, labels):
        fitted = ThresholdMover(_undersampled(), deploy_priors="train").fit(
            X[train], labels[train], sample_weight=weights[train]
        )
        expected[test] = fitted.predict_proba(X[test])
    np.testing.assert_allclose(got, expected)
