"""Regression tests for bugs found by a scikit-learn ecosystem review.

Each test fails on the current code because of the bug it is named after.
"""

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbRandomUnderSampler
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from rebalance import (
    ClassBalancedSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

pl = pytest.importorskip("polars")


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * (n - n // 5) + [1] * (n // 5))
    X = rng.normal(size=(n, 4)) + y[:, None]
    w = rng.uniform(0.5, 2.0, size=n)
    return X, y, w


def test_imblearn_pipeline_ending_in_sampler_silently_drops_sample_weight():
    # Expected: a clear ValueError (README promise), or the weights resampled
    # and returned; never (X_res, y_res) with the weights silently dropped.
    X, y, w = _data()
    pipe = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0))
    try:
        out = pipe.fit_resample(X, y, randomundersampler__sample_weight=w)
    except ValueError:
        return
    assert len(out) == 3, "sample_weight was silently dropped"


def test_sampler_nested_in_transformer_step_no_false_positive_in_imblearn_pipeline():
    # Expected: no error; the SelectFromModel step keeps every row, so the final
    # step's sample_weight is still aligned (imblearn's own sampler works here).
    X, y, w = _data()
    for sampler in (
        ImbRandomUnderSampler(random_state=0),
        RandomUnderSampler(random_state=0),
    ):
        select = SelectFromModel(
            ResampledClassifier(sampler, LogisticRegression()),
            importance_getter="classifier_.coef_",
        )
        pipe = make_pipeline(StandardScaler(), select, LogisticRegression())
        pipe.fit(X, y, logisticregression__sample_weight=w)


def test_imblearn_pipeline_memory_cache_hit_silently_misaligns_sample_weight(tmp_path):
    # Expected: the same ValueError as without memory=, also when the sampler
    # step is loaded from joblib's cache (ClassBalancedSampler keeps the row
    # count, so the unresampled weights would be silently misaligned).
    X, y, w = _data()
    make_pipeline(
        ClassBalancedSampler(random_state=0), LogisticRegression(), memory=str(tmp_path)
    ).fit(X, y)
    pipe = make_pipeline(
        ClassBalancedSampler(random_state=0), LogisticRegression(), memory=str(tmp_path)
    )
    with pytest.raises(ValueError, match="sample_weight"):
        pipe.fit(X, y, logisticregression__sample_weight=w)


def test_resampled_classifier_keeps_stale_feature_names_in_after_refit_on_numpy():
    # Expected: refitting on a numpy array removes feature_names_in_ (as
    # ThresholdMover and the samplers do).
    X, y, _ = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    model.fit(frame, y)
    model.fit(X, y)
    assert not hasattr(model, "feature_names_in_")


def test_sampler_fit_keeps_stale_sample_indices_from_previous_fit_resample():
    # Expected: fit() on new data does not leave sample_indices_ of other data
    # (they index rows that do not exist in the data fitted last).
    X, y, _ = _data()
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, y)
    X_small, y_small = X[:10], np.array([0] * 5 + [1] * 5)
    sampler.fit(X_small, y_small)
    indices = getattr(sampler, "sample_indices_", None)
    assert indices is None or indices.max() < len(y_small)


def test_under_sampler_with_replacement_bootstraps_a_selected_class_at_its_count():
    # Expected (imbalanced-learn's meaning, BalancedRandomForest's
    # sampling_strategy='all', replacement=True): every selected class is drawn
    # with replacement, the minority too, so it gets repeated rows.
    y = np.array([0] * 400 + [1] * 100)
    X = np.arange(500).reshape(-1, 1)
    sampler = RandomUnderSampler(
        sampling_strategy="all", replacement=True, random_state=0
    )
    sampler.fit_resample(X, y)
    minority = sampler.sample_indices_[y[sampler.sample_indices_] == 1]
    assert len(minority) == 100
    # A bootstrap of 100 rows out of 100 has ~63 distinct rows; never 100 in practice.
    assert len(np.unique(minority)) < 100


def test_list_X_with_mixed_types_comes_back_as_strings():
    # Expected: a list X comes back as a list of the original rows (same
    # values and types), as y lists do; not numbers turned into strings.
    X = [[i, f"s{i}", i + 0.5] for i in range(8)]
    y = [0] * 6 + [1] * 2
    sampler = RandomUnderSampler(random_state=0, shuffle=False)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res == [X[i] for i in sampler.sample_indices_]


def test_list_sample_weight_is_not_returned_as_list():
    # Expected (fit_resample docstring: "same type as sample_weight"): a list
    # of weights comes back as a list, like list X and list y.
    X, y, w = _data()
    _, _, w_res = RandomUnderSampler(random_state=0).fit_resample(
        X.tolist(), y.tolist(), sample_weight=w.tolist()
    )
    assert isinstance(w_res, list)


def test_bool_sample_weight_rejected_with_misleading_message():
    # Expected: boolean weights are used as 0/1 (as scikit-learn's
    # _check_sample_weight does), or refused with a message about their dtype,
    # not "must hold finite numbers (no NaN, inf or missing values)".
    X, y, _ = _data()
    mask = np.ones(len(y), dtype=bool)
    try:
        RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=mask)
    except ValueError as exc:
        assert "NaN" not in str(exc), str(exc)


def test_polars_lazyframe_X_gives_misleading_shape_error():
    # Expected: a clear error telling to collect() the LazyFrame (or it is
    # collected), not "Expected a 2D array for X, got shape ()".
    X, y, _ = _data()
    lazy = pl.DataFrame(X, schema=["a", "b", "c", "d"]).lazy()
    try:
        RandomUnderSampler(random_state=0).fit_resample(lazy, y)
    except (TypeError, ValueError) as exc:
        assert "shape ()" not in str(exc), str(exc)
