"""Review 24, priors: property-based checks of prior correction, EM and
threshold tuning against exact (Fraction) and brute-force references, and
the bugs they found."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    precision_score,
    recall_score,
)

from rebalance import ThresholdMover
from rebalance.threshold import adjust_priors, em_priors

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


class GivenProba(ClassifierMixin, BaseEstimator):
    """``predict_proba(X)`` is ``X``: probabilities chosen by the test."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.asarray(X, dtype=float)


class GivenScore(ClassifierMixin, BaseEstimator):
    """``decision_function(X)`` is the first column of ``X``."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def decision_function(self, X):
        return np.asarray(X, dtype=float)[:, 0]


@st.composite
def _posteriors(draw, max_rows=6, max_classes=4):
    n = draw(st.integers(1, max_rows))
    k = draw(st.integers(2, max_classes))
    raw = draw(hnp.arrays(np.float64, (n, k), elements=st.floats(0, 1)))
    raw[:, 0] += 1e-3
    return raw / raw.sum(axis=1, keepdims=True)


def _exact_shift(proba, train, deploy):
    rows = []
    for row in proba:
        terms = [
            Fraction(float(p)) * Fraction(float(d)) / Fraction(float(t))
            for p, t, d in zip(row, train, deploy)
        ]
        total = sum(terms)
        rows.append([float(term / total) for term in terms])
    return np.array(rows)


# --------------------------------------------------------- adjust_priors


@FUZZ
@given(_posteriors(), st.data())
def test_adjust_priors_is_bayes_rule_in_exact_arithmetic(proba, data):
    k = proba.shape[1]
    train = data.draw(hnp.arrays(np.float64, k, elements=st.floats(1e-30, 1e30)))
    deploy = data.draw(hnp.arrays(np.float64, k, elements=st.floats(1e-30, 1e30)))
    got = adjust_priors(proba, train, deploy)
    np.testing.assert_allclose(got, _exact_shift(proba, train, deploy), rtol=1e-9)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-12)
    # the same priors: the identity; there and back: the identity
    np.testing.assert_allclose(adjust_priors(proba, train, train), proba, atol=1e-12)
    back = adjust_priors(got, deploy, train)
    np.testing.assert_allclose(back, proba, atol=1e-9)


# ------------------------------------------------------------- em_priors


def _binary_log_likelihood(prior_1, p, train_ratio_log10):
    """Log-likelihood of deployment prior ``prior_1`` of class 1, posteriors
    ``p`` of class 1 at training priors ``[1, 10**train_ratio_log10]``."""
    with np.errstate(divide="ignore"):
        a = np.log1p(-prior_1) + np.log1p(-p)
        b = np.log(prior_1) + np.log(p) - train_ratio_log10 * np.log(10)
    top = np.maximum(a, b)
    with np.errstate(invalid="ignore"):
        terms = top + np.log(np.exp(a - top) + np.exp(b - top))
    return float(np.where(np.isneginf(top), -np.inf, terms).sum())


@FUZZ
@given(
    hnp.arrays(np.float64, st.integers(1, 10), elements=st.floats(0, 1)),
    st.floats(-60, 60),
)
def test_em_priors_reaches_the_maximum_likelihood_priors(p, train_ratio_log10):
    proba = np.column_stack([1 - p, p])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimated = em_priors(proba, [1.0, 10.0**train_ratio_log10])
    assert np.isfinite(estimated).all()
    assert estimated.sum() == pytest.approx(1.0)
    grid = np.unique(
        np.concatenate(
            [[0.0, 1.0], np.logspace(-300, 0, 601), 1 - np.logspace(-16, -1, 61)]
        )
    )
    best = max(_binary_log_likelihood(g, p, train_ratio_log10) for g in grid)
    got = _binary_log_likelihood(estimated[1], p, train_ratio_log10)
    assert got >= best - 1e-3 * max(1.0, abs(best))


def test_em_priors_a_tiny_training_prior_is_not_stopped_by_tol():
    # Regression: a class of training prior 1e-12 that every row favours
    # (likelihood ratio 4) grew 4-fold per iteration, each change < tol:
    # EM stopped after one iteration at 4e-12 instead of reaching ~1.
    proba = np.array([[1 - 4e-12, 4e-12]] * 5)
    estimated = em_priors(proba, [1.0, 1e-12])
    assert estimated[1] > 0.999


@pytest.mark.parametrize("train", [[1e308, 1e308], [1e308, 1e-308], [1e-308, 1e308]])
def test_em_priors_takes_priors_at_any_scale(train):
    # Regression: priors summing past 1e308 overflowed to inf (ValueError:
    # every deploy prior 0), and a start prior that underflowed to 0 stayed
    # 0 (EM never moves a prior away from 0): [1e308, 1e-308] gave [1, 0]
    # where every row's likelihood favours class 1 by ~1e616.
    proba = np.array([[0.2, 0.8], [0.9, 0.1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimated = em_priors(proba, train)
    scaled = np.asarray(train) / max(train)
    reference = em_priors(proba, scaled) if scaled.min() > 1e-300 else None
    if reference is not None:
        np.testing.assert_allclose(estimated, reference, atol=1e-12)
    elif train[0] > train[1]:
        np.testing.assert_allclose(estimated, [0.0, 1.0], atol=1e-9)
    else:
        np.testing.assert_allclose(estimated, [1.0, 0.0], atol=1e-9)


def test_em_priors_is_invariant_to_row_order():
    rng = np.random.default_rng(0)
    means = np.array([-2.0, 0.0, 2.0])
    train = np.array([0.2, 0.3, 0.5])
    true = np.array([0.6, 0.3, 0.1])
    y = rng.choice(3, 5000, p=true)
    likelihood = np.exp(-0.5 * (rng.normal(means[y], 1)[:, None] - means) ** 2)
    proba = likelihood * train
    proba /= proba.sum(axis=1, keepdims=True)
    estimated = em_priors(proba, train)
    np.testing.assert_allclose(estimated, np.bincount(y) / len(y), atol=0.03)
    shuffled = em_priors(proba[rng.permutation(len(y))], train)
    np.testing.assert_allclose(shuffled, estimated, atol=1e-12)


# --------------------------------------------------------- refused inputs


@pytest.mark.parametrize("argument", ["proba", "train_priors", "deploy_priors"])
def test_complex_inputs_are_refused_naming_the_argument(argument):
    # Regression: complex arrays were cast to float64, silently dropping
    # the imaginary parts (numpy only gives a ComplexWarning).
    kwargs = {
        "proba": np.array([[0.2, 0.8], [0.9, 0.1]]),
        "train_priors": np.array([0.5, 0.5]),
        "deploy_priors": np.array([0.9, 0.1]),
    }
    kwargs[argument] = kwargs[argument] + 0.5j
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=f"{argument} has complex numbers"):
            adjust_priors(**kwargs)
    if argument != "deploy_priors":
        with pytest.raises(ValueError, match=f"{argument} has complex numbers"):
            em_priors(kwargs["proba"], kwargs["train_priors"])


def test_complex_cost_matrix_is_refused():
    y = np.arange(10) % 2
    X = np.column_stack([1 - y, y]).astype(float)
    mover = ThresholdMover(
        GivenProba(), "cost", cost_matrix=np.array([[0, 1], [5 + 1j, 0]])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="cost_matrix .*complex"):
            mover.fit(X, y)


def test_sparse_proba_is_refused_with_the_fix():
    sparse = pytest.importorskip("scipy.sparse")
    proba = sparse.csr_matrix(np.array([[0.2, 0.8], [0.9, 0.1]]))
    for call in (
        lambda: adjust_priors(proba, [0.5, 0.5], [0.9, 0.1]),
        lambda: em_priors(proba, [0.5, 0.5]),
    ):
        with pytest.raises(ValueError, match=r"proba is a sparse matrix.*toarray"):
            call()


# ------------------------------------------------------ ThresholdMover


METRICS = {
    "balanced_accuracy": balanced_accuracy_score,
    "f1": f1_score,
    "accuracy": accuracy_score,
    "precision": precision_score,
    "recall": recall_score,
}
LABELS = {
    "int": [0, 1],
    "negative": [-3, -1],
    "str": ["cat", "dog"],
    "bool": [False, True],
    "float": [-1.0, 2.0],
}


@st.composite
def _binary_tuning(draw):
    n = draw(st.integers(4, 25))
    codes = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    assume(0 < codes.sum() < n)
    steps = draw(st.sampled_from([5, 10]))
    p = draw(hnp.arrays(np.int64, n, elements=st.integers(0, steps))) / steps
    weights = draw(
        st.one_of(st.none(), hnp.arrays(np.int64, n, elements=st.integers(0, 3)))
    )
    if weights is not None:
        assume(weights[codes == 0].sum() > 0 and weights[codes == 1].sum() > 0)
    candidates = draw(
        st.one_of(
            st.integers(2, 12),
            st.lists(
                st.sampled_from(np.linspace(0, 1, 11).tolist()),
                min_size=1,
                max_size=6,
                unique=True,
            ),
        )
    )
    return (
        codes,
        p,
        weights,
        draw(st.sampled_from(sorted(LABELS))),
        draw(st.booleans()),
        draw(st.sampled_from(sorted(METRICS))),
        candidates,
    )


@FUZZ
@given(_binary_tuning())
def test_tuned_threshold_is_the_brute_force_best(case):
    codes, p, weights, kind, pos_first, scoring, candidates = case
    labels = np.array(LABELS[kind])
    y = labels[codes]
    pos = 0 if pos_first else 1
    P = np.column_stack([1 - p, p])
    score = P[:, pos]
    if isinstance(candidates, int):
        assume(np.ptp(score) > 1e-9)
        thresholds = candidates
    else:
        thresholds = np.array(candidates)
    model = FrozenEstimator(GivenProba().fit(P, y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mover = ThresholdMover(
            model,
            "tuned",
            scoring=scoring,
            thresholds=thresholds,
            pos_label=labels[pos],
        ).fit(P, y, sample_weight=weights)
        tried = mover.cv_results_["thresholds"][0]
        truth = (codes == pos).astype(int)
        brute = np.array(
            [
                METRICS[scoring](truth, (score >= t).astype(int), sample_weight=weights)
                for t in tried
            ]
        )
    np.testing.assert_allclose(mover.cv_results_["scores"][0], brute, atol=1e-12)
    # the best (ties: up to rounding of the weighted sums)
    assert brute[list(tried).index(mover.threshold_)] >= brute.max() - 1e-12
    predicted = np.where(score >= mover.threshold_, labels[pos], labels[1 - pos])
    np.testing.assert_array_equal(mover.predict(P), predicted)
    assert mover.predict(P).dtype == y.dtype


@st.composite
def _multiclass_case(draw):
    k = draw(st.integers(2, 4))
    n = draw(st.integers(k, 16))
    codes = np.array(draw(st.permutations((np.arange(n) % k).tolist())))
    raw = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, 6))) + 0.0
    raw[:, 0] += 0.5
    cost = draw(hnp.arrays(np.int64, (k, k), elements=st.integers(0, 5))) + 0.0
    weights = draw(
        st.one_of(st.none(), hnp.arrays(np.int64, n, elements=st.integers(1, 3)))
    )
    deploy = draw(
        st.one_of(st.none(), hnp.arrays(np.int64, k, elements=st.integers(1, 5)))
    )
    return codes, raw / raw.sum(axis=1, keepdims=True), cost, weights, deploy


@FUZZ
@given(_multiclass_case())
def test_cost_argmax_and_prior_rules_are_the_brute_force_decisions(case):
    codes, P, cost, weights, deploy = case
    k = P.shape[1]
    labels = np.array(["b", "a", "d", "c"][:k])  # not sorted
    y = labels[codes]
    classes = np.unique(y)
    order = np.searchsorted(classes, labels)  # column of each label
    model = FrozenEstimator(GivenProba().fit(P, y))
    rows = np.ones(len(y)) if weights is None else weights
    train = np.array([rows[y == c].sum() for c in classes], dtype=float)
    train /= train.sum()
    # deploy priors given by label, in another order than classes_
    deploy_priors = (
        None
        if deploy is None
        else {label: d / deploy.sum() for label, d in zip(labels, deploy)}
    )
    deploy_vector = (
        None
        if deploy is None
        else np.array([deploy_priors[c] for c in classes.tolist()])
    )
    proba = P if deploy is None else _exact_shift(P, train, deploy_vector)
    cost_by_class = np.empty_like(cost)
    cost_by_class[np.ix_(order, order)] = cost  # cost given in label order
    mover = ThresholdMover(
        model, "cost", cost_matrix=cost_by_class, deploy_priors=deploy_priors
    ).fit(P, y, sample_weight=weights)
    np.testing.assert_allclose(mover.train_priors_, train, rtol=1e-12)
    np.testing.assert_allclose(mover.predict_proba(P), proba, rtol=1e-9, atol=1e-15)
    expected = np.array(
        [
            [
                float(
                    sum(
                        Fraction(row[i]) * Fraction(cost_by_class[i, j])
                        for i in range(k)
                    )
                )
                for j in range(k)
            ]
            for row in proba
        ]
    )
    chosen = np.searchsorted(classes, mover.predict(P))
    picked = expected[np.arange(len(y)), chosen]
    assert np.all(picked <= expected.min(axis=1) * (1 + 1e-9) + 1e-12)

    argmax = ThresholdMover(model, "argmax", deploy_priors=deploy_priors).fit(
        P, y, sample_weight=weights
    )
    np.testing.assert_array_equal(
        argmax.predict(P), classes[argmax.predict_proba(P).argmax(axis=1)]
    )
    prior = ThresholdMover(model, "prior", deploy_priors=deploy_priors).fit(
        P, y, sample_weight=weights
    )
    ratio = P / train
    chosen = np.searchsorted(classes, prior.predict(P))
    picked = ratio[np.arange(len(y)), chosen]
    assert np.all(picked >= ratio.max(axis=1) * (1 - 1e-12))


def test_tuned_thresholds_span_scores_beyond_half_the_float_range():
    # Regression: decision scores from -1.7e308 to 1.7e308 made linspace's
    # step inf: the candidate thresholds were NaN and inf, and the best one
    # tried (balanced accuracy 0.75) missed the perfect split at 0.
    X = np.array([[-1.7e308], [1.7e308], [-1e300], [5e307], [-5e307], [1e307]])
    y = np.array([0, 1, 0, 1, 0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mover = ThresholdMover(
            FrozenEstimator(GivenScore().fit(X, y)), "tuned", thresholds=5
        ).fit(X, y)
    tried = mover.cv_results_["thresholds"][0]
    assert np.isfinite(tried).all()
    assert tried[0] == -1.7e308 and tried[-1] == 1.7e308
    assert np.all(np.diff(tried) > 0)
    assert mover.best_score_ == 1.0
    np.testing.assert_array_equal(mover.predict(X), y)
