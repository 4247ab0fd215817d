"""Review 27, rebalance's estimators inside scikit-learn's meta-estimators.

* An ensemble whose members resample (``BaggingClassifier`` or a soft
  ``VotingClassifier`` of ResampledClassifiers, imbalanced-learn's balanced
  ensembles) gives probabilities at the priors its members were fitted at,
  not at those of ``y``: ``ThresholdMover(train_priors='auto')`` read the
  priors of ``y`` and corrected nothing (silently). Now the members' equal
  ``resampled_priors_`` are used, and unequal or unknown ones raise where the
  priors are used.
"""

import numpy as np
import pytest
from sklearn.ensemble import (
    BaggingClassifier,
    RandomForestClassifier,
    StackingClassifier,
    VotingClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _data(n=600, seed=0, labels=("neg", "pos")):
    rng = np.random.default_rng(seed)
    codes = (rng.random(n) < 0.15).astype(int)
    X = rng.normal(size=(n, 2)) + 1.0 * codes[:, None]
    return X, np.asarray(labels)[codes]


def _under(seed=0):
    return ResampledClassifier(
        RandomUnderSampler(random_state=seed), LogisticRegression()
    )


def test_soft_voting_of_resampled_classifiers_gives_their_priors():
    X, y = _data()
    voting = VotingClassifier([("a", _under(0)), ("b", _under(1))], voting="soft")
    mover = ThresholdMover(voting, "argmax", deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5])
    np.testing.assert_allclose(
        mover.deploy_priors_, [np.mean(y == "neg"), 0.15], atol=0.05
    )
    # The correction moves the probabilities down to the real priors.
    raw = mover.estimator_.predict_proba(X)[:, 1].mean()
    assert mover.predict_proba(X)[:, 1].mean() < raw - 0.1


def test_bagging_without_bootstrap_gives_the_members_priors():
    X, y = _data(labels=(-3, 8))
    bagging = BaggingClassifier(
        _under(), n_estimators=3, bootstrap=False, random_state=0
    )
    mover = ThresholdMover(bagging, "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5])


def test_bagging_with_members_at_other_priors_raises_for_the_priors():
    X, y = _data()
    bagging = BaggingClassifier(_under(), n_estimators=3, random_state=0)
    with pytest.raises(ValueError, match="BaggingClassifier has members that resample"):
        ThresholdMover(bagging, "prior").fit(X, y)
    # A strategy that does not use the priors still fits, without them.
    tuned = ThresholdMover(bagging, "fixed", threshold=0.5).fit(X, y)
    assert tuned.train_priors_ is None


def test_mixed_voting_and_multiclass_one_vs_rest_raise():
    X, y = _data()
    mixed = VotingClassifier(
        [("a", _under()), ("b", LogisticRegression())], voting="soft"
    )
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(mixed, "argmax", deploy_priors="train").fit(X, y)
    rng = np.random.default_rng(1)
    y3 = np.where(rng.random(len(y)) < 0.2, "mid", y)
    with pytest.raises(ValueError, match="OneVsRestClassifier has members"):
        ThresholdMover(OneVsRestClassifier(_under()), "prior").fit(X, y3)


def test_imblearn_balanced_bagging_raises_instead_of_priors_of_y():
    ensemble = pytest.importorskip("imblearn.ensemble")
    X, y = _data()
    bagging = ensemble.BalancedBaggingClassifier(
        LogisticRegression(), n_estimators=3, random_state=0
    )
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(bagging, "prior").fit(X, y)
    forest = ensemble.BalancedRandomForestClassifier(
        n_estimators=3,
        sampling_strategy="all",
        replacement=True,
        bootstrap=False,
        random_state=0,
    )
    with pytest.raises(ValueError, match="balances the rows of its members"):
        ThresholdMover(forest, "prior").fit(X, y)
    given = ThresholdMover(bagging, "prior", train_priors=[0.5, 0.5]).fit(X, y)
    np.testing.assert_allclose(given.train_priors_, [0.5, 0.5])


def test_stacking_and_plain_ensembles_keep_the_priors_of_y():
    X, y = _data()
    expected = [np.mean(y == "neg"), np.mean(y == "pos")]
    stacking = StackingClassifier(
        [("a", _under(0)), ("b", _under(1))],
        final_estimator=LogisticRegression(),
        cv=3,
    )
    mover = ThresholdMover(stacking, "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, expected)
    forest = RandomForestClassifier(n_estimators=5, random_state=0)
    np.testing.assert_allclose(
        ThresholdMover(forest, "prior").fit(X, y).train_priors_, expected
    )


def test_resampled_classifier_around_a_resampling_ensemble():
    X, y = _data()
    voting = VotingClassifier([("a", _under(0)), ("b", _under(1))], voting="soft")
    outer = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0), voting
    ).fit(X, y)
    # The members re-balance the outer draw (2:1) to 1:1.
    np.testing.assert_allclose(outer.resampled_priors_, [0.5, 0.5])
    bagging = BaggingClassifier(_under(), n_estimators=3, random_state=0)
    outer = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0), bagging
    ).fit(X, y)
    assert outer.resampled_priors_ is None


def test_resampled_classifier_around_a_frozen_classifier_has_no_priors():
    # A FrozenEstimator is not refitted on the resampled rows: its
    # probabilities follow the rows it was fitted on earlier, not the draw.
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _data()
    fitted = LogisticRegression().fit(X, y)
    for classifier in (
        FrozenEstimator(fitted),
        make_pipeline(StandardScaler(), FrozenEstimator(fitted)),
    ):
        model = ResampledClassifier(RandomUnderSampler(random_state=0), classifier)
        assert model.fit(X, y).resampled_priors_ is None
        with pytest.raises(ValueError, match="or is frozen"):
            ThresholdMover(model, "prior").fit(X, y)
    # Refitted on the draw, the priors are the draw's.
    model = ResampledClassifier(RandomUnderSampler(random_state=0), fitted)
    np.testing.assert_allclose(model.fit(X, y).resampled_priors_, [0.5, 0.5])


def test_voting_members_priors_follow_the_classes():
    # The members see the labels encoded; their priors map back to classes_.
    X, y = _data(labels=("z", "a"))  # the minority "a" sorts first

    def under(seed):
        sampler = RandomUnderSampler(sampling_strategy=0.5, random_state=seed)
        return ResampledClassifier(sampler, LogisticRegression())

    voting = VotingClassifier([("a", under(0)), ("b", under(1))], voting="soft")
    mover = ThresholdMover(voting, "prior").fit(X, y)
    np.testing.assert_array_equal(mover.classes_, ["a", "z"])
    np.testing.assert_allclose(mover.train_priors_, [1 / 3, 2 / 3])
