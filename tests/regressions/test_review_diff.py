"""Regression tests for bugs introduced or left half-fixed by c574098..HEAD."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import make_pipeline

from rebalance import RandomOverSampler, RandomUnderSampler, ResampledClassifier
from rebalance._columns import plan_columns
from rebalance.threshold import ThresholdMover


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.r_[np.zeros(45, int), np.ones(15, int)]
    return X, y


# ResampledClassifier's new finite-X pre-check ignores an imputing Pipeline (its tags
# say allow_nan=False).
def test_resampled_classifier_nan_with_imputing_pipeline(data):
    X, y = data
    X = X.copy()
    X[5, 1] = np.nan
    clf = make_pipeline(SimpleImputer(), LogisticRegression())
    model = ResampledClassifier(RandomUnderSampler(random_state=0), clf).fit(X, y)
    assert model.predict(X).shape == (60,)


# A scorer with the documented signature scorer(estimator, X, y) is now called with
# sample_weight=.
def test_tuned_custom_scorer_without_sample_weight_kwarg(data):
    X, y = data

    def scorer(estimator, X, y):
        return balanced_accuracy_score(y, estimator.predict(X))

    mover = ThresholdMover(LogisticRegression(), strategy="tuned", scoring=scorer, cv=2)
    mover.fit(X, y, sample_weight=np.ones(60))
    assert np.isfinite(mover.threshold_)


# threshold=Fraction(1, 3) is a Real (accepted before); NumberInterval's np.isnan
# raises TypeError.
def test_fixed_threshold_fraction(data):
    X, y = data
    mover = ThresholdMover(
        LogisticRegression(), strategy="fixed", threshold=Fraction(1, 3)
    ).fit(X, y)
    assert mover.predict(X).shape == (60,)


# A list of Fractions as candidate thresholds was accepted; the new dtype-kind check
# rejects object arrays.
def test_tuned_thresholds_list_of_fractions(data):
    X, y = data
    mover = ThresholdMover(
        LogisticRegression(),
        strategy="tuned",
        thresholds=[Fraction(1, 4), Fraction(1, 2)],
        cv=2,
    ).fit(X, y)
    assert mover.threshold_ in (0.25, 0.5)


# Nullable "boolean" y becomes classes [0., 1.]: pos_label=True (valid for a numpy
# bool y) is refused.
def test_boolean_extension_y_pos_label_true(data):
    X, y = data
    y_bool = pd.Series(y.astype(bool), dtype="boolean")
    mover = ThresholdMover(LogisticRegression(), strategy="fixed", pos_label=True)
    mover.fit(X, y_bool)
    assert mover.predict(X).shape == (60,)


# Nullable "boolean" y: the documented y.value_counts(normalize=True) priors are
# refused (keys False/True).
def test_boolean_extension_y_value_counts_priors(data):
    X, y = data
    y_bool = pd.Series(y.astype(bool), dtype="boolean")
    priors = y_bool.value_counts(normalize=True)
    mover = ThresholdMover(LogisticRegression(), strategy="prior", deploy_priors=priors)
    mover.fit(X, y_bool)
    np.testing.assert_allclose(sorted(mover.deploy_priors_), [0.25, 0.75])


# A Series of priors with a default RangeIndex (positional) was accepted; now read by
# label and refused.
def test_series_priors_default_index_string_classes(data):
    X, y = data
    y_str = np.where(y == 1, "pos", "neg")
    mover = ThresholdMover(
        LogisticRegression(), strategy="prior", deploy_priors=pd.Series([0.9, 0.1])
    ).fit(X, y_str)
    np.testing.assert_allclose(mover.deploy_priors_, [0.9, 0.1])


# The id-like rule now drops a float measurement of consecutive whole numbers spanning
# negatives.
def test_float_column_with_negative_whole_values_not_id_like():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "temperature": rng.permutation(np.arange(-6, 6)).astype(float),
            "other": rng.normal(size=12),
        }
    )
    plan = plan_columns(frame)
    assert plan.used.get("temperature") == "numeric"


# Dask X whose chunks are plain then masked: rows are joined with np.concatenate
# (first block's type), losing the mask.
def test_dask_mixed_plain_and_masked_chunks_keep_mask():
    da = pytest.importorskip("dask.array")
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    values = np.arange(80, dtype=float).reshape(40, 2)
    mask = np.zeros_like(values, dtype=bool)
    mask[::3, 0] = True
    plain = da.from_array(values, chunks=(10, 2))
    masked = da.ma.masked_array(plain, mask=da.from_array(mask, chunks=(10, 2)))
    X = da.concatenate([plain[:20], masked[20:]])
    expected_mask = np.ma.getmaskarray(X.compute())
    assert expected_mask.any()
    sampler = RandomOverSampler(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X_res, _ = sampler.fit_resample(X, da.from_array(y, chunks=10))
        got = X_res.compute()
    np.testing.assert_array_equal(
        np.ma.getmaskarray(got), expected_mask[sampler.sample_indices_]
    )
