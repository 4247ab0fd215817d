"""Review 20 (models): ThresholdMover, the priors, the weights and the
metrics used as a scikit-learn user would, next to scikit-learn's own
equivalents (TunedThresholdClassifierCV, compute_class_weight, the metrics).

Every test here fails on the code as reviewed; each is named after its bug.
Expected values come from scikit-learn or from the formula, never from
rebalance itself.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import StratifiedKFold

from rebalance import ThresholdMover


def _binary(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + rng.normal(size=n) > 0.8).astype(int)
    return X, y


# --------------------------------------------------------------------------
# 1. strategy='tuned', sample_weight given to fit (routing off) and scoring a
#    make_scorer of a metric without a sample_weight argument: the scorer
#    passed the weights on to the metric, a TypeError ("unexpected keyword
#    argument 'sample_weight'") after every fold was fitted. The documented
#    rule (a scorer that cannot take the weights is called without them)
#    applied only to plain scorer(estimator, X, y) callables; now it reads
#    the metric of a scikit-learn scorer too.


def _f1_without_weights(y_true, y_pred):
    return f1_score(y_true, y_pred)


def _fold_mean_f1(X, y, w, cv, grid, *, weighted_metric):
    """F1 at each threshold of ``grid``, averaged over the folds of ``cv``, of
    a logistic regression fitted with the weights ``w``; the metric weighted
    by them too when ``weighted_metric``."""
    expected = []
    for train, val in cv:
        fold = LogisticRegression().fit(X[train], y[train], sample_weight=w[train])
        proba = fold.predict_proba(X[val])[:, 1]
        metric_weight = w[val] if weighted_metric else None
        expected.append(
            [
                f1_score(y[val], (proba >= t).astype(int), sample_weight=metric_weight)
                for t in grid
            ]
        )
    return np.mean(expected, 0)


def test_tuned_make_scorer_of_metric_without_sample_weight_fits():
    X, y = _binary()
    w = np.random.default_rng(1).integers(1, 4, y.shape[0]).astype(float)
    cv = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = np.linspace(0.05, 0.95, 19)
    model = ThresholdMover(
        LogisticRegression(),
        "tuned",
        scoring=make_scorer(_f1_without_weights),
        cv=cv,
        thresholds=grid,
    ).fit(X, y, sample_weight=w)
    # The metric is unweighted (it cannot be weighted): as the plain
    # callable scorer(estimator, X, y) is.
    expected = _fold_mean_f1(X, y, w, cv, grid, weighted_metric=False)
    np.testing.assert_allclose(model.cv_results_["scores"][0], expected)


def test_routed_scorer_requesting_weights_still_gets_them():
    # With routing on, a scorer that requests sample_weight gets it (as in
    # scikit-learn), also when its metric names it only through **kwargs.
    X, y = _binary()
    w = np.random.default_rng(2).integers(1, 4, y.shape[0]).astype(float)
    cv = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = np.linspace(0.05, 0.95, 19)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_scorer(f1_score).set_score_request(sample_weight=True)
        model = ThresholdMover(
            LogisticRegression().set_fit_request(sample_weight=True),
            "tuned",
            scoring=scorer,
            cv=cv,
            thresholds=grid,
        ).fit(X, y, sample_weight=w)
    expected = _fold_mean_f1(X, y, w, cv, grid, weighted_metric=True)
    np.testing.assert_allclose(model.cv_results_["scores"][0], expected)


# --------------------------------------------------------------------------
# 2. strategy='tuned' with a group splitter (GroupKFold, LeaveOneGroupOut,
#    ...) and no groups for it (metadata routing off, where fit's extra
#    arguments go to the estimator; or routing on and no groups given):
#    the estimator was fitted on all rows first, then scikit-learn's
#    splitter raised "The 'groups' parameter should not be None", naming
#    neither cv nor the fix. Now a ValueError naming cv and the fix is raised
#    before anything is fitted.


class _CountingLR(LogisticRegression):
    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("routing", [False, True])
def test_group_splitter_without_groups_refused_before_fitting(routing):
    from sklearn.model_selection import GroupKFold

    X, y = _binary()
    _CountingLR.fits = 0
    with sklearn.config_context(enable_metadata_routing=routing):
        mover = ThresholdMover(_CountingLR(), "tuned", cv=GroupKFold(3))
        with pytest.raises(ValueError, match=r"cv=GroupKFold.*groups"):
            mover.fit(X, y)
    assert _CountingLR.fits == 0


def test_group_splitter_with_routed_groups_still_fits():
    from sklearn.model_selection import GroupKFold

    X, y = _binary()
    groups = np.arange(y.shape[0]) % 6
    with sklearn.config_context(enable_metadata_routing=True):
        mover = ThresholdMover(
            LogisticRegression(), "tuned", cv=GroupKFold(3), thresholds=10
        ).fit(X, y, groups=groups)
    assert 0 <= mover.threshold_ <= 1


# --------------------------------------------------------------------------
# 3. strategy='tuned' scored the string metrics ('f1', 'balanced_accuracy',
#    'g_mean', ...) by comparing every candidate threshold with every
#    validation row: an n_thresholds x n_rows boolean matrix, cast to floats
#    for the sums (8 bytes a cell). 200 000 validation rows and 1 000
#    thresholds took 2.2 GB; the allowed 10 000 thresholds on a million-row
#    data set ran out of memory. Now the scores are sorted once and each
#    count is a prefix or suffix sum: memory of the order of the rows.


def test_threshold_metric_memory_does_not_grow_with_rows_times_thresholds():
    import tracemalloc

    from rebalance.metrics import _threshold_metric

    rng = np.random.default_rng(0)
    n = 5_000
    truth = rng.random(n) < 0.2
    scores = rng.random(n)
    weights = rng.random(n)
    thresholds = np.linspace(0, 1, 2_000)
    tracemalloc.start()
    try:
        values = _threshold_metric("f1")(truth, scores, thresholds, weights)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The 10^7 cells of a rows x thresholds matrix are 10 MB as booleans.
    assert peak < 4_000_000
    # Still f1_score at each threshold (spot checks).
    for i in (0, 700, 1_999):
        expected = f1_score(
            truth, scores >= thresholds[i], sample_weight=weights, zero_division=0
        )
        np.testing.assert_allclose(values[i], expected, rtol=1e-10)
