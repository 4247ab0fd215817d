"""Review 66, compare numbers: every row of ``compare`` rebuilt by hand from
its documented definition and scored with scikit-learn's ``cross_validate``
on the same folds; the p-values recomputed from the Nadeau & Bengio (2003)
formula; the ranking, text, JSON and ``n_jobs`` checked against them."""

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from scipy import stats
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline

from rebalance.compare import ALPHA, METRIC_LABELS, compare, format_p
from rebalance.compose import ResampledClassifier
from rebalance.samplers import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.threshold import ThresholdMover
from rebalance.weights import class_weights

FOLDS, REPEATS, SEED = 2, 2, 0


def _logistic(**params):
    return LogisticRegression(max_iter=2000, random_state=SEED, **params)


def _by_hand(name, y_train, n_classes):
    """The row ``name`` of model='logistic', as its documentation defines it."""
    rows = {
        "none": lambda: _logistic(),
        "class-weight": lambda: _logistic(class_weight=class_weights(y_train)),
        "class-weight-effective": lambda: _logistic(
            class_weight=class_weights(y_train, method="effective_number")
        ),
        "threshold-prior": lambda: ThresholdMover(_logistic(), strategy="prior"),
        "threshold-cost-fn5": lambda: ThresholdMover(
            _logistic(), strategy="cost", cost_matrix=[[0, 1], [5, 0]]
        ),
        "threshold-tuned-f1": lambda: ThresholdMover(
            _logistic(), strategy="tuned", scoring="f1", cv=3
        ),
    }
    samplers = {
        "under": RandomUnderSampler,
        "over": RandomOverSampler,
        "class-balanced": ClassBalancedSampler,
        "label-shuffle": LabelShuffleSampler,
    }
    for row, sampler in samplers.items():
        rows[row] = lambda s=sampler: ResampledClassifier(
            s(random_state=SEED), _logistic()
        )
    for row, sampler in (("under", RandomUnderSampler), ("over", RandomOverSampler)):
        rows[f"{row}+prior-correction"] = lambda s=sampler: ThresholdMover(
            ResampledClassifier(s(random_state=SEED), _logistic()),
            strategy="argmax",
            deploy_priors="train",
        )
    return rows[name]()


def _scorer(n_classes):
    """The seven metrics as documented by ``score_fold``, written anew."""

    def score(estimator, X, y):
        proba, pred = estimator.predict_proba(X), estimator.predict(X)
        recalls = recall_score(y, pred, average=None, labels=np.arange(n_classes))
        out = {
            "balanced_accuracy": balanced_accuracy_score(y, pred),
            "g_mean": float(np.prod(recalls) ** (1 / n_classes)),
            "worst_recall": recalls.min(),
        }
        if n_classes == 2:
            out.update(
                roc_auc=roc_auc_score(y, proba[:, 1]),
                average_precision=average_precision_score(y, proba[:, 1]),
                f1=f1_score(y, pred, zero_division=0),
                accuracy=accuracy_score(y, proba[:, 1] >= 0.5),
            )
        else:
            out.update(
                roc_auc=roc_auc_score(y, proba, multi_class="ovr"),
                average_precision=np.mean(
                    [average_precision_score(y == k, proba[:, k]) for k in range(3)]
                ),
                f1=f1_score(y, pred, average="macro", zero_division=0),
                accuracy=accuracy_score(y, proba.argmax(axis=1)),
            )
        return out

    return score


def _nadeau_bengio(a, b, n_folds, ratio):
    d = np.subtract(a, b)
    if d.var(ddof=1) == 0:
        return 1.0 if d.mean() == 0 else 0.0
    t = d.mean() / np.sqrt((1 / n_folds + ratio) * d.var(ddof=1))
    return 2 * stats.t.sf(abs(t), n_folds - 1)


