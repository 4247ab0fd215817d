"""Review of be54747: regressions in as_classifier_target, _fit_takes and
NumberInterval (each test fails on be54747)."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from rebalance import (
    ClassBalancedSampler,
    RandomOverSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance._labels import as_classifier_target


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.array([0] * 45 + [1] * 15)
    w = rng.integers(1, 3, size=60)
    return X, y, w


def _pipeline():
    return make_pipeline(StandardScaler(), KNeighborsClassifier())


def _ovr():
    return OneVsRestClassifier(KNeighborsClassifier())


# Pipeline.fit / OneVsRestClassifier.fit take **params, so _fit_takes says they
# take sample_weight; without routing they refuse it (763f83b repeated the
# rows, as for any classifier without sample_weight).
@pytest.mark.parametrize("make", [_pipeline, _ovr], ids=["pipeline", "ovr"])
@pytest.mark.parametrize("meta", ["resampled", "threshold"])
def test_whole_weights_reach_kwargs_estimator_without_sample_weight(make, meta):
    X, y, w = _data()
    if meta == "resampled":
        model = ResampledClassifier(RandomOverSampler(random_state=0), make())
    else:
        model = ThresholdMover(make())
    model.fit(X, y, sample_weight=w)
    assert model.predict(X).shape == (60,)


# np.asarray(values.tolist()) turns a True label into the int 1 when the
# labels mix bools and ints: predictions are no longer labels of y.
def test_bool_label_is_not_relabelled_as_int():
    X, _, _ = _data()
    labels = np.array([True, 2] * 30, dtype=object)
    y = pd.Series(pd.Categorical(pd.Index(labels, dtype=object)))
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), DecisionTreeClassifier(random_state=0)
    )
    try:  # scikit-learn may refuse mixed bool/int labels: an error, not a relabel
        model.fit(X, y)
    except ValueError as exc:
        assert "label type" in str(exc)
        return
    assert [type(c) for c in model.classes_.tolist()] == [bool, int]


# Python ints beyond int64 mixed with small ones become float64: two distinct
# classes collapse into one value (also UInt64 y on pandas < 2.2, whose masked
# to_numpy() gives Python ints).
def test_big_int_labels_stay_distinct():
    labels = np.array([2**63 + 1, 2**63, 1] * 5, dtype=object)
    y = pd.Series(pd.Categorical(pd.Index(labels, dtype=object)))
    out = as_classifier_target(y)
    assert len(set(out.tolist())) == 3


# Every string y goes through np.asarray(list): a fixed-width '<U' copy as wide
# as the longest label for every row (160 MB here, 8 GB for 1M rows).
def test_string_labels_are_not_copied_to_fixed_width():
    n = 20_000
    labels = ["short"] * (n - 1) + ["x" * 2000]
    y = pd.Series(labels, dtype="string[pyarrow]")
    tracemalloc.start()
    try:
        as_classifier_target(y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6


# NumberInterval now admits a sympy Integer for n_samples, which the sampler
# then refuses: "n_samples=7 must be an integer number of rows".
def test_sympy_integer_n_samples_accepted_end_to_end():
    sympy = pytest.importorskip("sympy")
    X, y, _ = _data()
    sampler = ClassBalancedSampler(n_samples=sympy.Integer(7), random_state=0)
    assert len(sampler.fit_resample(X, y)[1]) == 7


# A categorical of 0 and 1.0 (ints and floats of equal value) fits with float
# classes, as scikit-learn would see them, instead of "Unknown label type".
def test_mixed_int_float_categorical_labels_fit():
    X, _, _ = _data()
    labels = np.array([0, 1.0] * 30, dtype=object)
    y = pd.Series(pd.Categorical(pd.Index(labels, dtype=object)))
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), DecisionTreeClassifier(random_state=0)
    ).fit(X, y)
    assert model.classes_.tolist() == [0.0, 1.0]
