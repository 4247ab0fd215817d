"""Review 153 (ensembles11): rebalance's estimators inside the ensembles a
practitioner builds, checked where earlier reviews (59, 69, 119, 137) do not.

Reviewed, with a recording classifier (row ids in column 0 of X) or against
the same computation by hand: ``AdaBoostClassifier`` around a
``ResampledClassifier`` (the boosting weights reach the classifier resampled
with their rows), ``BaggingClassifier`` around a ``ThresholdMover``
(``'prior'`` and ``'tuned'``, DataFrame X with ``max_features``/
``max_samples`` subsets, ``oob_score``, ``sample_weight``, repeatable,
pickling, cloning; a ``'prior'`` mover fitted on bootstrap counts equals the
mover fitted on the repeated rows), ``BaggingClassifier`` around a
``ResampledClassifier`` with ``bootstrap`` True and False,
``StackingClassifier(final_estimator=ThresholdMover(...))`` on string
labels, soft ``VotingClassifier``, ``BalancedBaggingClassifier`` of
``ThresholdMover`` members with our sampler, ``RandomForestClassifier`` and
``HistGradientBoostingClassifier`` with ``class_weight=class_weights(y)``,
``OneVsOneClassifier``/``OneVsRestClassifier`` of our estimators (three
classes) and ``MultiOutputClassifier`` (with ``sample_weight``).

Found no bug. Noted, not bugs: ``HistGradientBoostingClassifier`` refuses
``class_weights`` of string labels (it reads the keys as positions; the
docstring of ``class_weights`` says so and points to ``sample_weights``); a
``'tuned'`` mover on bootstrap counts differs slightly from one on repeated
rows (its cross-validation folds split other rows), as expected; AdaBoost
keeps fewer members than ``n_estimators`` when a member is perfect or worse
than chance (scikit-learn's rule).
"""

import pickle

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


class _RecordingTree(DecisionTreeClassifier):
    def fit(self, X, y, sample_weight=None, check_input=True):
        self.rows_ = np.asarray(X)[:, 0].astype(int)
        self.y_seen_ = np.asarray(y)
        self.weights_seen_ = np.asarray(sample_weight)
        return super().fit(X, y, sample_weight=sample_weight)


def _data():
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 15)
    noise = rng.normal(size=(y.size, 2)) + y[:, None]
    return np.c_[np.arange(y.size), noise], y, rng


def test_adaboost_weights_reach_the_classifier_with_their_resampled_rows():
    X, y, rng = _data()
    weights = rng.uniform(0.5, 2.0, y.size)
    boost = AdaBoostClassifier(
        ResampledClassifier(
            RandomUnderSampler(random_state=0), _RecordingTree(max_depth=1)
        ),
        n_estimators=3,
        random_state=0,
    ).fit(X, y, sample_weight=weights)
    member = boost.estimators_[0].classifier_
    rows = member.rows_
    assert np.array_equal(member.y_seen_, y[rows])
    assert np.bincount(member.y_seen_).tolist() == [15, 15]
    # AdaBoost hands its members the weights normalised to sum to 1
    np.testing.assert_allclose(member.weights_seen_, (weights / weights.sum())[rows])


def test_prior_threshold_mover_on_bootstrap_counts_is_the_repeated_rows():
    X, y, rng = _data()
    counts = rng.integers(0, 3, y.size)
    counts[[0, 70]] = 2
    rows = np.repeat(np.arange(y.size), counts)
    weighted = ThresholdMover(LogisticRegression()).fit(X, y, sample_weight=counts)
    repeated = ThresholdMover(LogisticRegression()).fit(X[rows], y[rows])
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-6
    )
    assert np.array_equal(weighted.predict(X), repeated.predict(X))


def test_bagged_threshold_movers_on_a_frame_with_feature_subsets():
    X, y, rng = _data()
    frame = pd.DataFrame(X[:, 1:], columns=["a", "b"]).assign(c=rng.normal(size=75))

    def bag():
        return BaggingClassifier(
            ThresholdMover(LogisticRegression()),
            n_estimators=10,
            max_features=2,
            max_samples=0.8,
            oob_score=True,
            random_state=0,
        )

    first = bag().fit(frame, y)
    again = pickle.loads(pickle.dumps(clone(bag()).fit(frame, y)))
    assert first.predict(frame).dtype == y.dtype
    assert set(first.predict(frame)) <= {0, 1}
    assert 0.0 <= first.oob_score_ <= 1.0
    np.testing.assert_array_equal(
        first.predict_proba(frame), again.predict_proba(frame)
    )


def test_stacking_with_a_threshold_mover_on_top_keeps_string_labels():
    X, y, _ = _data()
    labels = np.where(y == 1, "pos", "neg")
    stack = StackingClassifier(
        [("lr", LogisticRegression()), ("dt", DecisionTreeClassifier(max_depth=2))],
        final_estimator=ThresholdMover(LogisticRegression()),
    ).fit(X[:, 1:], labels)
    assert list(stack.classes_) == ["neg", "pos"]
    assert set(stack.predict(X[:, 1:])) <= {"neg", "pos"}
    assert stack.predict_proba(X[:, 1:]).shape == (75, 2)
