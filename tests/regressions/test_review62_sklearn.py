"""Review 62, scikit-learn conventions: tags, feature names, inspection tools."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.utils import get_tags

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


def _resampled(classifier):
    return ResampledClassifier(RandomUnderSampler(random_state=0), classifier)


def test_resampled_classifier_no_validation_tag_follows_classifier():
    # predict hands X to the classifier unchecked: around DummyClassifier
    # (which skips input validation) the tag said X was validated.
    assert get_tags(_resampled(DummyClassifier())).no_validation is True
    assert get_tags(_resampled(LogisticRegression())).no_validation is False


# Was a strict xfail (threshold.py copied the input tags but not
# no_validation); fixed in stop 45.
def test_threshold_mover_no_validation_tag_follows_estimator():
    assert get_tags(ThresholdMover(DummyClassifier())).no_validation is True


@pytest.mark.parametrize("fmt", ["lil_matrix", "lil_array", "dok_matrix", "dok_array"])
def test_resampled_classifier_refuses_nan_in_lil_and_dok_whatever_the_draw(fmt):
    # LIL and DOK X were not checked for NaN before the sampler: a draw that
    # left out the row with NaN (seeds 1 and 5 here) fitted LogisticRegression
    # silently, others raised.
    y = np.array([0] * 20 + [1] * 10)
    X = np.random.default_rng(0).normal(size=(30, 2))
    X[0, 0] = np.nan  # a row of the class the sampler under-samples
    X_sparse = getattr(sp, fmt)(X)
    for seed in range(6):
        model = ResampledClassifier(
            RandomUnderSampler(random_state=seed), LogisticRegression()
        )
        with pytest.raises(ValueError, match="NaN"):
            model.fit(X_sparse, y)


@pytest.mark.parametrize("shrinkage", [0.1, {1: 0.5}])
def test_resampled_classifier_refuses_smoothed_bootstrap_for_positive_only(
    shrinkage,
):
    # MultinomialNB takes only non-negative X (its positive_only tag): the
    # smoothed bootstrap's noise made values negative, so the fit raised
    # "Negative values in data passed to MultinomialNB" or not with the draw
    # (seed 1 raised, seed 0 fitted on noisy counts).
    y = np.array([0] * 20 + [1] * 10)
    X = np.random.default_rng(0).poisson(3, size=(30, 4)).astype(float)
    for seed in range(2):
        model = ResampledClassifier(
            RandomOverSampler(shrinkage=shrinkage, random_state=seed),
            MultinomialNB(),
        )
        with pytest.raises(ValueError, match="shrinkage=None"):
            model.fit(X, y)
    # No noise: fitted.
    ResampledClassifier(RandomOverSampler(shrinkage=0.0), MultinomialNB()).fit(X, y)
    ResampledClassifier(RandomOverSampler(shrinkage=0.1), GaussianNB()).fit(X, y)
