"""Review 55, peers: imbalanced-learn's own test modules run with rebalance's samplers.

``tests/test_imblearn_port.py`` already ports the random-sampler tests,
``tests/test_common.py`` and the ensembles' per-bag counts. This file adds
imbalanced-learn 0.14's ``tests/test_pipeline.py`` (every test that builds a
``RandomUnderSampler``, run with each rebalance sampler put in its place),
every ``check_samplers_*`` of ``utils/estimator_checks.py`` on each sampler,
more of ``ensemble/tests`` (bagging and EasyEnsemble tests run on rebalance's
``RandomUnderSampler``), and user journeys the peers cover only with their own
samplers: ``joblib.Memory`` caching, metadata routing, ``get_feature_names_out``,
``model_selection.InstanceHardnessCV`` and the docstring/signature check of
``tests/test_docstring_parameters.py``.
No incompatibility was found; the two peer failures seen (RUSBoost's
``len(estimators_) > 1`` and the binomial OOB score of BalancedRandomForest
within 0.1 of 0.5) pin imbalanced-learn's own draw: over seeds both libraries
give the same spread, so they are not ported.
"""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from joblib import Memory
from numpydoc.docscrape import ClassDoc
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLER_CLASSES = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


# --------------------------------------------------------------------------
# utils/estimator_checks.py: every check_samplers_* check, on every sampler

SAMPLER_CHECKS = {
    "check_target_type",
    "check_samplers_one_label",
    "check_samplers_fit",
    "check_samplers_fit_resample",
    "check_samplers_sampling_strategy_fit_resample",
    "check_samplers_sparse",
    "check_samplers_pandas",
    "check_samplers_pandas_sparse",
    "check_samplers_string",
    "check_samplers_nan",
    "check_samplers_list",
    "check_samplers_multiclass_ova",
    "check_samplers_preserve_dtype",
    "check_samplers_sample_indices",
    "check_samplers_2d_target",
    "check_sampler_get_feature_names_out",
    "check_sampler_get_feature_names_out_pandas",
}


@pytest.mark.parametrize(
    "sampler",
    [cls(random_state=0) for cls in SAMPLER_CLASSES]
    + [RandomUnderSampler(replacement=True, random_state=0)],
    ids=lambda s: (
        type(s).__name__ + ("-replacement" if s.get_params().get("replacement") else "")
    ),
)
def test_every_imblearn_sampler_check_passes(sampler):
    from imblearn.utils.estimator_checks import estimator_checks_generator

    names = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for estimator, check in estimator_checks_generator(sampler, legacy=True):
            check(estimator)
            names.add(getattr(check, "func", check).__name__)
    # the tags (strings, NaN, sparse, sample_indices) select every check
    assert SAMPLER_CHECKS <= names


# --------------------------------------------------------------------------
# tests/test_pipeline.py, RandomUnderSampler replaced by each rebalance sampler


def _pipeline_tests():
    import imblearn.tests.test_pipeline as module

    names = [
        name
        for name, func in vars(module).items()
        if name.startswith("test_")
        and inspect.isfunction(func)
        and "RandomUnderSampler" in inspect.getsource(func)
        and not inspect.signature(func).parameters
    ]
    # the two fit-then-sample tests fit an SVC on the full iris set; they take
    # a minute with an over-sampler (not a rebalance cost): under-sampler only
    slow = {
        "test_pipeline_fit_then_sample_with_sampler_last_estimator",
        "test_pipeline_fit_then_sample_3_samplers_with_sampler_last_estimator",
    }
    # One sampler a test, in turn (the suite's time): every sampler runs
    # several of the tests, every test runs once.
    cases = []
    for k, name in enumerate(names):
        cls = SAMPLER_CLASSES[k % len(SAMPLER_CLASSES)]
        if name in slow:
            cls = RandomUnderSampler
        cases.append(pytest.param(name, cls, id=f"{name}-{cls.__name__}"))
    return cases


PIPELINE_TESTS = _pipeline_tests()


