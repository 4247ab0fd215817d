"""Review 46, compose: scikit-learn's meta-estimator, metadata-routing and
pipeline tests ported onto ResampledClassifier (peers' test suites), and the
regression test of what they found.

Ported from sklearn/tests/test_metaestimators.py (method delegation),
sklearn/tests/test_metaestimators_metadata_routing.py (default request,
UnsetMetadataPassedError, requests and aliases, non-consuming estimators, a
pipeline inside, group splitters) and sklearn/tests/test_pipeline.py (fitted
attributes, passthrough of the prediction methods, nested parameters, clone,
pickling), with the rows' resampling checked against
``sampler.fit_resample`` and ``sample_indices_`` as the oracle.
"""

import functools
import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import NotFittedError, UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.metadata_routing import MetadataRouter
from sklearn.utils.validation import check_is_fitted

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.compose import ResampledClassifier

routing_common = pytest.importorskip("sklearn.tests.metadata_routing_common")

SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomOverSampler(random_state=0),
    ClassBalancedSampler(random_state=0),
    LabelShuffleSampler(random_state=0),
]
sampler_ids = pytest.mark.parametrize(
    "sampler", SAMPLERS, ids=lambda s: type(s).__name__
)
METHODS = [
    "decision_function",
    "predict",
    "predict_log_proba",
    "predict_proba",
    "score",
]


def _hides(method):
    @property
    def wrapper(obj):
        if obj.hidden_method == method.__name__:
            raise AttributeError(f"{obj.hidden_method!r} is hidden")
        return functools.partial(method, obj)

    return wrapper


class SubEstimator(BaseEstimator):
    """test_metaestimators.py's SubEstimator: its ``fit`` returns True, not
    self. (Its ``classes_`` are y's here: the peer's ``[]`` is no classifier.)"""

    def __init__(self, param=1, hidden_method=None):
        self.param = param
        self.hidden_method = hidden_method

    def fit(self, X, y=None, *args, **kwargs):
        self.coef_ = np.arange(X.shape[1])
        self.classes_ = np.unique(y)
        return True

    def _check_fit(self):
        check_is_fitted(self)

    @_hides
    def predict(self, X, *args, **kwargs):
        self._check_fit()
        return np.ones(X.shape[0])

    @_hides
    def predict_proba(self, X, *args, **kwargs):
        self._check_fit()
        return np.ones(X.shape[0])

    @_hides
    def predict_log_proba(self, X, *args, **kwargs):
        self._check_fit()
        return np.ones(X.shape[0])

    @_hides
    def decision_function(self, X, *args, **kwargs):
        self._check_fit()
        return np.ones(X.shape[0])

    @_hides
    def score(self, X, y, *args, **kwargs):
        self._check_fit()
        return 1.0


def _call(model, method, X, y):
    return (
        getattr(model, method)(X, y) if method == "score" else getattr(model, method)(X)
    )


@sampler_ids
def test_a_classifier_whose_fit_does_not_return_self_is_kept(sampler):
    # Found by review 46 (test_metaestimators.py's SubEstimator): fit kept
    # what the classifier's fit returned, not the fitted clone: a fit that
    # returns something else (True, None) gave classifier_ = True and a
    # ValueError "classifier=bool(...) has no classes_", where scikit-learn's
    # Pipeline and meta-estimators keep the fitted estimator.
    X, y = make_classification(random_state=0)
    model = ResampledClassifier(sampler, SubEstimator()).fit(X, y)
    assert isinstance(model.classifier_, SubEstimator)
    np.testing.assert_array_equal(model.classes_, [0, 1])
    for method in METHODS:
        _call(model, method, X, y)


@sampler_ids
def test_metaestimator_delegation(sampler):
    # test_metaestimators.py::test_metaestimator_delegation. predict and
    # score are always there (a classifier must have predict; score falls
    # back to the mean accuracy), as for scikit-learn's BaggingClassifier.
    X, y = make_classification(random_state=0)
    model = ResampledClassifier(sampler, SubEstimator())
    for method in METHODS:
        assert hasattr(model, method)
        with pytest.raises(NotFittedError):
            _call(model, method, X, y)
    model.fit(X, y)
    for method in METHODS:
        _call(model, method, X, y)
    for method in ["decision_function", "predict_log_proba", "predict_proba"]:
        model = ResampledClassifier(sampler, SubEstimator(hidden_method=method))
        assert not hasattr(model, method)
        model.fit(X, y)
        assert not hasattr(model, method)


