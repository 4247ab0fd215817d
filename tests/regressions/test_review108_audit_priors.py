"""Review 108, audit_priors: a white-box audit of rebalance/_priors.py and
rebalance/metrics.py, each suspicion checked through the public API
(ThresholdMover, adjust_priors, em_priors, g_mean_score).

One bug: ``_in_class_order`` zeroes any prior below 100 float64 eps (its
comment says "10 ulps"), also the priors a user chose for a generative model
(``GaussianNB(priors=[1 - 1e-15, 1e-15])``), whose class then reads as one of
no weight and ThresholdMover refuses, blaming a ``class_weight`` never set.
The rest are pins of behaviour the audit found right.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, make_scorer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import GaussianNB, MultinomialNB

from rebalance import ThresholdMover
from rebalance.metrics import g_mean_score
from rebalance.threshold import adjust_priors, em_priors


def _binary(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.array([0] * (2 * n // 3) + [1] * (n - 2 * n // 3))
    X[y == 1] += 1.0
    return X, y


# --------------------------------------------------------------- the bug


def test_tiny_chosen_prior_of_gaussian_nb_is_read():
    X, y = _binary()
    moved = ThresholdMover(
        GaussianNB(priors=[1 - 1e-15, 1e-15]), deploy_priors=[0.5, 0.5]
    ).fit(X, y)
    np.testing.assert_allclose(moved.train_priors_, [1 - 1e-15, 1e-15], rtol=1e-9)


def test_tiny_prior_given_explicitly_works():
    # The same priors passed as train_priors are accepted: the refusal above
    # is the reading of the model's own priors only.
    X, y = _binary()
    moved = ThresholdMover(
        GaussianNB(priors=[1 - 1e-15, 1e-15]),
        train_priors=[1 - 1e-15, 1e-15],
        deploy_priors=[0.5, 0.5],
    ).fit(X, y)
    proba = moved.predict_proba(X[:3])
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


# ------------------------------------------------ priors read from models


@pytest.mark.parametrize(
    "model, expected",
    [
        (GaussianNB(priors=[0.2, 0.8]), [0.2, 0.8]),
        (GaussianNB(priors=[1 - 5e-14, 5e-14]), [1 - 5e-14, 5e-14]),
        (LinearDiscriminantAnalysis(priors=[0.3, 0.7]), [0.3, 0.7]),
        (OneVsRestClassifier(GaussianNB(priors=[0.1, 0.9])), [0.1, 0.9]),
    ],
    ids=["gnb", "gnb-small", "lda", "ovr-gnb"],
)
def test_auto_train_priors_are_the_models_chosen_priors(model, expected):
    X, y = _binary()
    moved = ThresholdMover(model, deploy_priors=[0.5, 0.5]).fit(X, y)
    np.testing.assert_allclose(moved.train_priors_, expected, rtol=1e-9)
    raw = moved.estimator_.predict_proba(X[:4])
    np.testing.assert_allclose(
        moved.predict_proba(X[:4]), adjust_priors(raw, expected, [0.5, 0.5])
    )


def test_multinomial_nb_class_prior_is_read():
    X, y = _binary()
    moved = ThresholdMover(
        MultinomialNB(class_prior=[0.4, 0.6]), deploy_priors=[0.5, 0.5]
    ).fit(np.abs(X), y)
    np.testing.assert_allclose(moved.train_priors_, [0.4, 0.6])


def test_early_stopping_models_give_the_priors_they_trained_at():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = np.array(["no"] * 150 + ["yes"] * 50)
    X[y == "yes"] += 1
    hgb = HistGradientBoostingClassifier(
        early_stopping=True, class_weight="balanced", max_iter=5
    )
    moved = ThresholdMover(hgb, deploy_priors=[0.5, 0.5]).fit(X, y)
    np.testing.assert_allclose(moved.train_priors_, [0.5, 0.5], atol=1e-6)
    gbc = GradientBoostingClassifier(n_iter_no_change=2, n_estimators=5)
    moved = ThresholdMover(gbc, deploy_priors=[0.5, 0.5]).fit(X, y)
    np.testing.assert_allclose(moved.train_priors_, [0.75, 0.25], atol=1e-6)


# ------------------------------------------------ adjust_priors, em_priors


def test_adjust_priors_does_not_modify_a_float64_proba():
    proba = np.array([[0.3, 0.7], [0.9, 0.1]])
    before = proba.copy()
    moved = adjust_priors(proba, [0.5, 0.5], [0.2, 0.8])
    np.testing.assert_array_equal(proba, before)
    assert not np.shares_memory(moved, proba)


def test_adjust_and_em_read_priors_by_label_in_frames_of_other_order():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    proba = np.array([[0.9, 0.1]] * 7 + [[0.1, 0.9]] * 3)
    frame = pd.DataFrame(proba, columns=["a", "b"])[["b", "a"]]
    by_position = adjust_priors(frame.to_numpy(), [0.5, 0.5], [0.1, 0.9])
    for given in (frame, pl.from_pandas(frame), pa.Table.from_pandas(frame)):
        moved = adjust_priors(given, {"a": 0.5, "b": 0.5}, {"a": 0.9, "b": 0.1})
        np.testing.assert_allclose(moved, by_position)
        np.testing.assert_allclose(em_priors(given, {"a": 0.5, "b": 0.5}), [0.25, 0.75])


def test_value_counts_priors_are_read_by_label():
    pd = pytest.importorskip("pandas")
    proba = pd.DataFrame([[0.9, 0.1], [0.2, 0.8]], columns=["a", "b"])
    shares = pd.Series(["b"] * 7 + ["a"] * 3).value_counts(normalize=True)
    assert shares.index.tolist() == ["b", "a"]  # order of frequency
    np.testing.assert_allclose(
        adjust_priors(proba, shares, [0.5, 0.5]),
        adjust_priors(proba.to_numpy(), [0.3, 0.7], [0.5, 0.5]),
    )


def test_em_priors_matches_plain_em_and_takes_numpy_scalars():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet([1, 1, 1], size=50)
    train = np.array([0.2, 0.3, 0.5])
    priors = train.copy()
    for _ in range(5000):
        moved = proba * priors / train
        moved /= moved.sum(axis=1, keepdims=True)
        priors = moved.mean(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = em_priors(proba, train, tol=np.float32(1e-10), max_iter=np.int32(5000))
    np.testing.assert_allclose(got, priors, atol=1e-5)
    np.testing.assert_allclose(got.sum(), 1.0)


def test_em_priors_with_extreme_train_priors_stays_finite():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet([1, 1, 1], size=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = em_priors(proba, [1.0, 1e-300, 1e300], max_iter=3000)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got.sum(), 1.0)


# ----------------------------------------------------------- g_mean_score


def test_g_mean_score_of_huge_and_wide_weights_matches_imblearn():
    imblearn_metrics = pytest.importorskip("imblearn.metrics")
    y_true = np.array([0, 0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 0, 1, 1, 2, 0])
    plain = imblearn_metrics.geometric_mean_score(y_true, y_pred)
    huge = np.full(7, 1e308)
    before = huge.copy()
    assert g_mean_score(y_true, y_pred, sample_weight=huge) == pytest.approx(plain)
    np.testing.assert_array_equal(huge, before)
    wide = np.array([1e-200, 1, 1, 1e200, 1, 1e308, 1])
    expected = imblearn_metrics.geometric_mean_score(
        y_true, y_pred, sample_weight=wide / 1e308
    )
    assert g_mean_score(y_true, y_pred, sample_weight=wide) == pytest.approx(expected)
    for weights in (
        np.full(7, 60000, np.float16),
        np.full(7, 2**31 - 1, np.int32),
        np.full(7, 2**64 - 1, np.uint64),
    ):
        assert g_mean_score(y_true, y_pred, sample_weight=weights) == pytest.approx(
            plain
        )


def test_g_mean_score_keeps_uint64_labels_apart():
    imblearn_metrics = pytest.importorskip("imblearn.metrics")
    labels = np.array([2**63, 2**63 + 1, 2**63], dtype=np.uint64)
    predicted = labels[[0, 1, 1]]
    assert g_mean_score(labels, predicted) == pytest.approx(
        imblearn_metrics.geometric_mean_score(labels, predicted)
    )
    assert g_mean_score(labels, predicted) == pytest.approx(np.sqrt(0.5))


def test_g_mean_score_of_other_containers_equals_numpy():
    y_true = np.array([0, 0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 0, 1, 1, 2, 0])
    expected = g_mean_score(y_true, y_pred)
    torch = pytest.importorskip("torch")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    assert g_mean_score(torch.tensor(y_true), torch.tensor(y_pred)) == expected
    assert g_mean_score(pl.Series(y_true), pl.Series(y_pred)) == expected
    assert g_mean_score(pa.array(y_true), pa.chunked_array([y_pred])) == expected


def test_g_mean_score_of_many_classes_does_not_underflow():
    k = 400
    y_true = np.repeat(np.arange(k), 10)
    y_pred = y_true.copy()
    y_pred[np.arange(y_true.shape[0]) % 10 != 0] = -1  # recall 0.1 each
    assert g_mean_score(y_true, y_pred) == pytest.approx(0.1)


# ------------------------------- tuned thresholds: counts path = scorer path


@pytest.mark.parametrize(
    "name, metric",
    [
        ("g_mean", g_mean_score),
        ("balanced_accuracy", balanced_accuracy_score),
        ("f1", f1_score),
    ],
)
def test_tuned_scores_from_counts_equal_the_scorers(name, metric):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 2))
    y = (rng.random(120) < 0.25).astype(int)
    X[y == 1] += 0.8
    weights = rng.uniform(0.1, 3, 120)
    fitted = []
    for scoring in (name, make_scorer(metric)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted.append(
                ThresholdMover(
                    LogisticRegression(),
                    strategy="tuned",
                    scoring=scoring,
                    thresholds=20,
                    cv=3,
                ).fit(X, y, sample_weight=weights)
            )
    fast, slow = fitted
    np.testing.assert_allclose(fast.cv_results_["scores"], slow.cv_results_["scores"])
    assert fast.threshold_ == slow.threshold_