def _check_against_hand(result, X, codes, preprocess):
    n_classes = int(codes.max()) + 1
    splits = list(
        RepeatedStratifiedKFold(
            n_splits=FOLDS, n_repeats=result.repeats, random_state=SEED
        ).split(X, codes)
    )
    assert set(result.scores)  # something ran
    for name, by_metric in result.scores.items():
        assert set(by_metric) == set(METRIC_LABELS)
        for k, (train, test) in enumerate(splits):
            estimator = make_pipeline(
                preprocess(), _by_hand(name, codes[train], n_classes)
            )
            got = cross_validate(
                estimator,
                X,
                codes,
                cv=[(train, test)],
                scoring=_scorer(n_classes),
                error_score="raise",
            )
            for metric in METRIC_LABELS:
                assert by_metric[metric][k] == pytest.approx(
                    got[f"test_{metric}"][0], abs=1e-9
                ), (name, metric, k)
    for metric in METRIC_LABELS:
        means = {m: np.mean(s[metric]) for m, s in result.scores.items()}
        order = sorted(means, key=lambda m: -means[m])
        assert result.ranking(metric) == order
        p_values = result.p_vs_best(metric)
        assert p_values[order[0]] is None
        for m in order[1:]:
            expected = _nadeau_bengio(
                result.scores[order[0]][metric],
                result.scores[m][metric],
                len(splits),
                1 / (FOLDS - 1),
            )
            assert p_values[m] == pytest.approx(expected, abs=1e-9), (m, metric)


def _numeric_preprocess():
    from rebalance._columns import make_preprocessor

    return make_preprocessor(None, SEED)


def test_binary_rows_equal_cross_validate_by_hand():
    # breast cancer thinned to 1:20 (malignant, the minority, is positive)
    X, y = load_breast_cancer(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 0)[:8], np.flatnonzero(y == 1)[:160]]
    X, y = X[keep][:, :6], y[keep]
    # every row of the model (one repeat, to stay quick; the other tests
    # repeat the folds)
    result = compare(X, y, folds=FOLDS, seed=SEED, progress=False)
    assert result.positive == 0 and not result.skipped
    _check_against_hand(result, X, (y == 0).astype(int), _numeric_preprocess)


def test_multiclass_and_positive_label_rows_equal_cross_validate_by_hand():
    X, y = load_wine(return_X_y=True)
    keep = np.r_[
        np.flatnonzero(y == 0)[:25],
        np.flatnonzero(y == 1)[:25],
        np.flatnonzero(y == 2)[:8],
    ]
    X, y = X[keep][:, :5], y[keep]
    names = ["class-weight", "over+prior-correction"]
    options = dict(folds=FOLDS, repeats=REPEATS, seed=SEED, progress=False)
    result = compare(X, y, method_names=names, **options)
    assert result.n_classes == 3 and result.label("f1") == "macro F1"
    _check_against_hand(result, X, y, _numeric_preprocess)
    # one class against the rest: the majority class 1 as the positive one
    result = compare(X, y, method_names=names, positive_label=1, **options)
    assert result.labels == ["not 1", 1]
    _check_against_hand(result, X, (y == 1).astype(int), _numeric_preprocess)


def test_mixed_frame_rows_equal_cross_validate_by_hand():
    from rebalance._columns import (
        make_preprocessor,
        missing_as_na,
        plan_columns,
        prepare_frame,
    )

    rng = np.random.RandomState(1)
    n = 80
    y = np.where(np.arange(n) % 8 == 0, "churn", "stay")
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n) + 1.5 * (y == "churn"),
            "num_na": np.where(rng.rand(n) < 0.2, np.nan, rng.normal(size=n)),
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "txt": pd.Series(rng.choice(["x", "y", None], n), dtype=object),
        }
    )
    given = X.copy()
    names = ["threshold-cost-fn5"]
    result = compare(
        X, y, method_names=names, folds=FOLDS, repeats=REPEATS, progress=False
    )
    pd.testing.assert_frame_equal(X, given)  # not modified
    prepared = missing_as_na(X)
    plan = plan_columns(prepared)
    _check_against_hand(
        result,
        prepare_frame(prepared, plan),
        (y == "churn").astype(int),
        lambda: make_preprocessor(plan, SEED),
    )