def _routing_data():
    rng = np.random.RandomState(42)
    X = rng.rand(100, 3)
    y = rng.randint(0, 3, size=100)
    weights = rng.rand(100) + 0.01
    metadata = rng.randint(0, 10, size=100)
    return X, y, {"sample_weight": weights, "metadata": metadata}


def _recorded(obj, method):
    """The metadata ``obj.method`` recorded (scikit-learn's test helpers key
    them by a caller whose name changed across versions)."""
    (records,) = [r for r in obj._records[method].values() if r]
    return records[0]


def _consumer():
    registry = routing_common._Registry()
    return registry, routing_common.ConsumingClassifier(registry=registry)


@sampler_ids
@config_context(enable_metadata_routing=True)
def test_default_request(sampler):
    # test_metaestimators_metadata_routing.py::test_default_request. The
    # rebalance samplers decline sample_weight by default (False, documented
    # in BaseSampler: the draw does not depend on the weights, which reach
    # the classifier through sample_indices_): excluded, and checked as such.
    _, classifier = _consumer()
    routing = ResampledClassifier(sampler, classifier).get_metadata_routing()
    assert isinstance(routing, MetadataRouter)
    routing_common.assert_request_is_empty(
        routing, exclude={"sampler": ["fit", "fit_resample"]}
    )
    sampler_request = dict(routing)["sampler"].router
    assert sampler_request.fit_resample.requests == {"sample_weight": False}


@sampler_ids
@pytest.mark.parametrize("key", ["sample_weight", "metadata"])
@config_context(enable_metadata_routing=True)
def test_error_on_missing_requests_for_sub_estimator(sampler, key):
    X, y, values = _routing_data()
    _, classifier = _consumer()
    msg = (
        f"[{key}] are passed but are not explicitly set as requested or not"
        " requested for ConsumingClassifier.fit"
    )
    with pytest.raises(UnsetMetadataPassedError, match=re.escape(msg)):
        ResampledClassifier(sampler, classifier).fit(X, y, **{key: values[key]})


@sampler_ids
@pytest.mark.parametrize("key", ["sample_weight", "metadata"])
@pytest.mark.parametrize("alias", [True, False], ids=["alias", "name"])
@config_context(enable_metadata_routing=True)
def test_setting_request_on_sub_estimator_removes_error(sampler, key, alias):
    # ... and the classifier gets the values of the rows it was fitted on:
    # the given ones at the sampler's sample_indices_ (under an alias too).
    X, y, values = _routing_data()
    registry, classifier = _consumer()
    passed_as = f"my_{key}" if alias else key
    classifier.set_fit_request(**{key: passed_as if alias else True})
    model = ResampledClassifier(sampler, classifier).fit(
        X, y, **{passed_as: values[key]}
    )
    assert len(registry) == 1
    routing_common.check_recorded_metadata(
        registry[0],
        method="fit",
        parent="fit",
        split_params=(key,),
        **{key: values[key]},
    )
    recorded = _recorded(registry[0], "fit")[key]
    np.testing.assert_array_equal(recorded, values[key][model.sampler_.sample_indices_])


@sampler_ids
@config_context(enable_metadata_routing=True)
def test_non_consuming_estimator_works(sampler):
    X, y, _ = _routing_data()
    model = ResampledClassifier(sampler, routing_common.NonConsumingClassifier())
    model.fit(X, y)
    model.predict(X)
    model.score(X, y)


@sampler_ids
@pytest.mark.parametrize("key", ["sample_weight", "metadata"])
@config_context(enable_metadata_routing=True)
def test_metadata_routed_to_sub_estimator_in_pipeline(sampler, key):
    X, y, values = _routing_data()
    registry = routing_common._Registry()
    transformer = routing_common.ConsumingTransformer(registry=registry)
    transformer.set_fit_request(**{key: True}).set_transform_request(**{key: True})
    classifier = routing_common.ConsumingClassifier(registry=registry)
    pipe = Pipeline(
        [("trs", transformer), ("clf", classifier.set_fit_request(**{key: True}))]
    )
    model = ResampledClassifier(sampler, pipe).fit(X, y, **{key: values[key]})
    assert len(registry) == 2
    expected = values[key][model.sampler_.sample_indices_]
    for step in registry:
        np.testing.assert_array_equal(_recorded(step, "fit")[key], expected)


