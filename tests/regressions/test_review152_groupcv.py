"""Review 152, area ``groupcv``: group-aware and unusual cross-validation.

Reviewed, as a data scientist with grouped rows (patients, users) would use
them: ``ThresholdMover(strategy='tuned')`` with ``cv=GroupKFold``,
``StratifiedGroupKFold``, ``LeaveOneGroupOut``, ``PredefinedSplit``, a list
of (train, validation) index pairs, a generator of splits and
``ShuffleSplit``, with ``groups`` given with metadata routing on and off;
``cross_validate`` / ``GridSearchCV`` with groups around an
``imblearn.pipeline.Pipeline([sampler, clf])``, ``ResampledClassifier`` and
``ThresholdMover``; per-row metadata (``sample_weight``, a custom key)
routed past a rebalance sampler in an imbalanced-learn Pipeline, checked with
a classifier stub that records what it got. How: small probe scripts, then
the behaviours that matter kept here.

Found:

* bug (not silent): ``groups`` of the wrong length for a group splitter is
  refused with scikit-learn's "Found input variables with inconsistent
  numbers of samples: [120, 120, 119]", which names neither ``groups`` nor
  the fix (a short ``sample_weight`` is named).

Works (pinned): a group splitter without groups, or with routing off, is a
clear ValueError before any fit; with routing on the groups reach the
splitter (same threshold as the equivalent list of splits), also through
``GridSearchCV``; a rebalance sampler in an imbalanced-learn Pipeline
refuses per-row metadata routed past it (it cannot be resampled there)
instead of passing it misaligned, while ``ResampledClassifier`` resamples
``sample_weight`` and a custom per-row key together with the rows.
``rebalance.compare`` takes no ``cv`` (a TypeError): nothing to review.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    LeaveOneGroupOut,
    StratifiedGroupKFold,
)

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records the rows and the per-row metadata its fit gets."""

    def fit(self, X, y, sample_weight=None, tag=None):
        self.X_ = np.asarray(X)
        self.sw_ = sample_weight
        self.tag_ = tag
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _grouped(n=120):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + rng.normal(size=n) > 1.2).astype(int)
    groups = np.repeat(np.arange(n // 5), 5)
    return X, y, groups


def _ordered(n=60):
    X = np.arange(n, dtype=float).reshape(-1, 1)
    y = np.r_[np.zeros(n * 3 // 4, int), np.ones(n - n * 3 // 4, int)]
    return X, y


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_short_groups_named(routing):
    X, y, groups = _grouped()
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", cv=GroupKFold(3))
    with pytest.raises(ValueError, match="groups"):
        mover.fit(X, y, groups=groups[:-1])


@pytest.mark.parametrize("cv", [StratifiedGroupKFold(3), LeaveOneGroupOut()])
def test_group_splitter_without_routing_is_a_clear_error(cv):
    X, y, groups = _grouped()
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", cv=cv)
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        mover.fit(X, y, groups=groups)


def test_routed_groups_reach_the_splitter_also_through_grid_search(routing):
    X, y, groups = _grouped()
    splits = list(GroupKFold(3).split(X, y, groups))
    listed = ThresholdMover(LogisticRegression(), strategy="tuned", cv=splits)
    expected = listed.fit(X, y).threshold_
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", cv=GroupKFold(3))
    assert mover.fit(X, y, groups=groups).threshold_ == expected
    plain = ThresholdMover(LogisticRegression(), strategy="tuned", cv=KFold(3))
    assert plain.fit(X, y).threshold_ != expected  # the groups made a difference
    search = GridSearchCV(mover, {"estimator__C": [1.0]}, cv=KFold(2))
    search.fit(X, y, groups=groups)
    assert search.best_estimator_.threshold_ == expected
    with pytest.raises(ValueError, match="no groups reach it"):
        mover.fit(X, y)


@pytest.mark.parametrize("sampler", [RandomUnderSampler, RandomOverSampler])
def test_imblearn_pipeline_refuses_unresampled_row_metadata(routing, sampler):
    X, y = _ordered()
    clf = _Recorder().set_fit_request(sample_weight=True, tag=True)
    pipe = Pipeline([("s", sampler(random_state=0)), ("c", clf)])
    with pytest.raises(ValueError, match="ResampledClassifier"):
        pipe.fit(X, y, sample_weight=X[:, 0] + 1000, tag=X[:, 0].astype(int))


@pytest.mark.parametrize("sampler", [RandomUnderSampler, RandomOverSampler])
def test_resampled_classifier_keeps_row_metadata_aligned(routing, sampler):
    X, y = _ordered()
    clf = _Recorder().set_fit_request(sample_weight=True, tag=True)
    model = ResampledClassifier(sampler(random_state=0), clf)
    model.fit(X, y, sample_weight=X[:, 0] + 1000, tag=X[:, 0].astype(int))
    got = model.classifier_
    assert len(got.X_) != len(X)
    np.testing.assert_array_equal(got.sw_, got.X_[:, 0] + 1000)
    np.testing.assert_array_equal(got.tag_, got.X_[:, 0].astype(int))
