"""ResampledClassifier: resample in fit, predict untouched."""

import numpy as np
import pytest
from imblearn.under_sampling import RandomUnderSampler as ImblearnUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)


def _data(n=300, minority=0.1, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < minority).astype(int)
    X = rng.normal(size=(n, 3)) + 1.5 * y[:, None]
    return X, y


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Remembers what fit received."""

    def fit(self, X, y, sample_weight=None):
        self.X_, self.y_, self.sample_weight_ = X, y, sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_fits_the_classifier_on_the_resampled_rows():
    X, y = _data()
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    model.fit(X, y)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    reference = LogisticRegression().fit(X_res, y_res)
    np.testing.assert_allclose(model.classifier_.coef_, reference.coef_)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X))
    np.testing.assert_allclose(
        model.decision_function(X), reference.decision_function(X)
    )
    assert model.score(X, y) == reference.score(X, y)
    np.testing.assert_array_equal(model.sampler_.sample_indices_.shape, y_res.shape)


def test_exposes_the_resampled_priors():
    X, y = _data()
    under = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    np.testing.assert_allclose(under.fit(X, y).resampled_priors_, [0.5, 0.5])
    half = RandomOverSampler(sampling_strategy=0.5, random_state=0)
    over = ResampledClassifier(half, LogisticRegression()).fit(X, y)
    np.testing.assert_allclose(over.resampled_priors_, [2 / 3, 1 / 3], atol=0.01)


def test_sample_weight_follows_the_resampled_rows():
    X, y = _data()
    weights = np.linspace(0.5, 2.0, y.shape[0])
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), RecordingClassifier()
    ).fit(X, y, sample_weight=weights)
    indices = model.sampler_.sample_indices_
    np.testing.assert_array_equal(model.classifier_.sample_weight_, weights[indices])
    np.testing.assert_array_equal(model.classifier_.y_, y[indices])
    kept = weights[indices]
    expected = np.array([kept[y[indices] == c].sum() for c in (0, 1)]) / kept.sum()
    np.testing.assert_allclose(model.resampled_priors_, expected)


def test_sample_weight_with_a_sampler_that_drops_it_is_an_error():
    X, y = _data()
    model = ResampledClassifier(ImblearnUnderSampler(), LogisticRegression())
    with pytest.raises(TypeError, match="does not accept sample_weight"):
        model.fit(X, y, sample_weight=np.ones(y.shape[0]))
    assert not hasattr(model, "classifier_")
    model.fit(X, y)  # without weights any sampler works


def test_methods_follow_the_classifier():
    svc = ResampledClassifier(RandomUnderSampler(), LinearSVC())
    assert not hasattr(svc, "predict_proba")
    assert hasattr(svc, "decision_function")


def test_in_a_plain_pipeline_grid_search_and_cross_validate():
    X, y = _data(n=400)
    pipe = make_pipeline(
        StandardScaler(),
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
    )
    grid = GridSearchCV(
        pipe,
        {"resampledclassifier__sampler__sampling_strategy": [0.5, 1.0]},
        scoring="balanced_accuracy",
        cv=3,
    ).fit(X, y)
    assert grid.best_params_["resampledclassifier__sampler__sampling_strategy"] in (
        0.5,
        1.0,
    )
    results = cross_validate(pipe, X, y, cv=3, scoring="roc_auc")
    assert results["test_score"].mean() > 0.7
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    copy = clone(model)
    assert copy.get_params()["sampler__random_state"] == 0
    assert copy.sampler is not model.sampler


def test_inputs_are_not_modified():
    X, y = _data()
    weights = np.ones(y.shape[0])
    before = X.copy(), y.copy(), weights.copy()
    ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()).fit(
        X, y, sample_weight=weights
    )
    for after, original in zip((X, y, weights), before):
        np.testing.assert_array_equal(after, original)


def test_bad_parameters_are_rejected_before_fitting():
    X, y = _data()
    with pytest.raises(ValueError, match="sampler"):
        ResampledClassifier(LogisticRegression(), LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="classifier"):
        ResampledClassifier(RandomUnderSampler(), StandardScaler()).fit(X, y)
