"""Review 52, mutation testing of the estimators: values no test pinned.

Each test here kills single-point mutants of rebalance.threshold, _tuning,
_priors, metrics, weights and compose that survived the existing tests (the
mutant is named in the test's comment). Oracles: scikit-learn's own metrics
and ``compute_class_weight``, imbalanced-learn's ``geometric_mean_score``,
hand formulas (Bayes' rule ``p_i * w_i / sum``, class shares of the rows a
model saw), and the same rule computed by brute force.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    precision_score,
    recall_score,
)

from rebalance.metrics import _threshold_metric, g_mean_score

# ------------------------------------------------- scoring every threshold

_SKLEARN = {
    "f1": lambda t, p, w: f1_score(t, p, sample_weight=w, zero_division=0.0),
    "balanced_accuracy": lambda t, p, w: balanced_accuracy_score(t, p, sample_weight=w),
    "g_mean": lambda t, p, w: g_mean_score(t, p, sample_weight=w),
    "accuracy": lambda t, p, w: accuracy_score(t, p, sample_weight=w),
    "recall": lambda t, p, w: recall_score(t, p, sample_weight=w, zero_division=0.0),
    "precision": lambda t, p, w: precision_score(
        t, p, sample_weight=w, zero_division=0.0
    ),
}


def _tied_scores(seed: int = 3, n: int = 60):
    rng = np.random.default_rng(seed)
    truth = rng.random(n) < 0.35
    # few distinct scores: many rows sit exactly on a threshold
    scores = np.round(0.4 * truth + 0.6 * rng.random(n), 1)
    weights = rng.integers(1, 5, size=n).astype(np.float64)
    return truth, scores, weights


@pytest.mark.parametrize("name", sorted(_SKLEARN))
@pytest.mark.parametrize("weighted", [False, True])
def test_threshold_metrics_at_thresholds_equal_to_scores(name, weighted):
    # Mutants: searchsorted side='right' (a row whose score equals the
    # threshold predicted negative), fn read one row off, tnr from fn, the
    # F1 denominator without the 2, accuracy without tn, precision from fn,
    # tp's suffix sums shifted; the scorer path with '>' or without weights.
    truth, scores, weights = _tied_scores()
    w = weights if weighted else None
    thresholds = np.unique(np.concatenate([scores, [-1.0, 2.0]]))
    expected = [
        _SKLEARN[name](truth.astype(int), (scores >= t).astype(int), w)
        for t in thresholds
    ]
    fast = _threshold_metric(name)(truth, scores, thresholds, w)
    np.testing.assert_allclose(fast, expected, atol=1e-12)
    slow = _threshold_metric(
        make_scorer(
            lambda t, p, sample_weight=None: _SKLEARN[name](t, p, sample_weight)
        )
    )(truth, scores, thresholds, w)
    np.testing.assert_allclose(slow, expected, atol=1e-12)


@pytest.mark.parametrize("name", ["balanced_accuracy", "g_mean"])
@pytest.mark.parametrize("case", ["no_positive_rows", "positives_weigh_zero"])
def test_threshold_metrics_of_a_fold_missing_a_class(name, case):
    # Mutants: balanced accuracy averaging the classes with rows (not with
    # weight), or counting a class without weight; the G-mean's root taken
    # over 2 classes whatever the fold holds. Oracles: balanced_accuracy_score
    # (leaves a class of no weight out) and g_mean_score (recall 0 for a
    # class with rows but no weight; a class without rows is not one of
    # y_true's).
    truth, scores, weights = _tied_scores(seed=8)
    if case == "no_positive_rows":
        truth = np.zeros_like(truth)
    else:
        weights = np.where(truth, 0.0, weights)
    thresholds = np.unique(np.concatenate([scores, [-1.0, 2.0]]))
    warns = pytest.warns(UserWarning) if name == "balanced_accuracy" else nullcontext()
    with warns:
        expected = [
            _SKLEARN[name](truth.astype(int), (scores >= t).astype(int), weights)
            for t in thresholds
        ]
    got = _threshold_metric(name)(truth, scores, thresholds, weights)
    np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize("name", sorted(_SKLEARN))
def test_threshold_metrics_of_huge_weights_and_nan_scores(name):
    # Mutants: the weights not scaled by the largest (sums of 1e308 weights
    # overflow to inf: NaN scores), and a NaN score counted as above every
    # threshold (it is never >= one).
    truth, scores, weights = _tied_scores(seed=11)
    scores = scores.copy()
    scores[::7] = np.nan
    thresholds = np.unique(np.concatenate([scores[~np.isnan(scores)], [-1.0, 2.0]]))
    expected = [
        _SKLEARN[name](truth.astype(int), (scores >= t).astype(int), weights)
        for t in thresholds
    ]
    with np.errstate(invalid="ignore"):
        got = _threshold_metric(name)(truth, scores, thresholds, weights * 1e307)
    np.testing.assert_allclose(got, expected, atol=1e-12)


# ------------------------------------------------------ ThresholdMover rules


def _binary(seed: int = 0, n: int = 160):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    X = rng.normal(size=(n, 3)) + 0.8 * y[:, None]
    return X, y


@pytest.mark.parametrize("response", ["predict_proba", "decision_function"])
@pytest.mark.parametrize("pos_label", [None, 0, 1])
@pytest.mark.parametrize("which", ["auto", "on_a_score"])
def test_fixed_threshold_is_scikit_learns_fixed_threshold_classifier(
    response, pos_label, which
):
    # Mutants: a score equal to the threshold predicted negative, 'auto' as
    # 0.5 on decision_function, the first class as default pos_label, the
    # 1-D decision_function's columns swapped (pos_label=0 read +score).
    # Oracle: scikit-learn's FixedThresholdClassifier on the same model.
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import FixedThresholdClassifier

    from rebalance import ThresholdMover

    X, y = _binary()
    model = LogisticRegression().fit(X, y)
    if which == "auto":
        threshold = "auto"
    else:
        scores = getattr(model, response)(X)
        scores = scores[:, 1] if scores.ndim == 2 else scores
        if pos_label == 0:
            scores = 1 - scores if response == "predict_proba" else -scores
        threshold = float(np.sort(scores)[100])  # some row's own score
    ours = ThresholdMover(
        FrozenEstimator(model),
        "fixed",
        threshold=threshold,
        pos_label=pos_label,
        response_method=response,
    ).fit(X, y)
    theirs = FixedThresholdClassifier(
        FrozenEstimator(model),
        threshold=threshold,
        pos_label=pos_label,
        response_method=response,
    ).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def _balanced_accuracies(truth, scores, tried, w, val):
    """Balanced accuracy at each threshold of ``tried``, by hand:
    the mean of the weighted recalls of the two classes."""
    weight = np.ones(len(val)) if w is None else w[val]
    predicted = scores[None, :] >= tried[:, None]
    tpr = (predicted * (weight * truth)).sum(1) / (weight * truth).sum()
    tnr = (~predicted * (weight * ~truth)).sum(1) / (weight * ~truth).sum()
    return (tpr + tnr) / 2


def _hand_tuned(X, y, w, classes, columns, n, grid=None):
    """Brute-force tuning: StratifiedKFold(5) (what cv=5 means), a
    LogisticRegression per fold, candidates evenly spaced over the scores
    of the validation rows of positive weight, the mean balanced accuracy over
    the folds, the first (lowest) best candidate, as np.argmax and scikit-learn's
    TunedThresholdClassifierCV pick it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    folds = []
    for train, val in StratifiedKFold(5).split(X, y):
        fit_w = None if w is None else w[train]
        model = LogisticRegression().fit(X[train], y[train], sample_weight=fit_w)
        folds.append((val, model.predict_proba(X[val])))
    results = []
    for c in columns:
        if grid is None:
            counted = [p[:, c] if w is None else p[w[val] > 0, c] for val, p in folds]
            low = min(s.min() for s in counted)
            high = max(s.max() for s in counted)
            tried = np.linspace(low, high, n)
        else:
            tried = np.sort(grid)
        mean = np.mean(
            [
                _balanced_accuracies(y[val] == classes[c], p[:, c], tried, w, val)
                for val, p in folds
            ],
            axis=0,
        )
        results.append((tried, mean, int(np.argmax(mean))))
    return results


