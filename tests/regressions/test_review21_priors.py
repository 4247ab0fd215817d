"""Review 21 (priors): prior correction and threshold moving against
independent computations.

Bayes' rule with new priors (Saerens et al. 2002, Elkan 2001), the EM
estimate of shifted priors, the Bayes-optimal decisions of each strategy on
Gaussian classes whose posteriors are known in closed form, tuned thresholds
against a brute-force loop over scikit-learn's metrics, and the correction
of a resampled classifier back to the original priors. The tests marked as
regressions fail on the code before their fix.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    precision_score,
    recall_score,
)
from sklearn.model_selection import StratifiedKFold

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.threshold import adjust_priors, em_priors, g_mean_score

MEANS = (0.0, 1.5, 3.0)


class ExactGaussian(ClassifierMixin, BaseEstimator):
    """Exact posteriors of 1-D classes N(means[c], 1) at the class shares of
    the labels it is fitted on (weighted by ``sample_weight``): a perfectly
    calibrated classifier whose training priors are those of its rows."""

    def __init__(self, means=MEANS[:2]):
        self.means = means

    def fit(self, X, y, sample_weight=None):
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
        mass = np.array([w[y == c].sum() for c in self.classes_])
        self.priors_ = mass / mass.sum()
        return self

    def log_joint(self, X):
        x = np.asarray(X, dtype=float)[:, :1]
        means = np.asarray(self.means)[: len(self.classes_)]
        return -0.5 * (x - means) ** 2 + np.log(self.priors_)

    def predict_proba(self, X):
        log = self.log_joint(X)
        proba = np.exp(log - log.max(axis=1, keepdims=True))
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.log_joint(X).argmax(axis=1)]


class GivenProba(ClassifierMixin, BaseEstimator):
    """``predict_proba(X)`` is ``X`` itself: probabilities chosen by the test."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.asarray(X, dtype=float)

    def predict(self, X):
        return self.classes_[np.asarray(X).argmax(axis=1)]


def _gaussians(n, priors, means=MEANS, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(priors), size=n, p=priors)
    X = (np.asarray(means)[y] + rng.normal(size=n))[:, None]
    return X, y


def _bayes_posterior(X, priors, means=MEANS):
    means = np.asarray(means)[: len(priors)]
    log = -0.5 * (np.asarray(X)[:, :1] - means) ** 2 + np.log(priors)
    proba = np.exp(log - log.max(axis=1, keepdims=True))
    return proba / proba.sum(axis=1, keepdims=True)


def _saerens(proba, train, deploy):
    """p'(c|x) = p(c|x) π'(c)/π(c), normalised: written out by hand."""
    proba = np.asarray(proba, dtype=np.float64)
    ratio = np.asarray(deploy, dtype=np.float64) / np.asarray(train, dtype=np.float64)
    moved = proba * ratio
    return moved / moved.sum(axis=1, keepdims=True)


def _hand_em(proba, train, tol=1e-8, max_iter=1000):
    """The EM of Saerens, Latinne & Decaestecker (2002), written out."""
    train = np.asarray(train, dtype=np.float64)
    train = train / train.sum()
    priors = train.copy()
    for _ in range(max_iter):
        moved = proba * (priors / train)
        moved /= moved.sum(axis=1, keepdims=True)
        updated = moved.mean(axis=0)
        done = np.abs(updated - priors).max() < tol
        priors = updated
        if done:
            break
    return priors


