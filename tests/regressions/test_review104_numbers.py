"""Review 104, numbers: numeric edge cases of class weights, prior correction
(adjust_priors, em_priors, ThresholdMover) and g_mean_score, each compared with
a float64 reference computed here from the formula the docstring states."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight

from rebalance.metrics import g_mean_score
from rebalance.threshold import ThresholdMover, adjust_priors, em_priors
from rebalance.weights import class_weights, sample_weights


class _Hand(ClassifierMixin, BaseEstimator):
    """A hand-made classifier: a logistic score of the first feature, its
    rows spoilt as ``mode`` says, in the float type ``dtype``."""

    def __init__(self, mode="ok", dtype="float64"):
        self.mode = mode
        self.dtype = dtype

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        X = np.asarray(X, dtype=np.float64)
        p = 1.0 / (1.0 + np.exp(-X[:, 0]))
        proba = np.c_[1.0 - p, p]
        if self.mode == "nan":
            proba[0, 0] = np.nan
        elif self.mode == "inf":
            proba[0, 0] = np.inf
        elif self.mode == "unnormalised":
            proba = proba * 1.3
        return proba.astype(self.dtype)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class _Softmax3(ClassifierMixin, BaseEstimator):
    """Three-class softmax posteriors in ``dtype`` (float16 rows are off
    1 by a few 1e-4)."""

    def __init__(self, dtype="float16"):
        self.dtype = dtype

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        X = np.asarray(X, dtype=np.float64)
        z = np.c_[X[:, 0], X[:, 1], -X[:, 0]]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).astype(self.dtype)


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + rng.normal(size=n) > 1).astype(int)
    return X, y


def _shift_reference(proba, train, deploy):
    """Bayes' rule with new priors, p ∝ p' π / π', in log space (float64)."""
    proba = np.asarray(proba, dtype=np.float64)
    with np.errstate(divide="ignore"):
        terms = np.log(proba) + np.log(deploy) - np.log(train)
    terms = terms - terms.max(axis=1, keepdims=True)
    out = np.exp(terms)
    return out / out.sum(axis=1, keepdims=True)


def _effective_reference(counts, beta):
    """Cui et al. 2019: weight ∝ (1 - beta) / (1 - beta ** n), summing to C."""
    counts = np.asarray(counts, dtype=np.float64)
    weights = (1.0 - beta) / (1.0 - beta**counts)
    return weights * len(counts) / weights.sum()


# ---------------------------------------------------------------- bugs


@pytest.mark.parametrize("strategy", ["prior", "argmax", "cost"])
def test_threshold_mover_refuses_infinite_probabilities(strategy):
    X, y = _data()
    cost = [[0, 1], [5, 0]] if strategy == "cost" else None
    mover = ThresholdMover(_Hand("inf"), strategy=strategy, cost_matrix=cost)
    mover.fit(X, y)
    with pytest.raises(ValueError, match="predict_proba"):
        mover.predict(X)


def test_threshold_mover_predict_proba_refuses_infinite_probabilities():
    X, y = _data()
    mover = ThresholdMover(_Hand("inf"), strategy="prior").fit(X, y)
    with pytest.raises(ValueError, match="predict_proba"):
        mover.predict_proba(X)


# ---------------------------------------------------------------- class weights


@pytest.mark.parametrize(
    "y",
    [
        [0] * 90 + [1] * 10,
        ["b"] * 3 + ["a"] * 7 + ["c"],
        [2.0, 2.0, -1.0, 7.0, 7.0, 7.0],
    ],
)
def test_balanced_weights_match_compute_class_weight(y):
    classes = np.unique(y)
    reference = compute_class_weight("balanced", classes=classes, y=np.asarray(y))
    got = class_weights(y)
    assert list(got) == classes.tolist()
    np.testing.assert_allclose(list(got.values()), reference, rtol=1e-15)
    rows = sample_weights(y)
    np.testing.assert_allclose(
        rows, reference[np.searchsorted(classes, np.asarray(y))], rtol=1e-15
    )


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999, 0.9999])
def test_effective_number_matches_cui_et_al(beta):
    y = [0] * 300 + [1] * 30 + [2] * 3 + [3]
    got = class_weights(y, "effective_number", beta=beta)
    expected = _effective_reference([300, 30, 3, 1], beta)
    np.testing.assert_allclose(list(got.values()), expected, rtol=1e-12)
    assert sum(got.values()) == pytest.approx(4.0, rel=1e-14)