@pytest.mark.parametrize(
    "case",
    ["binary", "pos_label_0", "weighted", "deploy_train", "multiclass", "grid"],
)
def test_tuned_thresholds_are_the_brute_force_first_best(case):
    # Mutants: the last of equally good candidates (not the first), n + 1
    # candidates or no endpoint, the median over the folds, the highest
    # candidate at the 99th percentile, rows of weight 0 widening the
    # range, the folds' metric weights dropped, a given grid left unsorted,
    # the last class tuned whatever pos_label says, best_score_ not the
    # best mean, a fold's deploy_priors='train' unweighted (its weighted
    # training priors moved to unweighted ones). 400 candidates: many are
    # equally good. Oracle: the tuning by hand.
    from sklearn.linear_model import LogisticRegression

    from rebalance import ThresholdMover

    X, y = _binary(seed=4, n=200)
    w, pos_label, grid = None, None, None
    n = 400
    if case == "multiclass":
        rng = np.random.default_rng(5)
        y = rng.integers(0, 3, size=200)
        X = rng.normal(size=(200, 3)) + 1.2 * np.eye(3)[y]
    if case in ("weighted", "deploy_train"):
        w = np.random.default_rng(6).integers(0, 4, size=200).astype(np.float64)
    if case == "pos_label_0":
        pos_label = 0
    if case == "grid":
        grid = np.random.default_rng(7).permutation(np.linspace(0.05, 0.95, 300))
    classes = np.unique(y)
    columns = range(3) if case == "multiclass" else [0 if pos_label == 0 else 1]
    expected = _hand_tuned(X, y, w, classes, columns, n, grid)
    mover = ThresholdMover(
        LogisticRegression(),
        "tuned",
        pos_label=pos_label,
        thresholds=n if grid is None else grid,
        # each fold's probabilities moved from the priors its model was
        # fitted at to the same ones (both weighted): not moved at all
        deploy_priors="train" if case == "deploy_train" else None,
    ).fit(X, y, sample_weight=w)
    tried = np.array([t for t, _, _ in expected])
    means = np.array([m for _, m, _ in expected])
    best = [b for _, _, b in expected]
    np.testing.assert_allclose(mover.cv_results_["thresholds"], tried, rtol=1e-10)
    np.testing.assert_allclose(mover.cv_results_["scores"], means, atol=1e-12)
    chosen = np.array([t[b] for t, b in zip(tried, best)])
    scores = np.array([m[b] for m, b in zip(means, best)])
    if case != "multiclass":
        chosen, scores = chosen[0], scores[0]
    np.testing.assert_allclose(mover.threshold_, chosen, rtol=1e-10)
    np.testing.assert_allclose(mover.best_score_, scores, atol=1e-12)
    # Mutant: the multiclass rule argmax_c (s_c + t_c), not (s_c - t_c).
    if case == "multiclass":
        proba = mover.predict_proba(X)
        np.testing.assert_array_equal(
            mover.predict(X), classes[(proba - chosen).argmax(axis=1)]
        )