@sampler_ids
@config_context(enable_metadata_routing=True)
def test_metadata_routed_to_group_splitter(sampler):
    # The splitter gets groups and metadata of all rows, the classifier each
    # training fold's weights (resampled: values of the given ones).
    X, y, values = _routing_data()
    registry, classifier = _consumer()
    splitter = routing_common.ConsumingSplitter(registry=routing_common._Registry())
    splitter.set_split_request(groups=True, metadata=True)
    scorer = get_scorer("accuracy").set_score_request(sample_weight=True)
    groups = np.arange(100) % 4
    cross_validate(
        ResampledClassifier(
            sampler, classifier.set_fit_request(sample_weight=True, metadata=False)
        ),
        X,
        y,
        cv=splitter,
        scoring=scorer,
        params={"groups": groups, **values},
        error_score="raise",
    )
    assert splitter.registry and len(registry) >= 2
    split = _recorded(splitter.registry[0], "split")
    np.testing.assert_array_equal(split["groups"], groups)
    np.testing.assert_array_equal(split["metadata"], values["metadata"])
    for fitted in registry:
        recorded = _recorded(fitted, "fit")["sample_weight"]
        assert recorded.size and np.isin(recorded, values["sample_weight"]).all()


def _iris():
    data = load_iris(as_frame=True)
    keep = np.r_[0:50, 50:70, 100:110]  # 50:20:10
    return data.data.iloc[keep], data.target.to_numpy()[keep]


CLASSIFIERS = [
    make_pipeline(StandardScaler(), LogisticRegression()),
    DecisionTreeClassifier(random_state=0),
    SVC(random_state=0),
]
classifier_ids = pytest.mark.parametrize(
    "classifier",
    CLASSIFIERS,
    ids=lambda c: "Pipeline" if hasattr(c, "steps") else type(c).__name__,
)


@sampler_ids
@classifier_ids
def test_fitted_attributes_and_feature_names(sampler, classifier):
    # test_pipeline.py: feature_names_in_ and n_features_in_ of the fit
    # (another fit's names not kept), checked at prediction.
    frame, y = _iris()
    model = ResampledClassifier(sampler, classifier)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    model.fit(frame, y)
    assert list(model.feature_names_in_) == list(frame.columns)
    assert model.n_features_in_ == 4
    with pytest.warns(UserWarning, match="feature names"):
        model.predict(frame.to_numpy())
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame.iloc[:, ::-1])
    with pytest.raises(ValueError, match="features"):
        model.predict(frame.to_numpy()[:, :3])
    model.fit(frame.to_numpy(), y)
    assert not hasattr(model, "feature_names_in_")
    assert model.n_features_in_ == 4


@sampler_ids
@classifier_ids
def test_prediction_methods_pass_through(sampler, classifier):
    # The classifier's methods, fitted on the sampler's own draw (oracle:
    # sampler.fit_resample then the classifier), and only those it has.
    frame, y = _iris()
    X = frame.to_numpy()
    model = ResampledClassifier(sampler, classifier).fit(X, y)
    reference = clone(classifier).fit(*clone(sampler).fit_resample(X, y))
    np.testing.assert_array_equal(model.classes_, reference.classes_)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    for method in ["predict_proba", "predict_log_proba", "decision_function"]:
        if hasattr(reference, method):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # log(0)
                np.testing.assert_array_equal(
                    getattr(model, method)(X), getattr(reference, method)(X)
                )
        else:
            assert not hasattr(model, method)
    assert model.score(X, y) == reference.score(X, y)


@sampler_ids
@classifier_ids
def test_nested_params_clone_and_pickle(sampler, classifier):
    frame, y = _iris()
    model = ResampledClassifier(sampler, classifier)
    assert is_classifier(model)
    params = model.get_params(deep=True)
    assert params["sampler"] is sampler and params["classifier"] is classifier
    assert params["sampler__random_state"] == 0
    copied = clone(model).set_params(sampler__random_state=3)
    assert copied.sampler.random_state == 3 and sampler.random_state == 0
    copied.set_params(classifier=DecisionTreeClassifier(random_state=1)).fit(frame, y)
    assert isinstance(copied.classifier_, DecisionTreeClassifier)
    fitted = clone(model).fit(frame, y)
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.predict(frame), fitted.predict(frame))
    np.testing.assert_array_equal(
        loaded.sampler_.sample_indices_, fitted.sampler_.sample_indices_
    )
    np.testing.assert_array_equal(loaded.resampled_priors_, fitted.resampled_priors_)
    assert not hasattr(clone(fitted), "classifier_")


