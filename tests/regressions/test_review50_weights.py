"""Review 50 (weights): sample weights mean what scikit-learn says they mean.

An integer ``sample_weight`` equals repeating the rows, a weight of 0 equals
dropping the row (scikit-learn's ``check_sample_weight_equivalence``). The
oracles: the same call on the rows repeated by their weights (or dropped),
and scikit-learn's ``TunedThresholdClassifierCV`` with the same scorer, folds
and weights.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, make_scorer
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV
from sklearn.neighbors import KNeighborsClassifier

from rebalance import ThresholdMover
from rebalance.metrics import g_mean_score


def _binary(seed: int = 0, n: int = 160):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    X = rng.normal(size=(n, 3)) + 0.8 * y[:, None]
    return X, y, rng.integers(0, 4, size=n)


def _three_classes(seed: int = 1, n: int = 240):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    X = rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[y]
    return X, y


# ------------------------------------------------ oracles that already held


@pytest.mark.parametrize(
    "scoring",
    [
        "f1",
        "balanced_accuracy",
        "g_mean",
        "accuracy",
        "f1_macro",
        make_scorer(g_mean_score),
    ],  # fmt: skip
)
def test_frozen_tuning_with_counts_equals_repeated_rows(scoring):
    X, y, w = _binary()
    model = LogisticRegression().fit(X, y)
    rows = np.repeat(np.arange(len(y)), w)
    weighted, repeated, scaled = (
        ThresholdMover(FrozenEstimator(model), "tuned", scoring=scoring, thresholds=30)
        for _ in range(3)
    )
    weighted.fit(X, y, sample_weight=w)
    repeated.fit(X[rows], y[rows])
    scaled.fit(X, y, sample_weight=w * 7.5)
    for other in (repeated, scaled):
        assert weighted.threshold_ == pytest.approx(other.threshold_)
        assert weighted.best_score_ == pytest.approx(other.best_score_)
        np.testing.assert_allclose(
            weighted.cv_results_["scores"], other.cv_results_["scores"], atol=1e-12
        )


def test_cross_validated_tuning_with_counts_equals_repeated_rows():
    # The same folds on both sides: each original row's copies in its fold.
    X, y, w = _binary(seed=2)
    folds = list(StratifiedKFold(4).split(X, y))
    rows = np.repeat(np.arange(len(y)), w)
    copies = [np.flatnonzero(rows == i) for i in range(len(y))]
    repeated_folds = [
        (
            np.concatenate([copies[i] for i in tr]),
            np.concatenate([copies[i] for i in va]),
        )
        for tr, va in folds
    ]
    grid = np.linspace(0, 1, 41)
    # KNN takes no sample_weight (counts as repeated rows inside each fold)
    for estimator in (KNeighborsClassifier(7), LogisticRegression()):
        weighted = ThresholdMover(
            estimator, "tuned", scoring="g_mean", cv=folds, thresholds=grid
        ).fit(X, y, sample_weight=w)
        repeated = ThresholdMover(
            estimator, "tuned", scoring="g_mean", cv=repeated_folds, thresholds=grid
        ).fit(X[rows], y[rows])
        assert weighted.threshold_ == repeated.threshold_
        np.testing.assert_allclose(
            weighted.cv_results_["scores"], repeated.cv_results_["scores"], atol=1e-9
        )


@pytest.mark.parametrize(
    ("name", "metric"),
    [("f1", f1_score), ("balanced_accuracy", balanced_accuracy_score)],
)
def test_weighted_tuning_equals_tuned_threshold_classifier_cv(name, metric):
    X, y, w = _binary(seed=3, n=240)
    grid = np.linspace(0.05, 0.95, 19)
    cv = StratifiedKFold(4)
    with sklearn.config_context(enable_metadata_routing=True):
        peer = TunedThresholdClassifierCV(
            LogisticRegression().set_fit_request(sample_weight=True),
            scoring=make_scorer(metric).set_score_request(sample_weight=True),
            cv=cv,
            thresholds=grid,
            store_cv_results=True,
        ).fit(X, y, sample_weight=w)
        ours = ThresholdMover(
            LogisticRegression().set_fit_request(sample_weight=True),
            "tuned",
            scoring=name,
            cv=cv,
            thresholds=grid,
        ).fit(X, y, sample_weight=w)
    assert ours.threshold_ == pytest.approx(peer.best_threshold_)
    assert ours.best_score_ == pytest.approx(peer.best_score_)
    np.testing.assert_allclose(
        ours.cv_results_["scores"][0], peer.cv_results_["scores"], atol=1e-12
    )


# ------------------------------------- weight 0 on a whole class (fixed here)


def test_frozen_tuning_refuses_a_class_of_weight_zero_as_without_its_rows():
    X, y, _ = _binary(seed=4)
    model = LogisticRegression().fit(X, y)
    w = np.where(y == 1, 0.0, 1.0)
    # Oracle: the rows of weight 0 dropped leave y one class: refused.
    with pytest.raises(ValueError, match="one class only"):
        ThresholdMover(FrozenEstimator(model), "tuned").fit(X[w > 0], y[w > 0])
    # Was: tuned on rows that all weigh 0 (f1 0 at every threshold, the
    # lowest one "best"), silently.
    zero = r"sample_weight is 0 on every row of the classes \[1\]"
    for scoring in ("f1", "g_mean", "balanced_accuracy"):
        with pytest.raises(ValueError, match=zero):
            ThresholdMover(FrozenEstimator(model), "tuned", scoring=scoring).fit(
                X, y, sample_weight=w
            )


@pytest.mark.parametrize("left_out", [0, 1])
def test_tuning_on_one_class_of_positive_weight_is_refused(left_out):
    X, y, _ = _binary(seed=5)
    w = np.where(y == left_out, 0.0, 1.0)
    # Oracle: the rows dropped leave one class: refused.
    with pytest.raises(ValueError, match="one class only"):
        ThresholdMover(LogisticRegression(), "tuned").fit(X[w > 0], y[w > 0])
    # Was: thresholds tuned with every row of one class weighing 0 (a
    # best_score_ of 0.99 at a threshold of 5e-05), silently.
    zero = rf"0 on every row of the classes \[{left_out}\]"
    with pytest.raises(ValueError, match=zero):
        ThresholdMover(LogisticRegression(), "tuned").fit(X, y, sample_weight=w)


@pytest.mark.parametrize("strategy", ["argmax", "fixed"])
def test_strategies_that_tune_nothing_pass_such_weights_to_the_estimator(strategy):
    # Not refused (BaggingClassifier passes bootstrap counts as weights, which
    # may miss a rare class): the estimator gets them as they are.
    X, y, _ = _binary(seed=5)
    w = np.where(y == 1, 0.0, 1.0)
    moved = ThresholdMover(LogisticRegression(), strategy).fit(X, y, sample_weight=w)
    alone = LogisticRegression().fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(moved.predict(X), alone.predict(X))


def test_multiclass_tuning_refuses_a_class_of_weight_zero():
    X, y = _three_classes()
    w = np.where(y == 2, 0.0, 1.0)
    # Was: class 2's threshold tuned on rows of weight 0 (best_score_ 0 for
    # f1, its threshold the lowest score), silently.
    with pytest.raises(ValueError, match=r"0 on every row of the classes \[2\]"):
        ThresholdMover(LogisticRegression(), "tuned", scoring="f1").fit(
            X, y, sample_weight=w
        )
    # A strategy that tunes nothing still fits: the class keeps its column.
    moved = ThresholdMover(LogisticRegression(), "argmax").fit(X, y, sample_weight=w)
    assert moved.classes_.tolist() == [0, 1, 2]


@pytest.mark.parametrize("strategy", ["fixed", "cost", "tuned"])
def test_all_zero_weights_are_refused_by_name_before_any_use(strategy):
    X, y, _ = _binary(seed=6)
    model = LogisticRegression().fit(X, y)
    params = {"cost_matrix": [[0, 1], [5, 0]]} if strategy == "cost" else {}
    # Was: 'fixed' and 'cost' fitted (the weights unused); 'tuned' spoke of
    # "a validation fold", which a frozen estimator does not have.
    with pytest.raises(ValueError, match="sample_weight is all zero"):
        ThresholdMover(FrozenEstimator(model), strategy, **params).fit(
            X, y, sample_weight=np.zeros(len(y))
        )


def test_weights_of_every_class_still_fit():
    # The check leaves positive weights alone (containers included).
    pd = pytest.importorskip("pandas")
    X, y, w = _binary(seed=7)
    w = w + 1
    plain = ThresholdMover(LogisticRegression(), "prior", deploy_priors="train")
    expected = plain.fit(X, y, sample_weight=w).deploy_priors_
    np.testing.assert_allclose(
        expected, np.bincount(y, weights=w) / w.sum(), rtol=1e-12
    )
    for given in (w.tolist(), pd.Series(w, dtype="Float64"), w.astype(np.int8)):
        got = ThresholdMover(LogisticRegression(), "prior", deploy_priors="train")
        np.testing.assert_allclose(
            got.fit(X, y, sample_weight=given).deploy_priors_, expected
        )


# ---------------- the candidate thresholds of rows of weight 0 (fixed here)


@pytest.mark.parametrize("scoring", ["f1", "balanced_accuracy"])
def test_rows_of_weight_zero_do_not_widen_the_thresholds_tried(scoring):
    X, y, _ = _binary(seed=1, n=200)
    model = LogisticRegression().fit(X, y)
    scores = model.predict_proba(X)[:, 1]
    w = np.ones(len(y))
    w[[scores.argmin(), scores.argmax()]] = 0  # the two extreme scores
    kept = w > 0
    weighted = ThresholdMover(
        FrozenEstimator(model), "tuned", scoring=scoring, thresholds=30
    ).fit(X, y, sample_weight=w)
    dropped = ThresholdMover(
        FrozenEstimator(model), "tuned", scoring=scoring, thresholds=30
    ).fit(X[kept], y[kept])
    # Was: the thresholds spanned the scores of the rows of weight 0 too
    # (f1: 0.397 chosen instead of 0.223).
    np.testing.assert_array_equal(
        weighted.cv_results_["thresholds"], dropped.cv_results_["thresholds"]
    )
    assert weighted.threshold_ == dropped.threshold_
    assert weighted.best_score_ == pytest.approx(dropped.best_score_)


def test_cross_validated_rows_of_weight_zero_are_as_dropped():
    # An oracle check (it held before this round too), beside the fix above.
    X, y, w = _binary(seed=8, n=200)
    w = (w > 0).astype(float)  # about a quarter of the rows weigh 0
    folds = list(StratifiedKFold(4).split(X, y))
    kept = np.flatnonzero(w > 0)
    position = np.full(len(y), -1)
    position[kept] = np.arange(kept.size)
    kept_folds = [
        (position[tr][w[tr] > 0], position[va][w[va] > 0]) for tr, va in folds
    ]
    # KNN takes no sample_weight: its folds' training rows are repeated by
    # the counts (0: dropped), so both fits are the same, exactly.
    weighted = ThresholdMover(
        KNeighborsClassifier(5), "tuned", scoring="f1", cv=folds, thresholds=25
    ).fit(X, y, sample_weight=w)
    dropped = ThresholdMover(
        KNeighborsClassifier(5), "tuned", scoring="f1", cv=kept_folds, thresholds=25
    ).fit(X[kept], y[kept])
    np.testing.assert_allclose(
        weighted.cv_results_["thresholds"], dropped.cv_results_["thresholds"]
    )
    np.testing.assert_allclose(
        weighted.cv_results_["scores"], dropped.cv_results_["scores"], atol=1e-12
    )
    assert weighted.threshold_ == dropped.threshold_


# ------------------------------------ proposed (rebalance/_validation.py)


@pytest.mark.parametrize("container", ["pandas", "numpy", "list"])
def test_decimal_weights_held_as_objects_are_read_as_numbers(container):
    import decimal

    pd = pytest.importorskip("pandas")
    from rebalance import RandomUnderSampler

    X, y, w = _binary(seed=9, n=60)
    w = w + 0.5
    decimals = [decimal.Decimal(str(v)) for v in w]
    given = {
        "pandas": lambda: pd.Series(decimals),
        "numpy": lambda: np.array(decimals, dtype=object),
        "list": lambda: decimals,
    }[container]()
    predicted = (X[:, 0] > 0.5).astype(int)
    assert g_mean_score(y, predicted, sample_weight=given) == pytest.approx(
        g_mean_score(y, predicted, sample_weight=w)
    )
    sampler = RandomUnderSampler(random_state=0)
    drawn = sampler.fit_resample(X, y, sample_weight=given)[2]
    np.testing.assert_allclose(
        np.asarray(drawn, dtype=np.float64), w[sampler.sample_indices_]
    )