# ------------------------------------------------------------------ priors


@pytest.mark.parametrize("priors", [[0.6, 0.39], [0.5, 0.5 + 1e-4], {0: 0.3, 1: 0.69}])
def test_given_priors_that_do_not_sum_to_one_are_refused(priors):
    # Mutant: the tolerance on the sum of given priors loosened from 1e-6
    # to 1e-2 (priors off by a typo were silently renormalised).
    from sklearn.linear_model import LogisticRegression

    from rebalance import ThresholdMover

    X, y = _binary()
    for kind in ("train_priors", "deploy_priors"):
        mover = ThresholdMover(LogisticRegression(), "argmax", **{kind: priors})
        if kind == "train_priors":
            mover.set_params(deploy_priors="train")
        with pytest.raises(ValueError, match=f"{kind} sums to"):
            mover.fit(X, y)


def _shares(y, weight=None):
    counts = np.bincount(y, weights=weight, minlength=2).astype(np.float64)
    return counts / counts.sum()


def _weighted_model(kind):
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.svm import SVC

    if kind == "dict":
        return LogisticRegression(class_weight={1: 3.0})
    if kind == "balanced":
        return LogisticRegression(class_weight="balanced")
    if kind == "naive_bayes":
        return MultinomialNB(fit_prior=False)
    if kind == "svc":
        return SVC(probability=True, class_weight="balanced", random_state=0)
    lightgbm = pytest.importorskip("lightgbm")
    options = {"scale_pos_weight": 3.0} if kind == "scale_pos_weight" else {}
    if kind == "is_unbalance":
        options = {"is_unbalance": True}
    return lightgbm.LGBMClassifier(n_estimators=3, verbose=-1, **options)


