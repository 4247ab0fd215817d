"""Review 22: `rebalance compare` on files as spreadsheets and people export them.

Each test reproduces one silent misread or unhelpful result of ``rebalance
compare`` (the CLI through ``rebalance.cli.main``, or ``compare`` itself) on a
real-world-shaped file.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import plan_columns, prepare_frame
from rebalance.cli import _read_text_table, main
from rebalance.compare import compare, find_leaks


def _run(*argv):
    """The SystemExit message (or exit code) and stdout of one CLI run."""
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(["compare", *argv])
        except SystemExit as exc:
            code = exc.code
    return code, stdout.getvalue()


_ARGS = ("--target", "label", "--folds", "2", "--methods", "none", "--data")


def _amounts(n=60, seed=0):
    rng = np.random.default_rng(seed)
    amounts = np.round(rng.normal(5000, 1500, size=n), 2)
    labels = np.where(np.arange(n) % 4 == 0, "yes", "no")
    return amounts, labels


def _german(value: float) -> str:
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _kinds(path) -> dict:
    frame = _read_text_table(str(path)).drop(columns="label")
    return plan_columns(frame).used


# German Excel's "Text (tab-delimited)" writes decimal commas: "5125,73" was
# read as text and planned as a DATETIME column (pandas parses "5125,73" as a
# date), so the amounts reached the model as timestamps.
def test_decimal_commas_in_a_tab_separated_file_are_numbers(tmp_path):
    amounts, labels = _amounts()
    path = tmp_path / "export.txt"
    lines = [f"{_german(a)}\t{b}" for a, b in zip(amounts, labels)]
    path.write_text("Betrag\tlabel\r\n" + "\r\n".join(lines) + "\r\n", "cp1252")
    frame = _read_text_table(str(path))
    assert frame["Betrag"].dtype == np.float64
    np.testing.assert_allclose(frame["Betrag"], amounts)
    assert _kinds(path) == {"Betrag": "numeric"}


# Google Sheets in a decimal-comma locale exports "," files with the numbers
# quoted: "5125,73". Same misread (a datetime column).
def test_quoted_decimal_commas_in_a_comma_separated_file_are_numbers(tmp_path):
    amounts, labels = _amounts()
    path = tmp_path / "sheet.csv"
    lines = [f'"{a:.2f}",{b}'.replace(".", ",", 1) for a, b in zip(amounts, labels)]
    path.write_text("amount,label\n" + "\n".join(lines) + "\n")
    frame = _read_text_table(str(path))
    np.testing.assert_allclose(frame["amount"], amounts)
    code, out = _run(*_ARGS, str(path))
    assert code == 0, code
    assert "1 numeric" in " ".join(out.split()), out


# ... while "1,234" (commas between thousands) in a tab file stays for the
# column planner, which reads it as 1234: no decimal comma is guessed there.
def test_comma_thousands_in_a_tab_file_are_not_read_as_decimal_commas(tmp_path):
    path = tmp_path / "us.tsv"
    values = ["1,234", "12,345", "7", "2,000"] * 10
    labels = ["yes", "no", "no", "no"] * 10
    lines = [f"{v}\t{b}" for v, b in zip(values, labels)]
    path.write_text("amount\tlabel\n" + "\n".join(lines) + "\n")
    frame = _read_text_table(str(path)).drop(columns="label")
    plan = plan_columns(frame)
    numbers = prepare_frame(frame, plan)["amount"]
    assert numbers.tolist()[:4] == [1234.0, 12345.0, 7.0, 2000.0]


# French Excel groups thousands with a no-break space (U+00A0, or U+202F in
# newer Windows): "5 125,73" stayed text, a different value on every row, and
# the amount column was DROPPED as id-like.
@pytest.mark.parametrize("space", ["\u00a0", "\u202f"])
def test_no_break_space_thousands_in_a_semicolon_file_are_numbers(tmp_path, space):
    amounts, labels = _amounts()
    path = tmp_path / "export.csv"
    text = [_german(a).replace(".", space) for a in amounts]
    lines = [f"{a};{b};{i % 3}" for i, (a, b) in enumerate(zip(text, labels))]
    encoding = "cp1252" if space == "\u00a0" else "utf-8"
    path.write_text("montant;label;k\n" + "\n".join(lines) + "\n", encoding)
    frame = _read_text_table(str(path))
    np.testing.assert_allclose(frame["montant"], amounts)
    assert _kinds(path)["montant"] == "numeric"


# Swiss locales write 5'125.73: the column was text, dropped as id-like.
def test_swiss_apostrophe_thousands_are_numbers(tmp_path):
    amounts, labels = _amounts()
    path = tmp_path / "export.csv"
    lines = [
        f"{a:,.2f}".replace(",", "'") + f";{b};{i % 3}"
        for i, (a, b) in enumerate(zip(amounts, labels))
    ]
    path.write_text("betrag;label;k\n" + "\n".join(lines) + "\n")
    frame = _read_text_table(str(path))
    np.testing.assert_allclose(frame["betrag"], amounts)
    code, out = _run(*_ARGS, str(path))
    assert code == 0, code
    assert "2 used (2 numeric)" in " ".join(out.split()), out


# Excel saves "CSV" in the code page of Windows' language: GBK in Chinese,
# Windows-1251 in Russian. Those were read as cp1252 without a word: class
# names such as '¸ºÃæ' for 负面, 'Äà' for Да.
@pytest.mark.parametrize(
    ("encoding", "labels"),
    [
        ("gb18030", ("正面", "负面")),
        ("cp1251", ("Да", "Нет")),
        ("cp932", ("はい", "いいえ")),
    ],
)
def test_a_file_in_another_code_page_is_a_clear_error(tmp_path, encoding, labels):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=40), "label": [labels[i % 4 == 0] for i in range(40)]}
    )
    path = tmp_path / "excel.csv"
    frame.to_csv(path, index=False, encoding=encoding)
    code, _ = _run(*_ARGS, str(path))
    assert isinstance(code, str), code
    assert "excel.csv" in code and "UTF-8" in code and "code page" in code, code
    assert "\n" not in code


# Western files in cp1252 (accents between ASCII letters, a no-break space in
# French quotes) are still read as they were.
def test_western_cp1252_files_are_still_read(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=40),
            "city": rng.choice(["São Paulo", "Zürich", "«\u00a0Genève\u00a0»"], 40),
            "label": ["Não" if i % 4 else "Sim" for i in range(40)],
        }
    )
    path = tmp_path / "excel.csv"
    frame.to_csv(path, index=False, sep=";", encoding="cp1252")
    read = _read_text_table(str(path))
    assert set(read["label"]) == {"Não", "Sim"}
    assert set(read["city"]) == set(frame["city"])


# A title line with separators above the column names ("Export;;" as Excel
# writes a title cell): the error listed 'Unnamed: 1' columns and no hint.
def test_a_title_line_above_the_header_is_named_in_the_error(tmp_path):
    amounts, labels = _amounts()
    path = tmp_path / "export.csv"
    lines = [f"{a};{b};1" for a, b in zip(amounts, labels)]
    path.write_text("CRM export 2024;;\namount;label;k\n" + "\n".join(lines) + "\n")
    code, _ = _run(*_ARGS, str(path))
    assert isinstance(code, str), code
    assert "data row 1" in code and "delete the lines above" in code, code


def test_one_missing_label_is_singular(tmp_path):
    frame = pd.DataFrame({"x": np.arange(10.0), "label": ["a", "b"] * 5})
    frame.loc[3, "label"] = None
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    code, _ = _run(*_ARGS, str(path))
    assert "has 1 missing label (data row 4" in code, code


def _leaky(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    y[:4] = [0, 1, 0, 1]
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n) + y,
            "refund": y * 50.0 + rng.random(n),  # known only after the label
            "city": rng.choice(["a", "b", "c"], n),
        }
    )
    return frame, y


# A column that gives the label away (an outcome code, a refund known only
# once the label is) made every method score 1.000 with no word about why.
def test_a_label_leak_column_is_reported():
    frame, y = _leaky()
    result = compare(frame, y, folds=2, method_names=["none"])
    assert list(result.leaks) == ["refund"]
    text = " ".join(result.describe("d.csv", "logistic", 0).split())
    assert "label leak" in text and "'refund'" in text and "drop=" in text
    assert list(result.to_json()["suspected_leaks"]) == ["refund"]
    # Without it: no warning.
    result = compare(frame.drop(columns="refund"), y, folds=2, method_names=["none"])
    assert result.leaks == {}
    assert "leak" not in result.describe("d.csv", "logistic", 0)


def test_label_leaks_of_categories_and_multiclass_ranges():
    rng = np.random.default_rng(1)
    codes = np.repeat([0, 1, 2], [50, 30, 20])
    frame = pd.DataFrame(
        {
            "status": np.array(["open", "closed", "closed-fraud"])[codes],
            "score": codes * 10.0 + rng.random(100),  # each class a range
            "noise": rng.normal(size=100),
            "unique": [f"row {i}" for i in range(100)],  # one row a value
            "common": rng.choice(["p", "q"], 100),
        }
    )
    plan = plan_columns(frame)
    leaks = find_leaks(prepare_frame(frame, plan), plan, codes)
    assert set(leaks) == {"status", "score"}, leaks
    # A legitimate strong feature is no leak: scikit-learn's breast cancer data.
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    plan = plan_columns(X)
    assert find_leaks(prepare_frame(X, plan), plan, y.to_numpy()) == {}
