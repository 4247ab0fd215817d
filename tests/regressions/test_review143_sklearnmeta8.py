"""Review 143, area sklearnmeta8: ThresholdMover and ResampledClassifier as a
scikit-learn 1.9 user combines them.

Probed by hand (scripts, then kept the pins below): metadata routing of
``sample_weight`` and ``groups`` through ``GridSearchCV``, ``cross_validate(params=)``,
``Pipeline`` and ``StackingClassifier``; ``FrozenEstimator`` bases, including
one whose ``classes_`` are not sorted, with ``deploy_priors`` as None, a dict,
a Series in another order and ``'train'``; ``clone``/``get_params(deep=True)``/
``set_params`` on nested parameters; pickle and loky ``n_jobs=2``;
``set_output(transform='pandas'/'polars')`` in a Pipeline; string, bool,
categorical (unused category) and big-integer labels; a fold missing a class;
``decision_function`` on binary; ``check_estimator``.

Found: no new bug. The ``check_estimator`` failures (``tuned``:
``check_classifiers_train``; ResampledClassifier: sample-weight equivalence)
and ``decision_function`` returning the base's unchanged scores are the
documented choices (tests/test_common.py, ThresholdMover.decision_function).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + rng.normal(size=120) > 0.8).astype(int)
    return X, y, rng.uniform(0.5, 2, size=120), np.arange(120) % 6


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


class _Spy(LogisticRegression):
    """Records the length of every sample_weight its fit gets."""

    seen: list = []

    def fit(self, X, y, sample_weight=None):
        _Spy.seen.append(None if sample_weight is None else len(sample_weight))
        return super().fit(X, y, sample_weight=sample_weight)


class _Reversed(LogisticRegression):
    """A fitted classifier whose classes_ are in reverse-sorted order."""

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.classes_[::-1].copy()
        self.coef_, self.intercept_ = -self.coef_, -self.intercept_
        return self


def test_gridsearch_routes_weights_to_every_inner_fit(data, routing):
    X, y, sw, g = data
    _Spy.seen = []
    est = (
        ThresholdMover(
            _Spy().set_fit_request(sample_weight=True), "tuned", cv=GroupKFold(3)
        )
        .set_fit_request(sample_weight=True)
        .set_score_request(sample_weight=True)
    )
    GridSearchCV(est, {"estimator__C": [1.0]}, cv=GroupKFold(3)).fit(
        X, y, sample_weight=sw, groups=g
    )
    # every fit (outer folds, inner tuning folds, refit) saw its rows' weights
    assert _Spy.seen and None not in _Spy.seen
    assert 120 in _Spy.seen


def test_cross_validate_groups_reach_inner_group_splitter(data, routing):
    X, y, _, g = data
    est = ThresholdMover(LogisticRegression(), "tuned", cv=GroupKFold(3))
    scores = cross_validate(est, X, y, params={"groups": g}, cv=GroupKFold(3))
    assert np.isfinite(scores["test_score"]).all()


def test_resampled_classifier_weights_follow_resampled_rows(data, routing):
    X, y, sw, _ = data
    _Spy.seen = []
    clf = _Spy().set_fit_request(sample_weight=True)
    ResampledClassifier(RandomUnderSampler(random_state=0), clf).fit(
        X, y, sample_weight=sw
    )
    n_minority = int(np.bincount(y).min())
    assert _Spy.seen == [2 * n_minority]


@pytest.mark.parametrize(
    "deploy",
    [None, {"pos": 0.5, "neg": 0.5}, pd.Series({"neg": 0.3, "pos": 0.7}), "train"],
    ids=["none", "dict", "series", "train"],
)
def test_frozen_base_with_unsorted_classes_stays_aligned(data, deploy):
    X, y, _, _ = data
    ys = np.where(y == 1, "pos", "neg")
    rev = _Reversed().fit(X, ys)
    ref = LogisticRegression().fit(X, ys)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = ThresholdMover(FrozenEstimator(rev), "prior", deploy_priors=deploy)
        b = ThresholdMover(FrozenEstimator(ref), "prior", deploy_priors=deploy)
        a.fit(X, ys)
        b.fit(X, ys)
    assert list(a.classes_) == ["pos", "neg"]
    proba = pd.DataFrame(a.predict_proba(X), columns=a.classes_)[["neg", "pos"]]
    np.testing.assert_allclose(proba.to_numpy(), b.predict_proba(X))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