@pytest.mark.filterwarnings("ignore:The `probability` parameter:FutureWarning")
@pytest.mark.parametrize(
    "kind",
    ["dict", "balanced", "naive_bayes", "svc", "scale_pos_weight", "is_unbalance"],
)
def test_train_priors_of_class_weighted_models_by_hand(kind):
    # Mutants: class weights multiplied but not renormalised, a class the
    # class_weight dict leaves out weighted 0 (scikit-learn: 1), 'balanced'
    # as times the counts or from the unweighted counts (LogisticRegression
    # weighs them by sample_weight), MultinomialNB(fit_prior=False)'s
    # uniform priors ignored, an SVC's rows of weight 0 kept (libsvm drops
    # them; its Platt scaling follows the labels alone), scale_pos_weight
    # on the first class, is_unbalance as times the counts. Oracle: the
    # class shares the model saw, by hand.
    from rebalance import ThresholdMover

    X, y = _binary(seed=2, n=200)
    X = np.abs(X)  # MultinomialNB
    weight = np.random.default_rng(3).integers(0, 4, size=200).astype(np.float64)
    plain = _shares(y, weight)
    expected = {
        "dict": plain * [1.0, 3.0] / (plain * [1.0, 3.0]).sum(),
        "balanced": np.array([0.5, 0.5]),
        "naive_bayes": np.array([0.5, 0.5]),
        "svc": _shares(y[weight > 0]),
        "scale_pos_weight": plain * [1.0, 3.0] / (plain * [1.0, 3.0]).sum(),
        # is_unbalance weighs the classes by 1 / (unweighted row count)
        "is_unbalance": plain / _shares(y) / (plain / _shares(y)).sum(),
    }[kind]
    mover = ThresholdMover(_weighted_model(kind), "prior").fit(
        X, y, sample_weight=weight
    )
    np.testing.assert_allclose(mover.train_priors_, expected, rtol=1e-9)
    assert mover.train_priors_.sum() == pytest.approx(1.0, abs=1e-12)


def _bayes(proba, train, deploy):
    moved = proba * np.asarray(deploy) / np.asarray(train)
    return moved / moved.sum(axis=1, keepdims=True)


def _em_by_hand(proba, train):
    priors = np.asarray(train, dtype=np.float64)
    for _ in range(100_000):
        updated = _bayes(proba, train, priors).mean(axis=0)
        if np.abs(updated - priors).max() < 1e-15:
            break
        priors = updated
    return updated


@pytest.mark.parametrize("deploy", ["train", "em", "given"])
def test_prior_correction_is_bayes_rule_by_hand(deploy):
    # Mutants: deploy_priors='train' unweighted by sample_weight, the move
    # from deploy to train (not train to deploy), EM started from uniform
    # training priors, EM's tolerance 1e-3, EM's step without the prior
    # ratios, stopped while a prior still grows. Oracle: p_i * w_i / sum
    # with w = deploy / train, and EM (Saerens et al. 2002) iterated by hand
    # to convergence.
    from sklearn.linear_model import LogisticRegression

    from rebalance import ThresholdMover

    X, y = _binary(seed=9, n=300)
    weight = np.random.default_rng(10).integers(1, 5, size=300).astype(np.float64)
    train = np.array([0.6, 0.4])
    given = {"train": "train", "em": "em", "given": [0.8, 0.2]}[deploy]
    mover = ThresholdMover(
        LogisticRegression(), "argmax", train_priors=train, deploy_priors=given
    ).fit(X, y, sample_weight=weight)
    raw = LogisticRegression().fit(X, y, sample_weight=weight).predict_proba(X)
    if deploy == "train":
        target = _shares(y, weight)
        np.testing.assert_allclose(mover.deploy_priors_, target, rtol=1e-12)
    elif deploy == "em":
        target = _em_by_hand(raw, train)
    else:
        target = np.array([0.8, 0.2])
    expected = _bayes(raw, train, target)
    np.testing.assert_allclose(mover.predict_proba(X), expected, rtol=1e-6)
    np.testing.assert_array_equal(mover.predict(X), expected.argmax(axis=1))


