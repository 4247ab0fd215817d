"""Review 137 (ensembles3): rebalance's samplers and meta-estimators inside
imbalanced-learn's ensembles and scikit-learn's meta-estimators.

Reviewed, each with a recording classifier that keeps the rows, labels and
weights it was fitted on (row ids in column 0 of X):
``BalancedBaggingClassifier(sampler=<ours>)`` for every sampler (rows per
member, a different draw per member, the whole repeatable from the seed,
``n_jobs=2`` with loky equal to ``n_jobs=1`` (checked by hand: loky's
start alone takes about 3 s on the review machine, over a test's budget, so
it is not pinned), ``warm_start``, ``oob_score``,
DataFrame input with string labels, pickling), ``EasyEnsembleClassifier`` and
``RUSBoostClassifier`` around a ``ResampledClassifier`` (both, like
``BalancedRandomForestClassifier``, take no ``sampler=``: imbalanced-learn
refuses it with a ``TypeError``), scikit-learn's ``BaggingClassifier`` over a
``ResampledClassifier`` and over an imblearn ``Pipeline`` (with and without
``sample_weight``, ``max_features``), soft ``VotingClassifier`` and
``StackingClassifier`` (string labels, weights), ``OneVsRestClassifier``,
``OneVsOneClassifier``, ``MultiOutputClassifier``, ``ClassifierChain``,
``CalibratedClassifierCV`` of ``ResampledClassifier`` and ``ThresholdMover``,
``SelfTrainingClassifier`` (-1 unlabelled), ``HalvingGridSearchCV`` and
``RandomizedSearchCV`` over the samplers' parameters.

Found no new bug: every member saw the rows its sampler drew, weights stayed
on their rows, classes and probability columns matched. Kept as pins the
checks earlier reviews (59, 69, 119, 27, 86) do not already make. Noted, not
bugs: imbalanced-learn 0.14's ``BalancedBaggingClassifier.fit`` takes no
``sample_weight``; ``BaggingClassifier`` under scikit-learn 1.9 uses
``sample_weight`` only to draw the bootstrap and hands the member the
bootstrap counts (so a sampler may keep rows of count 0, the design pinned in
review 59); ``ClassifierChain`` refuses multiclass outputs for any classifier;
``VotingClassifier`` label-encodes ``y``, so a member's ``pos_label`` must be
given as an encoded label (rebalance's error says so).
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from imblearn.ensemble import (
    BalancedBaggingClassifier,
    EasyEnsembleClassifier,
    RUSBoostClassifier,
)
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import BaggingClassifier, VotingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import HalvingGridSearchCV
from sklearn.multioutput import MultiOutputClassifier
from sklearn.semi_supervised import SelfTrainingClassifier

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)


class Recorder(ClassifierMixin, BaseEstimator):
    """Keeps the rows (ids in column 0), labels and weights it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.ids_ = np.asarray(X)[:, 0].astype(int)
        self.y_ = np.asarray(y).copy()
        self.classes_ = np.unique(self.y_)
        self.sw_ = None if sample_weight is None else np.asarray(sample_weight)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        proba = np.zeros((len(X), self.classes_.size))
        proba[:, 0] = 1.0
        return proba


def _data():
    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 10 + [2] * 5)
    X = np.c_[np.arange(y.size), rng.normal(size=(y.size, 2)) + y[:, None]]
    return X, y, np.arange(y.size) + 1.0


def _scaled(X):
    return (X - X.mean(0)) / X.std(0)


@pytest.mark.parametrize(
    ("sampler", "per_class"),
    [(RandomUnderSampler(), 5), (RandomOverSampler(), 30), (LabelShuffleSampler(), 30)],
)
def test_balanced_bagging_members_each_fit_their_own_repeatable_draw(
    sampler, per_class
):
    X, y, _ = _data()

    def members(seed):
        bagging = BalancedBaggingClassifier(
            Recorder(), sampler=sampler, n_estimators=3, bootstrap=False
        )
        bagging.set_params(random_state=seed).fit(X, y)
        for member in bagging.estimators_:
            ids = member[-1].ids_
            assert np.bincount(member[-1].y_).tolist() == [per_class] * 3
            np.testing.assert_array_equal(y[ids], member[-1].y_)
        return [member[-1].ids_.tolist() for member in bagging.estimators_]

    first = members(0)
    assert len({tuple(ids) for ids in first}) == 3
    assert members(0) == first
    assert members(1) != first


def test_balanced_bagging_on_a_frame_with_string_labels_pickles():
    X, y, _ = _data()
    frame = pd.DataFrame(_scaled(X), columns=["a", "b", "c"])
    labels = pd.Series(np.array(["z", "x", "y"])[y], name="target")
    bagging = BalancedBaggingClassifier(
        LogisticRegression(),
        sampler=RandomOverSampler(shrinkage=0.5),
        n_estimators=2,
        random_state=0,
    ).fit(frame, labels)
    assert bagging.classes_.tolist() == ["x", "y", "z"]
    proba = bagging.predict_proba(frame)
    np.testing.assert_array_equal(
        bagging.classes_[proba.argmax(1)], bagging.predict(frame)
    )
    again = pickle.loads(pickle.dumps(bagging))
    np.testing.assert_array_equal(again.predict_proba(frame), proba)


