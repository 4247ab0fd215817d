"""Review 77, compare3: the statistics of ``rebalance.compare`` checked by hand.

No wrong number was found; these tests pin what was recomputed: the per-fold
scores against ``sklearn.model_selection.cross_validate`` over the same folds,
the Nadeau-Bengio p-values against the formula with ``scipy.stats.t``, the
mean and std of the summary, ``within_noise`` at its alpha, and the same
numbers with ``n_jobs=1`` and ``n_jobs=2`` and in ``to_json``.
"""

import numpy as np
import pytest
from joblib import parallel_config
from scipy import stats
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer, recall_score
from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline

from rebalance._columns import make_preprocessor
from rebalance.compare import compare

FOLDS, REPEATS, SEED = 2, 2, 3
METHODS = ["none", "under"]


@pytest.fixture(scope="module")
def data():
    X, y = load_breast_cancer(return_X_y=True)
    # 80 benign (1) and 20 malignant (0) rows: class 0 is the minority.
    rows = np.r_[np.flatnonzero(y == 1)[:80], np.flatnonzero(y == 0)[:20]]
    return X[rows][:, :4], y[rows]


@pytest.fixture(scope="module")
def result(data):
    X, y = data
    return compare(
        X,
        y,
        folds=FOLDS,
        repeats=REPEATS,
        seed=SEED,
        method_names=METHODS,
        progress=False,
    )


def test_fold_scores_match_cross_validate(data, result):
    X, y = data
    assert result.positive == 0
    codes = (y == result.positive).astype(int)  # the positive class is code 1
    cv = RepeatedStratifiedKFold(n_splits=FOLDS, n_repeats=REPEATS, random_state=SEED)
    model = make_pipeline(
        make_preprocessor(None, SEED),
        LogisticRegression(max_iter=2000, random_state=SEED),
    )
    scoring = {
        "roc_auc": "roc_auc",
        "average_precision": "average_precision",
        "balanced_accuracy": "balanced_accuracy",
        "f1": "f1",
        "accuracy": "accuracy",
        "worst_recall": make_scorer(
            lambda t, p: recall_score(t, p, average=None).min()
        ),
    }
    expected = cross_validate(model, X, codes, cv=cv, scoring=scoring)
    for metric in scoring:
        np.testing.assert_allclose(
            result.scores["none"][metric], expected[f"test_{metric}"], atol=1e-12
        )


def test_summary_ranking_and_p_values_by_hand(result):
    metric = "average_precision"
    summary = result.summary()
    means = {m: np.mean(result.scores[m][metric]) for m in METHODS}
    for m in METHODS:
        assert summary[m][metric] == pytest.approx(
            (means[m], np.std(result.scores[m][metric]))
        )
    order = result.ranking(metric)
    assert order == sorted(METHODS, key=lambda m: -means[m])
    best = np.array(result.scores[order[0]][metric])
    p_values = result.p_vs_best(metric)
    assert p_values[order[0]] is None
    n = FOLDS * REPEATS
    for m in order[1:]:
        d = best - np.array(result.scores[m][metric])
        # Nadeau & Bengio: var(d) (1/J + n_test/n_train), t with J - 1 df.
        t = d.mean() / np.sqrt((1 / n + 1 / (FOLDS - 1)) * d.var(ddof=1))
        assert p_values[m] == pytest.approx(2 * stats.t.sf(abs(t), n - 1))
    for alpha in (1e-9, 0.05, 1 - 1e-9):
        assert result.within_noise(metric, alpha=alpha) == [
            m for m in order if p_values[m] is None or p_values[m] >= alpha
        ]


def test_n_jobs_and_json_give_the_same_numbers(data, result):
    X, y = data
    # Threads: the same parallel code path, without starting processes.
    with parallel_config(backend="threading"):
        again = compare(
            X,
            y,
            folds=FOLDS,
            repeats=REPEATS,
            seed=SEED,
            method_names=METHODS,
            progress=False,
            n_jobs=2,
        )
    assert again.scores == result.scores
    out = result.to_json("balanced_accuracy")
    assert out["scores"] == result.scores
    p_values = result.p_vs_best("balanced_accuracy")
    for m in METHODS:
        assert out["summary"][m]["p_vs_best"] == p_values[m]
        assert out["summary"][m]["not_distinguishable_from_best"] == (
            m in result.within_noise("balanced_accuracy")
        )
        np.testing.assert_array_equal(
            out["per_class_recall"][m]["0"], result.recalls[m][:, 1]
        )


def test_within_noise_takes_decimal_and_fraction_levels():
    # Review 77: alpha=Decimal("0.05") was refused as "not between 0 and 1".
    from decimal import Decimal
    from fractions import Fraction

    from rebalance.compare import ComparisonResult

    rng = np.random.default_rng(0)
    scores = {
        "a": {"average_precision": rng.uniform(0.5, 0.6, 5)},
        "b": {"average_precision": rng.uniform(0.5, 0.6, 5)},
    }
    result = ComparisonResult(y=np.array([0, 1] * 10), scores=scores)
    expected = result.within_noise(alpha=0.05)
    assert result.within_noise(alpha=Decimal("0.05")) == expected
    assert result.within_noise(alpha=Fraction(1, 20)) == expected
    with pytest.raises(ValueError, match=r"got '0.05' \(str\)"):
        result.within_noise(alpha="0.05")