def test_effective_number_near_one_is_inverse_frequency():
    # The largest float below 1: (1 - beta**n) / (1 - beta) -> n.
    y = [0] * 30 + [1] * 3 + [2]
    got = class_weights(y, "effective_number", beta=np.nextafter(1.0, 0.0))
    inverse = 1.0 / np.array([30.0, 3.0, 1.0])
    np.testing.assert_allclose(
        list(got.values()), inverse * 3 / inverse.sum(), rtol=1e-12
    )


@pytest.mark.parametrize("beta", [5e-324, 1e-300])
def test_effective_number_tiny_beta_gives_equal_weights(beta):
    got = class_weights([0] * 30 + [1] * 3 + [2], "effective_number", beta=beta)
    assert list(got.values()) == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    "beta", [np.float32(0.999), Fraction(999, 1000), np.float16(0.999)]
)
def test_effective_number_beta_of_other_types_as_float(beta):
    got = class_weights([0] * 30 + [1] * 3 + [2], "effective_number", beta=beta)
    assert all(type(v) is float for v in got.values())
    np.testing.assert_allclose(
        list(got.values()), _effective_reference([30, 3, 1], float(beta)), rtol=1e-12
    )


@pytest.mark.parametrize("beta", [1.0, 1, 1.5, -0.1, float("nan"), True])
def test_effective_number_refuses_beta_outside_0_1(beta):
    with pytest.raises(ValueError, match="beta"):
        class_weights([0, 0, 1], "effective_number", beta=beta)


def test_class_weights_one_hot_equals_labels():
    labels = [0, 0, 0, 1, 2, 2]
    assert class_weights(np.eye(3)[labels]) == class_weights(labels)


# ---------------------------------------------------------------- adjust_priors


@pytest.mark.parametrize(
    ("train", "deploy"),
    [
        ([0.5, 0.5], [0.9, 0.1]),
        ([5e-324, 1.0], [0.5, 0.5]),
        ([0.5, 0.5], [1e308, 1.0]),
        ([1e-300, 1.0], [1.0, 1e-300]),
        ([50, 50], [90, 10]),  # percentages: only the ratios count
    ],
)
def test_adjust_priors_matches_bayes_rule_at_extremes(train, deploy):
    proba = np.array([[0.3, 0.7], [0.0, 1.0], [1.0, 0.0], [1e-300, 1.0], [5e-324, 1.0]])
    got = adjust_priors(proba, train, deploy)
    np.testing.assert_allclose(
        got, _shift_reference(proba, train, deploy), rtol=1e-12, atol=0
    )
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_adjust_priors_low_precision_input(dtype):
    proba = _Softmax3(np.dtype(dtype).name).predict_proba(
        np.random.default_rng(0).normal(size=(50, 2))
    )
    got = adjust_priors(proba, [1 / 3] * 3, [0.6, 0.3, 0.1])
    assert got.dtype == np.float64
    np.testing.assert_allclose(
        got,
        _shift_reference(proba, [1 / 3] * 3, [0.6, 0.3, 0.1]),
        rtol=1e-12,
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -0.1])
def test_adjust_priors_refuses_non_probabilities(bad):
    with pytest.raises(ValueError, match="finite, non-negative"):
        adjust_priors(np.array([[bad, 0.7], [0.5, 0.5]]), [0.5, 0.5], [0.9, 0.1])


def test_adjust_priors_refuses_rows_not_summing_to_one():
    with pytest.raises(ValueError, match="row 0 sums to 1.3"):
        adjust_priors(np.array([[0.39, 0.91]]), [0.5, 0.5], [0.9, 0.1])


def test_adjust_priors_zero_train_prior_is_refused_zero_deploy_kept():
    proba = np.array([[0.2, 0.8]])
    with pytest.raises(ValueError, match="train_priors has a zero prior"):
        adjust_priors(proba, [1.0, 0.0], [0.5, 0.5])
    np.testing.assert_array_equal(adjust_priors(proba, [0.5, 0.5], [1, 0]), [[1, 0]])
    with pytest.raises(ValueError, match="deploy prior"):
        adjust_priors(np.array([[0.0, 1.0]]), [0.5, 0.5], [1, 0])


