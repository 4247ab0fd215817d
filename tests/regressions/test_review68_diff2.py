"""Review 68 (diff2): a second look at 05ec20f..HEAD from other entry points.

Each test failed before its fix (they were strict xfails, fixed the same hour).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import shuffle

from rebalance.compose import ResampledClassifier
from rebalance.samplers import RandomOverSampler, RandomUnderSampler

TEXTS = ["good film", "bad film", "great", "awful", "fine film", "ok"]
LABELS = np.array([0, 0, 0, 0, 1, 1])


def test_numpy_string_dtype_texts_are_documents():
    X = np.array(TEXTS, dtype=np.dtypes.StringDType())
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, LABELS)
    assert X_res.shape == (8,) and np.bincount(y_res).tolist() == [4, 4]


def test_numpy_string_dtype_texts_in_resampled_classifier():
    X = np.array(TEXTS, dtype=np.dtypes.StringDType())
    model = ResampledClassifier(
        RandomOverSampler(random_state=0),
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
    ).fit(X, LABELS)
    assert model.predict(X).shape == (6,)


def _shuffled():
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = pd.Series(np.r_[np.zeros(30, int), np.ones(10, int)])
    return shuffle(X, y, random_state=0)  # y keeps its (now shuffled) index


def _flat(last):
    return imb_make_pipeline(StandardScaler().set_output(transform="pandas"), *last)


@pytest.mark.parametrize("inner", ["imblearn", "resampled"])
def test_nested_pipeline_pairs_by_position_as_the_flat_one(inner):
    X, y = _shuffled()
    flat = _flat([RandomOverSampler(random_state=0), LogisticRegression()]).fit(X, y)
    if inner == "imblearn":
        inner_model = imb_make_pipeline(
            RandomOverSampler(random_state=0), LogisticRegression()
        )
    else:
        inner_model = make_pipeline(
            ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression())
        )
    nested = make_pipeline(
        StandardScaler().set_output(transform="pandas"), inner_model
    ).fit(X, y)
    np.testing.assert_allclose(nested.predict_proba(X), flat.predict_proba(X))


class _HoldsOutNoWeights(ClassifierMixin, BaseEstimator):
    """A classifier holding out a validation_fraction (early stopping) whose
    fit takes no sample_weight (a user's or a wrapper library's)."""

    def __init__(self, early_stopping=True, validation_fraction=0.2):
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction

    def fit(self, X, y):
        self.rows_ = np.asarray(X)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_copies_from_weights_as_rows_are_warned_about():
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.r_[np.zeros(45, int), np.ones(15, int)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ResampledClassifier(
            RandomUnderSampler(random_state=0), _HoldsOutNoWeights()
        ).fit(X, y, sample_weight=np.full(60, 2.0))
    rows = model.classifier_.rows_
    assert np.unique(rows, axis=0).shape[0] < rows.shape[0]  # copies fitted
    assert any("more than once" in str(w.message) for w in caught)
