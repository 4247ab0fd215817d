"""Review 88, diff14: semi-supervised refusals through calibrations and
searches, thread-independent CPU focal sums, torch samplers' date refusal."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

from rebalance import RandomOverSampler, ResampledClassifier

X = np.random.default_rng(0).normal(size=(60, 2))
Y = np.where(np.arange(60) % 3 == 0, -1, 1)
FITS = []


class _Recording(ClassifierMixin, BaseEstimator):
    """Records each fit."""

    def fit(self, X, y):
        FITS.append(len(y))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        proba = np.zeros((len(X), len(self.classes_)))
        proba[:, 0] = 1.0
        return proba


def _fit(classifier, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ResampledClassifier(RandomOverSampler(random_state=0), classifier).fit(
            X, y
        )


@pytest.mark.parametrize(
    "classifier",
    [
        CalibratedClassifierCV(LogisticRegression(), cv=2),
        CalibratedClassifierCV(cv=2),
        GridSearchCV(LogisticRegression(), {"C": [1.0, 2.0]}, cv=2),
        RandomizedSearchCV(LogisticRegression(), {"C": [1.0, 2.0]}, n_iter=2, cv=2),
        HalvingGridSearchCV(
            LogisticRegression(), {"C": [1.0, 2.0]}, cv=2, min_resources=30
        ),
    ],
)
def test_minus_one_with_ordinary_classifiers_in_wrappers_is_fitted(classifier):
    assert set(_fit(classifier, Y).classes_) == {-1, 1}


@pytest.mark.parametrize(
    "y",
    [
        list(Y),
        tuple(Y),
        Y.astype(float),
        pd.Series(Y, dtype="Int64"),
        np.arange(60) % 2 == 0,
    ],
)
def test_other_label_forms_with_ordinary_classifier_are_fitted(y):
    assert len(_fit(LogisticRegression(), y).classes_) == 2


@pytest.mark.parametrize(
    "y",
    [Y, Y.astype(object), list(Y), Y.astype(float), pd.Series(Y, dtype="Int64")],
)
@pytest.mark.parametrize(
    "wrap",
    [
        lambda m: m,
        lambda m: CalibratedClassifierCV(m, cv=2),
        lambda m: GridSearchCV(make_pipeline(StandardScaler(), m), {}, cv=2),
    ],
)
def test_semi_supervised_refused_before_any_fit(y, wrap):
    FITS.clear()
    with pytest.raises(ValueError, match="semi-supervised"):
        _fit(wrap(SelfTrainingClassifier(_Recording())), y)
    assert FITS == []


def test_search_replacing_the_semi_supervised_step_is_not_refused():
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LabelSpreading()),
        {"labelspreading": [LogisticRegression()]},
        cv=2,
    )
    assert set(_fit(search, Y).classes_) == {-1, 1}


def test_search_over_resampled_semi_supervised_refused_up_front():
    inner = ResampledClassifier(RandomOverSampler(random_state=0), LabelSpreading())
    search = GridSearchCV(inner, {"classifier__alpha": [0.1, 0.2]}, cv=2)
    with pytest.raises(ValueError) as info:
        _fit(search, Y)
    assert "fits failed" not in str(info.value)


torch = pytest.importorskip("torch")


def test_fixed_order_sum_independent_of_threads():
    from rebalance.torch._focal_math import fixed_order_sum

    t = torch.randn(50_003, generator=torch.Generator().manual_seed(0)) * 1e3
    before = torch.get_num_threads()
    try:
        sums = set()
        for n in (1, 2, 3):
            torch.set_num_threads(n)
            sums.add(fixed_order_sum(t).item())
    finally:
        torch.set_num_threads(before)
    assert len(sums) == 1
    assert sums.pop() == pytest.approx(t.double().sum().item(), rel=1e-12)


@pytest.mark.parametrize(
    ("dtype", "out"),
    [
        ("float64", "float64"),
        ("float32", "float32"),
        ("float16", "float32"),  # (as before: half computes in float32)
    ],
)
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_focal_loss_dtype_and_value(dtype, out, reduction):
    import torch.nn.functional as F

    from rebalance.torch import softmax_focal_loss

    g = torch.Generator().manual_seed(1)
    x = (torch.randn(2_000, 3, generator=g) * 3).to(getattr(torch, dtype))
    t = torch.randint(0, 3, (2_000,), generator=g)
    loss = softmax_focal_loss(x, t, reduction=reduction)
    assert loss.dtype == getattr(torch, out)
    lp = F.log_softmax(x.double(), 1)
    ref = -((1 - lp.exp()) ** 2 * lp).gather(1, t[:, None])[:, 0]
    ref = {"sum": ref.sum(), "mean": ref.mean(), "none": ref}[reduction]
    rtol = 1e-3 if dtype == "float16" else 1e-5
    assert torch.allclose(loss.double(), ref, rtol=rtol, atol=1e-6)


def test_torch_sampler_categorical_dates_read_as_fit_resample():
    from rebalance.torch.samplers import RebalanceSampler

    days = pd.Series(pd.to_datetime(["2020-01-01", "2020-01-02"] * 5))
    RandomOverSampler(random_state=0).fit_resample(
        np.zeros((10, 1)), days.astype("category")
    )
    tz = days.dt.tz_localize("UTC").astype("category")
    assert len(list(RebalanceSampler(tz, num_replicas=1, rank=0))) == 10
    naive = days.astype("category")
    assert len(list(RebalanceSampler(naive, num_replicas=1, rank=0))) == 10