# ------------------------------------------------------------ adjust_priors


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adjust_priors_is_the_hand_written_formula(n_classes, dtype):
    rng = np.random.default_rng(n_classes)
    proba = rng.dirichlet(np.ones(n_classes), size=40).astype(dtype)
    proba[0] = 0.0
    proba[0, -1] = 1.0  # a certain row stays certain
    train, deploy = rng.dirichlet(np.ones(n_classes), size=2)
    given = proba.copy()
    moved = adjust_priors(proba, train, deploy)
    np.testing.assert_allclose(moved, _saerens(proba, train, deploy), rtol=1e-12)
    np.testing.assert_array_equal(proba, given)
    assert moved.dtype == np.float64
    np.testing.assert_array_equal(moved[0], np.eye(n_classes)[-1])
    # priors by class label, against a DataFrame's columns, in any order
    classes = [f"c{k}" for k in range(n_classes)]
    frame = pd.DataFrame(proba, columns=classes)
    order = rng.permutation(n_classes)
    by_label = adjust_priors(
        frame,
        {classes[k]: train[k] for k in order},
        pd.Series({classes[k]: deploy[k] for k in order}),
    )
    np.testing.assert_allclose(by_label, moved, rtol=1e-12)
    # only the ratios of the priors matter
    np.testing.assert_allclose(
        adjust_priors(proba, 7 * train, 0.5 * deploy), moved, rtol=1e-12
    )


def test_adjust_priors_renormalises_rows_within_the_tolerance_only():
    proba = np.array([[0.6, 0.40005], [0.2, 0.79996]])
    train, deploy = [0.5, 0.5], [0.8, 0.2]
    np.testing.assert_allclose(
        adjust_priors(proba, train, deploy), _saerens(proba, train, deploy)
    )
    with pytest.raises(ValueError, match="row 0 sums to 1.01"):
        adjust_priors([[0.6, 0.41]], train, deploy)


def test_adjust_priors_to_the_true_priors_gives_the_bayes_posterior():
    X, _ = _gaussians(500, [1 / 3] * 3)
    at_train = _bayes_posterior(X, [0.2, 0.3, 0.5])
    deploy = np.array([0.7, 0.25, 0.05])
    np.testing.assert_allclose(
        adjust_priors(at_train, [0.2, 0.3, 0.5], deploy),
        _bayes_posterior(X, deploy),
        rtol=1e-10,
    )


def test_adjust_priors_reads_a_class_indexed_series_by_label():
    # Regression: a Series indexed 0..n-1 whose index names proba's columns
    # (classes 0 and 1, columns in another order) was read by position.
    proba = pd.DataFrame([[0.2, 0.8], [0.6, 0.4]], columns=[1, 0])
    priors = pd.Series([0.9, 0.1])  # class 0: 0.9, class 1: 0.1
    expected = _saerens(proba.to_numpy(), [0.1, 0.9], [0.5, 0.5])
    np.testing.assert_allclose(adjust_priors(proba, priors, [0.5, 0.5]), expected)
    np.testing.assert_allclose(
        adjust_priors(proba, {0: 0.9, 1: 0.1}, [0.5, 0.5]), expected
    )
    np.testing.assert_allclose(
        em_priors(proba, priors), em_priors(proba.to_numpy(), [0.1, 0.9])
    )
    # by position still where the index does not name the columns
    named = pd.DataFrame(proba.to_numpy(), columns=["b", "a"])
    np.testing.assert_allclose(
        adjust_priors(named, pd.Series([0.1, 0.9]), [0.5, 0.5]), expected
    )


# ------------------------------------------------------------------ em_priors


