"""Review 56 (compare): `rebalance compare` on real-world-shaped exports
(churn-like CSVs with ids, dates, thousands separators and markers of
missing values, European ";" files, Parquet). Oracle: what the file holds,
as pandas reads it, and scikit-learn's own cross-validation."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main


def _run(capsys, *args):
    """``rebalance compare ARGS`` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main(["compare", *args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        if not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    out, err = capsys.readouterr()
    return code, out, err


def _error_line(err: str) -> str:
    """The one error line of ``err`` (notices aside), checked to be one line."""
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, err
    assert "Traceback" not in err
    return errors[0]


def _churn(n=40, seed=0):
    """A churn-like export: an id column, a date column, charges written with
    thousands separators and percents, and a text target."""
    rng = np.random.default_rng(seed)
    churn = np.arange(n) % 4 == 0
    return pd.DataFrame(
        {
            "customerID": [f"CUST-{i:05d}" for i in range(n)],
            "tenure": rng.integers(1, 72, n),
            "TotalCharges": [f"{v:,.2f}" for v in rng.uniform(900, 9000, n)],
            "Discount": [f"{v:.1f}%" for v in rng.uniform(0, 30, n)],
            "SignupDate": [
                (pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(d))).strftime(
                    "%d/%m/%Y"
                )
                for d in rng.choice(1000, n, replace=False)
            ],
            "Status": np.where(churn, "churned", "stayed"),
        }
    )


# ------------------------------------------- a target that holds no classes


# bug: a text target of ids, dates or numbers written as text ("1,014.44",
# "12.5%") failed with "class(es) ['1,014.44', ...] have a single row ... pass
# --positive-label", instead of saying the column is no class labels.
@pytest.mark.parametrize(
    "column, words",
    [
        ("customerID", ["identifier", "40 distinct values in 40 rows"]),
        ("SignupDate", ["identifier, dates or free text"]),
        ("TotalCharges", ["looks continuous", "numbers written as text"]),
        ("Discount", ["looks continuous", "'0.", "%'"]),
    ],
)
def test_a_text_target_of_ids_dates_or_amounts_is_named_as_such(
    tmp_path, capsys, column, words
):
    path = tmp_path / "churn.csv"
    _churn().to_csv(path, index=False)
    code, out, err = _run(capsys, "--data", str(path), "--target", column)
    assert code == 1 and out == ""
    line = _error_line(err)
    assert f"--target {column!r}" in line
    assert "single row" not in line
    for word in words:
        assert word in line, line


def test_a_text_target_of_many_values_with_positive_label_still_runs(tmp_path, capsys):
    # One value against the rest is a binary target: not refused as ids.
    frame = _churn()
    frame["city"] = [f"town {i}" for i in range(len(frame))]
    frame.loc[:9, "city"] = "Paris"
    path = tmp_path / "churn.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(
        capsys, "--data", str(path), "--target", "city", "--positive-label",
        "Paris", "--folds", "2", "--methods", "none",
    )  # fmt: skip
    assert code == 0, err
    assert "Positive class 'Paris'" in " ".join(out.split())


# bug: a continuous target with empty cells (a charges column with "?") was
# refused for its missing labels ("drop those rows first"), then, once the
# rows were dropped, as continuous: the second error first.
@pytest.mark.parametrize("marker", ["", "?"])
def test_a_continuous_target_with_missing_cells_is_refused_as_continuous(
    tmp_path, capsys, marker
):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"x": rng.normal(size=40), "charges": np.round(rng.uniform(20, 120, 40), 2)}
    )
    frame["charges"] = frame["charges"].astype(object)
    frame.loc[[3, 17], "charges"] = marker
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(capsys, "--data", str(path), "--target", "charges")
    line = _error_line(err)
    assert code == 1
    assert "looks continuous" in line and "missing label" not in line


def test_a_class_target_with_missing_cells_still_names_the_rows(tmp_path, capsys):
    frame = _churn()
    frame.loc[[2, 5], "Status"] = ""
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(capsys, "--data", str(path), "--target", "Status")
    assert code == 1
    assert "2 missing labels (data rows 3 and 6" in _error_line(err)


# ------------------------------------------- numbers written in a locale


def _write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# bug: a decimal comma with 3 decimals and a 0 before it ("0,205", as German
# Excel writes a tab-separated or quoted value) was read as thousands: 205.
@pytest.mark.parametrize("separator", ["\t", ","])
def test_a_decimal_comma_after_a_zero_is_no_thousands_separator(tmp_path, separator):
    from rebalance.cli import _load_table

    values = ["3,185", "0,205", "4,066", "1,722"] * 5
    quote = '"' if separator == "," else ""
    lines = [f"a{separator}b{separator}y"] + [
        f"{quote}{v}{quote}{separator}{i / 10:.2f}{separator}{'yes' if i % 4 else 'no'}"
        for i, v in enumerate(values)
    ]
    X, _ = _load_table(str(_write_lines(tmp_path / "t.csv", lines)), "y")
    expected = [float(v.replace(",", ".")) for v in values]
    np.testing.assert_allclose(X["a"].to_numpy(dtype=float), expected)


