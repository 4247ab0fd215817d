"""Review 150, area sklearn10: rebalance inside scikit-learn 1.9's newer tools.

Probed by hand (scripts, then kept the pins below), each result compared with
the same imbalanced-learn pipeline built by hand or with the priors worked out
by hand: ``TunedThresholdClassifierCV`` / ``FixedThresholdClassifier`` around
``ResampledClassifier``, around an imblearn Pipeline with a rebalance sampler,
around a ``FrozenEstimator`` and around a ThresholdMover with
``deploy_priors``; ``CalibratedClassifierCV(ResampledClassifier(...))`` (cv=3,
``ensemble=False``, ``FrozenEstimator``, ``method='temperature'``, with
``sample_weight``) and a ThresholdMover after each (``train_priors='auto'``);
string labels through ``FixedThresholdClassifier(pos_label=...)``;
``sample_weight`` with and without metadata routing (repeated rows, a clear
TypeError for fractional weights); ``cross_validate(return_indices=True,
return_estimator=True)``; ``permutation_importance`` and
``partial_dependence`` on ResampledClassifier and ThresholdMover; soft/hard
``VotingClassifier`` and ``StackingClassifier`` of ResampledClassifiers with
different samplers; ``estimator_html_repr``; ``set_params(
sampler__sampling_strategy=...)`` then refit (valid and invalid values);
``learning_curve``, ``validation_curve`` over ``sampler__sampling_strategy``;
``HalvingGridSearchCV(resource='n_samples')`` and another resource.

Found: no bug. The priors ``train_priors='auto'`` reads see through the
threshold wrappers (the resampled priors) and through a sigmoid/isotonic
calibration (the, weighted, priors of ``y``, as the calibrator maps to them);
temperature calibration of a resampled classifier and a soft vote of members
at different priors are refused with a ValueError asking for
``train_priors``. Refusals of a hard ``VotingClassifier`` and of a
``StackingClassifier`` without ``final_estimator`` (no ``predict_proba``
before fit) are scikit-learn's own, identical in its threshold classifiers.
"""

import warnings

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.ensemble import VotingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    FixedThresholdClassifier,
    HalvingGridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_validate,
)

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

X, Y = make_classification(300, n_features=5, weights=[0.8, 0.2], random_state=0)
Y_PRIORS = np.bincount(Y) / len(Y)


def _rc(sampler=None):
    return ResampledClassifier(
        sampler or RandomUnderSampler(random_state=0), LogisticRegression()
    )


def _pipe():
    return make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: FixedThresholdClassifier(_rc(), threshold=0.3), [0.5, 0.5]),
        (lambda: TunedThresholdClassifierCV(_rc(), cv=3), [0.5, 0.5]),
        (lambda: TunedThresholdClassifierCV(_pipe(), cv=3), [0.5, 0.5]),
        (
            lambda: FixedThresholdClassifier(
                ThresholdMover(_rc(), deploy_priors=[0.3, 0.7])
            ),
            [0.3, 0.7],
        ),
        # A sigmoid calibration maps the resampled scores back to y's priors.
        (lambda: CalibratedClassifierCV(_rc(), cv=3), Y_PRIORS),
        (lambda: FixedThresholdClassifier(CalibratedClassifierCV(_rc())), Y_PRIORS),
        (
            lambda: CalibratedClassifierCV(FrozenEstimator(_rc().fit(X, Y))),
            Y_PRIORS,
        ),
    ],
)
def test_auto_train_priors_through_sklearn_wrappers(make, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        mover = ThresholdMover(make(), strategy="prior", deploy_priors="train")
        mover.fit(X, Y)
    np.testing.assert_allclose(mover.train_priors_, expected)
    np.testing.assert_array_equal(mover.classes_, [0, 1])


def test_calibration_weighted_priors_and_temperature_refused():
    w = np.where(Y == 1, 2.0, 1.0)
    mover = ThresholdMover(
        CalibratedClassifierCV(_rc(), cv=3), strategy="prior", deploy_priors="train"
    ).fit(X, Y, sample_weight=w)
    np.testing.assert_allclose(mover.train_priors_, np.bincount(Y, w) / w.sum())
    temp = CalibratedClassifierCV(_rc(), cv=3, method="temperature")
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(temp, strategy="prior").fit(X, Y)


def test_cross_validate_estimators_match_hand_built_pipeline():
    res = cross_validate(
        _rc(),
        X,
        Y,
        cv=StratifiedKFold(3),
        return_indices=True,
        return_estimator=True,
    )
    folds = zip(res["estimator"], res["indices"]["train"], res["indices"]["test"])
    for est, train, test in folds:
        hand = _pipe().fit(X[train], Y[train])
        np.testing.assert_allclose(
            est.predict_proba(X[test]), hand.predict_proba(X[test])
        )


def test_inspection_matches_hand_built_pipeline():
    model, hand = _rc().fit(X, Y), _pipe().fit(X, Y)
    pd_model = partial_dependence(model, X, [0], grid_resolution=10)
    pd_hand = partial_dependence(hand, X, [0], grid_resolution=10)
    np.testing.assert_allclose(pd_model["average"], pd_hand["average"])
    pi_model = permutation_importance(model, X, Y, n_repeats=2, random_state=0)
    pi_hand = permutation_importance(hand, X, Y, n_repeats=2, random_state=0)
    np.testing.assert_allclose(pi_model.importances, pi_hand.importances)


def test_soft_vote_of_members_at_different_priors_is_refused():
    same = VotingClassifier(
        [("u", _rc()), ("o", _rc(RandomOverSampler(random_state=0)))], voting="soft"
    )
    mover = ThresholdMover(same, strategy="prior", deploy_priors="train").fit(X, Y)
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5])
    differ = VotingClassifier(
        [
            ("u", _rc()),
            ("o", _rc(RandomOverSampler(sampling_strategy=0.5, random_state=0))),
        ],
        voting="soft",
    )
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(differ, strategy="prior").fit(X, Y)


def test_set_params_refit_and_halving_over_n_samples():
    model = _rc().set_params(sampler__sampling_strategy=0.5).fit(X, Y)
    np.testing.assert_allclose(model.resampled_priors_, [2 / 3, 1 / 3])
    search = HalvingGridSearchCV(
        ThresholdMover(_rc(), strategy="prior", deploy_priors="train"),
        {"estimator__sampler__sampling_strategy": [0.5, 1.0]},
        resource="n_samples",
        min_resources=60,
        cv=3,
        random_state=0,
        scoring="balanced_accuracy",
        error_score="raise",
    ).fit(X, Y)
    best = search.best_estimator_
    ratio = best.get_params()["estimator__sampler__sampling_strategy"]
    expected = [1 / (1 + ratio), ratio / (1 + ratio)]
    np.testing.assert_allclose(best.train_priors_, expected)
    np.testing.assert_allclose(best.deploy_priors_, Y_PRIORS)