def test_pipeline_port_covers_the_sampler_tests():
    assert len({p.values[0] for p in PIPELINE_TESTS}) == 16


@pytest.mark.parametrize("name, sampler_cls", PIPELINE_TESTS)
def test_imblearn_pipeline_test(name, sampler_cls, monkeypatch):
    import imblearn.tests.test_pipeline as module

    monkeypatch.setattr(module, "RandomUnderSampler", sampler_cls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(module, name)()


# --------------------------------------------------------------------------
# ensemble/tests/test_bagging.py and test_easy_ensemble.py beyond the port,
# with rebalance's RandomUnderSampler as the ensembles' default sampler

ENSEMBLE_TESTS = [
    ("test_bagging", "test_bootstrap_samples"),
    ("test_bagging", "test_bootstrap_features"),
    ("test_bagging", "test_warm_start_equivalence"),
    ("test_bagging", "test_oob_score_consistency"),
    ("test_bagging", "test_estimators_samples"),
    ("test_bagging", "test_gridsearch"),
    ("test_easy_ensemble", "test_bagging_with_pipeline"),
    ("test_easy_ensemble", "test_easy_ensemble_classifier_single_estimator"),
    ("test_easy_ensemble", "test_easy_ensemble_classifier_grid_search"),
]


@pytest.mark.parametrize("module_name, name", ENSEMBLE_TESTS)
def test_imblearn_ensemble_test(module_name, name, monkeypatch):
    import importlib

    import imblearn.ensemble._bagging as bagging
    import imblearn.ensemble._easy_ensemble as easy

    tests = importlib.import_module(f"imblearn.ensemble.tests.{module_name}")
    for module in (bagging, easy, tests):
        if hasattr(module, "RandomUnderSampler"):
            monkeypatch.setattr(module, "RandomUnderSampler", RandomUnderSampler)
    built = []
    original_fit_resample = RandomUnderSampler.fit_resample

    def counting_fit_resample(self, *args, **kwargs):
        built.append(self)
        return original_fit_resample(self, *args, **kwargs)

    monkeypatch.setattr(RandomUnderSampler, "fit_resample", counting_fit_resample)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(tests, name)()
    assert built  # rebalance's sampler did the draws


# --------------------------------------------------------------------------
# user journeys of tests/test_pipeline.py, with rebalance's samplers


def _data():
    return make_classification(n_samples=200, weights=[0.8, 0.2], random_state=0)


@pytest.mark.parametrize("sampler_cls", SAMPLER_CLASSES)
def test_pipeline_memory_caches_the_sampler_and_keeps_its_rows(sampler_cls, tmp_path):
    from imblearn.pipeline import Pipeline

    X, y = _data()

    def make(memory):
        return Pipeline(
            [
                ("sampler", sampler_cls(random_state=0)),
                ("scaler", StandardScaler()),
                ("clf", LogisticRegression()),
            ],
            memory=memory,
        )

    memory = Memory(tmp_path, verbose=0)
    first = make(memory).fit(X, y)
    cached = make(memory).fit(X, y)  # sampler and scaler loaded from the cache
    plain = make(None).fit(X, y)
    assert any(tmp_path.rglob("*.pkl"))
    rows = plain[0].sample_indices_
    np.testing.assert_array_equal(first[0].sample_indices_, rows)
    np.testing.assert_array_equal(cached[0].sample_indices_, rows)
    np.testing.assert_allclose(cached[1].mean_, X[rows].mean(axis=0))
    np.testing.assert_allclose(cached[-1].coef_, plain[-1].coef_)
    np.testing.assert_array_equal(cached.predict(X), plain.predict(X))


@pytest.mark.parametrize("sampler_cls", SAMPLER_CLASSES)
def test_pipeline_fit_transform_and_feature_names_out(sampler_cls):
    from imblearn.pipeline import make_pipeline

    X, y = _data()
    frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
    pipe = make_pipeline(sampler_cls(random_state=0), StandardScaler())
    pipe.set_output(transform="pandas")
    out = pipe.fit_transform(frame, y)
    rows = pipe[0].sample_indices_
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(frame.columns)
    assert list(pipe.get_feature_names_out()) == list(frame.columns)
    np.testing.assert_allclose(
        out.to_numpy(), StandardScaler().fit_transform(X[rows]), atol=1e-12
    )
    # transform (no fit) does not resample
    assert pipe.transform(frame).shape == frame.shape
    X_res, y_res = make_pipeline(
        StandardScaler(), sampler_cls(random_state=0)
    ).fit_resample(frame, y)
    np.testing.assert_array_equal(y_res, y[rows])


@pytest.mark.parametrize("sampler_cls", SAMPLER_CLASSES)
def test_pipeline_set_params_reaches_the_sampler(sampler_cls):
    from imblearn.pipeline import Pipeline

    X, y = _data()
    pipe = Pipeline([("s", sampler_cls(random_state=0)), ("lr", LogisticRegression())])
    strategy = "not majority" if sampler_cls is RandomOverSampler else "all"
    pipe.set_params(s__random_state=3, s__sampling_strategy=strategy).fit(X, y)
    assert pipe[0].random_state == 3
    reference = sampler_cls(random_state=3, sampling_strategy=strategy)
    reference.fit_resample(X, y)
    np.testing.assert_array_equal(pipe[0].sample_indices_, reference.sample_indices_)
    pipe.set_params(s="passthrough").fit(X, y)
    assert pipe[-1].coef_.shape == (1, X.shape[1])


@pytest.mark.parametrize("sampler_cls", SAMPLER_CLASSES)
def test_metadata_routing_through_a_sampler(sampler_cls):
    from imblearn.pipeline import Pipeline

    X, y = _data()
    weights = np.random.RandomState(0).rand(len(y))
    with config_context(enable_metadata_routing=True):
        plain = Pipeline(
            [
                ("s", sampler_cls(random_state=0)),
                ("lr", LogisticRegression().set_fit_request(sample_weight=False)),
            ]
        ).fit(X, y)
        rows = plain[0].sample_indices_
        expected = LogisticRegression().fit(X[rows], y[rows])
        np.testing.assert_allclose(plain[-1].coef_, expected.coef_)
        # weights routed past a sampler cannot follow the rows: refused, not
        # misaligned
        routed = Pipeline(
            [
                ("s", sampler_cls(random_state=0)),
                ("lr", LogisticRegression().set_fit_request(sample_weight=True)),
            ]
        )
        with pytest.raises(ValueError, match="ResampledClassifier"):
            routed.fit(X, y, sample_weight=weights)


# --------------------------------------------------------------------------
# tests/test_docstring_parameters.py: documented parameters == signature


@pytest.mark.parametrize("sampler_cls", SAMPLER_CLASSES)
def test_docstring_parameters_match_the_signature(sampler_cls):
    documented = [p.name for p in ClassDoc(sampler_cls)["Parameters"]]
    signature = list(inspect.signature(sampler_cls.__init__).parameters)[1:]
    assert documented == signature


# --------------------------------------------------------------------------
# model_selection: InstanceHardnessCV with a rebalance sampler pipeline


def test_instance_hardness_cv_with_a_sampler_pipeline():
    from imblearn.metrics import geometric_mean_score
    from imblearn.model_selection import InstanceHardnessCV
    from imblearn.pipeline import make_pipeline
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import cross_val_score

    X, y = make_classification(n_samples=300, weights=[0.85, 0.15], random_state=0)
    cv = InstanceHardnessCV(
        estimator=make_pipeline(
            RandomUnderSampler(random_state=0), LogisticRegression()
        ),
        n_splits=3,
    )
    tests = [test for _, test in cv.split(X, y)]
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(len(y)))
    for test in tests:
        assert abs(np.bincount(y[test])[1] - np.bincount(y)[1] / 3) <= 1
    scores = cross_val_score(
        make_pipeline(RandomOverSampler(random_state=0), LogisticRegression()),
        X,
        y,
        cv=cv,
        scoring=make_scorer(geometric_mean_score),
    )
    assert scores.shape == (3,) and (scores > 0.7).all()