@pytest.mark.parametrize("true", [[0.7, 0.2, 0.1], [0.05, 0.15, 0.8], [0.6, 0.4, 0.0]])
def test_em_recovers_a_known_label_shift(true):
    train = np.array([0.3, 0.3, 0.4])
    X, y = _gaussians(10000, true, seed=7)
    proba = _bayes_posterior(X, train)
    estimated = em_priors(proba, train)
    # the truth, up to the sampling error of the deployment rows
    shares = np.bincount(y, minlength=3) / len(y)
    np.testing.assert_allclose(estimated, shares, atol=0.015)
    assert estimated.sum() == pytest.approx(1.0)
    if true[2] == 0:  # the class absent from the deployment rows
        assert estimated[2] < 0.01
    np.testing.assert_allclose(estimated, _hand_em(proba, train), atol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("max_iter", [1, 2, 5])
def test_em_stops_at_max_iter_as_the_hand_written_loop(max_iter):
    rng = np.random.default_rng(3)
    proba = rng.dirichlet([1, 1, 1], size=300)
    train = [0.5, 0.3, 0.2]
    np.testing.assert_allclose(
        em_priors(proba, train, max_iter=max_iter),
        _hand_em(proba, train, max_iter=max_iter),
        atol=1e-15,
    )
    # one iteration is the mean posterior at the training priors
    if max_iter == 1:
        np.testing.assert_allclose(em_priors(proba, train, max_iter=1), proba.mean(0))


def test_em_stops_once_no_prior_moves_by_tol():
    rng = np.random.default_rng(4)
    proba = rng.dirichlet([2, 1], size=200)
    train = [0.5, 0.5]
    for tol in (1e-2, 1e-4, 1e-10):
        np.testing.assert_allclose(
            em_priors(proba, train, tol=tol), _hand_em(proba, train, tol=tol)
        )
    # a loose tolerance stops early: farther from the fixed point
    fixed_point = em_priors(proba, train, tol=1e-14, max_iter=100000)
    loose = np.abs(em_priors(proba, train, tol=1e-2) - fixed_point).max()
    tight = np.abs(em_priors(proba, train, tol=1e-10) - fixed_point).max()
    assert tight < loose


# ------------------------------------------------------ ThresholdMover rules


def test_cost_threshold_is_c_fp_over_c_fp_plus_c_fn_on_calibrated_proba():
    p = np.linspace(0, 1, 1001)
    P = np.column_stack([1 - p, p])
    y = np.array([0, 1] * 10)
    for c_fp, c_fn in [(1, 1), (1, 9), (4, 1), (2.5, 7.5)]:
        mover = ThresholdMover(
            FrozenEstimator(GivenProba().fit(P[:20], y)),
            "cost",
            cost_matrix=[[0, c_fp], [c_fn, 0]],
        ).fit(P[:20], y)
        threshold = c_fp / (c_fp + c_fn)
        away = np.abs(p - threshold) > 1e-9
        np.testing.assert_array_equal(
            mover.predict(P)[away], (p > threshold).astype(int)[away]
        )


def test_exact_posteriors_give_the_bayes_decisions_of_each_strategy():
    true = np.array([0.85, 0.15])
    X, y = _gaussians(4000, true, MEANS[:2], seed=1)
    x = X[:, 0]
    shares = np.bincount(y) / len(y)

    def boundary(odds):  # x where p1/p0 = odds at the priors of y
        return MEANS[1] / 2 + (np.log(odds) - np.log(shares[1] / shares[0])) / MEANS[1]

    def check(strategy, odds, **params):
        mover = ThresholdMover(ExactGaussian(), strategy, **params).fit(X, y)
        b = boundary(odds)
        away = np.abs(x - b) > 1e-9
        np.testing.assert_array_equal(mover.predict(X)[away], (x > b)[away])

    check("argmax", 1.0)
    check("prior", shares[1] / shares[0])  # balanced priors
    check("fixed", 0.3 / 0.7, threshold=0.3)
    check("cost", 1 / 4, cost_matrix=[[0, 1], [4, 0]])
    # deploy_priors move the rule to the odds of those priors
    deploy = np.array([0.5, 0.5])
    check("argmax", shares[1] / shares[0], deploy_priors=deploy)


def test_prior_rule_of_a_resampled_classifier_is_the_balanced_decision():
    X, y = _gaussians(3000, [0.75, 0.2, 0.05], seed=2)
    X_test, _ = _gaussians(3000, [1 / 3] * 3, seed=3)
    exact = ExactGaussian(MEANS)
    balanced = _bayes_posterior(X_test, [1 / 3] * 3).argmax(axis=1)
    plain = ThresholdMover(exact, "prior").fit(X, y)
    under = ThresholdMover(
        ResampledClassifier(RandomUnderSampler(random_state=0), exact), "prior"
    ).fit(X, y)
    np.testing.assert_allclose(under.train_priors_, [1 / 3] * 3)
    np.testing.assert_array_equal(plain.predict(X_test), balanced)
    np.testing.assert_array_equal(under.predict(X_test), balanced)


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
        RandomUnderSampler(sampling_strategy=0.5, random_state=0),
    ],
)
def test_resampled_exact_classifier_corrected_back_is_the_original_posterior(
    sampler,
):
    X, y = _gaussians(3000, [0.9, 0.1], MEANS[:2], seed=5)
    X_test, _ = _gaussians(500, [0.5, 0.5], MEANS[:2], seed=6)
    model = ResampledClassifier(sampler, ExactGaussian()).fit(X, y)
    drawn = y[model.sampler_.sample_indices_]
    np.testing.assert_allclose(model.resampled_priors_, np.bincount(drawn) / len(drawn))
    corrected = ThresholdMover(
        FrozenEstimator(model), "argmax", deploy_priors="train"
    ).fit(X, y)
    original = ExactGaussian().fit(X, y).predict_proba(X_test)
    np.testing.assert_allclose(corrected.predict_proba(X_test), original, rtol=1e-10)


