"""Review 46: imbalanced-learn's own Pipeline and ensemble tests, on rebalance.

Ported from imbalanced-learn 0.14's ``imblearn/tests/test_pipeline.py`` and
``imblearn/ensemble/tests/test_bagging.py`` / ``test_easy_ensemble.py``: every
case that uses ``RandomUnderSampler`` (or a sampler-agnostic scenario) is run
with each of rebalance's four samplers. Where imbalanced-learn only checks
that a method runs, the port also checks the result against an independent
oracle: the same steps composed by hand on ``X[sampler.sample_indices_]``.
Where imbalanced-learn pins its own sampler's draw (its ``RandomUnderSampler``
inside an ensemble against ours in a pipeline), both sides use rebalance's
sampler.
"""

import shutil
from tempfile import mkdtemp

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.pipeline import Pipeline, make_pipeline
from imblearn.under_sampling import EditedNearestNeighbours
from joblib import Memory
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris, make_classification
from sklearn.decomposition import PCA
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier, LocalOutlierFactor
from sklearn.preprocessing import StandardScaler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _data(n_samples=600, weights=(0.1, 0.9)):
    # imbalanced-learn's data set for these tests (smaller: 5000/50000 rows
    # there), same generator and parameters
    return make_classification(
        n_classes=2,
        class_sep=2,
        weights=list(weights),
        n_informative=3,
        n_redundant=1,
        flip_y=0,
        n_features=20,
        n_clusters_per_class=1,
        n_samples=n_samples,
        random_state=0,
    )


def _steps(layout, sampler):
    """imbalanced-learn's pipelines: (pca, rus, clf), (rus, pca, clf),
    (rus, anova, clf), (None, rus, clf), (rus, None, clf)."""
    build = {
        "pca_s_clf": [("pre", PCA()), ("s", sampler), ("clf", LogisticRegression())],
        "s_pca_clf": [("s", sampler), ("post", PCA()), ("clf", LogisticRegression())],
        "s_anova_clf": [
            ("s", sampler),
            ("post", SelectKBest(f_classif, k=2)),
            ("clf", LogisticRegression()),
        ],
        "none_s_clf": [("pre", None), ("s", sampler), ("clf", LogisticRegression())],
        "s_none_clf": [("s", sampler), ("post", None), ("clf", LogisticRegression())],
    }
    return build[layout]


