"""Review 138, area threshold7: ThresholdMover / ResampledClassifier as
scikit-learn meta-estimators.

Reviewed: every strategy ('prior', 'argmax', 'fixed', 'cost', 'tuned') around
LinearSVC / RidgeClassifier (decision_function only), KNeighborsClassifier,
DummyClassifier, a Pipeline, CalibratedClassifierCV, HistGradientBoosting with
categorical columns, FrozenEstimator (of a plain model, of a model fitted on a
subset of the classes, of a fitted ResampledClassifier); labels as strings,
booleans, negative ints and np.int8; multilabel y; a pandas Categorical y with
unused categories; predict vs predict_proba after the documented correction
(with deploy_priors None / 'train' / array / 'em'); classes_ order and dtype;
score; clone; pickling; refitting on other classes; n_features_in_ /
feature_names_in_; __sklearn_tags__; single check_estimator runs; bad
parameters (are they refused before the estimator is fitted).

Found no bug. The check_estimator failures seen ('tuned':
check_classifiers_train; ResampledClassifier: sample-weight equivalence) are
documented and already listed in tests/test_common.py. The passing tests below
pin the behaviours most likely to regress.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover

COST = np.array([[0, 1, 1], [2, 0, 1], [6, 3, 0]])


def _data(n=300, seed=1):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, n, p=[0.7, 0.2, 0.1])
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["b", "a", "c"]),
        np.array([-3, -1, -2]),
        np.array([5, -7, 3], dtype=np.int8),
    ],
)
@pytest.mark.parametrize("strategy", ["prior", "cost", "tuned"])
def test_classes_and_predictions_keep_label_dtype(labels, strategy):
    X, codes = _data()
    y = labels[codes]
    kwargs = {"cost_matrix": COST} if strategy == "cost" else {}
    if strategy == "tuned":
        kwargs = {"cv": 2, "thresholds": 5}
    mover = ThresholdMover(LogisticRegression(), strategy, **kwargs).fit(X, y)
    np.testing.assert_array_equal(mover.classes_, np.unique(y))
    assert mover.classes_.dtype == y.dtype
    pred = mover.predict(X)
    assert pred.dtype == y.dtype
    assert set(pred.tolist()) <= set(y.tolist())


@pytest.mark.parametrize("deploy_priors", [None, "train", [0.2, 0.3, 0.5], "em"])
def test_predict_follows_corrected_proba_multiclass(deploy_priors):
    X, codes = _data(seed=2)
    y = np.array(["x", "y", "z"])[codes]
    under = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    for strategy, kwargs in [("argmax", {}), ("cost", {"cost_matrix": COST})]:
        mover = ThresholdMover(
            under, strategy, deploy_priors=deploy_priors, **kwargs
        ).fit(X, y)
        proba = mover.predict_proba(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        if strategy == "argmax":
            expected = mover.classes_[proba.argmax(axis=1)]
        else:
            expected = mover.classes_[(proba @ COST).argmin(axis=1)]
        np.testing.assert_array_equal(mover.predict(X), expected)


def test_categorical_y_unused_categories_are_not_classes():
    X, codes = _data()
    y = pd.Series(
        pd.Categorical(
            np.array(["a", "b", "c"])[codes], categories=["a", "b", "c", "zzz"]
        )
    )
    mover = ThresholdMover(LogisticRegression(), "prior").fit(X, y)
    assert mover.classes_.tolist() == ["a", "b", "c"]
    assert mover.train_priors_.shape == (3,)


class _Spy(LogisticRegression):
    fitted = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fitted += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"strategy": "fixed", "threshold": 2.0},
        {"strategy": "prior", "threshold": 0.3},
        {"strategy": "cost"},
        {"strategy": "cost", "cost_matrix": [[0, np.nan], [1, 0]]},
        {"strategy": "tuned", "thresholds": [0.1, np.nan]},
        {"strategy": "fixed", "pos_label": 7},
        {"train_priors": [0.2, 0.2]},
        {"train_priors": {0: 0.5, 1: 0.3, 2: 0.2}},
        {"strategy": "argmax", "deploy_priors": [0.2, 0.2]},
    ],
)
def test_bad_strategy_parameters_refused_before_fitting(kwargs):
    rng = np.random.default_rng(0)
    y = (rng.random(120) < 0.3).astype(int)
    X = rng.normal(size=(120, 2)) + y[:, None]
    _Spy.fitted = 0
    with pytest.raises(ValueError):
        ThresholdMover(_Spy(), **kwargs).fit(X, y)
    assert _Spy.fitted == 0
