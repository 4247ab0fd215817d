"""Review 152 (arrayapi): rebalance inside scikit-learn 1.9's global
configuration.

Checked, against the same calls with the configuration left at its defaults:

* ``array_api_dispatch=True`` (SCIPY_ARRAY_API=1; array_api_strict and torch
  CPU tensors through scikit-learn's vendored array_api_compat): the four
  samplers' ``fit_resample`` (float32 and float64), ThresholdMover with every
  strategy around LinearDiscriminantAnalysis and LogisticRegression,
  ResampledClassifier (``predict``, ``predict_proba``, ``sample_weight``),
  ``class_weights`` / ``sample_weights``, ``g_mean_score``: outputs come back
  in the inputs' namespace and dtype with the same values (``sample_weights``
  returns numpy, as scikit-learn's ``compute_sample_weight`` does).
* ``transform_output="pandas"`` / ``"polars"`` and ``set_output`` on
  imbalanced-learn Pipelines (scaler, rebalance sampler, classifier) and on
  ThresholdMover / ResampledClassifier around pipelines: same predictions,
  ``get_feature_names_out`` keeps the column names; under-sampled pandas
  rows keep their labels (X and y both get a fresh RangeIndex, by design).
* ``assume_finite``, ``skip_parameter_validation``, ``enable_metadata_routing``,
  ``print_changed_only=False`` and ``display='diagram'`` at once: reprs and
  ``_repr_html_`` of every estimator, fits, routed ``sample_weight`` (an
  unrequested one raises scikit-learn's UnsetMetadataPassedError).

No bugs found; the tests below pin the behaviours a later change could break.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.pipeline import Pipeline
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


@contextlib.contextmanager
def _dispatch(monkeypatch):
    """array_api_dispatch on, or a skip where this scikit-learn cannot."""
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    try:
        context = sklearn.config_context(array_api_dispatch=True)
        context.__enter__()
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"array API dispatch unavailable: {exc}")
    try:
        yield
    finally:
        context.__exit__(None, None, None)


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 3)
    y = np.r_[np.zeros(n * 3 // 4, int), np.ones(n - n * 3 // 4, int)]
    X[y == 1] += 1.0
    return X, y


@pytest.mark.parametrize(
    ("strategy", "kwargs"),
    [
        ("prior", {}),
        ("cost", {"cost_matrix": [[0, 1], [5, 0]]}),
    ],
)
def test_threshold_mover_torch_dispatch_matches_numpy(monkeypatch, strategy, kwargs):
    torch = pytest.importorskip("torch")
    X, y = _data()
    mover = ThresholdMover(LinearDiscriminantAnalysis(), strategy=strategy, **kwargs)
    reference = sklearn.clone(mover).fit(X, y)
    with _dispatch(monkeypatch):
        Xt, yt = torch.asarray(X), torch.asarray(y)
        fitted = sklearn.clone(mover).fit(Xt, yt)
        pred, proba = fitted.predict(Xt), fitted.predict_proba(Xt)
    assert isinstance(pred, torch.Tensor) and isinstance(proba, torch.Tensor)
    np.testing.assert_array_equal(pred.numpy(), reference.predict(X))
    np.testing.assert_allclose(proba.numpy(), reference.predict_proba(X), atol=1e-8)


def test_samplers_and_resampled_classifier_torch_float32_dispatch(monkeypatch):
    torch = pytest.importorskip("torch")
    X, y = _data()
    X = X.astype(np.float32)
    with _dispatch(monkeypatch):
        Xt, yt = torch.asarray(X), torch.asarray(y)
        for sampler in (RandomUnderSampler, RandomOverSampler, ClassBalancedSampler):
            Xr, yr = sampler(random_state=0).fit_resample(Xt, yt)
            Xn, yn = sampler(random_state=0).fit_resample(X, y)
            assert Xr.dtype == torch.float32 and yr.dtype == torch.int64
            np.testing.assert_array_equal(Xr.numpy(), Xn)
            np.testing.assert_array_equal(yr.numpy(), yn)
        clf = ResampledClassifier(
            RandomUnderSampler(random_state=0), LinearDiscriminantAnalysis()
        )
        pred = sklearn.clone(clf).fit(Xt, yt).predict(Xt)
    assert isinstance(pred, torch.Tensor)
    np.testing.assert_array_equal(pred.numpy(), sklearn.clone(clf).fit(X, y).predict(X))


@pytest.mark.parametrize("output", ["pandas", "polars"])
def test_pipeline_under_transform_output(output):
    pytest.importorskip(output)
    X, y = _data()
    X = pd.DataFrame(X, columns=["a", "b", "c"])

    def pipe():
        return Pipeline(
            [
                ("scale", StandardScaler()),
                ("sample", RandomUnderSampler(random_state=0)),
                ("clf", LogisticRegression()),
            ]
        )

    expected = pipe().fit(X, y).predict_proba(X)
    with sklearn.config_context(transform_output=output):
        fitted = pipe().fit(X, y)
        proba = fitted.predict_proba(X)
        names = fitted[:-1].get_feature_names_out()
    np.testing.assert_allclose(proba, expected)
    assert list(names) == ["a", "b", "c"]
    set_out = pipe().set_output(transform=output).fit(X, y)
    np.testing.assert_allclose(set_out.predict_proba(X), expected)


@pytest.mark.parametrize("output", ["default", "pandas"])
@pytest.mark.parametrize(
    "sampler", [RandomUnderSampler, RandomOverSampler, ClassBalancedSampler]
)
def test_pandas_rows_keep_their_labels_after_resampling(sampler, output):
    X, y = _data()
    index = np.arange(100, 160)[::-1]
    X = pd.DataFrame(X, columns=["a", "b", "c"], index=index)
    y = pd.Series(y, index=index, name="t")
    with sklearn.config_context(transform_output=output):
        Xr, yr = sampler(random_state=0).fit_resample(X, y)
    assert isinstance(Xr, pd.DataFrame) and isinstance(yr, pd.Series)
    assert list(Xr.columns) == ["a", "b", "c"] and yr.name == "t"
    assert Xr.index.equals(yr.index)
    labels = [y[(X.to_numpy() == row).all(axis=1)].iloc[0] for row in Xr.to_numpy()]
    np.testing.assert_array_equal(labels, yr.to_numpy())


def test_combined_global_config_reprs_and_routing():
    X, y = _data()
    weights = np.r_[np.ones(30), np.full(30, 3.0)]
    estimators = [
        RandomUnderSampler(),
        RandomOverSampler(),
        ClassBalancedSampler(),
        LabelShuffleSampler(),
        ThresholdMover(LogisticRegression()),
        ResampledClassifier(RandomUnderSampler(), LogisticRegression()),
    ]
    with sklearn.config_context(
        assume_finite=True,
        skip_parameter_validation=True,
        enable_metadata_routing=True,
        print_changed_only=False,
        display="diagram",
    ):
        for estimator in estimators:
            name = type(estimator).__name__
            assert repr(estimator).startswith(f"{name}(")
            assert "random_state=None" in repr(estimator) or "cv=5" in repr(estimator)
            assert name in estimator._repr_html_()
        routed = ThresholdMover(
            LogisticRegression().set_fit_request(sample_weight=True)
        ).fit(X, y, sample_weight=weights)
        with pytest.raises(sklearn.exceptions.UnsetMetadataPassedError):
            ThresholdMover(LogisticRegression()).fit(X, y, sample_weight=weights)
    unrouted = ThresholdMover(LogisticRegression()).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(routed.predict_proba(X), unrouted.predict_proba(X))
