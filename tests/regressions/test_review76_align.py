"""Review 76 (align): rows of X, y, weights and routed metadata stay paired.

Every case is built so that a row's label, weight and group are functions of
its id (X's first column), and each output row is checked against its id.
"""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GroupKFold

import rebalance as rb

N = 24
IDS = np.arange(N)
LABELS = np.where(IDS % 3 == 0, 1, 0)
WEIGHTS = IDS + 1.0
PERM = np.random.RandomState(0).permutation(N)


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records the ids, labels, weights and groups of each fit."""

    def fit(self, X, y, sample_weight=None, groups=None):
        self.ids_ = np.asarray(X)[:, 0].astype(int)
        self.y_ = np.asarray(y)
        self.w_ = None if sample_weight is None else np.asarray(sample_weight, float)
        self.groups_ = None if groups is None else np.asarray(groups)
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = (np.asarray(X)[:, 0] % 3 == 0) * 0.8 + 0.1
        return np.c_[1 - p, p]

    def predict(self, X):
        return (np.asarray(X)[:, 0] % 3 == 0).astype(int)


def _frame():
    index = PERM + 100
    X = pd.DataFrame({"id": IDS.astype(float), "z": 0.0}, index=index)
    return X, pd.Series(LABELS, index=index, name="id")


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


SAMPLERS = [
    rb.RandomOverSampler(random_state=0),
    rb.RandomUnderSampler(random_state=0),
    rb.ClassBalancedSampler(random_state=0),
]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize(
    "weights",
    [
        list(WEIGHTS),
        pd.Series(WEIGHTS, index=[f"r{i}" for i in IDS]),
        pd.Series(WEIGHTS, index=IDS + 1000),
    ],
    ids=["list", "str-index", "other-index"],
)
def test_fit_resample_rows_keep_label_and_weight(sampler, weights):
    X, y = _frame()
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weights)
    ids = X_res["id"].to_numpy().astype(int)
    assert np.array_equal(np.asarray(y_res), LABELS[ids])
    assert np.allclose(np.asarray(w_res, float), WEIGHTS[ids])
    assert np.array_equal(sampler.sample_indices_, ids)


@pytest.mark.parametrize("name", ["y", "sample_weight"])
def test_reordered_index_is_refused(name):
    X, y = _frame()
    w = pd.Series(WEIGHTS, index=X.index)
    if name == "y":
        y = y.iloc[::-1]
    else:
        w = w.iloc[::-1]
    with pytest.raises(ValueError, match=f"{name} holds the index of X"):
        rb.RandomOverSampler(random_state=0).fit_resample(X, y, sample_weight=w)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_resampled_classifier_routed_per_row_params(routing, sampler):
    X, y = _frame()
    inner = _Recorder().set_fit_request(sample_weight=True, groups=True)
    groups = pd.Series(IDS * 10, index=IDS + 1000)  # paired by position
    rc = rb.ResampledClassifier(sampler, inner)
    rc.fit(X, y, sample_weight=list(WEIGHTS), groups=groups)
    fitted = rc.classifier_
    assert np.array_equal(fitted.y_, LABELS[fitted.ids_])
    assert np.allclose(fitted.w_, WEIGHTS[fitted.ids_])
    assert np.array_equal(fitted.groups_, fitted.ids_ * 10)


def test_threshold_mover_refuses_reordered_groups(routing):
    X, y = _frame()
    groups = pd.Series(IDS % 4, index=X.index).iloc[::-1]
    inner = _Recorder().set_fit_request(groups=False)
    mover = rb.ThresholdMover(inner, strategy="tuned", cv=GroupKFold(3))
    with pytest.raises(ValueError, match="groups holds the index of X"):
        mover.fit(X, y, groups=groups)


def test_resampled_classifier_refuses_reordered_routed_param(routing):
    X, y = _frame()
    inner = _Recorder().set_fit_request(groups=True)
    groups = pd.Series(IDS * 10, index=X.index).iloc[::-1]
    rc = rb.ResampledClassifier(rb.RandomOverSampler(random_state=0), inner)
    with pytest.raises(ValueError, match="groups holds the index of X"):
        rc.fit(X, y, groups=groups)
