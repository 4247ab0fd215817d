"""Review 97 weights: sample_weight semantics across the public API.

Pins the invariances scikit-learn holds for ``sample_weight`` (weight 0 is a
removed row, an integer weight k is k repeated rows, a common factor changes
nothing, containers and dtypes agree, bad weights are refused naming the
argument) for g_mean_score, the samplers, ThresholdMover and
ResampledClassifier, and one bug: ``score`` pairs a pandas ``sample_weight``
holding X's index in another order by position, which ``fit`` refuses.
"""

import numpy as np
import pandas as pd
import polars as pl
import pytest
import torch
from imblearn.metrics import geometric_mean_score
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.estimator_checks import (
    check_sample_weight_equivalence_on_dense_data,
)

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.metrics import g_mean_score

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * (2 * n // 3) + [1] * (n // 5) + [2] * (n - 2 * n // 3 - n // 5))
    X = np.c_[np.arange(n), rng.normal(size=(n, 2)) + y[:, None]]
    w = rng.integers(0, 4, n).astype(float)
    return X, y, w


def _containers(w):
    return {
        "list": w.tolist(),
        "float32": w.astype(np.float32),
        "int": w.astype(int),
        "pandas": pd.Series(w, index=np.arange(len(w)) * 7 + 100),
        "polars": pl.Series("w", w),
        "torch": torch.tensor(w),
    }


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records the rows (column 0 is the row id) and weights of each fit."""

    log = []

    def fit(self, X, y, sample_weight=None):
        rows = np.asarray(X)[:, 0].astype(int)
        weights = None if sample_weight is None else np.asarray(sample_weight)
        type(self).log.append((rows, weights))
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = (np.sin(np.asarray(X)[:, 0]) + 1) / 2
        if len(self.classes_) == 2:
            return np.c_[1 - p, p]
        return np.c_[1 - p, p / 2, p / 2]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


# --- g_mean_score --------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3])
def test_g_mean_weighted_matches_imblearn_and_repetition(n_classes):
    rng = np.random.default_rng(1)
    y = rng.integers(0, n_classes, 50)
    p = rng.integers(0, n_classes, 50)
    w = rng.integers(0, 4, 50).astype(float)
    got = g_mean_score(y, p, sample_weight=w)
    assert got == pytest.approx(geometric_mean_score(y, p, sample_weight=w))
    k = w.astype(int)
    assert got == pytest.approx(g_mean_score(np.repeat(y, k), np.repeat(p, k)))
    keep = w > 0
    assert got == pytest.approx(g_mean_score(y[keep], p[keep], sample_weight=w[keep]))
    for factor in (1e-300, 3.7, 1e300):
        assert g_mean_score(y, p, sample_weight=w * factor) == pytest.approx(got)
    for name, other in _containers(w).items():
        assert g_mean_score(y, p, sample_weight=other) == pytest.approx(got), name


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_g_mean_refuses_bad_weights_naming_sample_weight(bad):
    y = np.array([0, 0, 1, 1, 1])
    w = np.ones(5)
    w[0] = bad
    # imbalanced-learn scores these silently (NaN, 0 or a shifted value).
    with pytest.raises(ValueError, match="sample_weight"):
        g_mean_score(y, y, sample_weight=w)


# --- samplers ------------------------------------------------------------


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_sampler_weights_travel_with_their_rows(sampler_cls):
    X, y, w = _data()
    for name, given in _containers(w).items():
        sampler = sampler_cls(random_state=0)
        X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=given)
        idx = sampler.sample_indices_
        got = np.asarray(w_res.to_list() if name == "polars" else w_res, dtype=float)
        assert np.array_equal(got, w[idx]), name
        assert np.array_equal(np.asarray(X_res), X[idx]), name
        assert np.array_equal(np.asarray(y_res), y[idx]), name
    # the input is not modified
    kept = w.copy()
    sampler_cls(random_state=0).fit_resample(X, y, sample_weight=kept)
    assert np.array_equal(kept, w)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_sampler_refuses_bad_weights_naming_sample_weight(sampler_cls, bad):
    X, y, w = _data()
    w[3] = bad
    with pytest.raises(ValueError, match="sample_weight"):
        sampler_cls(random_state=0).fit_resample(X, y, sample_weight=w)


def test_dask_sampler_weights_travel_with_their_rows():
    da = pytest.importorskip("dask.array")
    X, y, _ = _data()
    w = np.arange(len(y)) * 1.5 + 0.5
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(
        da.from_array(X, chunks=20), y, sample_weight=da.from_array(w, chunks=13)
    )
    rows = np.asarray(X_res.compute())[:, 0].astype(int)
    assert np.array_equal(np.asarray(w_res.compute()), w[rows])
    assert np.array_equal(np.asarray(y_res.compute()), y[rows])


# --- ThresholdMover ------------------------------------------------------


@pytest.mark.filterwarnings("ignore:ThresholdMover with a fitted classifier")
@pytest.mark.parametrize(
    "params",
    [
        {"strategy": "prior"},
        {"strategy": "prior", "deploy_priors": "train"},
        {"strategy": "argmax", "deploy_priors": "train"},
    ],
)
def test_threshold_mover_priors_weight_invariances(params):
    X, y, w = _data()
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    ref = ThresholdMover(frozen, **params).fit(X, y, sample_weight=w)
    expected = np.bincount(y, weights=w) / w.sum()
    assert np.allclose(ref.train_priors_, expected)
    k = w.astype(int)
    rows = np.repeat(np.arange(len(y)), k)
    keep = w > 0
    others = [
        ThresholdMover(frozen, **params).fit(X[rows], y[rows]),
        ThresholdMover(frozen, **params).fit(X[keep], y[keep], sample_weight=w[keep]),
        ThresholdMover(frozen, **params).fit(X, y, sample_weight=w * 7.3),
    ]
    others += [
        ThresholdMover(frozen, **params).fit(X, y, sample_weight=given)
        for given in _containers(w).values()
    ]
    for other in others:
        assert np.allclose(other.predict_proba(X), ref.predict_proba(X))
        assert np.array_equal(other.predict(X), ref.predict(X))


def test_threshold_mover_priors_multiply_class_weight_and_sample_weight():
    X, y, w = _data()
    w = w + 1
    class_weight = {0: 1.0, 1: 2.0, 2: 5.0}
    model = ThresholdMover(LogisticRegression(class_weight=class_weight), "prior")
    model.fit(X, y, sample_weight=w)
    expected = np.bincount(y, weights=w * np.array([1.0, 2.0, 5.0])[y])
    assert np.allclose(model.train_priors_, expected / expected.sum())


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("scoring", ["balanced_accuracy", "g_mean", "f1_macro"])
def test_tuned_frozen_weight_invariances(binary, scoring):
    X, y, w = _data(80, seed=1)
    if binary:
        y = (y > 0).astype(int)
        scoring = "f1" if scoring == "f1_macro" else scoring
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))

    def tuned(X_, y_, **kw):
        return ThresholdMover(frozen, "tuned", scoring=scoring, thresholds=30).fit(
            X_, y_, **kw
        )

    ref = tuned(X, y, sample_weight=w)
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    keep = w > 0
    for other in (
        tuned(X[rows], y[rows]),
        tuned(X[keep], y[keep], sample_weight=w[keep]),
        tuned(X, y, sample_weight=w * 3.7),
        tuned(X, y, sample_weight=w.astype(np.float32)),
    ):
        assert np.allclose(other.threshold_, ref.threshold_)
        assert np.allclose(other.best_score_, ref.best_score_)


def test_tuned_cv_folds_get_the_weights_of_their_rows():
    X, y, _ = _data()
    y = (y > 0).astype(int)
    w = np.random.default_rng(2).integers(1, 5, len(y)).astype(float)
    scored = []

    def scorer(estimator, X_val, y_val, sample_weight=None):
        scored.append((np.asarray(X_val)[:, 0].astype(int), sample_weight))
        return float(np.mean(estimator.predict(X_val) == y_val))

    _Recorder.log = []
    ThresholdMover(
        _Recorder(), "tuned", scoring=scorer, cv=StratifiedKFold(3), thresholds=5
    ).fit(X, y, sample_weight=w)
    assert len(_Recorder.log) == 4  # 3 folds and the final fit
    for rows, weights in _Recorder.log + scored:
        assert weights is not None
        assert np.array_equal(np.asarray(weights), w[rows])


def test_threshold_mover_passes_sklearn_weight_equivalence_check():
    model = ThresholdMover(
        LogisticRegression(tol=1e-12, max_iter=10_000),
        "argmax",
        deploy_priors="train",
    )
    check_sample_weight_equivalence_on_dense_data("ThresholdMover", model)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_threshold_mover_refuses_bad_weights_naming_sample_weight(bad):
    X, y, w = _data()
    w[0] = bad
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    for model in (ThresholdMover(LogisticRegression()), ThresholdMover(frozen)):
        with pytest.raises(ValueError, match="sample_weight"):
            model.fit(X, y, sample_weight=w)


# --- ResampledClassifier -------------------------------------------------


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_resampled_classifier_weights_follow_the_drawn_rows(sampler_cls):
    X, y, w = _data()
    for name, given in _containers(w).items():
        _Recorder.log = []
        model = ResampledClassifier(sampler_cls(random_state=0), _Recorder())
        model.fit(X, y, sample_weight=given)
        idx = model.sampler_.sample_indices_
        rows, weights = _Recorder.log[-1]
        assert np.array_equal(rows, idx), name
        assert np.array_equal(weights.astype(float), w[idx]), name
        expected = np.bincount(y[idx], weights=w[idx], minlength=3)
        assert np.allclose(model.resampled_priors_, expected / expected.sum()), name


# --- bug -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ResampledClassifier", "ThresholdMover"])
def test_score_refuses_sample_weight_holding_x_index_in_another_order(kind):
    X, y, w = _data()
    index = np.arange(len(y)) * 3 + 11
    X = pd.DataFrame(X, columns=["a", "b", "c"], index=index)
    y = pd.Series(y, index=index)
    w = pd.Series(w + 1, index=index)
    shuffled = w.iloc[np.random.default_rng(0).permutation(len(w))]
    if kind == "ResampledClassifier":
        model = ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        )
    else:
        model = ThresholdMover(LogisticRegression())
    with pytest.raises(ValueError, match="another order"):
        model.fit(X, y, sample_weight=shuffled)  # fit refuses it ...
    model.fit(X, y)
    with pytest.raises(ValueError, match="sample_weight"):
        model.score(X, y, sample_weight=shuffled)  # ... score pairs it silently
