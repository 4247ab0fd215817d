"""Review 92 (routing4): metadata routing through rebalance's meta-estimators
nested in scikit-learn's, checked with a recording classifier: score-time
weights in a search, groups with GroupKFold inside ThresholdMover's tuning,
pandas X with a non-default index, nested search + tuning + resampling."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV, GroupKFold, HalvingGridSearchCV

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

N = 40
X = np.c_[np.arange(N), np.random.default_rng(0).normal(size=N)]
Y = np.r_[np.zeros(30, int), np.ones(10, int)]
SW = np.arange(N) + 100.0
GROUPS = np.arange(N) % 5
LOG = []


@pytest.fixture(autouse=True)
def routing():
    LOG.clear()
    with sklearn.config_context(enable_metadata_routing=True):
        yield


class Rec(ClassifierMixin, BaseEstimator):
    """Column 0 of X holds the row id; logs fit/score/predict_proba rows and
    the weights and groups they received."""

    def __init__(self, c=1):
        self.c = c

    def fit(self, X, y, sample_weight=None, groups=None):
        LOG.append(("fit", _ids(X), sample_weight, groups))
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        ids = _ids(X)
        LOG.append(("proba", ids, None, None))
        p = (ids % 7) / 7.0
        return np.c_[1 - p, p]

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]

    def score(self, X, y, sample_weight=None):
        LOG.append(("score", _ids(X), sample_weight, None))
        return 0.5


def _ids(X):
    return np.asarray(X, dtype=float)[:, 0].astype(int)


def _assert_rows_own_metadata():
    for kind, ids, sw, groups in LOG:
        if sw is not None:
            assert np.array_equal(np.asarray(sw), ids + 100.0), kind
        if groups is not None:
            assert np.array_equal(np.asarray(groups), ids % 5), kind


def _rec():
    return Rec().set_fit_request(sample_weight=True, groups=True)


def test_search_score_weights_reach_the_classifier_on_test_rows_pandas_index():
    idx = np.arange(N)[::-1] * 3 + 1000
    Xd = pd.DataFrame(X, index=idx, columns=["id", "f"])
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        _rec().set_score_request(sample_weight=True),
    ).set_score_request(sample_weight=True)
    GridSearchCV(model, {"classifier__c": [1, 2]}, cv=GroupKFold(4)).fit(
        Xd,
        pd.Series(Y, index=idx),
        sample_weight=pd.Series(SW, index=idx),
        groups=GROUPS,
    )
    scores = [e for e in LOG if e[0] == "score"]
    assert scores and all(e[2] is not None for e in scores)
    assert {len(e[1]) for e in scores} <= {8, 16}  # test folds, not resampled
    _assert_rows_own_metadata()


def test_search_scorer_weights_and_resampled_fit_weights():
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _rec())
    scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
    search = GridSearchCV(model, {"classifier__c": [1, 2]}, cv=3, scoring=scorer)
    search.fit(X, Y, sample_weight=SW, groups=GROUPS)
    fits = [e for e in LOG if e[0] == "fit"]
    assert all(e[2] is not None and e[3] is not None for e in fits)
    _assert_rows_own_metadata()


def test_tuning_with_group_kfold_keeps_groups_apart_and_rows_aligned():
    model = ThresholdMover(_rec(), strategy="tuned", cv=GroupKFold(5))
    model.fit(X, Y, sample_weight=SW, groups=GROUPS)
    fold_fits = [e for e in LOG if e[0] == "fit" and len(e[1]) < N]
    probas = [e for e in LOG if e[0] == "proba"]
    assert len(fold_fits) == 5
    for fitted, scored in zip(fold_fits, probas):
        assert not set(fitted[1] % 5) & set(scored[1] % 5)
    _assert_rows_own_metadata()


def test_search_of_tuning_of_resampling_routes_weights_and_groups():
    inner = ResampledClassifier(RandomOverSampler(random_state=0), _rec())
    model = (
        ThresholdMover(inner, strategy="tuned", cv=GroupKFold(3))
        .set_fit_request(sample_weight=True)
        .set_score_request(sample_weight=True)
    )
    GridSearchCV(model, {"threshold": ["auto"]}, cv=GroupKFold(4)).fit(
        X, Y, sample_weight=SW, groups=GROUPS
    )
    fits = [e for e in LOG if e[0] == "fit"]
    assert fits and all(e[2] is not None and e[3] is not None for e in fits)
    _assert_rows_own_metadata()


def test_halving_search_routes_weights_and_groups():
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        _rec().set_score_request(sample_weight=True),
    ).set_score_request(sample_weight=True)
    HalvingGridSearchCV(
        model, {"classifier__c": [1, 2]}, cv=GroupKFold(3), min_resources=20
    ).fit(X, Y, sample_weight=SW, groups=GROUPS)
    assert any(e[0] == "score" and e[2] is not None for e in LOG)
    _assert_rows_own_metadata()


def test_unrequested_groups_to_the_tuned_estimator_raise():
    # Rec.fit takes groups but has no request: sklearn's error, not dropped.
    model = ThresholdMover(
        Rec().set_fit_request(sample_weight=True), strategy="tuned", cv=GroupKFold(5)
    )
    with pytest.raises(UnsetMetadataPassedError):
        model.fit(X, Y, sample_weight=SW, groups=GROUPS)


def test_routing_describes_score_and_tuning_scorer():
    scorer = make_scorer(accuracy_score).set_score_request(sample_weight="w")
    tuned = ThresholdMover(Rec(), strategy="tuned", cv=3, scoring=scorer)
    routing = tuned.get_metadata_routing()
    assert "w" in routing.consumes("fit", ["w", "foo"])
    model = ResampledClassifier(RandomUnderSampler(), Rec()).set_score_request(
        sample_weight=True
    )
    assert model.get_metadata_routing().consumes("score", ["sample_weight"]) == {
        "sample_weight"
    }
