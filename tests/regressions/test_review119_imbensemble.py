"""rebalance's samplers and ResampledClassifier inside imbalanced-learn's tools:
class counts against imbalanced-learn's own samplers for every form of
``sampling_strategy``, ``BalancedBaggingClassifier`` driving the samplers'
``sampling_strategy`` (ported from imbalanced-learn's bagging tests),
``imblearn.pipeline.Pipeline`` with ``memory=`` and a final sampler (ported
from its pipeline tests), sample_weight inside a Pipeline (refused, not
dropped) and under metadata routing, searches over the sampler's parameters,
``FrozenEstimator``, ``clone`` and pickling of fitted pipelines."""

import pickle
import shutil
import tempfile
import warnings
from collections import Counter

import numpy as np
import pytest
import sklearn
from imblearn import FunctionSampler
from imblearn import over_sampling as imb_over
from imblearn import under_sampling as imb_under
from imblearn.datasets import make_imbalance
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.pipeline import Pipeline, make_pipeline
from imblearn.under_sampling import EditedNearestNeighbours
from joblib import Memory
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import rebalance as rb

RNG = np.random.RandomState(0)
X3 = RNG.randn(100, 3)
Y3 = np.array([0] * 60 + [1] * 30 + [2] * 10)
X2 = RNG.randn(100, 3)
Y2 = np.array([0] * 80 + [1] * 20)


def _counts(sampler, X, y):
    return dict(Counter(sampler.fit_resample(X, y)[1].tolist()))


@pytest.mark.parametrize(
    "strategy",
    ["auto", "majority", "not minority", "not majority", "all", {0: 20, 1: 15}],
)
def test_under_counts_match_imblearn(strategy):
    ours = _counts(rb.RandomUnderSampler(sampling_strategy=strategy), X3, Y3)
    theirs = _counts(imb_under.RandomUnderSampler(sampling_strategy=strategy), X3, Y3)
    assert ours == theirs


@pytest.mark.parametrize(
    "strategy",
    ["auto", "minority", "not minority", "all", {1: 40, 2: 50}],
)
def test_over_counts_match_imblearn(strategy):
    ours = _counts(rb.RandomOverSampler(sampling_strategy=strategy), X3, Y3)
    theirs = _counts(imb_over.RandomOverSampler(sampling_strategy=strategy), X3, Y3)
    assert ours == theirs
    # LabelShuffleSampler reads sampling_strategy as RandomOverSampler does.
    assert _counts(rb.LabelShuffleSampler(sampling_strategy=strategy), X3, Y3) == ours


@pytest.mark.parametrize("ratio", [0.5, 1.0, 0.3])
def test_float_ratio_counts_match_imblearn(ratio):
    for ours, theirs in [
        (rb.RandomUnderSampler, imb_under.RandomUnderSampler),
        (rb.RandomOverSampler, imb_over.RandomOverSampler),
    ]:
        assert _counts(ours(sampling_strategy=ratio), X2, Y2) == _counts(
            theirs(sampling_strategy=ratio), X2, Y2
        )


def test_callable_strategy_matches_imblearn():
    def strategy(y):
        return {2: 20}

    ours = _counts(rb.RandomOverSampler(sampling_strategy=strategy), X3, Y3)
    theirs = _counts(imb_over.RandomOverSampler(sampling_strategy=strategy), X3, Y3)
    assert ours == theirs == {0: 60, 1: 30, 2: 20}


def test_over_ratio_equal_to_current_is_a_no_op():
    # imbalanced-learn refuses a ratio that adds no row (its check is <= 0);
    # rebalance returns the data unchanged, which is not a wrong result.
    assert _counts(rb.RandomOverSampler(sampling_strategy=0.25), X2, Y2) == {
        0: 80,
        1: 20,
    }


