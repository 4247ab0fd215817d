"""Review 36 (h-samplers): fuzzing the estimator samplers' containers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rebalance as rb

SAMPLERS = [
    rb.RandomUnderSampler,
    rb.RandomOverSampler,
    rb.ClassBalancedSampler,
    rb.LabelShuffleSampler,
]

X = np.arange(10)[:, None]
CODES = np.array([0] * 7 + [1] * 3)


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize(
    "make_y",
    [
        lambda: pd.Categorical(
            np.array(["a", "b"])[CODES], categories=["b", "a", "unused"]
        ),
        lambda: pd.array(CODES, dtype="Int64"),
        lambda: pd.array(CODES.astype(bool), dtype="boolean"),
        lambda: pd.array(np.array(["a", "b"])[CODES], dtype="string"),
    ],
    ids=["Categorical", "Int64", "boolean", "string"],
)
def test_pandas_array_labels_come_back_as_the_same_pandas_array(sampler, make_y):
    # fit_resample promises y_resampled of y's type. Before: a bare pandas
    # array (not a Series) came back as a numpy array, which dropped a
    # Categorical's categories (its unused ones, its order) and the nullable
    # dtype.
    y = make_y()
    s = sampler(random_state=0)
    _, y_res = s.fit_resample(X, y)
    assert type(y_res) is type(y)
    assert y_res.dtype == y.dtype
    assert list(y_res) == list(y[s.sample_indices_])


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_pandas_array_sample_weight_comes_back_as_the_same_pandas_array(sampler):
    weights = pd.array(np.arange(10.0) + 1, dtype="Float64")
    s = sampler(random_state=0)
    _, _, w_res = s.fit_resample(X, CODES, sample_weight=weights)
    assert type(w_res) is type(weights)
    assert w_res.dtype == weights.dtype
    np.testing.assert_array_equal(
        w_res.to_numpy(dtype=float), np.arange(10.0)[s.sample_indices_] + 1
    )


def test_pandas_array_sample_weight_with_na_is_a_missing_weight():
    # Kept as a pandas array, its NA is still a missing weight (guard for the
    # container change above; this passed before too).
    weights = pd.array([None] + list(np.arange(9.0) + 1), dtype="Float64")
    with pytest.raises(ValueError, match="missing values"):
        rb.RandomOverSampler(random_state=0).fit_resample(
            X, CODES, sample_weight=weights
        )


@pytest.mark.parametrize(
    "make_y",
    [
        lambda codes: pd.array(codes.astype(bool), dtype="boolean"),
        lambda codes: pd.array(codes, dtype="Int64"),
    ],
    ids=["boolean", "Int64"],
)
def test_bare_nullable_array_targets_keep_their_classes(make_y):
    # A bare pandas array is read as the Series holding it would be
    # (rebalance._labels.as_classifier_target). Before: ThresholdMover with a
    # "boolean" pd.array raised "estimator.classes_ has classes [0.0, 1.0]
    # that the classifier does not know", and an "Int64" one gave float
    # classes_; ResampledClassifier, whose samplers now return the pandas
    # array, must keep the classes of y too.
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    features = rng.normal(size=(60, 3))
    codes = (rng.random(60) < 0.2).astype(int)
    y = make_y(codes)
    # The labels' own values (np.asarray of a nullable array is an object
    # array on pandas < 2.1, bool / int64 after).
    expected = np.unique(codes.astype(bool) if y.dtype == "boolean" else codes)
    mover = rb.ThresholdMover(LogisticRegression()).fit(features, y)
    assert mover.classes_.dtype == expected.dtype
    np.testing.assert_array_equal(mover.classes_, expected)
    for sampler in SAMPLERS:
        model = rb.ResampledClassifier(sampler(random_state=0), LogisticRegression())
        model.fit(features, y)
        assert model.classes_.dtype == expected.dtype
        np.testing.assert_array_equal(model.classes_, expected)