def test_priors_of_resampled_and_class_weighted_models_by_hand():
    # Mutants: a ResampledClassifier's resampled_priors_ without its
    # classifier's class_weight, or without a nested ResampledClassifier's
    # own priors; train_priors of an imbalanced-learn pipeline that
    # under-samples read from all of y (not the rows its sampler drew); a
    # fitted sampler as train_priors read as the shares of all of y. Oracle:
    # the class shares of the rows drawn (sample_indices_), times the class
    # weights, renormalised.
    from imblearn.pipeline import make_pipeline
    from imblearn.under_sampling import RandomUnderSampler as ImbUnder
    from sklearn.linear_model import LogisticRegression

    from rebalance import (
        RandomOverSampler,
        RandomUnderSampler,
        ResampledClassifier,
        ThresholdMover,
    )

    X, y = _binary(seed=12, n=200)
    over = RandomOverSampler(sampling_strategy=0.6, random_state=0)
    weighted = ResampledClassifier(over, LogisticRegression(class_weight={1: 3.0})).fit(
        X, y
    )
    drawn = _shares(y[weighted.sampler_.sample_indices_])
    expected = drawn * [1.0, 3.0] / (drawn * [1.0, 3.0]).sum()
    np.testing.assert_allclose(weighted.resampled_priors_, expected, rtol=1e-12)

    nested = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.8, random_state=1),
        ResampledClassifier(RandomOverSampler(random_state=2), LogisticRegression()),
    ).fit(X, y)
    np.testing.assert_allclose(nested.resampled_priors_, [0.5, 0.5], rtol=1e-12)

    pipeline = make_pipeline(
        ImbUnder(sampling_strategy=0.7, random_state=0), LogisticRegression()
    )
    mover = ThresholdMover(pipeline, "prior").fit(X, y)
    kept = mover.estimator_.steps[0][1].sample_indices_
    np.testing.assert_allclose(mover.train_priors_, _shares(y[kept]), rtol=1e-12)
    assert not np.allclose(mover.train_priors_, _shares(y))

    sampler = RandomUnderSampler(sampling_strategy=0.9, random_state=3)
    sampler.fit_resample(X, y)
    given = ThresholdMover(LogisticRegression(), "prior", train_priors=sampler)
    given.fit(X, y)
    np.testing.assert_allclose(
        given.train_priors_, _shares(y[sampler.sample_indices_]), rtol=1e-12
    )
    assert not np.allclose(given.train_priors_, _shares(y))


@pytest.mark.parametrize("threshold", [0.0, 1.0])
def test_fixed_thresholds_at_the_ends_of_the_probabilities(threshold):
    # Mutant: threshold=0.0 refused on probabilities (it is in [0, 1]: every
    # row positive). Oracle: scikit-learn's FixedThresholdClassifier.
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import FixedThresholdClassifier

    from rebalance import ThresholdMover

    X, y = _binary()
    model = LogisticRegression().fit(X, y)
    ours = ThresholdMover(FrozenEstimator(model), "fixed", threshold=threshold)
    theirs = FixedThresholdClassifier(FrozenEstimator(model), threshold=threshold)
    np.testing.assert_array_equal(
        ours.fit(X, y).predict(X), theirs.fit(X, y).predict(X)
    )


def test_scorer_naming_its_classes_scores_rows_on_the_threshold_as_positive():
    # Mutant: a scorer that names its pos_label scored with 'score >
    # threshold' (the other paths, and predict, use >=). Oracle: f1_score of
    # the class labels predicted at each threshold by hand.
    truth, scores, weights = _tied_scores(seed=13)
    labels = np.where(truth, "yes", "no")
    thresholds = np.unique(scores)
    scorer = make_scorer(f1_score, pos_label="yes")
    got = _threshold_metric(scorer)(truth, scores, thresholds, weights, ("no", "yes"))
    expected = [
        f1_score(
            labels,
            np.where(scores >= t, "yes", "no"),
            pos_label="yes",
            sample_weight=weights,
        )
        for t in thresholds
    ]
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_effective_number_weights_default_beta_by_hand():
    # Mutant: class_weights' default beta changed from the documented 0.999.
    # Oracle: (1 - beta) / (1 - beta ** n_c), scaled to sum to n_classes.
    from rebalance.weights import class_weights, sample_weights

    y = np.repeat([0, 1, 2], [500, 60, 7])
    raw = (1 - 0.999) / (1 - 0.999 ** np.array([500.0, 60.0, 7.0]))
    expected = raw * 3 / raw.sum()
    got = class_weights(y, "effective_number")
    np.testing.assert_allclose(list(got.values()), expected, rtol=1e-12)
    np.testing.assert_allclose(
        sample_weights(y, "effective_number"), expected[y], rtol=1e-12
    )


