"""Review 126 (compose5): white-box pins of ``ResampledClassifier`` delegation.

Covers predict/predict_proba/predict_log_proba/decision_function/score
delegation to the fitted classifier, ``classes_`` for string, bool and
categorical labels, ``n_features_in_``/``feature_names_in_`` (and their reset
on a refit), ``sample_weight`` and other per-row fit parameters following the
resampled rows (recording classifier, rebalance and imbalanced-learn
samplers), a classifier whose ``fit`` takes no ``sample_weight``,
semi-supervised ``-1`` labels, ``warm_start`` classifiers, nested
``get_params``/``set_params``/``clone``, pickling, tags and ``FrozenEstimator``.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import RandomUnderSampler as ImbRandomUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.semi_supervised import LabelSpreading
from sklearn.svm import SVC
from sklearn.utils import get_tags

from rebalance import RandomOverSampler, RandomUnderSampler, ResampledClassifier


def _data():
    rng = np.random.default_rng(0)
    y = np.array([0] * 40 + [1] * 10)
    X = rng.normal(size=(50, 3)) + y[:, None]
    return X, y


class _Recorder(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None, groups=None):
        self.X_ = np.asarray(X)
        self.sw_ = sample_weight
        self.groups_ = groups
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _NoWeights(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.n_rows_ = len(y)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _model(classifier=None, sampler=None):
    return ResampledClassifier(
        sampler if sampler is not None else RandomUnderSampler(random_state=0),
        classifier if classifier is not None else LogisticRegression(),
    )


@pytest.mark.parametrize("sampler", [RandomUnderSampler, ImbRandomUnderSampler])
def test_fit_params_follow_resampled_rows(sampler):
    X, y = _data()
    weights = np.arange(50.0) + 1
    groups = np.arange(50) * 3
    model = _model(_Recorder(), sampler(random_state=0)).fit(
        X, y, sample_weight=weights, groups=groups
    )
    idx = np.asarray(model.sampler_.sample_indices_)
    assert len(idx) == 20
    np.testing.assert_array_equal(model.classifier_.X_, X[idx])
    np.testing.assert_array_equal(model.classifier_.sw_, weights[idx])
    np.testing.assert_array_equal(model.classifier_.groups_, groups[idx])


def test_series_weights_follow_positions_not_index():
    X, y = _data()
    weights = pd.Series(np.arange(50.0) + 1, index=np.arange(50)[::-1] + 100)
    model = _model(_Recorder()).fit(X, y, sample_weight=weights)
    idx = np.asarray(model.sampler_.sample_indices_)
    np.testing.assert_array_equal(
        np.asarray(model.classifier_.sw_), weights.to_numpy()[idx]
    )


def test_inputs_not_changed_in_place():
    X, y = _data()
    weights = np.arange(50.0) + 1
    copies = X.copy(), y.copy(), weights.copy()
    _model(sampler=RandomOverSampler(random_state=0)).fit(X, y, sample_weight=weights)
    for given, kept in zip((X, y, weights), copies):
        np.testing.assert_array_equal(given, kept)


def test_prediction_delegates_without_resampling():
    X, y = _data()
    model = _model().fit(X, y)
    inner = model.classifier_
    assert model.predict(X).shape == (50,)
    np.testing.assert_array_equal(model.predict(X), inner.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), inner.predict_proba(X))
    np.testing.assert_allclose(model.predict_log_proba(X), inner.predict_log_proba(X))
    np.testing.assert_allclose(model.decision_function(X), inner.decision_function(X))
    weights = np.arange(50.0)
    assert model.score(X, y, sample_weight=weights) == pytest.approx(
        inner.score(X, y, sample_weight=weights)
    )


def test_score_without_classifier_score_is_weighted_accuracy():
    X, y = _data()

    class NoScore(BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    model = _model(NoScore()).fit(X, y)
    weights = np.arange(50.0)
    expected = weights[y == 0].sum() / weights.sum()
    assert model.score(X, y) == pytest.approx(0.8)
    assert model.score(X, y, sample_weight=weights) == pytest.approx(expected)


@pytest.mark.parametrize(
    "labels, expected",
    [
        (lambda y: np.where(y == 1, "b", "a"), np.array(["a", "b"])),
        (lambda y: y.astype(bool), np.array([False, True])),
        (
            lambda y: pd.Series(
                pd.Categorical(np.where(y == 1, "b", "a"), categories=["b", "a"])
            ),
            np.array(["a", "b"]),
        ),
    ],
)
def test_classes_match_classifier_on_labels(labels, expected):
    X, y = _data()
    target = labels(y)
    model = _model().fit(X, target)
    np.testing.assert_array_equal(model.classes_, expected)
    # as the classifier fitted on the label values (object for a categorical)
    direct = LogisticRegression().fit(X, np.asarray(target))
    assert model.classes_.dtype == direct.classes_.dtype
    assert model.predict(X[:3]).dtype == direct.predict(X[:3]).dtype
    assert model.score(X, target) == pytest.approx(
        model.classifier_.score(X, np.asarray(target))
    )


def test_three_classes_order_and_priors():
    X, _ = _data()
    y = np.array([2] * 20 + [0] * 15 + [1] * 15)
    model = _model().fit(X, y)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict_proba(X[:1]).shape == (1, 3)
    np.testing.assert_allclose(model.resampled_priors_, [1 / 3] * 3)


@pytest.mark.parametrize(
    "sampler", [RandomUnderSampler(random_state=0), ImbRandomUnderSampler()]
)
def test_feature_names_set_and_reset(sampler):
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = _model(sampler=sampler).fit(frame, y)
    assert model.n_features_in_ == 3
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c"])
    model.fit(X, y)
    assert model.n_features_in_ == 3
    assert not hasattr(model, "feature_names_in_")


def test_classifier_without_sample_weight_repeats_whole_number_rows():
    X, y = _data()
    model = _model(_NoWeights()).fit(X, y, sample_weight=np.full(50, 2))
    assert model.classifier_.n_rows_ == 40
    with pytest.raises(TypeError, match="sample_weight"):
        _model(_NoWeights()).fit(X, y, sample_weight=np.full(50, 1.5))


def test_semi_supervised_minus_one_refused():
    X, y = _data()
    y = y.copy()
    y[:5] = -1
    with pytest.raises(ValueError, match="-1"):
        _model(LabelSpreading()).fit(X, y)


def test_warm_start_classifier_is_refitted_fresh():
    X, y = _data()
    model = _model(SGDClassifier(warm_start=True, random_state=0, max_iter=5, tol=None))
    first = model.fit(X, y).classifier_
    t_first, coef_first = first.t_, first.coef_.copy()
    second = model.fit(X, y).classifier_
    assert second is not first
    assert second.t_ == t_first
    np.testing.assert_allclose(second.coef_, coef_first)
    assert not hasattr(model.classifier, "coef_")


def test_nested_params_clone_set_params_refit_and_pickle():
    X, y = _data()
    model = _model()
    params = model.get_params(deep=True)
    assert "sampler__sampling_strategy" in params and "classifier__C" in params
    model.set_params(sampler__sampling_strategy=0.5, classifier__C=0.1)
    cloned = clone(model)
    assert cloned.get_params()["classifier__C"] == 0.1
    assert cloned.get_params()["sampler__sampling_strategy"] == 0.5
    model.fit(X, y)
    assert model.classifier_.C == 0.1
    assert np.bincount(y[model.sampler_.sample_indices_]).tolist() == [20, 10]
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.predict_proba(X), model.predict_proba(X))
    with pytest.raises(ValueError, match="nope"):
        model.set_params(sampler__nope=1)


def test_methods_available_only_when_classifier_has_them():
    assert not hasattr(_model(SVC()), "predict_proba")
    assert hasattr(_model(SVC()), "decision_function")
    assert hasattr(_model(SVC(probability=True)), "predict_proba")


def test_tags_delegated():
    from sklearn.ensemble import HistGradientBoostingClassifier

    tags = get_tags(_model(HistGradientBoostingClassifier()))
    assert tags.input_tags.allow_nan is True
    assert get_tags(_model()).input_tags.allow_nan is False
    assert tags.estimator_type == "classifier"
    assert tags.classifier_tags.multi_label is False


def test_frozen_classifier_predicts_as_fitted():
    X, y = _data()
    fitted = LogisticRegression().fit(X, y)
    model = _model(FrozenEstimator(fitted)).fit(X, y)
    assert model.resampled_priors_ is None
    np.testing.assert_allclose(model.predict_proba(X), fitted.predict_proba(X))


def test_errors_name_arguments():
    X, y = _data()
    with pytest.raises(ValueError, match="sampler"):
        ResampledClassifier(LogisticRegression(), LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="classifier"):
        ResampledClassifier(RandomUnderSampler(), RandomUnderSampler()).fit(X, y)
    with pytest.raises(ValueError, match=r"sample_weight has shape \(3,\)"):
        _model().fit(X, y, sample_weight=np.ones(3))
