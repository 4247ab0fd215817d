"""Review 120, routing5: scikit-learn metadata routing and meta-estimator interop
with ``ResampledClassifier`` and ``ThresholdMover``, with routing on (inside
``sklearn.config_context`` so nothing leaks) and off: routed weights reach the
inner classifier with the resampled rows (a recording classifier checks it),
unrequested weights raise scikit-learn's error, and ``cross_validate``,
``GridSearchCV``, ``TunedThresholdClassifierCV``, ``CalibratedClassifierCV``,
``StackingClassifier``, ``VotingClassifier``, ``BaggingClassifier`` and
``OneVsRestClassifier`` results equal the manual per-fold computation."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import BaggingClassifier, VotingClassifier
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    cross_validate,
)
from sklearn.multiclass import OneVsRestClassifier

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


class Recorder(ClassifierMixin, BaseEstimator):
    """Logistic regression that records the rows and weights it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.X_ = np.asarray(X)
        self.sw_ = None if sample_weight is None else np.asarray(sample_weight)
        self.classes_ = np.unique(y)
        self.lr_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)

    def predict(self, X):
        return self.lr_.predict(X)


def _data():
    rng = np.random.default_rng(0)
    n = 60
    X = rng.normal(size=(n, 3))
    X[:, 0] = np.arange(n)  # row id: recovers which rows the classifier got
    y = np.r_[np.zeros(45, int), np.ones(15, int)]
    w = rng.uniform(0.5, 2.0, size=n)
    g = np.arange(n) % 5
    return X, y, w, g


def _rows(rec):
    return rec.X_[:, 0].astype(int)


CV = KFold(2, shuffle=True, random_state=0)


def _rc(request=True):
    rec = Recorder().set_fit_request(sample_weight=True) if request else Recorder()
    return ResampledClassifier(RandomUnderSampler(random_state=0), rec)


def test_routed_weights_follow_resampled_rows():
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        rc = _rc().fit(X, y, sample_weight=w)
    rows = _rows(rc.classifier_)
    assert len(rows) == 30
    np.testing.assert_allclose(rc.classifier_.sw_, w[rows])


def test_routed_alias_follows_resampled_rows():
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        rec = Recorder().set_fit_request(sample_weight="cw")
        rc = ResampledClassifier(RandomUnderSampler(random_state=0), rec)
        rc.fit(X, y, cw=w)
    np.testing.assert_allclose(rc.classifier_.sw_, w[_rows(rc.classifier_)])


def test_unrequested_weight_raises_sklearn_error():
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError):
            _rc(request=False).fit(X, y, sample_weight=w)
        with pytest.raises(UnsetMetadataPassedError):
            tm = ThresholdMover(Recorder().set_fit_request(sample_weight=True))
            VotingClassifier([("t", tm)]).fit(X, y, sample_weight=w)


def test_cross_validate_routed_weights_and_groups_match_manual():
    X, y, w, g = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        rc = _rc().set_score_request(sample_weight=True)
        res = cross_validate(
            rc,
            X,
            y,
            params={"sample_weight": w, "groups": g},
            cv=GroupKFold(3),
            return_estimator=True,
            return_indices=True,
        )
        manual = []
        for est, tr, te in zip(
            res["estimator"], res["indices"]["train"], res["indices"]["test"]
        ):
            rows = _rows(est.classifier_)
            assert np.isin(rows, tr).all()
            np.testing.assert_allclose(est.classifier_.sw_, w[rows])
            m = clone(rc).fit(X[tr], y[tr], sample_weight=w[tr])
            manual.append(accuracy_score(y[te], m.predict(X[te]), sample_weight=w[te]))
    np.testing.assert_allclose(res["test_score"], manual)


def test_cross_validate_without_routing_matches_manual():
    X, y, w, _ = _data()
    rc = _rc(request=False)
    res = cross_validate(
        rc,
        X,
        y,
        params={"sample_weight": w},
        cv=CV,
        return_estimator=True,
        return_indices=True,
    )
    manual = []
    for est, tr, te in zip(
        res["estimator"], res["indices"]["train"], res["indices"]["test"]
    ):
        np.testing.assert_allclose(est.classifier_.sw_, w[_rows(est.classifier_)])
        m = clone(rc).fit(X[tr], y[tr], sample_weight=w[tr])
        manual.append(accuracy_score(y[te], m.predict(X[te])))
    np.testing.assert_allclose(res["test_score"], manual)


