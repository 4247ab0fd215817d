"""ResampledClassifier: resample in fit, predict untouched."""

import warnings

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.under_sampling import RandomUnderSampler as ImblearnUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.neural_network import MLPClassifier
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

    def fit(self, X, y, sample_weight=None, **params):
        self.X_, self.y_, self.sample_weight_ = X, y, sample_weight
        for name, value in params.items():
            setattr(self, f"{name}_", value)
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


def test_sample_weight_of_the_wrong_length_is_an_error_before_fitting():
    X, y = _data()
    model = ResampledClassifier(RandomUnderSampler(), RecordingClassifier())
    with pytest.raises(ValueError, match=r"sample_weight has shape \(299,\).*300 rows"):
        model.fit(X, y, sample_weight=np.ones(299))
    assert not hasattr(model, "sampler_")


def test_sample_weight_follows_an_imblearn_sampler_through_its_indices():
    X, y = _data()
    weights = np.linspace(0.5, 2.0, y.shape[0])
    model = ResampledClassifier(
        ImblearnUnderSampler(random_state=0), RecordingClassifier()
    ).fit(X, y, sample_weight=weights)
    indices = model.sampler_.sample_indices_
    np.testing.assert_array_equal(model.classifier_.sample_weight_, weights[indices])


class _NoIndicesSampler(ImblearnUnderSampler):
    """An imblearn sampler that does not record which rows it drew."""

    def fit_resample(self, X, y, **params):
        X_res, y_res = super().fit_resample(X, y, **params)
        del self.sample_indices_
        return X_res, y_res


def test_row_aligned_params_with_a_sampler_without_indices_are_an_error():
    X, y = _data()
    smote = ResampledClassifier(SMOTE(), RecordingClassifier())
    with pytest.raises(TypeError, match=r"sample_weight.*SMOTE.*sample_indices_"):
        smote.fit(X, y, sample_weight=np.ones(y.shape[0]))
    assert not hasattr(smote, "classifier_")
    untagged = ResampledClassifier(_NoIndicesSampler(), RecordingClassifier())
    with pytest.raises(TypeError, match="row_ids.*sample_indices_"):
        untagged.fit(X, y, row_ids=np.arange(y.shape[0]))
    assert not hasattr(untagged, "classifier_")
    untagged.fit(X, y)  # without row-aligned parameters any sampler works
    smote.fit(X, y, note="not per row")
    assert smote.classifier_.note_ == "not per row"


def test_row_aligned_fit_params_follow_the_rows_without_routing():
    # Issue 12: 64 rows reached the classifier with 300 row_ids, silently.
    X, y = _data()
    n = y.shape[0]
    row_ids = np.arange(100, 100 + n)
    groups = [f"g{i % 7}" for i in range(n)]
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), RecordingClassifier()
    ).fit(X, y, row_ids=row_ids, groups=groups, note="kept", scale=np.ones(3))
    indices = model.sampler_.sample_indices_
    fitted = model.classifier_
    assert len(fitted.row_ids_) == len(fitted.y_) == len(indices) < n
    np.testing.assert_array_equal(fitted.row_ids_, row_ids[indices])
    assert fitted.groups_ == [groups[i] for i in indices]
    np.testing.assert_array_equal(fitted.X_, X[fitted.row_ids_ - 100])
    assert fitted.note_ == "kept"
    np.testing.assert_array_equal(fitted.scale_, np.ones(3))
    np.testing.assert_array_equal(row_ids, np.arange(100, 100 + n))


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


@pytest.mark.parametrize(
    "classifier, warns",
    [
        (MLPClassifier(early_stopping=True, max_iter=5), True),
        (SGDClassifier(early_stopping=True, max_iter=5), True),
        (GradientBoostingClassifier(n_estimators=3, n_iter_no_change=2), True),
        (MLPClassifier(max_iter=5), False),
        (SGDClassifier(max_iter=5), False),
    ],
)
@pytest.mark.parametrize("repeats", [True, False])
def test_copies_reaching_a_held_out_validation_split_warn(classifier, warns, repeats):
    # Over-sampled copies of a row before a classifier that validates itself
    # on a split of its training rows land on both sides of that split.
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 12)
    X = rng.normal(size=(72, 3)) + y[:, None]
    sampler = RandomOverSampler(random_state=0) if repeats else RandomUnderSampler()
    model = ResampledClassifier(sampler, make_pipeline(StandardScaler(), classifier))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    said = [str(w.message) for w in caught if "drew some rows" in str(w.message)]
    assert len(said) == (warns and repeats)
    if said:
        assert "validation_fraction" in said[0] and type(sampler).__name__ in said[0]
