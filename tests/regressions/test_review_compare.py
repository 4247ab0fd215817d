"""Regression tests from a review of ``rebalance compare`` on real-world files.

Each test fails on the reviewed commit because of a bug, and passes once fixed.
"""

from __future__ import annotations

import decimal
import json

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import plan_columns
from rebalance.cli import main
from rebalance.compare import compare, encode_target
from rebalance.datasets import thin_class


def _frame(n=150, seed=0):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    y = np.where(x1 + 0.5 * rng.normal(size=n) > 1.0, "yes", "no")
    return rng, pd.DataFrame({"x1": x1, "x2": rng.normal(size=n)}), y


def test_same_seed_same_numbers_with_a_high_cardinality_column():
    # Same seed, same numbers, also when a string column goes through skrub's
    # StringEncoder (its TruncatedSVD must get the seed, not random_state=None).
    rng, X, y = _frame()
    X["code"] = [f"k{v}" for v in rng.integers(0, 100, X.shape[0])]
    runs = [
        compare(X, y, folds=3, method_names=["none"], seed=0).scores["none"]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_distinct_integer_measurement_is_not_dropped_as_an_id():
    # An integer feature whose values merely happen to be distinct (incomes,
    # durations) is a feature, not a row id: it must be used, not dropped.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"income": rng.choice(np.arange(20_000, 200_000), 200, replace=False)}
    )
    plan = plan_columns(frame)
    assert "income" in plan.used, plan.dropped


def test_numbers_with_thousands_separators_are_not_dropped_as_an_id():
    # "12,345"-style amounts (quoted in a CSV) are numbers, not row ids.
    rng = np.random.default_rng(0)
    values = rng.choice(np.arange(1_000, 100_000), 200, replace=False)
    frame = pd.DataFrame({"amount": [f"{v:,}" for v in values]})
    plan = plan_columns(frame)
    assert "amount" not in plan.dropped, plan.dropped


def test_parquet_decimal_column_is_numeric():
    # A Parquet decimal column (object of decimal.Decimal) is a numeric feature,
    # not a string column (here it was even dropped as "id-like").
    rng = np.random.default_rng(0)
    cents = rng.choice(np.arange(100, 100_000), 200, replace=False)
    frame = pd.DataFrame({"price": [decimal.Decimal(int(c)) / 100 for c in cents]})
    plan = plan_columns(frame)
    assert plan.used.get("price") == "numeric", (plan.used, plan.dropped)


def test_drop_accepts_a_column_name_with_a_leading_space(tmp_path):
    # --drop ' age' drops the column ' age' (headers like UCI adult's), instead of
    # stripping the name and then failing with "not a column".
    _, X, y = _frame(n=60)
    X = X.rename(columns={"x2": " age"})
    X["label"] = y
    path = tmp_path / "data.csv"
    X.to_csv(path, index=False)
    argv = ["compare", "--data", str(path), "--target", "label", "--drop", " age"]
    out = tmp_path / "out.json"
    argv += ["--folds", "2", "--methods", "none", "--json", str(out)]
    assert main(argv) == 0
    # The file is read with the spaces after its commas skipped: the column is
    # 'age', and --drop ' age' still finds it.
    assert json.loads(out.read_text())["columns"]["dropped"] == {"age": "--drop"}


def test_positive_label_text_finds_a_float_class():
    # --positive-label 1 finds the class 1.0 of a float target (0.0/1.0 labels,
    # as pandas writes them), like "3" finds the class 3.
    target = encode_target(np.array([0.0, 1.0, 0.0, 0.0, 1.0]), "1")
    assert target.positive == 1.0


def test_plot_with_dollar_signs_in_class_labels(tmp_path):
    # Class labels are drawn as plain text: a '$' in a label must not be parsed
    # as matplotlib mathtext (here a ValueError traceback from --plot/--report).
    _, X, y = _frame(n=120)
    y = np.where(y == "yes", "$_$", "rest")
    result = compare(X.to_numpy(), y, folds=2, method_names=["none"])
    result.plot(str(tmp_path / "plot.png"))
    assert (tmp_path / "plot.png").stat().st_size > 0


def test_parquet_with_an_upper_case_extension(tmp_path):
    # data.PARQUET is read as Parquet (the extension test is case-sensitive now,
    # so it goes to read_csv and fails with a UnicodeDecodeError message).
    _, X, y = _frame(n=60)
    X["label"] = y
    path = tmp_path / "data.PARQUET"
    X.to_parquet(path)
    argv = ["compare", "--data", str(path), "--target", "label"]
    assert main(argv + ["--folds", "2", "--methods", "none"]) == 0


@pytest.mark.parametrize("ratio, kept", [(0.29, 29), (0.57, 57)])
def test_thin_class_keeps_round_ratio_times_the_largest_class(ratio, kept):
    # ratio=0.29 of 100 majority rows keeps 29 rows, not 28 (int() of 28.999...).
    X, y = np.zeros((200, 1)), np.array([0, 1] * 100)
    _, y_thin = thin_class(X, y, ratio, minority=1, random_state=0)
    assert np.bincount(y_thin)[1] == kept
