"""Review 99 comparepy: ``rebalance.compare.compare`` from a notebook.

Pandas frames of every column kind, odd row and column indexes, targets of
several kinds, the checks of each option before any work, and the result
object (table, describe, JSON, pickling, determinism, inputs left as given).
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

from rebalance.compare import METRIC_LABELS, compare

N = 60
Y = np.r_[np.ones(15, dtype=int), np.zeros(45, dtype=int)]
FAST = {"folds": 2, "method_names": ["none", "under"], "progress": False}


def _frame(seed=0):
    """Every kind of pandas column a notebook frame holds, 60 rows."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "num": Y + rng.normal(size=N),
            "cat": pd.Categorical(rng.choice(list("abc"), N)),
            "s": pd.array(rng.choice(["x", "y", None], N), dtype="string"),
            "b": rng.random(N) < 0.5,
            "i": pd.array(
                np.where(rng.random(N) < 0.2, None, rng.integers(0, 5, N)),
                dtype="Int64",
            ),
            "f": pd.array(
                np.where(rng.random(N) < 0.2, None, rng.normal(size=N)),
                dtype="Float64",
            ),
            "dt": pd.date_range("2020-01-01", periods=N, freq="D")[rng.permutation(N)],
            "td": pd.to_timedelta(rng.integers(0, 100, N), unit="h"),
            "mixed": np.array([1, "a", 2.5, None] * (N // 4), dtype=object),
            "empty": np.full(N, np.nan),
            "q": np.where(
                rng.random(N) < 0.1, "?", rng.normal(size=N).round(2).astype(str)
            ).astype(object),
        }
    )


def _small():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(size=N) + Y, "b": rng.normal(size=N)})


# ------------------------------------------------------------ what works


def test_mixed_frame_is_planned_left_unmodified_and_deterministic():
    X = _frame()
    y = pd.Series(Y)
    X_before, y_before = X.copy(), y.copy()
    options = {**FAST, "method_names": "under", "seed": 3}
    first = compare(X, y, **options)
    again = compare(X, y, **options)
    pd.testing.assert_frame_equal(X, X_before)
    pd.testing.assert_series_equal(y, y_before)
    assert first.scores == again.scores
    plan = first.columns
    assert "empty" in plan.dropped and "empty" not in plan.used
    assert set(plan.used) == set(X.columns) - {"empty"}
    assert any("'q'" in note and "?" in note for note in first.notes)


@pytest.fixture(scope="module")
def indexed_base():
    X = _frame()[["num", "cat", "i", "dt"]]
    return X, compare(X, Y, **FAST)


@pytest.mark.parametrize(
    "index",
    [
        [0] * N,  # duplicated
        pd.MultiIndex.from_arrays([np.arange(N) % 3, np.arange(N)]),
        np.random.default_rng(0).permutation(N),
    ],
    ids=["duplicated", "multiindex", "permuted"],
)
def test_row_index_does_not_change_the_scores(index, indexed_base):
    X, base = indexed_base
    indexed = X.set_axis(index, axis=0)
    y = pd.Series(Y, index=index)
    assert compare(indexed, y, **FAST).scores == base.scores


def test_y_holding_x_index_in_another_order_is_an_error():
    X = _small().set_axis(np.arange(100, 100 + N), axis=0)
    y = pd.Series(Y, index=X.index).sample(frac=1, random_state=0)
    with pytest.raises(ValueError, match=r"y\.loc\[X\.index\]"):
        compare(X, y, **FAST)


def test_column_names_int_and_multiindex():
    X = _frame()[["num", "cat", "i"]]
    ints = X.set_axis([0, 1, 2], axis=1)
    by_int = compare(ints, Y, drop=[0], **FAST)
    # the plan names columns as text (as --json writes them)
    assert list(by_int.columns.dropped) == ["0"]
    multi = X.set_axis(pd.MultiIndex.from_tuples([("g", c) for c in X]), axis=1)
    by_tuple = compare(multi, Y, drop=[("g", "num")], **FAST)
    assert list(by_tuple.columns.dropped) == [str(("g", "num"))]
    assert by_tuple.scores == by_int.scores


def test_duplicated_column_names_are_an_error_with_the_fix():
    X = _small().set_axis(["a", "a"], axis=1)
    with pytest.raises(ValueError, match="duplicated"):
        compare(X, Y, **FAST)


def test_polars_and_numpy_inputs_are_not_modified():
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    X = pl.DataFrame({"a": Y + rng.normal(size=N), "s": rng.choice(["u", "v"], N)})
    X_before = X.clone()
    result = compare(X, pl.Series(Y), **FAST)
    assert X.equals(X_before)
    assert result.columns is not None
    Xa = np.column_stack([Y + rng.normal(size=N), rng.normal(size=N)])
    Xa[::7, 0] = np.nan
    Xa_before, y_before = Xa.copy(), Y.copy()
    compare(Xa, Y, **FAST)
    np.testing.assert_array_equal(Xa, Xa_before)
    np.testing.assert_array_equal(Y, y_before)