class _CountTree(DecisionTreeClassifier):
    """Records the class counts it is fitted on (imblearn's test helper)."""

    def fit(self, X, y, sample_weight=None):
        self.class_counts_ = Counter(np.asarray(y).tolist())
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "sampler, n_per_class",
    [(rb.RandomUnderSampler(), 15), (rb.RandomOverSampler(), 40)],
)
def test_balanced_bagging_classifier_samplers_port(sampler, n_per_class):
    # Ported from imblearn/ensemble/tests/test_bagging.py with our samplers.
    iris = load_iris()
    X, y = make_imbalance(
        iris.data,
        iris.target,
        sampling_strategy={0: 20, 1: 25, 2: 50},
        random_state=0,
    )
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, _ = train_test_split(X, y, random_state=0)
    clf = BalancedBaggingClassifier(
        estimator=_CountTree(), n_estimators=2, sampler=sampler, random_state=0
    )
    clf.fit(X_train, y_train)
    clf.predict(X_test)
    assert_array_equal(list(clf.estimators_[0][-1].class_counts_.values()), n_per_class)


@pytest.mark.parametrize(
    "strategy, y",
    [
        (0.5, np.array(["a"] * 90 + ["b"] * 30)),
        ("not minority", np.array(["a"] * 70 + ["b"] * 35 + ["c"] * 15)),
        ({"a": 20, "b": 20}, np.array(["a"] * 70 + ["b"] * 35 + ["c"] * 15)),
    ],
)
def test_bagging_sets_strategy_like_imblearn_sampler(strategy, y):
    X = np.random.RandomState(1).randn(len(y), 3)

    def seen(sampler):
        clf = BalancedBaggingClassifier(
            estimator=_CountTree(),
            sampler=sampler,
            sampling_strategy=strategy,
            n_estimators=1,
            bootstrap=False,
            random_state=0,
        ).fit(X, y)
        return dict(clf.estimators_[0][-1].class_counts_)

    assert seen(rb.RandomUnderSampler(random_state=0)) == seen(
        imb_under.RandomUnderSampler(random_state=0)
    )


@pytest.mark.parametrize(
    "sampler",
    [rb.ClassBalancedSampler(), rb.LabelShuffleSampler(), rb.RandomOverSampler()],
)
def test_bagging_keeps_every_class(sampler):
    clf = BalancedBaggingClassifier(
        estimator=_CountTree(), sampler=sampler, n_estimators=2, random_state=0
    ).fit(X3, Y3)
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X3).shape == (100, 3)


def test_pipeline_memory_sampler_port():
    # Ported from imblearn/tests/test_pipeline.py: a cached Pipeline gives the
    # predictions of an uncached one, on the first fit and on a cache hit.
    X, y = make_classification(weights=[0.1, 0.9], n_samples=400, random_state=0)
    cachedir = tempfile.mkdtemp()
    try:

        def cached():
            return Pipeline(
                [
                    ("s", rb.RandomUnderSampler(random_state=0)),
                    ("clf", LogisticRegression()),
                ],
                memory=Memory(cachedir, verbose=0),
            ).fit(X, y)

        plain = make_pipeline(
            rb.RandomUnderSampler(random_state=0), LogisticRegression()
        ).fit(X, y)
        first, second = cached(), cached()
        for pipe in (first, second):
            assert_allclose(pipe.predict_proba(X), plain.predict_proba(X))
        assert second[0].sampling_strategy_ == plain[0].sampling_strategy_
    finally:
        shutil.rmtree(cachedir)


def test_pipeline_fit_then_sample_with_sampler_last_port():
    X, y = make_classification(weights=[0.1, 0.9], n_samples=400, random_state=0)
    direct = make_pipeline(
        rb.RandomUnderSampler(random_state=42), EditedNearestNeighbours()
    ).fit_resample(X, y)
    pipe = make_pipeline(
        rb.RandomUnderSampler(random_state=42), EditedNearestNeighbours()
    )
    pipe.fit(X, y)
    again = pipe.fit_resample(X, y)
    assert_array_equal(direct[0], again[0])
    assert_array_equal(direct[1], again[1])


