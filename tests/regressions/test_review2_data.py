"""Review round 2: `rebalance compare` on files and frames as users have them."""

import json

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import plan_columns
from rebalance.cli import main
from rebalance.compare import compare


def _table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["no"] * (n - n // 5) + ["yes"] * (n // 5))
    X = pd.DataFrame(
        {"x1": rng.normal(size=n) + 2.0 * (y == "yes"), "x2": rng.normal(size=n)}
    )
    return X, y


def test_comma_space_csv_target_and_positive_label_are_found(tmp_path):
    # A CSV written with ", " separators (UCI adult and many hand-made files):
    # the header is "x1, x2, label" and the labels " no"/" yes". --drop already
    # accepts "x2" for the column " x2", but --target label is "not a column"
    # and --positive-label yes "not a class": the file cannot be compared
    # without guessing the leading spaces.
    X, y = _table()
    lines = ["x1, x2, label"] + [
        f"{a:.6f}, {b:.6f}, {c}" for a, b, c in zip(X.x1, X.x2, y)
    ]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.json"
    argv = ["compare", "--data", str(path), "--target", "label"]
    argv += ["--positive-label", "yes", "--folds", "2", "--methods", "none"]
    assert main(argv + ["--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["positive_label"].strip() == "yes"
    assert sorted(v for v in data["class_counts"].values()) == [12, 48]


@pytest.mark.parametrize("sep, name", [(";", "data.csv"), ("\t", "data.tsv")])
def test_semicolon_or_tab_separated_file_runs_or_names_the_separator(
    tmp_path, monkeypatch, sep, name
):
    # Excel in most European locales saves ';'-separated CSV, and .tsv files are
    # common. The file is read as one column 'x1;x2;label' and the error says
    # only that --target is not a column: it should sniff the separator, or at
    # least say that the file does not look comma-separated.
    X, y = _table()
    X["label"] = y
    monkeypatch.chdir(tmp_path)  # a relative name: the message holds no tmp path
    X.to_csv(name, sep=sep, index=False)
    argv = ["compare", "--data", name, "--target", "label"]
    argv += ["--folds", "2", "--methods", "none"]
    try:
        rc = main(argv)
    except SystemExit as exc:
        message = str(exc.code).lower()
        assert any(w in message for w in ("separat", "delimit", "sep=")), message
    else:
        assert rc == 0


def test_dataframe_with_duplicated_column_names_is_a_value_error():
    # pd.concat([a, b], axis=1) of frames sharing a column name: compare dies
    # with AttributeError("'DataFrame' object has no attribute 'str'") from
    # deep inside plan_columns instead of a ValueError naming the column.
    X, y = _table()
    X = pd.concat([X, X[["x1"]]], axis=1)
    with pytest.raises(ValueError, match="x1"):
        compare(X, y, folds=2, method_names=["none"], progress=False)


def test_columns_whose_names_print_alike_are_not_silently_merged():
    # Columns 0 (int) and "0" (str) are both features; the plan is keyed by
    # str(name), so one silently replaces the other: only one column is used
    # (here the informative column 0 is lost and ROC AUC drops to chance).
    X, y = _table()
    X.columns = [0, "0"]
    try:
        result = compare(X, y, folds=2, method_names=["none"], progress=False)
    except ValueError:
        return  # a clear error about the clashing names is fine too
    assert len(result.columns.used) == 2, result.columns.used


@pytest.mark.parametrize("fmt", ["${:,.2f}", "{:.1f}%"], ids=["currency", "percent"])
def test_formatted_amounts_are_not_dropped_as_ids(fmt):
    # README: id-like columns are "a column with a different value on every row
    # that holds labels (not free text)". Amounts such as "$1,234.50" or
    # "12.5%" are measurements, but with distinct values they are dropped as
    # "id-like" (the same bug fixed for "12,345.5" and Decimal columns).
    rng = np.random.default_rng(0)
    values = rng.choice(np.arange(1, 100_000), 200, replace=False) / 10
    frame = pd.DataFrame({"amount": [fmt.format(v) for v in values]})
    plan = plan_columns(frame)
    assert "amount" not in plan.dropped, plan.dropped