LAYOUTS = ["pca_s_clf", "s_pca_clf", "s_anova_clf", "none_s_clf", "s_none_clf"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_pipeline_methods_equal_the_steps_composed_by_hand(sampler_cls, layout):
    # test_pipeline_methods_pca_rus_svm, _rus_pca_svm, _anova_rus,
    # test_pipeline_none_sampler_classifier, _sampler_none_classifier
    X, y = _data()
    pipe = Pipeline(_steps(layout, sampler_cls(random_state=0))).fit(X, y)
    # oracle: every step by hand, the sampler's rows taken by position
    pre = pipe.named_steps.get("pre")
    Xt = PCA().fit_transform(X) if pre is not None else X
    idx = pipe.named_steps["s"].sample_indices_
    X_res, y_res = sampler_cls(random_state=0).fit_resample(Xt, y)
    assert_allclose(X_res, Xt[idx])
    assert_array_equal(y_res, y[idx])
    post = pipe.named_steps.get("post")
    post_ref = None
    if post is not None:
        post_ref = PCA() if isinstance(post, PCA) else SelectKBest(f_classif, k=2)
        X_res = post_ref.fit_transform(X_res, y_res)
    clf = LogisticRegression().fit(X_res, y_res)
    assert_allclose(pipe[-1].coef_, clf.coef_, rtol=1e-6, atol=1e-8)

    def through(X_new):  # prediction path: no sampler
        X_new = PCA().fit(X).transform(X_new) if pre is not None else X_new
        return post_ref.transform(X_new) if post_ref is not None else X_new

    assert_array_equal(pipe.predict(X), clf.predict(through(X)))
    assert_allclose(pipe.predict_proba(X), clf.predict_proba(through(X)), atol=1e-8)
    assert_allclose(
        pipe.predict_log_proba(X), clf.predict_log_proba(through(X)), atol=1e-6
    )
    assert_allclose(
        pipe.decision_function(X), clf.decision_function(through(X)), atol=1e-6
    )
    assert pipe.score(X, y) == clf.score(through(X), y)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_pipeline_sample_with_the_sampler_last(sampler_cls):
    # test_pipeline_sample, test_pipeline_none_sampler_sample
    X, y = _data()
    sampler = sampler_cls(random_state=0)
    X_trans, y_trans = Pipeline([("s", sampler)]).fit_resample(X, y)
    X_trans2, y_trans2 = sampler.fit_resample(X, y)
    assert_array_equal(X_trans, X_trans2)
    assert_array_equal(y_trans, y_trans2)
    assert_array_equal(X_trans, X[sampler.sample_indices_])

    X_pca = PCA().fit_transform(X)
    pipe = Pipeline([("pca", PCA()), ("s", sampler)])
    X_trans, y_trans = pipe.fit_resample(X, y)
    assert_allclose(X_trans, X_pca[pipe[-1].sample_indices_], atol=1e-10)
    assert_array_equal(y_trans, y[pipe[-1].sample_indices_])

    X_none, y_none = make_pipeline(None, sampler_cls(random_state=0)).fit_resample(X, y)
    assert_array_equal(X_none, X_trans2)
    assert_array_equal(y_none, y_trans2)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_pipeline_sample_transform(sampler_cls):
    # test_pipeline_sample_transform: (pca, sampler, pca2).fit(X).transform(X)
    X, y = _data()
    pipe = Pipeline(
        [("pca", PCA()), ("s", sampler_cls(random_state=0)), ("pca2", PCA())]
    )
    fitted_t = pipe.fit_transform(X, y)
    X_pca = PCA().fit_transform(X)
    idx = pipe[1].sample_indices_
    ref = PCA().fit(X_pca[idx])
    assert_allclose(fitted_t, ref.transform(X_pca[idx]), atol=1e-8)
    # transform never resamples
    out = pipe.transform(X)
    assert out.shape == (len(X), X.shape[1])
    assert_allclose(out, ref.transform(PCA().fit(X).transform(X)), atol=1e-8)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_fit_then_resample_equals_fit_resample_with_a_sampler_last(sampler_cls):
    # test_pipeline_fit_then_sample_with_sampler_last_estimator and its
    # 3-sampler variant (sampler, ENN, sampler): fit() then fit_resample()
    # gives the rows of fit_resample() alone
    X, y = _data()
    sampler = sampler_cls(random_state=42)
    steps = [sampler, EditedNearestNeighbours(), sampler]
    for n_steps in (2, 3):
        first = make_pipeline(*steps[:n_steps]).fit_resample(X, y)
        pipe = make_pipeline(*steps[:n_steps]).fit(X, y)
        second = pipe.fit_resample(X, y)
        assert_array_equal(first[0], second[0])
        assert_array_equal(first[1], second[1])
        # the first step's rows, then ENN's choice among them
        assert len(first[1]) <= len(pipe[0].sample_indices_)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_resampler_last_stage_passthrough(sampler_cls):
    # imbalanced-learn returns only X when the last step is None/passthrough
    # (its own behaviour, whatever the sampler): the rows are the sampler's
    X, y = _data()
    for last in (None, "passthrough"):
        pipe = make_pipeline(sampler_cls(random_state=42), last)
        X_out = pipe.fit_resample(X, y)
        assert_array_equal(X_out, X[pipe[0].sample_indices_])


@pytest.mark.parametrize("multiclass", [False, True])
@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_pipeline_score_samples_pca_lof(sampler_cls, multiclass):
    # test_pipeline_score_samples_pca_lof_binary / _multiclass
    if multiclass:
        X, y = load_iris(return_X_y=True)
        X, y = X[:120], y[:120]  # 50/50/20
        pca = PCA(n_components=2)
    else:
        X, y = _data(300, (0.3, 0.7))
        pca = PCA(svd_solver="full", n_components="mle", whiten=True)
    pipe = Pipeline(
        [
            ("s", sampler_cls(random_state=42)),
            ("pca", pca),
            ("lof", LocalOutlierFactor(novelty=True)),
        ]
    ).fit(X, y)
    assert pipe.score_samples(X).shape == (X.shape[0],)
    X_res, _ = sampler_cls(random_state=42).fit_resample(X, y)
    pca_ref = sklearn.clone(pca).fit(X_res)
    lof = LocalOutlierFactor(novelty=True).fit(pca_ref.transform(X_res))
    assert_allclose(pipe.score_samples(X), lof.score_samples(pca_ref.transform(X)))


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_pipeline_with_step_that_it_is_pipeline(sampler_cls):
    X, y = _data()
    inner = Pipeline(
        [("s", sampler_cls(random_state=0)), ("anova", SelectKBest(f_classif, k=2))]
    )
    with pytest.raises(TypeError):
        Pipeline([("inner", inner), ("logistic", LogisticRegression())]).fit(X, y)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_pipeline_with_set_output(sampler_cls):
    # test_pipeline_with_set_output, plus the rows' and names' alignment
    X, y = load_iris(return_X_y=True, as_frame=True)
    pipe = make_pipeline(
        StandardScaler(), sampler_cls(random_state=0), LogisticRegression()
    ).set_output(transform="default")
    pipe.fit(X, y)
    X_res, y_res = pipe[:-1].fit_resample(X, y)
    assert isinstance(X_res, np.ndarray)
    assert isinstance(y_res, type(y))

    pipe.set_output(transform="pandas")
    X_res, y_res = pipe[:-1].fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame)
    assert isinstance(y_res, type(y))
    idx = pipe[:-1][-1].sample_indices_
    assert list(X_res.columns) == list(X.columns)
    assert_allclose(X_res.to_numpy(), StandardScaler().fit_transform(X)[idx])
    assert_array_equal(y_res.to_numpy(), y.to_numpy()[idx])
    assert y_res.name == y.name
    assert list(pipe[:-1].get_feature_names_out()) == list(X.columns)