def test_categorical_y_with_unused_categories_and_multiclass():
    n = 90
    y = pd.Series(
        pd.Categorical(
            np.repeat(list("abcde"), [30, 24, 18, 12, 6]), categories=list("abcdefg")
        )
    )
    y_before = y.copy()
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"num": y.cat.codes + 2 * rng.normal(size=n)})
    result = compare(X, y, folds=3, method_names=["none", "under"], progress=False)
    pd.testing.assert_series_equal(y, y_before)
    assert result.labels == list("abcde")
    assert result.class_counts() == {"a": 30, "b": 24, "c": 18, "d": 12, "e": 6}
    assert set(result.per_class_recall()["none"]) == set("abcde")
    assert result.label("f1") == "macro F1"
    one_vs_rest = compare(
        X, y, folds=3, method_names="none", positive_label="e", progress=False
    )
    assert one_vs_rest.positive == "e" and one_vs_rest.n_classes == 2
    with pytest.raises(ValueError, match="positive_label='g' is not a class"):
        compare(X, y, positive_label="g", folds=3, progress=False)


def test_string_y_with_positive_label():
    y = pd.Series(np.where(Y == 1, "yes", "no"))
    result = compare(_small(), y, positive_label="no", **FAST)
    assert result.positive == "no"
    assert result.labels[1] == "no"
    with pytest.raises(ValueError, match="positive_label='maybe'"):
        compare(_small(), y, positive_label="maybe", **FAST)


@pytest.mark.parametrize(
    ("option", "value", "error", "words"),
    [
        ("folds", 1, ValueError, "folds must be >= 2"),
        ("folds", 2.5, TypeError, "folds must be an integer"),
        ("folds", 16, ValueError, "folds= from 2 to 15"),
        ("repeats", 0, ValueError, "repeats must be >= 1"),
        ("seed", -1, ValueError, "seed from 0 to 2"),
        ("seed", None, TypeError, "seed must be an integer"),
        ("n_jobs", 0, ValueError, "n_jobs=0"),
        ("n_jobs", "2", TypeError, "n_jobs must be an integer"),
        ("method_names", [], ValueError, "method_names= lists no method"),
        ("method_names", ["bogus"], ValueError, "unknown method"),
        ("drop", ["zz"], ValueError, "drop=.*not in the data"),
        ("drop", ["a", "b"], ValueError, "fewer columns in drop="),
        ("model", "HGB", ValueError, "model must be one of"),
        ("positive_label", 2, ValueError, "positive_label=2 is not a class"),
    ],
)
def test_bad_option_names_the_option(option, value, error, words):
    options = {**FAST, option: value}
    with pytest.raises(error, match=words):
        compare(_small(), Y, **options)


def test_result_table_describe_json_pickle():
    result = compare(_small(), Y, **FAST)
    for metric in METRIC_LABELS:
        lines = result.table(metric).splitlines()
        assert result.label(metric) in lines[0].split("vs best")[0]
        assert lines[2].split()[0] == result.ranking(metric)[0]
    assert max(map(len, result.table(width=80).splitlines())) <= 80
    assert "not shown to fit" in result.table(width=50)
    with pytest.raises(ValueError, match="sort_by="):
        result.table("auc")
    text = result.describe("notebook", "logistic", 0)
    assert "60 rows" in text and "2-fold" in text
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert data["positive_label"] == "1" and set(data["scores"]) == {"none", "under"}
    copy = pickle.loads(pickle.dumps(result))
    assert copy.table() == result.table() and copy.scores == result.scores


# ------------------------------------------------------------- the bugs


@pytest.mark.parametrize("value", [5, [["none"]]], ids=["int", "nested"])
def test_method_names_of_the_wrong_type_names_the_option(value):
    with pytest.raises((TypeError, ValueError), match="method_names"):
        compare(_small(), Y, folds=2, method_names=value, progress=False)


def test_method_names_as_a_generator():
    names = (name for name in ["none", "under"])
    result = compare(_small(), Y, folds=2, method_names=names, progress=False)
    assert list(result.scores) == ["none", "under"]


@pytest.mark.parametrize("value", [5, [["a"]]], ids=["int", "nested"])
def test_drop_of_the_wrong_type_names_the_option(value):
    with pytest.raises((TypeError, ValueError), match="drop"):
        compare(_small(), Y, drop=value, **FAST)


def test_list_of_names_as_methods_points_to_method_names():
    with pytest.raises((TypeError, ValueError), match="method_names"):
        compare(_small(), Y, ["none", "under"], folds=2, progress=False)


def test_notify_not_callable_names_the_option():
    X = _small().assign(q=["?"] + ["1.5"] * (N - 1))
    with pytest.raises(TypeError, match="notify"):
        compare(X, Y, notify=5, **FAST)


def test_table_width_of_the_wrong_type_names_the_option():
    result = compare(_small(), Y, **FAST)
    with pytest.raises((TypeError, ValueError), match="width"):
        result.table(width="80")