def test_bagging_over_a_resampled_classifier_draws_anew_per_member():
    X, y, _ = _data()

    def draws(seed):
        model = ResampledClassifier(RandomUnderSampler(), Recorder())
        bagging = BaggingClassifier(
            model, n_estimators=3, bootstrap=False, random_state=seed
        ).fit(X, y)
        for member in bagging.estimators_:
            assert np.bincount(member.classifier_.y_).tolist() == [5, 5, 5]
        return [m.sampler_.sample_indices_.tolist() for m in bagging.estimators_]

    first = draws(0)
    assert len({tuple(ids) for ids in first}) == 3
    assert draws(0) == first
    assert draws(1) != first
    # the estimator given is left unseeded: clone keeps random_state=None
    assert (
        clone(
            BaggingClassifier(ResampledClassifier(RandomUnderSampler(), Recorder()))
        ).get_params()["estimator__sampler__random_state"]
        is None
    )


def test_imblearn_ensembles_around_a_resampled_classifier():
    X, y, w = _data()
    easy = EasyEnsembleClassifier(
        estimator=ResampledClassifier(RandomOverSampler(), Recorder()),
        n_estimators=3,
        random_state=0,
    ).fit(X, y)
    seeds = {member[-1].sampler.random_state for member in easy.estimators_}
    assert len(seeds) == 3 and None not in seeds
    for member in easy.estimators_:
        assert np.bincount(member[-1].classifier_.y_).tolist() == [5, 5, 5]
    boost = RUSBoostClassifier(
        ResampledClassifier(RandomOverSampler(random_state=0), Recorder()),
        n_estimators=2,
        random_state=0,
    ).fit(X, y, sample_weight=w)
    for member in boost.estimators_:
        fitted = member.classifier_
        assert np.bincount(fitted.y_).tolist() == [5, 5, 5]
        # a repeated row carries the one weight its row was given
        for row in np.unique(fitted.ids_):
            assert np.unique(fitted.sw_[fitted.ids_ == row]).size == 1


def test_weights_follow_rows_through_calibration_voting_and_multioutput():
    X, y, w = _data()

    def resampled(sampler=None):
        return ResampledClassifier(
            sampler or RandomUnderSampler(random_state=0), Recorder()
        )

    calibrated = CalibratedClassifierCV(resampled(), cv=2, method="sigmoid")
    calibrated.fit(X, y, sample_weight=w)
    fitted = [c.estimator.classifier_ for c in calibrated.calibrated_classifiers_]
    voting = VotingClassifier(
        [("u", resampled()), ("o", resampled(RandomOverSampler(random_state=0)))],
        voting="soft",
    ).fit(X, y, sample_weight=w)
    fitted += [member.classifier_ for member in voting.estimators_]
    assert voting.predict_proba(X).shape == (y.size, 3)
    outputs = np.c_[y, (y > 0).astype(int)]
    multi = MultiOutputClassifier(resampled()).fit(X, outputs, sample_weight=w)
    fitted += [member.classifier_ for member in multi.estimators_]
    assert [p.shape[1] for p in multi.predict_proba(X)] == [3, 2]
    for recorder in fitted:
        np.testing.assert_array_equal(recorder.sw_, w[recorder.ids_])


def test_self_training_leaves_unlabelled_rows_out_of_the_classes():
    X, y, _ = _data()
    partial = np.where(np.arange(y.size) % 3 == 0, -1, y)
    model = ResampledClassifier(RandomUnderSampler(random_state=0), Recorder())
    self_training = SelfTrainingClassifier(model, max_iter=1).fit(X, partial)
    assert self_training.classes_.tolist() == [0, 1, 2]
    assert self_training.predict_proba(X).shape == (y.size, 3)
    fitted = self_training.estimator_.classifier_
    assert -1 not in fitted.y_
    assert np.bincount(fitted.y_).tolist() == [4, 4, 4]


def test_halving_search_over_sampler_parameters_refits_the_best():
    X, y, _ = _data()
    search = HalvingGridSearchCV(
        ResampledClassifier(ClassBalancedSampler(), LogisticRegression()),
        {
            "sampler__sampling_strategy": ["auto", "not majority"],
            "sampler__random_state": [0, 1],
        },
        cv=2,
        min_resources=20,
        random_state=0,
    ).fit(_scaled(X), y)
    best = search.best_estimator_.sampler_
    assert best.random_state == search.best_params_["sampler__random_state"]
    assert best.sampling_strategy == search.best_params_["sampler__sampling_strategy"]