class _CountingMixin:
    """Counts the calls of fit_resample (class-level: survives the cache)."""

    calls = [0]

    def fit_resample(self, X, y, **params):
        type(self).calls[0] += 1
        return super().fit_resample(X, y, **params)


# module level: joblib's Memory pickles the step to hash it
class _CountingRUS(_CountingMixin, RandomUnderSampler):
    pass


class _CountingROS(_CountingMixin, RandomOverSampler):
    pass


class _CountingCBS(_CountingMixin, ClassBalancedSampler):
    pass


class _CountingLSS(_CountingMixin, LabelShuffleSampler):
    pass


_COUNTING = dict(
    zip(SAMPLERS, [_CountingRUS, _CountingROS, _CountingCBS, _CountingLSS])
)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_pipeline_memory_sampler(sampler_cls):
    # test_pipeline_memory_sampler with our samplers: the cached pipeline
    # (also under another step name) gives the uncached one's rows and model,
    # and the second fit reads the cache instead of resampling
    X, y = _data()
    counting = _COUNTING[sampler_cls]
    counting.calls[0] = 0
    cachedir = mkdtemp()
    try:
        memory = Memory(cachedir, verbose=0)
        transf = counting(random_state=0)
        pipe = Pipeline(
            [("transf", sklearn.clone(transf)), ("clf", LogisticRegression())]
        )
        cached = Pipeline(
            [("transf", transf), ("clf", LogisticRegression())], memory=memory
        )
        cached.fit(X, y)
        pipe.fit(X, y)
        assert counting.calls[0] == 2
        assert not hasattr(transf, "sample_indices_")
        for fitted in (cached, cached.fit(X, y)):
            assert_array_equal(pipe.predict(X), fitted.predict(X))
            assert_array_equal(pipe.predict_proba(X), fitted.predict_proba(X))
            assert pipe.score(X, y) == fitted.score(X, y)
            assert_array_equal(
                pipe.named_steps["transf"].sample_indices_,
                fitted.named_steps["transf"].sample_indices_,
            )
        assert counting.calls[0] == 2  # the second fit read the cache
        cached_2 = Pipeline(
            [("transf_2", counting(random_state=0)), ("clf", LogisticRegression())],
            memory=memory,
        ).fit(X, y)
        assert counting.calls[0] == 2
        assert_array_equal(pipe.predict_proba(X), cached_2.predict_proba(X))
        assert_array_equal(
            pipe.named_steps["transf"].sample_indices_,
            cached_2.named_steps["transf_2"].sample_indices_,
        )
        # another random_state is another cache entry: another draw
        Pipeline(
            [("transf", counting(random_state=1)), ("clf", LogisticRegression())],
            memory=memory,
        ).fit(X, y)
        assert counting.calls[0] == 3
    finally:
        shutil.rmtree(cachedir)


