"""Review round 33, area compose: ResampledClassifier and ThresholdMover
combined with scikit-learn's ensembles and meta-estimators."""

import numpy as np
import pytest
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None]
    return X, y


def _moved(priors=(0.3, 0.7)):
    """A ThresholdMover whose probabilities follow ``priors``, not y's."""
    return ThresholdMover(LogisticRegression(), "argmax", deploy_priors=list(priors))


def _under():
    return ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())


# An ensemble whose members move their probabilities to other priors (a
# ThresholdMover with deploy_priors) was read as following the priors of y:
# train_priors_ was y's shares, and the prior correction silently wrong.
@pytest.mark.parametrize(
    "ensemble",
    [
        BaggingClassifier(_moved(), n_estimators=3, random_state=0),
        VotingClassifier([("a", _moved()), ("b", _moved())], voting="soft"),
        OneVsRestClassifier(_moved()),
    ],
    ids=["bagging", "soft-voting", "binary-one-vs-rest"],
)
def test_ensemble_of_prior_moving_members_follows_their_priors(ensemble):
    X, y = _data()
    mover = ThresholdMover(ensemble, "argmax", deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [0.3, 0.7])
    # and the same priors reach a ResampledClassifier around it
    outer = ResampledClassifier(RandomUnderSampler(random_state=0), ensemble)
    np.testing.assert_allclose(outer.fit(X, y).resampled_priors_, [0.3, 0.7])


# Members moved to different priors (or mixed with a plain model) follow no
# one set of priors: refused, as for members that resample.
@pytest.mark.parametrize(
    "members",
    [
        [("a", _moved()), ("b", LogisticRegression())],
        [("a", _moved((0.3, 0.7))), ("b", _moved((0.6, 0.4)))],
    ],
    ids=["mixed-with-plain", "different-priors"],
)
def test_voting_of_unequal_prior_moving_members_is_refused(members):
    X, y = _data()
    voting = VotingClassifier(members, voting="soft")
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(voting, "prior").fit(X, y)


def test_multiclass_one_vs_rest_of_prior_moving_members_is_refused():
    rng = np.random.default_rng(0)
    y = rng.choice(3, 300, p=[0.6, 0.3, 0.1])
    X = rng.normal(size=(300, 2)) + y[:, None]
    ovr = OneVsRestClassifier(_moved((0.5, 0.5)))
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(ovr, "prior").fit(X, y)


# A StackingClassifier's probabilities are its final estimator's: one that
# resamples (a ResampledClassifier, also in a pipeline) or moves its
# probabilities was read as fitted on y's priors.
@pytest.mark.parametrize(
    ("final", "expected"),
    [
        (_under(), [0.5, 0.5]),
        (make_pipeline(StandardScaler(), _under()), [0.5, 0.5]),
        (_moved(), [0.3, 0.7]),
    ],
    ids=["resampled", "pipeline-resampled", "moved"],
)
def test_stacking_follows_its_final_estimators_priors(final, expected):
    X, y = _data()
    stacking = StackingClassifier(
        [("lr", LogisticRegression())], final_estimator=final, cv=3
    )
    mover = ThresholdMover(stacking, "argmax", deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, expected)
    # and the same priors reach a ResampledClassifier around it
    outer = ResampledClassifier(RandomOverSampler(random_state=0), stacking).fit(X, y)
    np.testing.assert_allclose(outer.resampled_priors_, expected)


def test_stacking_with_string_labels_aligns_the_final_estimators_priors():
    X, y = _data()
    labels = np.array(["zz-majority", "aa-minority"])[y]  # minority sorts first
    final = ThresholdMover(LogisticRegression(), "argmax", deploy_priors=[0.1, 0.9])
    stacking = StackingClassifier(
        [("lr", LogisticRegression())], final_estimator=final, cv=3
    )
    mover = ThresholdMover(stacking, "argmax", deploy_priors="train").fit(X, labels)
    # the final estimator's labels are the stacking's classes_ encoded 0, 1
    assert mover.classes_.tolist() == ["aa-minority", "zz-majority"]
    np.testing.assert_allclose(mover.train_priors_, [0.1, 0.9])


def test_stacking_of_a_plain_final_estimator_keeps_the_priors_of_y():
    X, y = _data()
    stacking = StackingClassifier(
        [("rc", _under())], final_estimator=LogisticRegression(), cv=3
    )
    mover = ThresholdMover(stacking, "argmax", deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [1 - y.mean(), y.mean()])


# A StackingClassifier whose final estimator is an imbalanced-learn pipeline
# with a sampler step was read as fitted on y's priors: now refused.
def test_stacking_of_a_resampling_pipeline_is_refused():
    from imblearn.pipeline import make_pipeline as make_imblearn_pipeline

    X, y = _data()
    final = make_imblearn_pipeline(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    stacking = StackingClassifier(
        [("lr", LogisticRegression())], final_estimator=final, cv=3
    )
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(stacking, "prior").fit(X, y)
    assert ThresholdMover(stacking, "prior", train_priors=[0.5, 0.5]).fit(X, y)
