"""Review 108, audit_compose: a white-box audit of rebalance/compose.py
(ResampledClassifier) and rebalance/weights.py, through the public API."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import BaggingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from rebalance import RandomOverSampler, RandomUnderSampler, ResampledClassifier
from rebalance.weights import class_weights, sample_weights


def _nan_data():
    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 10)
    X = rng.normal(size=(40, 2))
    X[0, 0] = np.nan  # a majority row the under-sampler may leave out
    return X, y


def _outcomes(X, y, classifier):
    out = []
    for seed in range(6):
        model = ResampledClassifier(RandomUnderSampler(random_state=seed), classifier)
        try:
            model.fit(X, y)
            out.append("fit")
        except ValueError as exc:
            out.append("NaN" if "NaN" in str(exc) else str(exc))
    return out


class _Recorder(ClassifierMixin, BaseEstimator):
    """Keeps what its fit was given."""

    def fit(self, X, y, sample_weight=None):
        self.X_, self.y_, self.sw_ = X, y, sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _EarlyStopper(ClassifierMixin, BaseEstimator):
    """Holds out a validation_fraction (early_stopping); fit takes no weights."""

    def __init__(self, early_stopping=True, validation_fraction=0.1):
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction

    def fit(self, X, y):
        self.n_rows_ = len(X)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


# --------------------------------------------------------------------- bugs


@pytest.mark.parametrize("wrapper", ["ovr", "bagging"])
def test_nan_in_x_refused_for_every_seed_with_meta_estimator_of_plain_model(wrapper):
    # compose._check_finite_for returns early for any MetaEstimatorMixin
    # ("may impute"), but OneVsRestClassifier(LogisticRegression()) cannot
    # impute: whether its fit sees the NaN row depends on the sampler's seed.
    X, y = _nan_data()
    inner = LogisticRegression()
    classifier = (
        OneVsRestClassifier(inner)
        if wrapper == "ovr"
        else BaggingClassifier(inner, n_estimators=2, random_state=0)
    )
    assert _outcomes(X, y, LogisticRegression()) == ["NaN"] * 6  # plain: always
    assert _outcomes(X, y, classifier) == ["NaN"] * 6


def test_nan_in_torch_tensor_x_refused_for_every_seed():
    torch = pytest.importorskip("torch")
    X, y = _nan_data()
    assert _outcomes(torch.tensor(X), y, LogisticRegression()) == ["NaN"] * 6


def test_copies_warning_for_repeated_rows_whatever_the_row_count():
    # Whole-number weights become repeated rows for a fit without
    # sample_weight; fit decides "repeated" by the row count changing, so
    # [2, 0, 1, ...] (one row twice, one dropped: same count) gives no warning.
    y = np.array([0] * 30 + [1] * 10)
    X = np.arange(40.0)[:, None]
    sampler = RandomUnderSampler(sampling_strategy=0.5, random_state=0)
    for weights in (np.r_[2.0, np.ones(39)], np.r_[2.0, 0.0, np.ones(38)]):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ResampledClassifier(sampler, _EarlyStopper()).fit(
                X, y, sample_weight=weights
            )
        assert any("repeated rows" in str(w.message) for w in caught), weights


# --------------------------------------------------------------------- pins


def test_pin_repeated_rows_warning_when_the_count_grows():
    y = np.array([0] * 30 + [1] * 10)
    X = np.arange(40.0)[:, None]
    sampler = RandomUnderSampler(sampling_strategy=0.5, random_state=0)
    with pytest.warns(UserWarning, match="repeated rows"):
        ResampledClassifier(sampler, _EarlyStopper()).fit(
            X, y, sample_weight=np.r_[2.0, np.ones(39)]
        )


def test_pin_sample_weight_series_is_resampled_by_position_not_index():
    y = np.array([0] * 8 + [1] * 4)
    X = np.arange(12.0)[:, None]
    weights = pd.Series(np.arange(1.0, 13), index=np.arange(12)[::-1])
    model = ResampledClassifier(RandomOverSampler(random_state=0), _Recorder())
    model.fit(X, y, sample_weight=weights)
    idx = model.sampler_.sample_indices_
    np.testing.assert_array_equal(
        np.asarray(model.classifier_.sw_), np.arange(1.0, 13)[idx]
    )
    np.testing.assert_array_equal(np.asarray(model.classifier_.y_), y[idx])


def test_pin_fit_leaves_inputs_unchanged():
    y = np.array([0] * 8 + [1] * 4)
    X = np.arange(12.0)[:, None]
    weights = np.arange(1.0, 13)
    copies = (X.copy(), y.copy(), weights.copy())
    ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression()).fit(
        X, y, sample_weight=weights
    )
    for given, kept in zip((X, y, weights), copies):
        np.testing.assert_array_equal(given, kept)


class _ShiftedIndices(BaseEstimator):
    """A foreign sampler whose sample_indices_ point one row too far."""

    def fit_resample(self, X, y):
        self.sample_indices_ = np.arange(len(y)) + 1
        return X, y


def test_pin_out_of_range_sample_indices_refused_before_any_take():
    y = np.array([0] * 8 + [1] * 4)
    X = np.arange(12.0)[:, None]
    model = ResampledClassifier(_ShiftedIndices(), _Recorder())
    with pytest.raises(ValueError, match="indices outside the 12 rows"):
        model.fit(X, y, sample_weight=np.ones(12))


def test_pin_resampled_priors_weighted_in_classes_order():
    y = np.array(["b"] * 8 + ["a"] * 4)
    X = np.arange(12.0)[:, None]
    weights = np.r_[np.full(8, 1.0), np.full(4, 3.0)]
    model = ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression())
    model.fit(X, y, sample_weight=weights)
    assert model.classes_.tolist() == ["a", "b"]
    np.testing.assert_allclose(model.resampled_priors_, [0.75, 0.25])


def test_pin_refit_on_numpy_drops_feature_names():
    y = np.array([0] * 8 + [1] * 4)
    X = np.arange(12.0)[:, None]
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    model.fit(pd.DataFrame({"a": X[:, 0]}), y)
    assert model.feature_names_in_.tolist() == ["a"]
    model.fit(X, y)
    assert not hasattr(model, "feature_names_in_")
    assert model.n_features_in_ == 1


def test_pin_nan_in_nullable_pandas_column_refused_for_every_seed():
    X, y = _nan_data()
    frame = pd.DataFrame({"a": pd.array(X[:, 0], dtype="Float64"), "b": X[:, 1]})
    assert _outcomes(frame, y, LogisticRegression()) == ["NaN"] * 6


def test_pin_class_weights_categorical_unused_category_dropped_order_kept():
    y = pd.Series(pd.Categorical(["a", "b", "b"], categories=["b", "c", "a"]))
    weights = class_weights(y)
    assert list(weights) == ["b", "a"]  # category order, no weight for 'c'
    assert np.isfinite(list(weights.values())).all()
    assert class_weights(y, "effective_number").keys() == weights.keys()
    np.testing.assert_allclose(sample_weights(y), [1.5, 0.75, 0.75])


def test_pin_effective_number_beta_zero_equal_and_docstring_values():
    assert class_weights([0, 0, 1], "effective_number", beta=0.0) == {0: 1.0, 1: 1.0}
    weights = class_weights([0] * 90 + [1] * 10, "effective_number", beta=0.99)
    np.testing.assert_allclose([weights[0], weights[1]], [0.2764, 1.7236], atol=1e-3)
    assert sum(weights.values()) == pytest.approx(2.0)


def test_pin_weights_empty_y_refused_and_input_unchanged():
    with pytest.raises(ValueError, match="empty"):
        class_weights(np.array([], dtype=int))
    y = np.array([0, 0, 1])
    assert sample_weights(y).tolist() == [0.75, 0.75, 1.5]
    assert y.tolist() == [0, 0, 1]
