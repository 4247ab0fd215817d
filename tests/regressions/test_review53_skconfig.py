"""Review 53 (skconfig): rebalance's estimators under scikit-learn's global
configuration (``transform_output`` pandas / polars, ``assume_finite``,
``skip_parameter_validation``, ``enable_metadata_routing``,
``array_api_dispatch``, ``working_memory``, ``print_changed_only``,
``display``), compared with the default configuration: the same draw
(``sample_indices_``), the same rows, the same predictions.

Bug fixed here: under ``transform_output='pandas'`` a Pipeline's transformer
gives the DataFrame it makes of an array a fresh ``RangeIndex``; a y Series
shuffled with the array (``sklearn.utils.shuffle``) holds those numbers in
another order, and the samplers refused it as "y holds the index of X in
another order", advising ``y.loc[X.index]``, which gives rows other labels.
The same check in ``ThresholdMover`` and ``ResampledClassifier`` (now in
``check_paired_rows`` / ``check_paired_weights`` for all three); their
parameter checks, skipped under ``skip_parameter_validation``; and
``ResampledClassifier``'s refusal of NaN before resampling, skipped under
``assume_finite=True``, are fixed too.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import shuffle

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomUnderSampler(replacement=True, random_state=0),
    RandomOverSampler(random_state=0),
    RandomOverSampler(shrinkage=0.5, random_state=0),
    ClassBalancedSampler(random_state=0),
    LabelShuffleSampler(random_state=0),
]
SAMPLER_IDS = ["under", "under-replacement", "over", "over-shrinkage", "cbs", "lss"]

CONFIGS = [
    {"transform_output": "pandas"},
    {"transform_output": "polars"},
    {"assume_finite": True},
    {"skip_parameter_validation": True},
    {"enable_metadata_routing": True},
    {"working_memory": 1e-6},
    {"print_changed_only": False},
    {"display": "text"},
    {"display": "diagram"},
]
CONFIG_IDS = [next(iter(c)) + "=" + str(next(iter(c.values()))) for c in CONFIGS]


def _shuffled_data(n=60, seed=0):
    """A numpy X and a y Series shuffled together (y's index: a permutation
    of 0..n-1, X's rows in the same order)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = pd.Series([0] * (n * 3 // 4) + [1] * (n - n * 3 // 4))
    X[y.to_numpy() == 1] += 1.0
    return shuffle(X, y, random_state=seed)


# --------------------------------------------------------------- the bug


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_pandas_output_pipeline_pairs_shuffled_y_by_position(sampler):
    # StandardScaler makes a DataFrame with a fresh RangeIndex of the numpy X;
    # the sampler refused y's shuffled index, which says nothing of X's rows.
    X, y = _shuffled_data()
    model = imb_make_pipeline(StandardScaler(), clone(sampler), LogisticRegression())
    expected = clone(model).fit(X, y).predict_proba(X)
    with sklearn.config_context(transform_output="pandas"):
        fitted = clone(model).fit(X, y)
        got = fitted.predict_proba(X)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_pandas_output_sampler_rows_and_weights_as_default(sampler):
    X, y = _shuffled_data()
    w = pd.Series(np.linspace(0.5, 2.0, len(y)), index=y.index)
    s0 = clone(sampler)
    X0, y0, w0 = s0.fit_resample(X, y, sample_weight=w)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])  # what set_output makes
    s1 = clone(sampler)
    with sklearn.config_context(transform_output="pandas"):
        X1, y1, w1 = s1.fit_resample(frame, y, sample_weight=w)
        fitted = clone(sampler).fit(frame, y)
    np.testing.assert_array_equal(s1.sample_indices_, s0.sample_indices_)
    np.testing.assert_array_equal(X1.to_numpy(), X0)
    assert X1.index.equals(pd.RangeIndex(len(X0)))  # fresh, as by default
    pd.testing.assert_series_equal(y1, y0)
    pd.testing.assert_series_equal(w1, w0)
    assert fitted.sampling_strategy_ == clone(sampler).fit(X, y).sampling_strategy_


def test_reordered_index_still_refused_without_pandas_output():
    # The check itself is kept: a DataFrame X, y with X's index shuffled alone.
    X, y = _shuffled_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    with pytest.raises(ValueError, match="y holds the index of X in another order"):
        RandomUnderSampler(random_state=0).fit_resample(frame, y)
    # ... and under the setting for an index a transformer does not make.
    moved = frame.set_axis(frame.index + 100)
    with sklearn.config_context(transform_output="pandas"):
        with pytest.raises(ValueError, match="y holds the index of X"):
            RandomUnderSampler(random_state=0).fit_resample(
                moved, y.set_axis(y.index + 100)
            )
        # sample_weight against y (both the caller's) is still compared.
        w = pd.Series(np.ones(len(y)), index=y.index[::-1])
        with pytest.raises(ValueError, match="sample_weight holds the index of y"):
            RandomUnderSampler(random_state=0).fit_resample(frame, y, sample_weight=w)


def test_pandas_output_resampled_classifier_pairs_shuffled_y():
    X, y = _shuffled_data()
    model = make_pipeline(
        StandardScaler(),
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
    )
    expected = clone(model).fit(X, y).predict_proba(X)
    with sklearn.config_context(transform_output="pandas"):
        got = clone(model).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_pandas_output_threshold_mover_pairs_shuffled_y():
    X, y = _shuffled_data()
    model = make_pipeline(
        StandardScaler(), ThresholdMover(LogisticRegression(), strategy="tuned", cv=3)
    )
    expected = clone(model).fit(X, y).predict(X)
    with sklearn.config_context(transform_output="pandas"):
        got = clone(model).fit(X, y).predict(X)
    np.testing.assert_array_equal(got, expected)


