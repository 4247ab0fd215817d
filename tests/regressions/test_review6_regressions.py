"""Review 6 (regressions of commit a024fc6): tests that fail on the current code.

See /tmp/review2/regressions6.md for the report.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rebalance.samplers import RandomOverSampler

_LABELS = np.array([0, 1, 2, 0, 1, 0, 0, 0, 1, 2] * 3, dtype=np.int64)


# --------------------------------------------------------------- bug 1


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda a: pd.Index(a, copy=False), id="pandas-Index"),
        pytest.param(lambda a: pd.Series(a).array, id="Series.array"),
    ],
)
def test_plan_does_not_keep_a_view_of_array_like_labels(wrap):
    # a024fc6 replaced np.asarray(labels) in own_codes by _memory_of, which
    # only knows numpy arrays, numpy-backed Series and torch tensors; for any
    # other container it copies codes only when codes.base is not None. A
    # container whose __array__ hands out its own buffer (pandas Index,
    # Series.array = NumpyExtensionArray, ...) gives codes that ARE that
    # buffer (base None): the plan keeps a view of the caller's labels and
    # its draws change when the caller edits them (the codes were copied
    # before a024fc6).
    labels = wrap(_LABELS.copy())
    plan = RandomOverSampler().plan(labels)
    before = plan.draw(np.random.default_rng(0)).copy()
    buffer = np.asarray(labels)
    buffer[:] = _LABELS[::-1]  # the caller reuses its label array
    after = plan.draw(np.random.default_rng(0))
    np.testing.assert_array_equal(after, before)
    assert not np.shares_memory(plan.labels.codes, buffer)


# --------------------------------------------------------------- bug 2


def _svc_data():
    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 10)
    X = rng.normal(size=(40, 2))
    X[y == 1] += 1.0
    return X, y


def test_auto_train_priors_of_probability_svc_given_numpy_true():
    # scikit-learn's "boolean" constraint accepts np.bool_, and
    # SVC(probability=np.True_) fits Platt scaling (its _effective_probability
    # is True). a024fc6 changed _probability_svc to `probability is True`, so
    # np.True_ is no longer recognised: class_weight='balanced' is applied to
    # the priors of a model whose probabilities follow y (0.5/0.5 instead of
    # 0.75/0.25), the same SVC with probability=True gets y's priors.
    from sklearn.svm import SVC

    from rebalance.threshold import ThresholdMover

    X, y = _svc_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # probability deprecated
        plain = ThresholdMover(
            SVC(probability=True, class_weight="balanced", random_state=0),
            deploy_priors=[0.5, 0.5],
        ).fit(X, y)
        numpy_bool = ThresholdMover(
            SVC(probability=np.True_, class_weight="balanced", random_state=0),
            deploy_priors=[0.5, 0.5],
        ).fit(X, y)
    np.testing.assert_allclose(plain.train_priors_, [0.75, 0.25])
    np.testing.assert_allclose(numpy_bool.train_priors_, plain.train_priors_)


# --------------------------------------------------------------- bug 3


def test_auto_train_priors_read_through_binary_ovr_of_resampled_pipeline():
    # a024fc6 reads a binary OneVsRestClassifier's one model through a
    # pipeline for its class_weight, but 'auto' train priors still do not
    # look inside it for a ResampledClassifier: OvR(pipeline(scaler,
    # ResampledClassifier(under-sampling to 2:1))) gets y's priors 0.75/0.25
    # while its probabilities are those of the inner model, trained on
    # 2/3, 1/3 (the same pipeline without OvR gets 2/3, 1/3).
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from rebalance.compose import ResampledClassifier
    from rebalance.samplers import RandomUnderSampler
    from rebalance.threshold import ThresholdMover

    rng = np.random.default_rng(0)
    y = np.array(["a"] * 30 + ["b"] * 10)
    X = rng.normal(size=(40, 2))
    X[y == "b"] += 1.0

    def pipeline():
        return make_pipeline(
            StandardScaler(),
            ResampledClassifier(
                RandomUnderSampler(sampling_strategy=0.5, random_state=0),
                LogisticRegression(),
            ),
        )

    direct = ThresholdMover(pipeline(), deploy_priors=[0.5, 0.5]).fit(X, y)
    ovr = ThresholdMover(OneVsRestClassifier(pipeline()), deploy_priors=[0.5, 0.5]).fit(
        X, y
    )
    inner = ovr.estimator_.estimators_[0].steps[-1][1]
    np.testing.assert_allclose(direct.train_priors_, [2 / 3, 1 / 3])
    np.testing.assert_allclose(inner.resampled_priors_, [2 / 3, 1 / 3])
    np.testing.assert_allclose(ovr.train_priors_, inner.resampled_priors_)
