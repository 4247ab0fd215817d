"""Review 149, area diff54: the lead's commit c98ed48 (against 1f9de7c).

Reviewed by running old (fb0b73b) and new trees side by side on:
``g_mean_score``'s new ``UndefinedMetricWarning`` (string, categorical, bool,
polars labels, ``labels=``, zero weights; compared with imbalanced-learn's
``geometric_mean_score``; counts under ``cross_val_score`` and
``ThresholdMover(strategy='tuned')``), ``as_classifier_target`` on pandas
object Series and Decimals (NaN, sNaN, 1E+2, beyond int64, -0, mixed with
ints/floats), ``ResampledClassifier``'s ``encode_labels`` before an
imbalanced-learn sampler (float whole numbers, -1, one-hot, object/Decimal
labels, categorical, nullable) and a generator ``X`` for the non-tuned
``ThresholdMover`` strategies (plain, ``sample_weight`` as repeated rows,
``FrozenEstimator``).

Found: a generator ``X`` with ``sample_weight`` repeated as rows (an estimator
whose ``fit`` takes no ``sample_weight``, e.g. a Pipeline) crashes with a bare
IndexError instead of a TypeError naming X. No silent change and no false
refusal found: the warning names the right classes, is raised where
imbalanced-learn raises it, once per fold under ``cross_val_score``; the
imbalanced-learn samplers accept every label kind they accepted before (and
now object ints and whole Decimals).
"""

import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import RandomUnderSampler
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from rebalance._labels import as_classifier_target
from rebalance.compose import ResampledClassifier
from rebalance.metrics import g_mean_score
from rebalance.threshold import ThresholdMover

TEXTS = ["good movie", "bad film", "great plot", "awful acting", "nice", "dull"] * 5
Y_TEXTS = np.array([1, 0, 1, 0, 1, 0] * 5)


def _texts_pipeline():
    return make_pipeline(HashingVectorizer(n_features=64), KNeighborsClassifier(3))


def test_generator_x_with_weights_as_rows_is_named_or_fitted():
    weights = np.arange(30) % 3
    expected = (
        ThresholdMover(_texts_pipeline(), strategy="prior")
        .fit(TEXTS, Y_TEXTS, sample_weight=weights)
        .predict(TEXTS[:6])
    )
    mover = ThresholdMover(_texts_pipeline(), strategy="prior")
    try:
        mover.fit((t for t in TEXTS), Y_TEXTS, sample_weight=weights)
    except TypeError as exc:  # refused before any work, naming X
        assert "X" in str(exc) and "list(X)" in str(exc)
    else:  # or read as the rows given
        np.testing.assert_array_equal(mover.predict(TEXTS[:6]), expected)


def test_generator_x_fitted_once_for_prior_strategy():
    got = ThresholdMover(_texts_pipeline(), strategy="prior").fit(
        (t for t in TEXTS), Y_TEXTS
    )
    expected = ThresholdMover(_texts_pipeline(), strategy="prior").fit(TEXTS, Y_TEXTS)
    np.testing.assert_array_equal(got.predict(TEXTS), expected.predict(TEXTS))


def test_g_mean_warning_names_absent_categorical_and_bool_classes():
    y = pd.Series(["a", "b", "b"], dtype="category")
    with pytest.warns(UndefinedMetricWarning, match=r"\['zz'\]"):
        assert g_mean_score(y, y, labels=["a", "b", "zz"]) == 0.0
    with pytest.warns(UndefinedMetricWarning, match=r"\[False\]"):
        g_mean_score([True, True], [True, False], labels=[False, True])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Every listed class present, or a predicted class outside labels:
        # no warning.
        assert g_mean_score([0, 1, 2], [0, 1, 1], labels=[0, 1]) == 1.0


def test_decimals_read_as_ints_only_when_exact():
    whole = as_classifier_target(pd.Series([Decimal("1E+2"), Decimal("-0")]))
    assert whole.dtype.kind == "i" and whole.tolist() == [100, 0]
    for values in (
        [Decimal("NaN"), Decimal(1)],
        [Decimal(10**30), Decimal(1)],
        [Decimal("1.5"), Decimal(1)],
        [Decimal(1), 2.0],
    ):
        out = as_classifier_target(np.array(values, dtype=object))
        assert out.dtype == object and out.tolist() == values


@pytest.mark.parametrize(
    "y",
    [
        np.r_[np.full(5, -1), np.zeros(25, int), np.ones(10, int)],
        np.r_[np.zeros(30), np.ones(10)],
        pd.Series(np.r_[np.zeros(30, int), np.ones(10, int)], dtype=object),
    ],
    ids=["minus-one", "whole-floats", "object-ints"],
)
def test_imblearn_sampler_accepts_labels_it_accepted(y):
    X = np.random.default_rng(0).normal(size=(40, 2))
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    model.fit(X, y)
    assert model.classes_.tolist() == sorted(set(np.asarray(y).tolist()))
