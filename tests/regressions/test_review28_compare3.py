"""Review round 28, area compare3: what `rebalance compare` reports."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rebalance.compare import METRIC_LABELS, ComparisonResult, compare


def _result_with_p(target_p: float) -> ComparisonResult:
    """Two methods on 4 folds whose corrected t-test p-value is ``target_p``."""
    ratio, n = 1 / 3, 4
    t = stats.t.isf(target_p / 2, n - 1)
    mean = 0.01
    # d = mean + e * (+1, -1, +1, -1): var(d, ddof=1) = 4 e^2 / 3.
    e = mean / (t * np.sqrt((1 / n + ratio) * 4 / 3))
    best = np.array([0.9, 0.8, 0.85, 0.95])
    other = best - (mean + e * np.array([1, -1, 1, -1]))
    scores = {
        "best": {k: best.tolist() for k in METRIC_LABELS},
        "other": {k: other.tolist() for k in METRIC_LABELS},
    }
    return ComparisonResult(
        y=np.array([0, 1] * 8),
        folds=4,
        test_train_ratio=ratio,
        scores=scores,
        recalls={m: np.full((4, 2), 0.5) for m in scores},
    )


def _frame(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["no"] * (n - n // 4) + ["yes"] * (n // 4))
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "ab", "c"])
    X["a"] += 2.0 * (y == "yes")
    return X, y


# An unknown sort metric gave a bare KeyError ('auc') from ranking, table,
# conclusion, to_json, plot and report: now a ValueError naming the choices.
@pytest.mark.parametrize("call", ["table", "ranking", "p_vs_best", "conclusion"])
def test_an_unknown_sort_metric_is_a_value_error_naming_the_choices(call):
    result = _result_with_p(0.3)
    with pytest.raises(ValueError, match="must be one of .*'roc_auc'.*got 'auc'"):
        getattr(result, call)("auc")
    with pytest.raises(ValueError, match="deprecated name of 'f1'"):
        result.to_json("f1_minority")


# method_names="none" was read letter by letter: "unknown method(s) ['n',
# 'o', 'n', 'e']".
def test_a_single_method_name_as_a_string_is_that_method():
    X, y = _frame()
    result = compare(X, y, folds=2, method_names="none", progress=False)
    assert list(result.scores) == ["none"]


# drop="ab" dropped the columns "a" and "b" (its letters) and kept "ab":
# a silently different feature set.
def test_a_single_drop_name_as_a_string_is_that_column():
    X, y = _frame()
    result = compare(X, y, folds=2, method_names=["none"], drop="ab", progress=False)
    assert "ab" not in result.columns.used
    assert {"a", "b", "c"} <= set(result.columns.used)


# threshold-cost-fn5 on a 3-class target was "unknown" (with a list of
# methods that did not name it); the torch binary rows on a multiclass
# target likewise.
def test_a_row_for_another_number_of_classes_says_so():
    rng = np.random.default_rng(0)
    y = np.repeat(["a", "b", "c"], [30, 20, 10])
    X = rng.normal(size=(60, 3))
    with pytest.raises(ValueError, match=r"binary targets only.*3 classes.*positive"):
        compare(X, y, folds=2, method_names=["none", "threshold-cost-fn5"])


def test_a_multiclass_row_on_a_binary_target_says_so():
    pytest.importorskip("torch")
    X, y = _frame()
    with pytest.raises(ValueError, match=r"three classes or more only.*2 classes"):
        compare(X, y, model="mlp", folds=2, method_names=["balanced-softmax"])


# p = 0.0497 was shown as "0.050" without the "≈" mark, next to rows shown
# "0.050 ≈": the same text, opposite verdicts.
def test_a_p_value_just_below_alpha_is_not_shown_as_alpha():
    result = _result_with_p(0.0497)
    assert 0.0495 < result.p_vs_best()["other"] < 0.05
    row = next(r for r in result.table().splitlines() if r.startswith("other"))
    assert "<0.050" in row and "0.050 " not in row.replace("<0.050", ""), row
    assert "≈" not in row
    pytest.importorskip("matplotlib")
    from rebalance._report import _table_html

    assert "&lt;0.050" in _table_html(result, "average_precision")
    row = next(r for r in _result_with_p(0.0503).table().splitlines()
               if r.startswith("other"))  # fmt: skip
    assert "0.050 ≈" in row, row


# A sampler that drew no row of a class from a tiny training fold was
# skipped as "predict_proba gave shape (3, 2)".
def test_a_class_missing_from_a_resampled_fit_is_named():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 2)
    X = rng.normal(size=(6, 3)) + y[:, None]
    result = compare(
        X, y, folds=2, method_names=["none", "class-balanced"], progress=False
    )
    if "class-balanced" not in result.skipped:
        pytest.skip("the sampler drew every class this time")
    # Review 34: ResampledClassifier itself refuses such a draw, naming the
    # class (before, compare's own "2 class columns for the 3 classes").
    reason = result.skipped["class-balanced"]
    assert "left out every row of class" in reason, reason


# With one method (--methods none, or every other row skipped) the closing
# line said "No other fix is distinguishable from it: every difference in
# this table is within the fold-to-fold noise (--repeats 5 gives the test
# more folds)": a test that was never run.
def test_a_single_method_makes_no_claim_about_differences():
    X, y = _frame()
    result = compare(X, y, folds=2, method_names=["none"], progress=False)
    line = result.conclusion()
    assert "no other method to compare it with" in line
    assert "noise" not in line and "distinguishable" not in line
