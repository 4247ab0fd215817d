"""Review 148, area ``metricsmatrix``: ``rebalance.metrics`` against its peers.

Reviewed: the one public function, :func:`rebalance.metrics.g_mean_score`,
against imbalanced-learn's ``geometric_mean_score`` (``average='multiclass'``,
``labels``, ``sample_weight``) over a seeded matrix of inputs: binary and
multiclass, labels absent from ``y_pred`` / ``y_true``, a class only in
``labels=``, one sample, all one class, strings, bools, negative ints,
pandas and polars categoricals / Enum / nullable / string dtypes, pandas
and polars ``sample_weight``, weights with zeros, huge weights, 400
classes, misaligned pandas indexes, bad inputs (NaN, empty, wrong length,
duplicate or other-kind ``labels``, negative/NaN weights). Also as a
scorer: ``make_scorer(g_mean_score)`` in ``cross_val_score`` /
``GridSearchCV`` (with routed ``sample_weight``) and
``ThresholdMover(strategy='tuned', scoring='g_mean')``, whose confusion-count
fast path was compared with the per-threshold scorer path for every
built-in metric (f1, balanced_accuracy, g_mean, accuracy, recall,
precision), with and without zero weights and one-class folds.

Found:

* bug: where a scored class has no row of positive weight (a class only in
  ``labels=``, or one whose rows all have weight 0) the G-mean is 0 without
  a word; imbalanced-learn (and scikit-learn's ``recall_score``) warn with
  ``UndefinedMetricWarning`` there.

No bug (values equal to 1e-12, or refused with a clear error naming the
argument): everything else above. Documented differences left alone: a
class only in ``y_pred`` is ignored (imbalanced-learn counts it as recall 0);
datetime64 labels, duplicate labels, labels of the other kind and negative
weights are refused where imbalanced-learn returns a number; weights of
1e308 give the right G-mean where imbalanced-learn overflows to 0.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.model_selection import StratifiedKFold, cross_val_score

from rebalance import ThresholdMover
from rebalance.metrics import g_mean_score


def _matrix():
    rng = np.random.default_rng(148)
    cases = []
    for n_classes in (2, 4):
        yt = rng.integers(0, n_classes, 60)
        yp = rng.integers(0, n_classes, 60)
        sw = rng.random(60)
        sw[::7] = 0
        cases += [
            (yt, yp, {}),
            (yt, yp, {"sample_weight": sw}),
            (yt, yp, {"labels": [n_classes - 1, 0]}),
        ]
    cases += [
        (np.array([0, 0, 1, 1, 2, 2]), np.array([0, 0, 1, 1, 1, 1]), {}),
        (np.array([0, 0, 1, 1]), np.array([0, 2, 1, 1]), {"labels": [0, 1]}),
        ([1], [1], {}),
        (["a", "b", "b", "c"], ["a", "b", "c", "c"], {}),
        (np.array([True, False, True, True]), np.array([True, True, True, False]), {}),
        ([-1, -1, -2, 3], [-1, -2, -2, 3], {}),
        (
            pd.Series(pd.Categorical(["x", "y", "y", "x"], categories=["x", "y"])),
            pd.Series(pd.Categorical(["x", "x", "y", "x"], categories=["y", "x"])),
            {},
        ),
        (
            pl.Series(["a", "b", "b", "a"], dtype=pl.Enum(["a", "b"])),
            pl.Series(["b", "b", "a", "a"], dtype=pl.Enum(["b", "a"])),
            {"sample_weight": pl.Series([1.0, 0.0, 2.0, 3.0])},
        ),
        (
            pd.Series([0, 1, 1, 0, 2], dtype="Int64", index=[5, 4, 3, 2, 1]),
            pd.Series([0, 1, 0, 0, 2], dtype="Int64", index=[5, 4, 3, 2, 1]),
            {"sample_weight": pd.Series([1.0, 0, 1, 2, 3], index=[5, 4, 3, 2, 1])},
        ),
    ]
    return cases


@pytest.mark.parametrize("y_true, y_pred, kwargs", _matrix())
def test_g_mean_equals_imblearn_over_the_matrix(y_true, y_pred, kwargs):
    expected = geometric_mean_score(y_true, y_pred, average="multiclass", **kwargs)
    assert g_mean_score(y_true, y_pred, **kwargs) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"labels": [0, 1, 2]},  # class 2 only in labels=
        {"sample_weight": [1.0, 1.0, 0.0, 0.0]},  # class 1's rows weigh 0
    ],
    ids=["class-only-in-labels", "class-of-zero-weight"],
)
def test_g_mean_warns_where_a_recall_is_undefined(kwargs):
    y_true, y_pred = [0, 0, 1, 1], [0, 1, 1, 1]
    # The peer warns, and returns 0.
    with pytest.warns(UndefinedMetricWarning):
        assert geometric_mean_score(y_true, y_pred, **kwargs) == 0.0
    with pytest.warns(UndefinedMetricWarning):
        assert g_mean_score(y_true, y_pred, **kwargs) == 0.0


def test_g_mean_scorer_and_tuned_threshold_match_imblearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + rng.normal(scale=1.5, size=200) > 1.8).astype(int)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        ours = cross_val_score(
            LogisticRegression(), X, y, cv=cv, scoring=make_scorer(g_mean_score)
        )
        theirs = cross_val_score(
            LogisticRegression(),
            X,
            y,
            cv=cv,
            scoring=make_scorer(geometric_mean_score),
        )
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    # The confusion-count 'g_mean' tunes the threshold the scorers do.
    labels = np.where(y == 1, "pos", "neg")
    thresholds = {
        ThresholdMover(LogisticRegression(), strategy="tuned", scoring=scoring)
        .fit(X, labels)
        .threshold_
        for scoring in ("g_mean", make_scorer(g_mean_score))
    }
    assert len(thresholds) == 1