def _small_binary():
    X, y = load_breast_cancer(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 0)[:10], np.flatnonzero(y == 1)[:90]]
    return X[keep][:, :4], y[keep]


def test_json_text_and_n_jobs_follow_the_scores():
    X, y = _small_binary()
    names = ["none", "under", "class-weight", "threshold-prior", "threshold-cost-fn5"]
    options = dict(folds=FOLDS, repeats=REPEATS, method_names=names, progress=False)
    result = compare(X, y, **options)
    # Two jobs in threads: the same gathering of the outputs as in processes,
    # without the seconds of starting worker processes.
    with parallel_config(backend="threading"):
        parallel = compare(X, y, n_jobs=2, **options)
    assert parallel.scores == result.scores
    for name in names:
        np.testing.assert_array_equal(parallel.oof[name], result.oof[name])
        np.testing.assert_array_equal(parallel.recalls[name], result.recalls[name])
    metric = "balanced_accuracy"
    data = result.to_json(metric)
    p_values = result.p_vs_best(metric)
    table = result.table(metric).splitlines()
    conclusion = result.conclusion(metric)
    for name in names:
        entry = data["summary"][name]
        for key, values in result.scores[name].items():
            assert data["scores"][name][key] == values
            assert entry[key] == {"mean": np.mean(values), "std": np.std(values)}
        # balanced accuracy is the mean of the per-class recalls
        np.testing.assert_allclose(
            result.scores[name][metric], result.recalls[name].mean(axis=1)
        )
        p = p_values[name]
        same = p is None or p >= ALPHA
        assert entry["p_vs_best"] == p
        assert entry["not_distinguishable_from_best"] == same
        (line,) = [row for row in table if row.startswith(f"{name} ")]
        assert ("best" if p is None else format_p(p)) in line
        assert ("≈" in line) == (p is not None and same)
        if p is None:
            mean, std = (
                np.mean(result.scores[name][metric]),
                np.std(result.scores[name][metric]),
            )
            assert f"Best on bal acc: {name} ({mean:.3f} ± {std:.3f})" in conclusion
    worse = [m for m, p in p_values.items() if p is not None and p < ALPHA]
    if worse:
        listed = ", ".join(worse)
        assert f"Worse beyond the noise (p < {ALPHA}): {listed}." in conclusion
    else:
        assert "No other fix is distinguishable from it" in conclusion
    text = result.describe("bc", "logistic", 0)
    assert "100 rows, 2 classes (1: 90, 0: 10); imbalance ratio 9.0:1" in text
    assert "2-fold stratified CV repeated 2 times (4 folds)" in text


def test_out_of_fold_probabilities_and_prior_correction_by_hand():
    from sklearn.model_selection import cross_val_predict

    X, y = _small_binary()
    codes = (y == 0).astype(int)
    result = compare(
        X,
        y,
        folds=FOLDS,
        repeats=REPEATS,
        method_names=["none", "under", "under+prior-correction"],
        progress=False,
    )
    splits = list(
        RepeatedStratifiedKFold(
            n_splits=FOLDS, n_repeats=REPEATS, random_state=SEED
        ).split(X, codes)
    )[:FOLDS]  # the curves are drawn from the first repeat
    oof = cross_val_predict(
        make_pipeline(_numeric_preprocess(), _logistic()),
        X,
        codes,
        cv=splits,
        method="predict_proba",
    )
    np.testing.assert_allclose(result.oof["none"], oof, rtol=0, atol=1e-12)
    # p' ∝ p * prior_train / prior_resampled (1/2 each after under-sampling)
    for train, test in splits:
        prior = np.bincount(codes[train]) / len(train)
        moved = result.oof["under"][test] * prior / 0.5
        moved /= moved.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(
            result.oof["under+prior-correction"][test], moved, rtol=0, atol=1e-12
        )