def test_adjust_priors_by_label_in_another_order():
    pd = pytest.importorskip("pandas")
    proba = pd.DataFrame([[0.3, 0.7], [0.9, 0.1]], columns=["b", "a"])
    expected = _shift_reference(proba.to_numpy(), [0.5, 0.5], [0.9, 0.1])
    got = adjust_priors(proba, {"a": 0.5, "b": 0.5}, {"a": 0.1, "b": 0.9})
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    got = adjust_priors(
        proba, pd.Series({"a": 0.5, "b": 0.5}), pd.Series({"a": 0.1, "b": 0.9})
    )
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    with pytest.raises(ValueError, match="columns"):
        adjust_priors(proba, {"a": 0.5, "b": 0.5}, {"a": 0.1, "b": 0.8, "c": 0.1})
    with pytest.raises(ValueError, match="columns"):
        adjust_priors(proba, {"a": 0.5, "b": 0.5}, {"a": 0.1})
    with pytest.raises(ValueError, match="carry no labels"):
        adjust_priors(proba.to_numpy(), {"a": 0.5, "b": 0.5}, [0.9, 0.1])


def test_em_priors_matches_saerens_fixed_point():
    proba = np.array([[0.2, 0.8], [0.9, 0.1], [0.6, 0.4], [0.7, 0.3]])
    train = np.array([0.4, 0.6])
    q = train.copy()
    for _ in range(100000):
        post = proba * q / train
        post /= post.sum(axis=1, keepdims=True)
        new = post.mean(axis=0)
        if np.abs(new - q).max() < 1e-14:
            q = new
            break
        q = new
    np.testing.assert_allclose(em_priors(proba, train, tol=1e-12), q, atol=1e-9)


# ---------------------------------------------------------------- ThresholdMover


def test_threshold_mover_nan_probabilities_raise_naming_predict_proba():
    X, y = _data()
    with pytest.raises(ValueError, match=r"predict_proba returned NaN"):
        ThresholdMover(_Hand("nan"), strategy="prior").fit(X, y).predict(X)


@pytest.mark.parametrize("deploy", [[0.5, 0.5], "em", "train"])
def test_threshold_mover_refuses_unnormalised_rows_when_moving_priors(deploy):
    X, y = _data()
    mover = ThresholdMover(_Hand("unnormalised"), deploy_priors=deploy).fit(X, y)
    with pytest.raises(ValueError, match="sums to 1.3"):
        mover.predict_proba(X)


def test_threshold_mover_prior_rule_matches_formula():
    X, y = _data()
    mover = ThresholdMover(_Hand(), strategy="prior").fit(X, y)
    priors = np.bincount(y) / len(y)
    np.testing.assert_allclose(mover.train_priors_, priors, rtol=1e-15)
    proba = _Hand().fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(mover.predict(X), np.argmax(proba / priors, axis=1))


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_threshold_mover_low_precision_probabilities(dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = rng.integers(0, 3, 60)
    deploy = [0.6, 0.3, 0.1]
    mover = ThresholdMover(
        _Softmax3(dtype), strategy="argmax", deploy_priors=deploy
    ).fit(X, y)
    got = mover.predict_proba(X)
    train = np.bincount(y) / len(y)
    expected = _shift_reference(_Softmax3(dtype).predict_proba(X), train, deploy)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_array_equal(mover.predict(X), expected.argmax(axis=1))


@pytest.mark.parametrize("scale", [1.0, 1000.0, 1e-300, 1e300])
def test_threshold_mover_weighted_priors_scale_invariant(scale):
    from sklearn.linear_model import LogisticRegression

    X, y = _data()
    w = np.random.default_rng(3).uniform(0.5, 2.0, size=len(y))
    w[:5] = 0.0
    mover = ThresholdMover(
        LogisticRegression(), strategy="argmax", deploy_priors="train"
    ).fit(X, y, sample_weight=w * scale)
    expected = np.bincount(y, weights=w) / w.sum()
    np.testing.assert_allclose(mover.train_priors_, expected, rtol=1e-12)
    np.testing.assert_allclose(mover.deploy_priors_, expected, rtol=1e-12)


@pytest.mark.parametrize("priors", [[0.5, 0.49], [50, 50], [0.0, 1.0]])
def test_threshold_mover_refuses_priors_not_summing_to_one_or_zero(priors):
    X, y = _data()
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(_Hand(), train_priors=priors).fit(X, y)


@pytest.mark.parametrize("priors", [{0: 0.5, 1: 0.5, 2: 0.0}, {0: 1.0}])
def test_threshold_mover_refuses_extra_or_missing_class(priors):
    X, y = _data()
    with pytest.raises(ValueError, match="train_priors has the keys"):
        ThresholdMover(_Hand(), train_priors=priors).fit(X, y)


def test_threshold_mover_string_priors_in_another_order():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    labels = np.array(["no", "yes"])[y]
    given = {"yes": 0.3, "no": 0.7}
    for priors in (given, pd.Series(given)):
        mover = ThresholdMover(_Hand(), train_priors=priors, deploy_priors=[0.9, 0.1])
        mover.fit(X, labels)
        np.testing.assert_allclose(mover.train_priors_, [0.7, 0.3], rtol=1e-15)
        expected = _shift_reference(
            _Hand().fit(X, labels).predict_proba(X), [0.7, 0.3], [0.9, 0.1]
        )
        np.testing.assert_allclose(mover.predict_proba(X), expected, rtol=1e-12)


def test_threshold_mover_zero_deploy_prior_never_predicted():
    X, y = _data()
    mover = ThresholdMover(_Hand(), strategy="argmax", deploy_priors=[1.0, 0.0])
    mover.fit(X, y)
    assert (mover.predict(X) == 0).all()
    assert (mover.predict_proba(X)[:, 1] == 0).all()


# ---------------------------------------------------------------- g_mean_score


def _three_class(seed=1):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 3, 60), rng.integers(0, 3, 60), rng.uniform(0, 3, 60)