@pytest.mark.parametrize(
    "param", ["logisticregression__sample_weight", "randomundersampler__sample_weight"]
)
def test_pipeline_sample_weight_is_refused_not_dropped(param):
    w = np.random.RandomState(0).rand(100)
    pipe = make_pipeline(rb.RandomUnderSampler(), LogisticRegression())
    with pytest.raises(ValueError, match="ResampledClassifier"):
        pipe.fit(X2, Y2, **{param: w})


def test_routed_weights_to_final_sampler_come_back_aligned():
    w = np.arange(100, dtype=float) + 1
    with sklearn.config_context(enable_metadata_routing=True):
        sampler = rb.RandomUnderSampler(random_state=0).set_fit_resample_request(
            sample_weight=True
        )
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False), sampler
        )
        X_res, y_res, w_res = pipe.fit_resample(X2, Y2, sample_weight=w)
    idx = pipe[-1].sample_indices_
    assert_array_equal(y_res, Y2[idx])
    assert_array_equal(w_res, w[idx])
    assert Counter(y_res.tolist()) == {0: 20, 1: 20}


def test_routed_weights_to_intermediate_sampler_refused():
    w = np.random.RandomState(0).rand(100)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            rb.RandomUnderSampler().set_fit_resample_request(sample_weight=True),
            LogisticRegression().set_fit_request(sample_weight=False),
        )
        with pytest.raises(ValueError, match="ResampledClassifier"):
            pipe.fit(X2, Y2, sample_weight=w)


def test_resampled_classifier_routed_weights_follow_rows():
    w = np.arange(100, dtype=float) + 1

    class Spy(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            self.seen_ = (np.asarray(X).copy(), np.asarray(sample_weight).copy())
            return super().fit(X, y, sample_weight=sample_weight)

    with sklearn.config_context(enable_metadata_routing=True):
        clf = rb.ResampledClassifier(
            rb.RandomUnderSampler(random_state=0),
            Spy().set_fit_request(sample_weight=True),
        ).fit(X2, Y2, sample_weight=w)
    X_seen, w_seen = clf.classifier_.seen_
    idx = clf.sampler_.sample_indices_
    assert_array_equal(X_seen, X2[idx])
    assert_array_equal(w_seen, w[idx])


def test_grid_search_over_sampler_strategy():
    pipe = make_pipeline(rb.RandomUnderSampler(random_state=0), LogisticRegression())
    grid = {"randomundersampler__sampling_strategy": [0.5, 1.0, "auto", {0: 30}]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X2, Y2)
    assert len(search.cv_results_["params"]) == 4
    assert not np.isnan(search.cv_results_["mean_test_score"]).any()
    rc = rb.ResampledClassifier(
        rb.RandomUnderSampler(random_state=0), LogisticRegression()
    )
    search = GridSearchCV(rc, {"sampler__sampling_strategy": [0.5, 1.0]}, cv=3)
    search.fit(X2, Y2, sample_weight=np.ones(100))
    assert search.best_estimator_.sampler_.sampling_strategy in (0.5, 1.0)


def test_clone_pickle_frozen_fitted_pipeline():
    pipe = make_pipeline(
        rb.RandomOverSampler(random_state=0), rb.ThresholdMover(LogisticRegression())
    ).fit(X2, Y2)
    expected = pipe.predict_proba(X2)
    assert_allclose(pickle.loads(pickle.dumps(pipe)).predict_proba(X2), expected)
    assert_allclose(FrozenEstimator(pipe).predict_proba(X2), expected)
    fresh = clone(pipe)
    assert not hasattr(fresh[0], "sample_indices_")
    assert_allclose(fresh.fit(X2, Y2).predict_proba(X2), expected)


def test_function_sampler_wrapping_our_sampler():
    def func(X, y):
        return rb.RandomUnderSampler(random_state=0).fit_resample(X, y)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X_res, y_res = FunctionSampler(func=func).fit_resample(X2, Y2)
    assert Counter(y_res.tolist()) == {0: 20, 1: 20}
    assert X_res.shape == (40, 3)