# bug: in a ";" file with decimal commas, a column written with decimal
# points ("0.727", "2.151") was read as thousands (727, 2151).
def test_decimal_points_after_a_zero_in_a_semicolon_file_are_decimals(tmp_path):
    from rebalance.cli import _load_table

    a = ["1,722", "4,83", "1,294", "2,5"] * 5
    b = ["2.151", "0.727", "4.550", "1.208"] * 5
    lines = ["a;b;y"] + [
        f"{x};{z};{'yes' if i % 4 else 'no'}" for i, (x, z) in enumerate(zip(a, b))
    ]
    X, _ = _load_table(str(_write_lines(tmp_path / "t.csv", lines)), "y")
    np.testing.assert_allclose(X["a"], [float(v.replace(",", ".")) for v in a])
    np.testing.assert_allclose(X["b"], [float(v) for v in b])


def test_european_thousands_and_decimal_commas_still_read(tmp_path):
    from rebalance.cli import _load_table

    a = ["1.234,5", "12,5", "3.379,37", "807,28"] * 5
    lines = ["a;y"] + [f"{x};{'yes' if i % 4 else 'no'}" for i, x in enumerate(a)]
    X, _ = _load_table(str(_write_lines(tmp_path / "t.csv", lines)), "y")
    np.testing.assert_allclose(X["a"], [1234.5, 12.5, 3379.37, 807.28] * 5)


# bug: whole numbers with dots between thousands ("4.253.136" inhabitants)
# in a ";" or tab-separated file without any decimal comma stayed text: the
# column was dropped as id-like (or one-hot encoded).
@pytest.mark.parametrize("separator", [";", "\t"])
def test_thousands_dots_without_a_decimal_comma_are_numbers(tmp_path, separator):
    from rebalance.cli import _load_table

    people = ["4.253.136", "376.293", "1.539.216", "876.418", "12.004"] * 4
    lines = [separator.join(["town", "people", "y"])] + [
        separator.join([f"t{i % 3}", v, "ja" if i % 4 else "nein"])
        for i, v in enumerate(people)
    ]
    X, _ = _load_table(str(_write_lines(tmp_path / "t.csv", lines)), "y")
    expected = [float(v.replace(".", "")) for v in people]
    np.testing.assert_allclose(X["people"].to_numpy(dtype=float), expected)


def test_the_api_reads_no_thousands_after_a_zero():
    # bug: _as_numbers read "0,205" as 205 (a first thousands group of 0 is
    # a decimal comma).
    from rebalance._columns import _as_numbers

    numbers = _as_numbers(pd.Series(["0,205", "3,185"], dtype=object))
    assert numbers is None or numbers.iloc[0] != 205


# ------------------------------------------- label leaks


# bug: an amount recorded for one class only (a refund of the customers who
# left, empty for the others) scored 1.000 on every metric with no leak
# warning: the leak check of a numeric column looked at its present values only.
@pytest.mark.parametrize("present_for", [0, 1])
def test_a_number_present_for_one_class_only_is_reported_as_a_leak(present_for):
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    n = 60
    y = (np.arange(n) % 3 == 0).astype(int)
    X = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "refund": np.where(
                y == present_for, rng.uniform(5, 500, n).round(2), np.nan
            ),
        }
    )
    result = compare(X, y, folds=2, method_names=["none"])
    assert list(result.leaks) == ["refund"]
    assert "missing" in result.leaks["refund"]
    assert "possible label leak: 'refund'" in result.describe("t", "logistic", 0)


def test_a_number_missing_at_random_is_no_leak():
    from rebalance._columns import plan_columns
    from rebalance.compare import find_leaks

    rng = np.random.default_rng(1)
    n = 200
    y = (np.arange(n) % 4 == 0).astype(int)
    x = rng.normal(size=n)
    x[rng.random(n) < 0.3] = np.nan
    X = pd.DataFrame({"x": x})
    assert find_leaks(X, plan_columns(X), y) == {}


# ------------------------------------------- a separator ending every data line


# bug: an export ending every data line (not the header) with a separator,
# its first column unique text (a customer id), was read as R's row names:
# every column shifted by one, the target holding the empty last fields
# ("--target column 'Status' has 40 missing labels").
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_separator_ending_every_data_line_after_an_id_column(
    tmp_path, capsys, newline
):
    from rebalance.cli import _load_table

    frame = _churn()
    text = frame.to_csv(index=False, lineterminator=newline)
    header, *rows = text.rstrip(newline).split(newline)
    path = tmp_path / "t.csv"
    path.write_bytes(newline.join([header, *(r + "," for r in rows)]).encode() + b"\n")
    X, y = _load_table(str(path), "Status")
    assert list(X.columns) == list(frame.columns[:-1])
    assert y.tolist() == frame["Status"].tolist()
    assert X["customerID"].tolist() == frame["customerID"].tolist()