def test_resampled_logistic_regression_corrected_back_matches_one_fitted_on_all():
    rng = np.random.default_rng(8)
    n = 40000
    y = (rng.random(n) < 0.1).astype(int)
    X = rng.normal(size=(n, 2)) + 1.2 * y[:, None]
    X_test = rng.normal(size=(2000, 2)) + 0.6
    reference = LogisticRegression().fit(X, y).predict_proba(X_test)
    for sampler in (
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
    ):
        corrected = ThresholdMover(
            ResampledClassifier(sampler, LogisticRegression()),
            "argmax",
            deploy_priors="train",
        ).fit(X, y)
        raw = corrected.estimator_.predict_proba(X_test)
        fixed = corrected.predict_proba(X_test)
        assert np.abs(raw - reference).max() > 0.2
        assert np.abs(fixed - reference).max() < 0.04


# ------------------------------------------------------------- 'tuned' rule

METRICS = {
    "f1": f1_score,
    "balanced_accuracy": balanced_accuracy_score,
    "accuracy": accuracy_score,
    "recall": recall_score,
    "precision": lambda t, p, **k: precision_score(t, p, zero_division=0.0, **k),
    "g_mean": g_mean_score,
}


@pytest.mark.parametrize("scoring", sorted(METRICS))
def test_tuned_scores_are_sklearns_metric_at_each_candidate(scoring):
    rng = np.random.default_rng(9)
    n = 240
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    X = rng.normal(size=(n, 2)) + np.array([[0, 0], [1.5, 0], [0, 1.5]])[y]
    w = rng.integers(0, 4, size=n).astype(float)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    metric = METRICS[scoring]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's zero-division warnings
        mover = ThresholdMover(
            LogisticRegression(), "tuned", scoring=scoring, thresholds=15, cv=folds
        ).fit(X, y, sample_weight=w)
        fitted = [
            (va, LogisticRegression().fit(X[tr], y[tr], sample_weight=w[tr]))
            for tr, va in folds
        ]
        for k in range(3):
            scores = [model.predict_proba(X[va])[:, k] for va, model in fitted]
            # The grid spans the rows that count: a row of weight 0 is as a
            # dropped row (review 50), where scikit-learn's
            # TunedThresholdClassifierCV spans them all.
            counted = [s[w[va] > 0] for (va, _), s in zip(fitted, scores)]
            low = min(s.min() for s in counted)
            high = max(s.max() for s in counted)
            candidates = np.linspace(low, high, 15)
            brute = np.mean(
                [
                    [
                        metric(
                            (y[va] == k).astype(int),
                            (s >= t).astype(int),
                            sample_weight=w[va],
                        )
                        for t in candidates
                    ]
                    for (va, _), s in zip(fitted, scores)
                ],
                axis=0,
            )
            np.testing.assert_allclose(mover.cv_results_["thresholds"][k], candidates)
            np.testing.assert_allclose(
                mover.cv_results_["scores"][k], brute, atol=1e-12
            )
            assert mover.threshold_[k] == candidates[np.argmax(brute)]
            assert mover.best_score_[k] == pytest.approx(brute.max(), abs=1e-12)