def test_grid_search_routed_weights_to_estimator_and_scorer():
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        sc = make_scorer(balanced_accuracy_score).set_score_request(sample_weight=True)
        rc = _rc()
        gs = GridSearchCV(rc, {"sampler__random_state": [0, 1]}, cv=CV, scoring=sc)
        gs.fit(X, y, sample_weight=w)
        manual = []
        for rs in [0, 1]:
            scores = []
            for tr, te in CV.split(X):
                m = clone(rc).set_params(sampler__random_state=rs)
                m.fit(X[tr], y[tr], sample_weight=w[tr])
                scores.append(
                    balanced_accuracy_score(
                        y[te], m.predict(X[te]), sample_weight=w[te]
                    )
                )
            manual.append(np.mean(scores))
    np.testing.assert_allclose(gs.cv_results_["mean_test_score"], manual)
    best = gs.best_estimator_.classifier_
    np.testing.assert_allclose(best.sw_, w[_rows(best)])


def test_tuned_threshold_mover_in_cross_validate_matches_manual():
    X, y, w, g = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        sc = make_scorer(balanced_accuracy_score).set_score_request(sample_weight=True)
        tm = (
            ThresholdMover(
                _rc(), strategy="tuned", scoring=sc, cv=GroupKFold(2), thresholds=5
            )
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        res = cross_validate(
            tm,
            X,
            y,
            params={"sample_weight": w, "groups": g},
            cv=GroupKFold(2),
            return_indices=True,
        )
        manual = []
        for tr, te in zip(res["indices"]["train"], res["indices"]["test"]):
            m = clone(tm).fit(X[tr], y[tr], sample_weight=w[tr], groups=g[tr])
            manual.append(accuracy_score(y[te], m.predict(X[te]), sample_weight=w[te]))
    np.testing.assert_allclose(res["test_score"], manual)


def test_calibrated_resampled_classifier_gets_fold_weights():
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        cal = CalibratedClassifierCV(_rc(), cv=2).fit(X, y, sample_weight=w)
    for c in cal.calibrated_classifiers_:
        rec = c.estimator.classifier_
        np.testing.assert_allclose(rec.sw_, w[_rows(rec)])


def test_voting_and_ovr_route_weights_to_threshold_mover():
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        tm = ThresholdMover(Recorder().set_fit_request(sample_weight=True))
        tm.set_fit_request(sample_weight=True)
        vt = VotingClassifier([("a", _rc()), ("b", tm)], voting="soft")
        vt.fit(X, y, sample_weight=w)
        y3 = np.r_[np.zeros(30, int), np.ones(20, int), 2 * np.ones(10, int)]
        ov = OneVsRestClassifier(tm).fit(X, y3, sample_weight=w)
    np.testing.assert_allclose(vt.estimators_[1].estimator_.sw_, w)
    rec = vt.estimators_[0].classifier_
    np.testing.assert_allclose(rec.sw_, w[_rows(rec)])
    for e in ov.estimators_:
        np.testing.assert_allclose(e.estimator_.sw_, w)


@pytest.mark.parametrize("routing", [False, True])
def test_bagging_counts_follow_resampled_rows(routing):
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=routing):
        rec = Recorder().set_fit_request(sample_weight=True) if routing else Recorder()
        rc = ResampledClassifier(RandomUnderSampler(random_state=0), rec)
        bag = BaggingClassifier(rc, n_estimators=2, random_state=0)
        bag.fit(X, y, sample_weight=w)
        plain = BaggingClassifier(rec, n_estimators=2, random_state=0)
        plain.fit(X, y, sample_weight=w)
    for e, p in zip(bag.estimators_, plain.estimators_):
        # the bootstrap counts the plain classifier got, taken at the rows drawn
        np.testing.assert_allclose(e.classifier_.sw_, p.sw_[_rows(e.classifier_)])


def test_pickle_and_clone_keep_requests():
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        rec = Recorder().set_fit_request(sample_weight="cw")
        rc = ResampledClassifier(RandomUnderSampler(random_state=0), rec)
        rc.fit(X, y, cw=w)
        back = pickle.loads(pickle.dumps(rc))
        np.testing.assert_allclose(back.predict_proba(X), rc.predict_proba(X))
        fresh = clone(rc)
        assert not hasattr(fresh, "classifier_")
        fresh.fit(X, y, cw=w)
    np.testing.assert_allclose(fresh.predict_proba(X), rc.predict_proba(X))