# ------------------------------------------- the samplers under each config


def _data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = np.array([0] * 28 + [1] * 12)
    return X, y


@pytest.mark.parametrize("config", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_sampler_draw_rows_tags_params_as_default(sampler, config):
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    w = np.linspace(0.5, 2.0, len(y))
    s0 = clone(sampler)
    out0 = s0.fit_resample(frame, pd.Series(y), sample_weight=w)
    tags0 = repr(sklearn.utils.get_tags(sampler))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with sklearn.config_context(**config):
            s1 = clone(sampler)
            out1 = s1.fit_resample(frame, pd.Series(y), sample_weight=w)
            assert repr(sklearn.utils.get_tags(s1)) == tags0
            params = s1.get_params()
            again = clone(s1).set_params(**params)
            assert again.get_params() == params
            assert type(s1).__name__ in repr(s1)
            if hasattr(s1, "_repr_html_"):
                assert type(s1).__name__ in s1._repr_html_()
    np.testing.assert_array_equal(s1.sample_indices_, s0.sample_indices_)
    pd.testing.assert_frame_equal(out1[0], out0[0])
    pd.testing.assert_series_equal(out1[1], out0[1])
    np.testing.assert_array_equal(out1[2], out0[2])
    assert s1.sampling_strategy_ == s0.sampling_strategy_


BAD_PARAMS = [
    (RandomUnderSampler(sampling_strategy="minority"), ValueError, "minority"),
    (RandomUnderSampler(replacement="yes"), ValueError, "replacement"),
    (RandomUnderSampler(random_state=True), ValueError, "random_state"),
    (RandomOverSampler(shrinkage=-1.0), ValueError, "shrinkage"),
    (RandomOverSampler(sampling_strategy="majority"), ValueError, "majority"),
    (ClassBalancedSampler(n_samples=0), ValueError, "n_samples"),
    (ClassBalancedSampler(power=float("nan")), ValueError, "power"),
    (LabelShuffleSampler(sampling_strategy=[1]), ValueError, "sampling_strategy"),
]


@pytest.mark.parametrize("sampler, error, word", BAD_PARAMS)
def test_samplers_validate_under_skip_parameter_validation(sampler, error, word):
    X, y = _data()
    with sklearn.config_context(skip_parameter_validation=True):
        with pytest.raises(error, match=word):
            clone(sampler).fit_resample(X, y)
        with pytest.raises(error, match=word):
            clone(sampler).plan(y)
        model = ResampledClassifier(clone(sampler), LogisticRegression())
        with pytest.raises(error, match=word):
            model.fit(X, y)


@pytest.mark.parametrize("backend", ["loky", "threading"])
@pytest.mark.slow
def test_cross_validate_workers_keep_the_config(backend):
    import joblib
    from sklearn.model_selection import cross_validate

    X, y = _shuffled_data(n=80)
    model = imb_make_pipeline(
        StandardScaler(), RandomOverSampler(random_state=0), LogisticRegression()
    )
    expected = cross_validate(clone(model), X, y, cv=3)["test_score"]
    with sklearn.config_context(transform_output="pandas"):
        with joblib.parallel_backend(backend, n_jobs=2):
            got = cross_validate(clone(model), X, y, cv=3, n_jobs=2)["test_score"]
    np.testing.assert_allclose(got, expected)


# ----------------------------- ThresholdMover / ResampledClassifier

_SKIP = "under skip_parameter_validation=True"


def test_threshold_mover_bool_threshold_refused_when_validation_skipped():
    X, y = _data()
    with sklearn.config_context(skip_parameter_validation=True):
        with pytest.raises((ValueError, TypeError), match="threshold"):
            ThresholdMover(LogisticRegression(), strategy="fixed", threshold=True).fit(
                X, y
            )


def test_threshold_mover_one_threshold_refused_when_validation_skipped():
    X, y = _data()
    with sklearn.config_context(skip_parameter_validation=True):
        with pytest.raises((ValueError, TypeError), match="thresholds"):
            ThresholdMover(LogisticRegression(), strategy="tuned", thresholds=1).fit(
                X, y
            )


@pytest.mark.parametrize(
    "params",
    [{"train_priors": "x"}, {"deploy_priors": "x"}, {"response_method": "predict"}],
)
def test_threshold_mover_bad_strings_refused_when_validation_skipped(params):
    X, y = _data()
    with sklearn.config_context(skip_parameter_validation=True):
        with pytest.raises((ValueError, TypeError), match=next(iter(params))):
            ThresholdMover(LogisticRegression(), **params).fit(X, y)


def test_threshold_mover_unknown_strategy_refused_when_validation_skipped():
    X, y = _data()
    with sklearn.config_context(skip_parameter_validation=True):
        with pytest.raises(ValueError, match="strategy"):
            ThresholdMover(LogisticRegression(), strategy="bogus").fit(X, y)


def test_resampled_classifier_none_sampler_named_when_validation_skipped():
    X, y = _data()
    with sklearn.config_context(skip_parameter_validation=True):
        with pytest.raises((ValueError, TypeError), match="sampler"):
            ResampledClassifier(None, LogisticRegression()).fit(X, y)


def test_resampled_classifier_refuses_nan_under_assume_finite():
    X, y = _data()
    X[3, 1] = np.nan
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    with pytest.raises(ValueError, match="NaN"):
        clone(model).fit(X, y)  # the documented refusal
    with sklearn.config_context(assume_finite=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="NaN"):
            clone(model).fit(X, y)