class _Recorder(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.n_rows_ = len(X)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize("routing", [False, True])
@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_weights_for_the_classifier_are_refused_also_from_the_cache(
    sampler_cls, routing
):
    # an imblearn Pipeline hands the classifier the weights unresampled: on
    # the first fit and when the sampler step is read from memory= alike
    X, y = _data(300)
    w = np.linspace(0.5, 2.0, len(y))
    cachedir = mkdtemp()
    try:
        with sklearn.config_context(enable_metadata_routing=routing):
            for _ in range(2):  # resampled, then loaded from the cache
                clf = _Recorder()
                if routing:
                    clf.set_fit_request(sample_weight=True)
                    params = {"sample_weight": w}
                else:
                    params = {"rec__sample_weight": w}
                pipe = Pipeline(
                    [("s", sampler_cls(random_state=0)), ("rec", clf)],
                    memory=Memory(cachedir, verbose=0),
                )
                with pytest.raises(ValueError, match=r"rec\.fit.*ResampledClassifier"):
                    pipe.fit(X, y, **params)
            # without weights the cached pipeline works
            pipe.fit(X, y)
            assert pipe[-1].n_rows_ == len(pipe[0].sample_indices_)
    finally:
        shutil.rmtree(cachedir)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_metadata_routing_with_a_sampler_last(sampler_cls):
    # test_metadata_routing_with_sampler: a routed sample_weight reaches the
    # last step's fit_resample and comes back resampled with the rows; with
    # routing off imblearn drops '<step>__sample_weight' for fit_resample,
    # which rebalance refuses rather than resample without it
    X, y = _data(300)
    w = np.arange(len(y), dtype=float)
    with sklearn.config_context(enable_metadata_routing=True):
        sampler = sampler_cls(random_state=0).set_fit_resample_request(
            sample_weight=True
        )
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False), sampler
        )
        X_res, y_res, w_res = pipe.fit_resample(X, y, sample_weight=w)
    idx = pipe[-1].sample_indices_
    assert_allclose(X_res, StandardScaler().fit_transform(X)[idx])
    assert_array_equal(y_res, y[idx])
    assert_array_equal(w_res, w[idx])
    name = sampler_cls.__name__.lower()
    pipe = make_pipeline(StandardScaler(), sampler_cls(random_state=0))
    with pytest.raises(ValueError, match=f"{name}__sample_weight \\(dropped\\)"):
        pipe.fit_resample(X, y, **{f"{name}__sample_weight": w})


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_balanced_bagging_single_estimator_is_the_pipeline(sampler_cls):
    # test_bagging.py::test_single_estimator with our sampler on both sides
    # (imbalanced-learn pins its own RandomUnderSampler's draw)
    iris = load_iris()
    rng = np.random.default_rng(0)
    keep = np.concatenate(
        [
            rng.choice(np.flatnonzero(iris.target == c), n, replace=False)
            for c, n in ((0, 20), (1, 25), (2, 50))
        ]
    )
    X_train, X_test, y_train, _ = train_test_split(
        iris.data[keep], iris.target[keep], random_state=0
    )
    clf1 = BalancedBaggingClassifier(
        estimator=KNeighborsClassifier(),
        sampler=sampler_cls(),
        n_estimators=1,
        bootstrap=False,
        bootstrap_features=False,
        random_state=0,
    ).fit(X_train, y_train)
    clf2 = make_pipeline(
        sampler_cls(random_state=clf1.estimators_[0].steps[0][1].random_state),
        KNeighborsClassifier(),
    ).fit(X_train, y_train)
    assert_array_equal(clf1.estimators_[0][0].sample_indices_, clf2[0].sample_indices_)
    assert_array_equal(clf1.predict(X_test), clf2.predict(X_test))