class _DuckClassifier:
    """A classifier that does not derive from scikit-learn's BaseEstimator."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        self.sample_weight_ = sample_weight
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


class _DuckSampler:
    """A sampler without scikit-learn tags: the first and last 10 rows."""

    def fit_resample(self, X, y):
        self.sample_indices_ = np.r_[0:10, len(y) - 10 : len(y)]
        return X[self.sample_indices_], y[self.sample_indices_]

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


@pytest.mark.parametrize(
    "sampler, classifier, name",
    [
        (None, LogisticRegression(), "sampler"),
        ("passthrough", LogisticRegression(), "sampler"),
        (RandomUnderSampler(), None, "classifier"),
    ],
)
def test_a_parameter_that_is_no_estimator_is_named_not_a_tags_traceback(
    sampler, classifier, name
):
    # Found by review 46 (test_pipeline.py::test_pipeline_get_tags_none):
    # the tags read the sampler's and classifier's tags unguarded, so
    # is_classifier, cross_val_score, ... raised an AttributeError about
    # __sklearn_tags__ for sampler=None (a grid's "no resampling" value),
    # instead of fit's error naming the parameter.
    X, y = make_classification(n_samples=40, weights=[0.75], random_state=0)
    model = ResampledClassifier(sampler, classifier)
    assert is_classifier(model)
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        model.fit(X, y)


def test_classifier_and_sampler_without_scikit_learn_tags():
    # Found by review 46: a duck-typed classifier or sampler (no
    # BaseEstimator) failed in the tags and in fit's NaN check with the
    # __sklearn_tags__ AttributeError; they are taken, the weights following
    # the sampler's sample_indices_.
    X, y = make_classification(n_samples=40, weights=[0.75], random_state=0)
    weights = np.arange(40) + 1.0
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _DuckClassifier())
    assert is_classifier(model)
    cross_validate(model, X, y, cv=2, error_score="raise")
    model = ResampledClassifier(_DuckSampler(), _DuckClassifier())
    model.fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(
        model.classifier_.sample_weight_, weights[np.r_[0:10, 30:40]]
    )
    model = ResampledClassifier(_DuckSampler(), LogisticRegression())
    assert model.fit(X, y, sample_weight=weights).predict(X).shape == (40,)


@sampler_ids
def test_meta_estimators_delegate_data_validation(sampler):
    # test_metaestimators.py::test_meta_estimators_delegate_data_validation,
    # with X as one column of strings in a list of rows: the samplers, as
    # imbalanced-learn's, take a 2-D X only (a 1-D X is refused, naming the
    # reshape), and do not turn strings into numbers; the classifier's
    # pipeline does. n_features_in_ is the sampler's (documented).
    rng = np.random.RandomState(0)
    X = rng.choice(np.array(["aa", "bb", "cc"], dtype=object), size=(30, 1))
    y = rng.randint(3, size=30)
    classifier = make_pipeline(OneHotEncoder(), LogisticRegression())
    model = ResampledClassifier(sampler, classifier).fit(X.tolist(), y.tolist())
    assert model.predict(X.tolist()).shape == (30,)
    assert model.n_features_in_ == 1 and not hasattr(model, "feature_names_in_")
    with pytest.raises(ValueError, match="2D"):
        ResampledClassifier(sampler, classifier).fit(X.ravel().tolist(), y)


@config_context(enable_metadata_routing=True)
def test_router_consumes():
    # test_metadata_routing.py's consumes() cases: the classifier's request
    # (under its alias) and this object's own score request.
    classifier = LogisticRegression().set_fit_request(sample_weight="my_w")
    routing = ResampledClassifier(RandomUnderSampler(), classifier)
    consumed = routing.get_metadata_routing().consumes(
        "fit", ["sample_weight", "my_w", "groups"]
    )
    assert consumed == {"my_w"}
    model = ResampledClassifier(
        RandomUnderSampler(), LogisticRegression().set_fit_request(sample_weight=True)
    ).set_score_request(sample_weight=True)
    routing = model.get_metadata_routing()
    assert routing.consumes("fit", ["sample_weight", "groups"]) == {"sample_weight"}
    assert routing.consumes("score", ["sample_weight"]) == {"sample_weight"}