@pytest.mark.parametrize("pos_label", [0, 1])
@pytest.mark.parametrize("scoring", sorted(METRICS))
def test_tuned_binary_threshold_is_the_brute_force_best(scoring, pos_label):
    rng = np.random.default_rng(10)
    y = (rng.random(300) < 0.15).astype(int)
    X = rng.normal(size=(300, 2)) + y[:, None]
    model = LogisticRegression().fit(X, y)
    score = model.predict_proba(X)[:, pos_label]
    candidates = np.unique(np.round(score, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mover = ThresholdMover(
            FrozenEstimator(model),
            "tuned",
            scoring=scoring,
            thresholds=candidates,
            pos_label=pos_label,
        ).fit(X, y)
        truth = (y == pos_label).astype(int)
        brute = np.array(
            [METRICS[scoring](truth, (score >= t).astype(int)) for t in candidates]
        )
    np.testing.assert_allclose(mover.cv_results_["scores"][0], brute, atol=1e-12)
    assert mover.threshold_ == candidates[np.argmax(brute)]
    predicted = np.where(score >= mover.threshold_, pos_label, 1 - pos_label)
    np.testing.assert_array_equal(mover.predict(X), predicted)


def test_tuned_thresholds_approach_the_theoretical_optimum():
    # Exact posteriors: balanced accuracy is best at p1 = π1 (costs 1/π),
    # accuracy at p1 = 1/2, F1 at p1 = F1*/2 (Lipton et al. 2014).
    X, y = _gaussians(40000, [0.8, 0.2], MEANS[:2], seed=11)
    model = FrozenEstimator(ExactGaussian().fit(X, y))
    grid = np.linspace(0.01, 0.99, 197)

    def tuned(scoring):
        return ThresholdMover(model, "tuned", scoring=scoring, thresholds=grid).fit(
            X, y
        )

    share = y.mean()
    assert tuned("balanced_accuracy").threshold_ == pytest.approx(share, abs=0.03)
    assert tuned("accuracy").threshold_ == pytest.approx(0.5, abs=0.05)
    f1 = tuned("f1")
    assert f1.threshold_ == pytest.approx(f1.best_score_ / 2, abs=0.03)


def test_tuning_scores_of_a_tiny_range_is_not_a_constant_score():
    # Regression: scores spanning less than 1e-8 (a rare class's
    # probabilities) were taken for one constant score and refused.
    rng = np.random.default_rng(12)
    y = np.zeros(200, dtype=int)
    y[-20:] = 1  # the highest scores are the positives, apart from the rest
    p = np.where(y == 1, rng.uniform(3e-9, 5e-9, 200), rng.uniform(0, 2e-9, 200))
    p = np.sort(p)
    P = np.column_stack([1 - p, p])
    mover = ThresholdMover(
        FrozenEstimator(GivenProba().fit(P, y)), "tuned", thresholds=50
    ).fit(P, y)
    assert p[-21] < mover.threshold_ <= p[-20]  # between the two classes
    assert mover.best_score_ == 1.0
    np.testing.assert_array_equal(mover.predict(P), y)
    # a score that is the same up to rounding is still constant
    labels = np.tile([0, 1], 10)
    same = np.tile([0.3, np.nextafter(0.3, 1)], 10)
    same = np.column_stack([1 - same, same])
    with pytest.raises(ValueError, match="same score"):
        ThresholdMover(FrozenEstimator(GivenProba().fit(same, labels)), "tuned").fit(
            same, labels
        )