def test_adjust_priors_of_extreme_but_valid_priors_by_hand():
    # Mutant: the log-space terms not shifted by the row's largest before
    # exp (a training prior of 1e-310 overflowed to inf: NaN posteriors).
    # Oracle: p_i * w_i / sum, w = deploy / train, by hand.
    from rebalance.threshold import adjust_priors

    got = adjust_priors([[0.5, 0.5], [0.9, 0.1]], [1e-310, 1.0], [0.5, 0.5])
    expected = [[1.0, 1e-310], [1.0, 0.1e-310 / 0.9]]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)


def test_em_priors_keeps_going_while_a_tiny_prior_grows():
    # Mutant: EM stopped once no prior changes by more than tol, while a
    # prior of 1e-12 still triples per iteration (each change below 1e-8).
    # Oracle: EM iterated by hand to convergence.
    from rebalance.threshold import em_priors

    proba = np.array([[1 - 3e-12, 3e-12]] * 5 + [[1 - 1e-13, 1e-13]] * 5)
    train = np.array([1 - 1e-12, 1e-12])
    np.testing.assert_allclose(
        em_priors(proba, train), _em_by_hand(proba, train), rtol=1e-6, atol=1e-9
    )


# -------------------------------------------------------- ResampledClassifier


def test_resampled_classifier_on_a_categorical_draws_as_its_sampler():
    # Mutants: the unused categories of a categorical y counted as classes
    # it holds (the fit refused: "left out every row of class 'c'"), and the
    # sampler given y as the classifier reads it (the categories' order
    # lost: another draw than sampler.fit_resample(X, y)). Oracle: the same
    # sampler's own fit_resample on the same y, and the shares of its rows.
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from rebalance import RandomUnderSampler, ResampledClassifier

    X, codes = _binary(seed=14, n=120)
    y = pd.Series(pd.Categorical.from_codes(1 - codes, categories=["b", "a", "unused"]))
    sampler = RandomUnderSampler(sampling_strategy=0.8, random_state=4)
    model = ResampledClassifier(sampler, LogisticRegression()).fit(X, y)
    alone = RandomUnderSampler(sampling_strategy=0.8, random_state=4)
    alone.fit_resample(X, y)
    np.testing.assert_array_equal(model.sampler_.sample_indices_, alone.sample_indices_)
    assert model.classes_.tolist() == ["a", "b"]
    drawn = np.asarray(y)[alone.sample_indices_]
    np.testing.assert_allclose(
        model.resampled_priors_, [np.mean(drawn == "a"), np.mean(drawn == "b")]
    )
    # an imbalanced-learn sampler gets (and gives) the labels as numpy values
    from imblearn.under_sampling import RandomUnderSampler as ImbUnder

    imb = ResampledClassifier(ImbUnder(random_state=4), LogisticRegression())
    assert imb.fit(X, y).classes_.tolist() == ["a", "b"]
    np.testing.assert_allclose(imb.resampled_priors_, [0.5, 0.5])


def test_bagging_without_bootstrap_follows_the_mean_of_its_draws():
    # Mutant: only the first member's draw read. Oracle: the mean over the
    # members of the class shares of the rows each was fitted on
    # (estimators_samples_).
    from sklearn.ensemble import BaggingClassifier
    from sklearn.linear_model import LogisticRegression

    from rebalance import ThresholdMover

    X, y = _binary(seed=15, n=300)
    bagging = BaggingClassifier(
        LogisticRegression(),
        n_estimators=4,
        max_samples=0.4,
        bootstrap=False,
        random_state=0,
    )
    mover = ThresholdMover(bagging, "prior").fit(X, y)
    draws = [_shares(y[rows]) for rows in mover.estimator_.estimators_samples_]
    np.testing.assert_allclose(mover.train_priors_, np.mean(draws, axis=0))
    assert not np.allclose(mover.train_priors_, draws[0])


def test_early_stopping_booster_with_a_class_of_no_weight_is_refused():
    # Mutant: the booster's baseline share of a class of weight 0 (clipped
    # 10 ulps from 0, ~1e-15) kept as its training prior: 'prior' divided
    # by it and predicted that class for every row, silently.
    from sklearn.ensemble import HistGradientBoostingClassifier

    from rebalance import ThresholdMover

    X, y = _binary(seed=15, n=300)
    booster = HistGradientBoostingClassifier(
        early_stopping=True, max_iter=5, class_weight={0: 1.0, 1: 0.0}, random_state=0
    )
    with pytest.raises(ValueError, match=r"gives the classes \[1\] no weight"):
        ThresholdMover(booster, "prior").fit(X, y)