def test_g_mean_matches_imblearn_and_recall_formula():
    imblearn_metrics = pytest.importorskip("imblearn.metrics")
    from sklearn.metrics import recall_score

    y_true, y_pred, w = _three_class()
    for weights in (None, w):
        recalls = recall_score(y_true, y_pred, average=None, sample_weight=weights)
        expected = float(np.prod(recalls) ** (1 / 3))
        got = g_mean_score(y_true, y_pred, sample_weight=weights)
        assert got == pytest.approx(expected, rel=1e-13)
        assert got == pytest.approx(
            imblearn_metrics.geometric_mean_score(
                y_true, y_pred, sample_weight=weights
            ),
            rel=1e-13,
        )
    got = g_mean_score(y_true, y_pred, labels=[2, 0])
    assert got == pytest.approx(
        imblearn_metrics.geometric_mean_score(y_true, y_pred, labels=[0, 2]),
        rel=1e-13,
    )


@pytest.mark.parametrize("scale", [1000.0, 1e300, 1e-300])
def test_g_mean_weight_scale_invariant(scale):
    y_true, y_pred, w = _three_class()
    assert g_mean_score(y_true, y_pred, sample_weight=w * scale) == pytest.approx(
        g_mean_score(y_true, y_pred, sample_weight=w), rel=1e-12
    )


def test_g_mean_equal_subnormal_weights_are_unweighted():
    y_true, y_pred, _ = _three_class()
    weights = np.full(len(y_true), 5e-324)
    assert g_mean_score(y_true, y_pred, sample_weight=weights) == pytest.approx(
        g_mean_score(y_true, y_pred), rel=1e-12
    )


def test_g_mean_huge_float32_weights():
    y_true, y_pred, _ = _three_class()
    weights = np.full(len(y_true), 3e38, dtype=np.float32)
    assert g_mean_score(y_true, y_pred, sample_weight=weights) == pytest.approx(
        g_mean_score(y_true, y_pred), rel=1e-13
    )
    weights = np.full(len(y_true), 1.7e308)
    assert g_mean_score(y_true, y_pred, sample_weight=weights) == pytest.approx(
        g_mean_score(y_true, y_pred), rel=1e-13
    )


def test_g_mean_zero_weight_class_is_zero_like_imblearn():
    imblearn_metrics = pytest.importorskip("imblearn.metrics")
    y_true, y_pred, w = _three_class()
    w = w.copy()
    w[y_true == 1] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = imblearn_metrics.geometric_mean_score(y_true, y_pred, sample_weight=w)
    assert g_mean_score(y_true, y_pred, sample_weight=w) == peer == 0.0


def test_g_mean_string_and_binary_labels_match_imblearn():
    imblearn_metrics = pytest.importorskip("imblearn.metrics")
    y_true, y_pred, _ = _three_class()
    names = np.array(["a", "b", "c"])
    assert g_mean_score(names[y_true], names[y_pred]) == pytest.approx(
        imblearn_metrics.geometric_mean_score(names[y_true], names[y_pred]),
        rel=1e-13,
    )
    rng = np.random.default_rng(4)
    yb, pb = rng.integers(0, 2, 50), rng.integers(0, 2, 50)
    sensitivity = imblearn_metrics.sensitivity_score(yb, pb)
    specificity = imblearn_metrics.specificity_score(yb, pb)
    assert g_mean_score(yb, pb) == pytest.approx(
        np.sqrt(sensitivity * specificity), rel=1e-13
    )


def test_g_mean_refuses_all_zero_weights():
    y_true, y_pred, _ = _three_class()
    with pytest.raises(ValueError, match="sample_weight is all zeros"):
        g_mean_score(y_true, y_pred, sample_weight=np.zeros(len(y_true)))