def test_r_row_names_before_an_all_missing_last_column_are_still_row_names(tmp_path):
    # R's write.csv: row names first (no header), a missing value as "NA".
    from rebalance.cli import _load_table

    labels = ["a" if i % 3 else "b" for i in range(12)]
    lines = ['"x","y","note"'] + [
        f'"r{i}",{i / 10},"{label}",NA' for i, label in enumerate(labels)
    ]
    X, y = _load_table(str(_write_lines(tmp_path / "t.csv", lines)), "y")
    assert y.tolist() == labels
    np.testing.assert_allclose(X["x"], np.arange(12) / 10)


# ------------------------------------------- JSON under a text name


# bug: (message) JSON lines saved as .csv or .txt failed with "--target 'y' is not
# a column of t.csv; columns: ['{\"x\":0.5', ...]", not saying it is JSON.
@pytest.mark.parametrize("name", ["t.csv", "t.txt"])
def test_json_lines_under_a_text_name_are_named_as_json(tmp_path, capsys, name):
    frame = pd.DataFrame({"x": np.arange(12) / 4, "y": ["a", "b", "b"] * 4})
    path = tmp_path / name
    frame.to_json(path, orient="records", lines=True)
    code, out, err = _run(capsys, "--data", str(path), "--target", "y")
    line = _error_line(err)
    assert code == 1 and "it holds JSON" in line and "lines=True" in line


# ------------------------------------------- the figures, against scikit-learn


def test_the_baseline_row_is_scikit_learns_cross_validation(tmp_path, capsys):
    # Peer check: the "none" row of a numeric CSV is scikit-learn's own
    # cross-validation of the same pipeline (median imputation, scaling,
    # LogisticRegression) on StratifiedKFold(shuffle=True, random_state=seed).
    from sklearn.datasets import load_breast_cancer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = load_breast_cancer(as_frame=True).frame.iloc[:150, [0, 1, 2, 7, -1]]
    frame["target"] = np.where(frame["target"] == 0, "malignant", "benign")
    path = tmp_path / "bc.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(
        capsys, "--data", str(path), "--target", "target", "--folds", "3",
        "--methods", "none", "--seed", "3", "--json", "-",
    )  # fmt: skip
    assert code == 0, err
    scores = json.loads(out)["scores"]["none"]
    X = frame.drop(columns="target")
    y = (frame["target"] == json.loads(out)["positive_label"]).astype(int)
    pipe = make_pipeline(
        SimpleImputer(strategy="median"),
        StandardScaler(),
        LogisticRegression(max_iter=2000, random_state=3),
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=3)
    expected = cross_validate(
        pipe, X, y, cv=cv, scoring=["average_precision", "roc_auc", "balanced_accuracy"]
    )
    for metric in ("average_precision", "roc_auc", "balanced_accuracy"):
        np.testing.assert_allclose(scores[metric], expected[f"test_{metric}"])


# ------------------------------------------- the Python API on records


# bug: (message) records (a list of dicts, as json.loads of each line of a
# JSON-lines export) failed with "X must be 2-D ... pass X.reshape(-1, 1) for
# a single feature", a fix that does not apply.
def test_records_as_x_are_refused_with_the_dataframe_fix():
    from rebalance.compare import compare

    records = [{"x": float(i), "city": "a" if i % 2 else "b"} for i in range(20)]
    with pytest.raises(ValueError, match=r"list of records.*pandas\.DataFrame\(X\)"):
        compare(records, np.arange(20) % 2, folds=2, method_names="none")


# ------------------------------------------- --drop of a name with a comma


# bug: a column whose name holds a comma ("Amount, EUR", as spreadsheets
# name them) could not be left out: --drop split it into "Amount" and "EUR",
# "not columns of the file".
@pytest.mark.parametrize(
    "drop, left",
    [
        ("Amount, EUR", ["Fee,Net", "x"]),
        ("x,Amount, EUR", ["Fee,Net"]),
        ("Fee,Net,x", ["Amount, EUR"]),
    ],
)
def test_drop_finds_a_column_whose_name_holds_a_comma(drop, left):
    from rebalance.cli import _check_drop

    X = pd.DataFrame({"Amount, EUR": [1.0], "Fee,Net": [2.0], "x": [3.0]})
    names = [m.strip() for m in drop.split(",")]
    kept = [c for c in X.columns if c not in _check_drop(X, names, "t.csv", "y")]
    assert kept == left


# ------------------------------------------- SQL exports


# bug: MySQL's and PostgreSQL's text exports write a NULL as \N: a column of
# amounts with one became text, string-encoded as a high-cardinality category.
def test_a_sql_null_in_a_column_of_numbers_is_missing(tmp_path, capsys):
    from rebalance.cli import _load_table

    amounts = ["\\N" if i % 7 == 0 else f"{i * 1.5:.2f}" for i in range(21)]
    lines = ["amount\tlabel"] + [
        f"{a}\t{'yes' if i % 3 else 'no'}" for i, a in enumerate(amounts)
    ]
    X, _ = _load_table(str(_write_lines(tmp_path / "t.tsv", lines)), "label")
    expected = [np.nan if a == "\\N" else float(a) for a in amounts]
    np.testing.assert_allclose(X["amount"].to_numpy(dtype=float), expected)
    assert "'\\\\N' (3 rows): read as missing" in capsys.readouterr().err
