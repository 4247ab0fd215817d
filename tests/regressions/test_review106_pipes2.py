"""Review 106, area pipes2: rebalance samplers in imbalanced-learn pipelines as
users build them (memory caching, slicing, clone/pickle, searches with loky
workers, cross_validate, two samplers, a sampler last, and the refusals of
scikit-learn's own Pipeline and ColumnTransformer)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.preprocessing import StandardScaler

import rebalance.base as rebalance_base
from rebalance.samplers import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
Pipeline = imblearn_pipeline.Pipeline
make_pipeline = imblearn_pipeline.make_pipeline

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _data(n=120):
    return make_classification(
        n_samples=n, n_features=5, weights=[0.85], random_state=0
    )


def _scaler_sampler_pca_lr(sampler):
    return make_pipeline(
        StandardScaler(), sampler, PCA(n_components=3), LogisticRegression()
    )


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_pipeline_methods_equal_the_steps_by_hand(sampler_cls):
    X, y = _data()
    pipe = _scaler_sampler_pca_lr(sampler_cls(random_state=0)).fit(X, y)
    Xs = StandardScaler().fit_transform(X)
    Xr, yr = sampler_cls(random_state=0).fit_resample(Xs, y)
    pca = PCA(n_components=3).fit(Xr)
    lr = LogisticRegression().fit(pca.transform(Xr), yr)
    Xt = pca.transform(Xs)
    np.testing.assert_allclose(pipe.predict_proba(X), lr.predict_proba(Xt))
    np.testing.assert_allclose(pipe.decision_function(X), lr.decision_function(Xt))
    np.testing.assert_array_equal(pipe.predict(X), lr.predict(Xt))
    assert pipe.score(X, y) == lr.score(Xt, y)
    assert list(pipe[:-1].get_feature_names_out()) == ["pca0", "pca1", "pca2"]
    assert pipe[-1] is pipe.named_steps["logisticregression"]
    assert isinstance(pipe[:2], Pipeline)
    assert list(pipe[:2].get_feature_names_out()) == [f"x{i}" for i in range(5)]


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_set_output_pandas_pipeline_keeps_names_and_predictions(sampler_cls):
    pd = pytest.importorskip("pandas")
    X, y = _data()
    Xdf = pd.DataFrame(X, columns=list("abcde"))
    plain = _scaler_sampler_pca_lr(sampler_cls(random_state=0)).fit(Xdf, y)
    pipe = _scaler_sampler_pca_lr(sampler_cls(random_state=0))
    pipe.set_output(transform="pandas").fit(Xdf, y)
    out = pipe[:-1].transform(Xdf)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["pca0", "pca1", "pca2"]
    Xr, _ = pipe[:2].fit_resample(Xdf, y)
    assert isinstance(Xr, pd.DataFrame)
    assert list(Xr.columns) == list("abcde")
    np.testing.assert_allclose(pipe.predict_proba(Xdf), plain.predict_proba(Xdf))


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_clone_and_pickle_of_a_fitted_pipeline(sampler_cls):
    X, y = _data()
    pipe = _scaler_sampler_pca_lr(sampler_cls(random_state=0)).fit(X, y)
    fresh = clone(pipe)
    assert not hasattr(fresh[1], "sample_indices_")
    assert fresh.get_params()[fresh.steps[1][0]].random_state == 0
    back = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(back.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(back[1].sample_indices_, pipe[1].sample_indices_)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_joblib_hash_is_deterministic_and_unchanged_by_fit(sampler_cls):
    joblib = pytest.importorskip("joblib")
    X, y = _data(40)
    sampler = sampler_cls(random_state=0)
    before = joblib.hash(sampler)
    assert before == joblib.hash(sampler_cls(random_state=0))
    assert before != joblib.hash(sampler_cls(random_state=1))
    sampler.plan(y)
    assert joblib.hash(sampler) == before
    sampler.fit_resample(X, y)
    assert joblib.hash(clone(sampler)) == before


def test_memory_cache_reuses_the_resample_and_set_params_invalidates(
    tmp_path, monkeypatch
):
    X, y = _data()
    calls = []
    original = rebalance_base.BaseSampler.fit_resample

    def counting(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(rebalance_base.BaseSampler, "fit_resample", counting)
    steps = [
        ("sc", StandardScaler()),
        ("s", RandomUnderSampler(random_state=0)),
        ("lr", LogisticRegression()),
    ]
    first = Pipeline(steps, memory=str(tmp_path)).fit(X, y)
    assert len(calls) == 1
    second = clone(first).fit(X, y)
    assert len(calls) == 1  # loaded from the cache
    np.testing.assert_array_equal(
        first.named_steps["s"].sample_indices_,
        second.named_steps["s"].sample_indices_,
    )
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    second.set_params(s__sampling_strategy=0.5).fit(X, y)
    assert len(calls) == 2
    counts = np.bincount(y[second.named_steps["s"].sample_indices_])
    assert counts[0] == 2 * counts[1]
    second.set_params(s__sampling_strategy="auto", s__random_state=1).fit(X, y)
    assert len(calls) == 3
    assert not np.array_equal(
        first.named_steps["s"].sample_indices_,
        second.named_steps["s"].sample_indices_,
    )


def test_grid_search_with_loky_workers_matches_one_job():
    X, y = _data()
    pipe = _scaler_sampler_pca_lr(RandomUnderSampler(random_state=0))
    grid = {
        "randomundersampler__sampling_strategy": [0.5, 1.0],
        "randomundersampler__random_state": [1],
    }
    two = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    one = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    np.testing.assert_allclose(
        two.cv_results_["mean_test_score"], one.cv_results_["mean_test_score"]
    )
    assert two.best_params_ == one.best_params_


def test_randomized_and_halving_search_over_sampler_params():
    pytest.importorskip("sklearn.experimental.enable_halving_search_cv")
    from sklearn.model_selection import HalvingGridSearchCV, RandomizedSearchCV

    X, y = _data()
    pipe = _scaler_sampler_pca_lr(ClassBalancedSampler(random_state=0))
    space = {"classbalancedsampler__power": [0.0, 0.5, 1.0]}
    rnd = RandomizedSearchCV(pipe, space, n_iter=2, cv=3, n_jobs=2, random_state=0).fit(
        X, y
    )
    assert rnd.best_params_["classbalancedsampler__power"] in (0.0, 0.5, 1.0)
    assert np.isfinite(rnd.cv_results_["mean_test_score"]).all()
    halving = HalvingGridSearchCV(
        pipe, space, cv=3, n_jobs=2, random_state=0, min_resources=40
    ).fit(X, y)
    assert np.isfinite(halving.cv_results_["mean_test_score"]).all()
    assert hasattr(halving.best_estimator_[1], "sample_indices_")


def test_grid_search_over_the_sampler_object_itself():
    from imblearn.under_sampling import RandomUnderSampler as ImbRUS

    X, y = _data()
    pipe = Pipeline([("s", "passthrough"), ("lr", LogisticRegression())])
    grid = {
        "s": [
            RandomUnderSampler(random_state=0),
            ImbRUS(random_state=0),
            LabelShuffleSampler(random_state=0),
            "passthrough",
        ]
    }
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_cross_validate_return_estimator_and_indices():
    X, y = _data()
    pipe = _scaler_sampler_pca_lr(RandomUnderSampler(random_state=0))
    res = cross_validate(
        pipe, X, y, cv=3, return_estimator=True, return_indices=True, n_jobs=2
    )
    for est, train in zip(res["estimator"], res["indices"]["train"]):
        indices = est.named_steps["randomundersampler"].sample_indices_
        assert indices.max() < len(train)
        counts = np.bincount(y[train][indices])
        assert counts[0] == counts[1] == np.bincount(y[train])[1]


def test_under_then_over_equals_the_two_samplers_by_hand():
    X, y = _data()
    pipe = make_pipeline(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0),
        RandomOverSampler(random_state=0),
        LogisticRegression(),
    ).fit(X, y)
    Xr, yr = pipe[:2].fit_resample(X, y)
    X1, y1 = RandomUnderSampler(sampling_strategy=0.5, random_state=0).fit_resample(
        X, y
    )
    X2, y2 = RandomOverSampler(random_state=0).fit_resample(X1, y1)
    np.testing.assert_array_equal(Xr, X2)
    np.testing.assert_array_equal(yr, y2)
    lr = LogisticRegression().fit(X2, y2)
    np.testing.assert_allclose(pipe.predict_proba(X), lr.predict_proba(X))


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_sampler_last_fit_resample_equals_by_hand(sampler_cls):
    X, y = _data()
    pipe = make_pipeline(StandardScaler(), sampler_cls(random_state=3))
    Xr, yr = pipe.fit_resample(X, y)
    Xh, yh = sampler_cls(random_state=3).fit_resample(
        StandardScaler().fit_transform(X), y
    )
    np.testing.assert_array_equal(Xr, Xh)
    np.testing.assert_array_equal(yr, yh)


def test_function_sampler_beside_ours():
    from imblearn import FunctionSampler

    X, y = _data()

    def every_other(X, y):
        return X[::2], y[::2]

    pipe = make_pipeline(
        FunctionSampler(func=every_other),
        LabelShuffleSampler(random_state=0),
        LogisticRegression(),
    ).fit(X, y)
    Xr, yr = pipe[:2].fit_resample(X, y)
    Xh, yh = LabelShuffleSampler(random_state=0).fit_resample(X[::2], y[::2])
    np.testing.assert_array_equal(Xr, Xh)
    np.testing.assert_array_equal(yr, yh)


def test_parity_with_imblearn_random_under_sampler_in_the_same_pipeline():
    from imblearn.under_sampling import RandomUnderSampler as ImbRUS

    X, y = _data()
    ours = _scaler_sampler_pca_lr(RandomUnderSampler(random_state=0)).fit(X, y)
    theirs = _scaler_sampler_pca_lr(ImbRUS(random_state=0)).fit(X, y)
    assert (
        np.bincount(y[ours[1].sample_indices_]).tolist()
        == np.bincount(y[theirs[1].sample_indices_]).tolist()
    )
    assert {int(k): int(v) for k, v in ours[1].sampling_strategy_.items()} == {
        int(k): int(v) for k, v in theirs[1].sampling_strategy_.items()
    }
    assert ours.predict_proba(X).shape == theirs.predict_proba(X).shape


def test_verbose_pipeline_reports_the_sampler_step(capsys):
    X, y = _data()
    make_pipeline(
        StandardScaler(),
        RandomUnderSampler(random_state=0),
        LogisticRegression(),
        verbose=True,
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "(step 2 of 3) Processing randomundersampler" in out
    assert "(step 3 of 3) Processing logisticregression" in out


def test_feature_union_and_column_transformer_before_a_sampler():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion

    X, y = _data()
    Xdf = pd.DataFrame(X, columns=list("abcde"))
    ct = make_pipeline(
        ColumnTransformer(
            [("sc", StandardScaler(), ["a", "b"])], remainder="passthrough"
        ),
        RandomUnderSampler(random_state=0),
        LogisticRegression(),
    ).fit(Xdf, y)
    assert np.bincount(y[ct[1].sample_indices_]).tolist() == [20, 20]
    fu = make_pipeline(
        FeatureUnion([("sc", StandardScaler()), ("pca", PCA(n_components=2))]),
        RandomOverSampler(random_state=0),
        LogisticRegression(),
    ).fit(X, y)
    assert fu[-1].coef_.shape == (1, 7)


def test_sampler_inside_a_column_transformer_is_refused():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer

    X, y = _data()
    Xdf = pd.DataFrame(X, columns=list("abcde"))
    ct = ColumnTransformer([("s", RandomUnderSampler(random_state=0), ["a"])])
    with pytest.raises(TypeError, match="RandomUnderSampler"):
        ct.fit_transform(Xdf, y)


def test_weights_for_the_classifier_are_refused_with_the_fix():
    X, y = _data()
    pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    with pytest.raises(ValueError, match="ResampledClassifier"):
        pipe.fit(X, y, logisticregression__sample_weight=np.ones(len(y)))


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_sklearn_pipeline_refusal_names_the_fix(sampler_cls):
    from sklearn.pipeline import make_pipeline as sk_make_pipeline

    X, y = _data()
    pipe = sk_make_pipeline(
        StandardScaler(), sampler_cls(random_state=0), LogisticRegression()
    )
    with pytest.raises(TypeError, match="imblearn.pipeline|ResampledClassifier"):
        pipe.fit(X, y)
