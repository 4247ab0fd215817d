"""Review 80 (hypo): property-based checks of the samplers and meta-estimators.

Small, derandomized versions of the fuzzing run for this review (thousands of
cases against imbalanced-learn 0.14): the rows returned are the rows of X at
``sample_indices_`` (values and dtypes), y and weights follow, class counts
equal imbalanced-learn's for the same strategy, inputs are never modified, an
int ``random_state`` repeats the draw, and the priors ``ResampledClassifier``
and ``ThresholdMover(strategy='prior')`` report are those of the rows fitted.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

imblearn_under = pytest.importorskip("imblearn.under_sampling")
imblearn_over = pytest.importorskip("imblearn.over_sampling")

SETTINGS = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
LABELS = [list(range(6)), [f"c{i}" for i in range(6)], [False, True]]


@st.composite
def _labelled(draw, min_classes=1):
    pool = draw(st.sampled_from(LABELS))
    k = draw(st.integers(min_classes, len(pool)))
    counts = draw(st.lists(st.integers(1, 12), min_size=k, max_size=k))
    y = np.array([c for c, n in zip(pool[:k], counts) for _ in range(n)])
    y = y[list(draw(st.permutations(range(len(y)))))]
    return pool[:k], counts, y


def _features(kind, n, rng):
    if kind == "float":
        return rng.normal(size=(n, 3))
    if kind == "int8":
        return rng.integers(-5, 5, size=(n, 2)).astype(np.int8)
    if kind == "csr":
        return sp.csr_matrix(rng.random((n, 4)) * (rng.random((n, 4)) > 0.6))
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "c": pd.Categorical(rng.choice(["x", "y"], n)),
            "e": pd.array(rng.integers(0, 5, n), dtype="Int64"),
        }
    )


def _assert_rows(X, X_res, idx):
    if sp.issparse(X):
        assert sp.issparse(X_res) and X_res.dtype == X.dtype
        assert (X[idx] != X_res).nnz == 0
    elif isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(
            X.iloc[idx].reset_index(drop=True), X_res.reset_index(drop=True)
        )
    else:
        assert X_res.dtype == X.dtype
        np.testing.assert_array_equal(X[idx], X_res)


@SETTINGS
@given(st.data())
def test_samplers_match_imblearn_counts_and_rows(data):
    classes, counts, y = data.draw(_labelled())
    n = len(y)
    rng = np.random.default_rng(data.draw(st.integers(0, 20)))
    X = _features(data.draw(st.sampled_from(["float", "int8", "csr", "df"])), n, rng)
    sw = data.draw(st.sampled_from([None, "float"]))
    sw = None if sw is None else rng.random(n) + 0.1
    under = data.draw(st.booleans())
    strategy = data.draw(
        st.sampled_from(["auto", "all", "not minority", "not majority", "dict"])
    )
    if strategy == "dict":
        limits = dict(zip(classes, counts))
        strategy = {
            c: data.draw(st.integers(0, m) if under else st.integers(m, m + 10))
            for c, m in limits.items()
        }
    kw = {"sampling_strategy": strategy, "random_state": 3}
    ours = RandomUnderSampler(**kw) if under else RandomOverSampler(**kw)
    theirs = (
        imblearn_under.RandomUnderSampler(**kw)
        if under
        else imblearn_over.RandomOverSampler(**kw)
    )
    X_copy, y_copy, sw_copy = X.copy(), y.copy(), None if sw is None else sw.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            y_theirs = theirs.fit_resample(np.zeros((n, 1)), y)[1]
        except ValueError:
            with pytest.raises(ValueError):
                ours.fit_resample(X, y, sample_weight=sw)
            return
        out = ours.fit_resample(X, y, sample_weight=sw)
    idx = ours.sample_indices_
    _assert_rows(X, out[0], idx)
    np.testing.assert_array_equal(out[1], y[idx])
    assert out[1].dtype == y.dtype
    if sw is not None:
        np.testing.assert_array_equal(out[2], sw[idx])
    assert (
        pd.Series(out[1]).value_counts().to_dict()
        == pd.Series(y_theirs).value_counts().to_dict()
    )
    # Inputs untouched, and the same int seed repeats the draw.
    if sp.issparse(X):
        assert (X != X_copy).nnz == 0
    elif isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, X_copy)
    else:
        np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    if sw is not None:
        np.testing.assert_array_equal(sw, sw_copy)
    again = type(ours)(**kw)
    again.fit_resample(X, y)
    np.testing.assert_array_equal(again.sample_indices_, idx)


@SETTINGS
@given(st.data())
def test_resampled_classifier_priors_follow_the_fitted_rows(data):
    from sklearn.naive_bayes import GaussianNB

    _, _, y = data.draw(_labelled(min_classes=2))
    rng = np.random.default_rng(data.draw(st.integers(0, 20)))
    X = rng.normal(size=(len(y), 2))
    sw = data.draw(st.sampled_from([None, "int"]))
    fit_kw = {} if sw is None else {"sample_weight": rng.integers(1, 4, len(y))}
    sampler = data.draw(
        st.sampled_from(
            [
                RandomUnderSampler(random_state=0),
                RandomOverSampler(random_state=0),
                RandomUnderSampler(sampling_strategy="majority", random_state=0),
            ]
        )
    )
    moved = ThresholdMover(ResampledClassifier(sampler, GaussianNB()))
    moved.fit(X, y, **fit_kw)
    inner = moved.estimator_
    classes = np.unique(y)
    np.testing.assert_array_equal(moved.classes_, classes)
    np.testing.assert_array_equal(inner.classes_, classes)
    idx = inner.sampler_.sample_indices_
    w = np.ones(len(y)) if sw is None else fit_kw["sample_weight"].astype(float)
    totals = np.array([w[idx][y[idx] == c].sum() for c in classes])
    np.testing.assert_allclose(inner.resampled_priors_, totals / totals.sum())
    np.testing.assert_allclose(moved.train_priors_, inner.resampled_priors_)
    proba = moved.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(
        moved.predict(X), classes[np.argmax(proba / moved.train_priors_, axis=1)]
    )


# 100 * 0.29 is 28.999999999999996 in floats, so the over-sampler (like
# imbalanced-learn) refuses sampling_strategy=0.29 on 100 majority and 29
# minority rows; but its message says "0.29 is below the current
# minority/majority ratio 0.29", which reads as a contradiction and does not
# say what ratio would work.
def test_float_ratio_refusal_does_not_contradict_itself():
    y = np.array([0] * 100 + [1] * 29)
    X = np.zeros((len(y), 1))
    with pytest.raises(ValueError) as info:
        RandomOverSampler(sampling_strategy=0.29).fit_resample(X, y)
    assert "is below the current minority/majority ratio 0.29:" not in str(info.value)


def test_float_ratio_refusal_names_a_ratio_that_works():
    # Review 80: the message's advice must work.
    import re

    y = np.array([0] * 100 + [1] * 29)
    X = np.zeros((len(y), 1))
    with pytest.raises(ValueError, match="in floating point") as info:
        RandomOverSampler(sampling_strategy=0.29).fit_resample(X, y)
    least = float(re.search(r"at least ([0-9.e-]+)\.$", str(info.value)).group(1))
    _, y_res = RandomOverSampler(sampling_strategy=least).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [100, 29]
    with pytest.raises(ValueError, match=r"ratio 0.29 \(29/100\): over") as info:
        RandomOverSampler(sampling_strategy=0.2).fit_resample(X, y)