def test_all_zero_sample_weight_is_refused_before_any_fit():
    # Mutant: ThresholdMover's test of all-zero weights (rows of weight > 0)
    # read as >= 0: the estimator was fitted first, and failed with its own
    # message (or not at all).
    from rebalance import ThresholdMover

    X, y = _binary()
    never = _NeverFitted()
    for strategy in ("prior", "tuned"):
        with pytest.raises(ValueError, match="sample_weight is all zero"):
            ThresholdMover(never, strategy).fit(X, y, sample_weight=np.zeros(len(y)))


class _NeverFitted:
    """A classifier whose fit must not be reached."""

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y, sample_weight=None):
        raise AssertionError("fitted before the weights were checked")

    def predict_proba(self, X):  # pragma: no cover
        raise AssertionError


class _NoScore:
    """A classifier without score (and without ClassifierMixin)."""

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return (np.asarray(X)[:, 0] > 0.4).astype(int)


def test_resampled_classifier_score_without_a_classifier_score_is_weighted():
    # Mutant: the mean accuracy of a classifier without score computed
    # unweighted. Oracle: accuracy_score with the weights.
    from rebalance import RandomOverSampler, ResampledClassifier

    X, y = _binary(seed=16)
    weight = np.random.default_rng(17).integers(0, 5, size=len(y)).astype(float)
    model = ResampledClassifier(RandomOverSampler(random_state=0), _NoScore())
    model.fit(X, y)
    predicted = (X[:, 0] > 0.4).astype(int)
    expected = accuracy_score(y, predicted, sample_weight=weight)
    assert model.score(X, y, sample_weight=weight) == pytest.approx(expected, abs=1e-12)
    assert expected != pytest.approx(accuracy_score(y, predicted), abs=1e-3)


def test_zero_training_prior_is_refused():
    # Mutant: a training prior of 0 accepted (posteriors divided by it:
    # NaN rows, without a word).
    from rebalance.threshold import adjust_priors, em_priors

    proba = [[0.3, 0.7], [0.6, 0.4]]
    with pytest.raises(ValueError, match="train_priors has a zero prior"):
        adjust_priors(proba, [0.0, 1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="train_priors has a zero prior"):
        em_priors(proba, [1.0, 0.0])


def test_tuning_with_a_scorer_naming_the_positive_class():
    # Mutant: the (negative, positive) classes of a binary tuning swapped: a
    # scorer made with pos_label='yes', the default positive class, was
    # refused (or scored the other class). Oracle: the string scoring of the
    # same metric, which scores the positive class.
    from sklearn.linear_model import LogisticRegression

    from rebalance import ThresholdMover

    X, codes = _binary(seed=18)
    y = np.where(codes == 1, "yes", "no")
    named = ThresholdMover(
        LogisticRegression(),
        "tuned",
        scoring=make_scorer(f1_score, pos_label="yes"),
        thresholds=40,
    ).fit(X, y)
    plain = ThresholdMover(
        LogisticRegression(), "tuned", scoring="f1", thresholds=40
    ).fit(X, y)
    assert named.threshold_ == plain.threshold_
    np.testing.assert_allclose(
        named.cv_results_["scores"], plain.cv_results_["scores"], atol=1e-12
    )


def test_validation_fold_of_zero_weight_is_named_before_the_folds_are_fitted():
    # Mutant: the check of each validation fold's weights dropped: the
    # folds were fitted, then the metric refused the fold with a message
    # that names no fold.
    from sklearn.linear_model import LogisticRegression

    from rebalance import ThresholdMover

    X, y = _binary(seed=19, n=120)
    rows = np.arange(120)
    folds = [(rows[rows % 3 != k], rows[rows % 3 == k]) for k in range(3)]
    weight = np.where(rows % 3 == 1, 0.0, 1.0)
    with pytest.raises(ValueError, match="cv gave fold 1 validation rows"):
        ThresholdMover(LogisticRegression(), "tuned", cv=folds).fit(
            X, y, sample_weight=weight
        )
