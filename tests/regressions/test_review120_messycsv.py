"""Review 120 messycsv: ``rebalance compare`` on messy real-world tables.

Each test writes a tiny CSV/TSV (200 rows) the way spreadsheets and exports
write them -- thousands separators, European decimal commas, percent and
currency signs, yes/no and TRUE/false booleans, a BOM with CRLF line ends,
trailing empty columns, duplicate or repeated header lines, multi-line quoted
fields, messy target spellings, id/constant/mostly-missing columns and dates
-- and checks the column plan (``plan_columns``), the values the model gets
(``prepare_frame``), the classes read, or the error message, through
``rebalance.cli.main`` / ``_load_table`` and ``rebalance.compare.compare``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sys

import numpy as np
import pandas as pd

from rebalance._columns import plan_columns, prepare_frame
from rebalance.cli import _load_table, main
from rebalance.compare import compare

N = 200
RNG = np.random.default_rng(0)
Y = RNG.random(N) < 0.25
AMOUNT = RNG.normal(1000, 300, N) + 400 * Y
RATIO = RNG.normal(0.4, 0.1, N) + 0.1 * Y
FAST = ["--folds", "2", "--methods", "none"]


def _write(path, header, rows, sep=",", bom=False, crlf=False):
    with open(path, "w", encoding="utf-8", newline="") as f:
        if bom:
            f.write("\ufeff")
        writer = csv.writer(f, delimiter=sep, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def _run(*argv):
    """(exit status, stdout, stderr) of ``rebalance compare ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["compare", *argv])
        except SystemExit as exc:
            if isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
    return code, out.getvalue(), err.getvalue()


def _prepared(path):
    X, y = _load_table(path, "label")
    plan = plan_columns(X)
    return plan, prepare_frame(X, plan), np.asarray(y)


def _yes_no():
    return ["yes" if t else "no" for t in Y]


# ---------------------------------------------------------------- bugs


def test_percent_with_space_is_a_number_in_a_comma_csv(tmp_path):
    pct = [f"{100 * r:.1f} %" for r in RATIO]
    us = _write(tmp_path / "us.csv", ["pct", "label"], zip(pct, _yes_no()))
    eu_pct = [p.replace(".", ",") for p in pct]
    eu = _write(tmp_path / "eu.csv", ["pct", "label"], zip(eu_pct, _yes_no()), ";")
    plan_eu, X_eu, _ = _prepared(eu)
    assert plan_eu.used == {"pct": "numeric"}  # the ';' file reads it right
    plan_us, X_us, _ = _prepared(us)
    assert plan_us.used == {"pct": "numeric"}, plan_us.describe()
    np.testing.assert_allclose(X_us["pct"], X_eu["pct"])


def test_percent_with_space_in_a_dataframe_is_numeric():
    X = pd.DataFrame({"pct": [f"{100 * r:.1f} %" for r in RATIO]})
    plan = plan_columns(X)
    assert plan.used == {"pct": "numeric"}, plan.describe()
    np.testing.assert_allclose(
        prepare_frame(X, plan)["pct"], np.round(100 * RATIO, 1) / 100
    )


def test_currency_sign_then_space_is_a_number(tmp_path):
    price = [f"$ {a:,.2f}" for a in AMOUNT]
    path = _write(tmp_path / "p.csv", ["price", "label"], zip(price, _yes_no()))
    plan, X, _ = _prepared(path)
    assert plan.used == {"price": "numeric"}, plan.describe()
    np.testing.assert_allclose(X["price"], np.round(AMOUNT, 2))


# ---------------------------------------------------------------- pins


def test_quoted_thousands_and_tsv_thousands_are_numbers(tmp_path):
    rows = [
        (f"{a:,.0f}", f"{r:.3f}", lab) for a, r, lab in zip(AMOUNT, RATIO, _yes_no())
    ]
    for name, sep in (("t.csv", ","), ("t.tsv", "\t")):
        path = _write(tmp_path / name, ["amount", "ratio", "label"], rows, sep)
        plan, X, y = _prepared(path)
        assert plan.used == {"amount": "numeric", "ratio": "numeric"}
        np.testing.assert_allclose(X["amount"], np.round(AMOUNT))
        assert sorted(set(y)) == ["no", "yes"]


def test_european_decimal_comma_with_thousands_dots(tmp_path):
    def eu(value, fmt):
        return fmt.format(value).replace(",", "_").replace(".", ",").replace("_", ".")

    rows = [
        (eu(a, "{:,.1f}"), eu(r, "{:.3f}"), int(t)) for a, r, t in zip(AMOUNT, RATIO, Y)
    ]
    path = _write(tmp_path / "eu.csv", ["amount", "ratio", "label"], rows, ";")
    plan, X, y = _prepared(path)
    assert plan.used == {"amount": "numeric", "ratio": "numeric"}
    assert any("." in r[0] for r in rows)  # some "1.234,5" in the file
    np.testing.assert_allclose(X["amount"], np.round(AMOUNT, 1))
    np.testing.assert_allclose(X["ratio"], np.round(RATIO, 3))
    assert sorted(set(y.tolist())) == [0, 1]


def test_percent_currency_and_accounting_negatives(tmp_path):
    rows = [
        (
            f"{100 * r:.0f}%",
            f"(${a:,.0f})" if i % 4 == 0 else f"${a:,.0f}",
            f"€{int(a / 100)}",
            "Y" if t else "N",
        )
        for i, (a, r, t) in enumerate(zip(AMOUNT, RATIO, Y))
    ]
    path = _write(tmp_path / "p.csv", ["pct", "usd", "eur", "label"], rows)
    plan, X, y = _prepared(path)
    assert set(plan.used.values()) == {"numeric"} and len(plan.used) == 3
    np.testing.assert_allclose(X["pct"], np.round(100 * RATIO) / 100)
    sign = np.where(np.arange(N) % 4 == 0, -1, 1)
    np.testing.assert_allclose(X["usd"], sign * np.round(AMOUNT))
    assert sorted(set(y)) == ["N", "Y"]


def test_true_false_feature_and_target_in_any_case(tmp_path):
    spell_t, spell_f = ["TRUE", "true", "True"], ["FALSE", "false"]
    flag = RNG.random(N) < 0.5
    rows = [
        (
            f"{a:.1f}",
            spell_t[i % 3] if f else spell_f[i % 2],
            "TRUE" if t else "false",
        )
        for i, (a, f, t) in enumerate(zip(AMOUNT, flag, Y))
    ]
    path = _write(tmp_path / "b.csv", ["amount", "flag", "label"], rows)
    plan, X, y = _prepared(path)
    assert plan.used["flag"] == "numeric"
    np.testing.assert_array_equal(X["flag"].astype(bool), flag)
    assert sorted(pd.unique(y).tolist()) == [False, True]
    assert int(np.sum(y == True)) == int(Y.sum())  # noqa: E712


def test_bom_crlf_and_trailing_empty_columns(tmp_path):
    rows = [(f"{a:.1f}", lab, "", "") for a, lab in zip(AMOUNT, _yes_no())]
    path = _write(
        tmp_path / "x.csv", ["amount", "label", "", ""], rows, bom=True, crlf=True
    )
    X, y = _load_table(path, "label")
    plan = plan_columns(X)
    assert plan.used == {"amount": "numeric"}
    assert set(plan.dropped) == {"Unnamed: 2", "Unnamed: 3"}
    assert all("empty" in why for why in plan.dropped.values())
    assert sorted(set(y)) == ["no", "yes"]  # no "\r" or BOM in the classes


def test_duplicate_header_names_are_refused(tmp_path):
    rows = [
        (f"{a:.1f}", f"{r:.3f}", lab) for a, r, lab in zip(AMOUNT, RATIO, _yes_no())
    ]
    path = _write(tmp_path / "d.csv", ["x", "x", "label"], rows)
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code != 0
    assert "['x']" in err and "twice" in err and "rename" in err


def test_header_repeated_mid_file_is_refused(tmp_path):
    rows = [(f"{a:.1f}", lab) for a, lab in zip(AMOUNT, _yes_no())]
    rows.insert(100, ("amount", "label"))
    path = _write(tmp_path / "r.csv", ["amount", "label"], rows)
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code != 0
    assert "row 101" in err and "repeats the header line" in err


def test_multiline_quoted_field_keeps_rows(tmp_path):
    rows = [
        (f"{a:.1f}", f"line one\nline two {i % 5}", lab)
        for i, (a, lab) in enumerate(zip(AMOUNT, _yes_no()))
    ]
    path = _write(tmp_path / "m.csv", ["amount", "comment", "label"], rows)
    plan, X, y = _prepared(path)
    assert len(X) == N and len(y) == N
    assert plan.used["amount"] == "numeric" and "comment" in plan.used
    assert sorted(set(y)) == ["no", "yes"]


def test_target_spelled_in_mixed_case_and_spaces_gets_a_notice(tmp_path):
    lab = [
        ("Yes", "yes ", "YES")[i % 3] if t else ("No", "no")[i % 2]
        for i, t in enumerate(Y)
    ]
    path = _write(tmp_path / "c.csv", ["amount", "label"], zip(AMOUNT.round(1), lab))
    code, out, err = _run("--data", path, "--target", "label", *FAST)
    assert code == 0
    assert "differ only in case or surrounding spaces" in err
    # "yes " is read as "yes" (spaces after a separator are skipped): no
    # class is made of spaces, and none of NaN.
    assert "nan" not in out.lower().split("evaluation")[0]


def test_target_with_one_and_one_point_zero_gets_a_notice(tmp_path):
    lab = [("1.0" if i % 2 else "1") if t else "0.0" for i, t in enumerate(Y)]
    path = _write(tmp_path / "f.csv", ["amount", "label"], zip(AMOUNT.round(1), lab))
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code == 0
    assert "'1' and '1.0'" in err


def test_target_of_floats_only_keeps_two_classes(tmp_path):
    lab = ["1.0" if t else "0.0" for t in Y]
    path = _write(tmp_path / "f.csv", ["amount", "label"], zip(AMOUNT.round(1), lab))
    _, y = _load_table(path, "label")
    assert sorted(pd.unique(np.asarray(y)).tolist()) == [0.0, 1.0]


def test_target_with_na_text_is_refused_naming_rows(tmp_path):
    lab = ["N/A" if i % 50 == 0 else v for i, v in enumerate(_yes_no())]
    path = _write(tmp_path / "n.csv", ["amount", "label"], zip(AMOUNT.round(1), lab))
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code != 0
    assert "'label'" in err and "4 missing labels" in err and "1, 51, 101" in err


def test_python_compare_notices_target_spaces():
    X = pd.DataFrame({"a": AMOUNT})
    y = np.where(Y, np.where(np.arange(N) % 2, "yes", "yes "), "no")
    notes = []
    result = compare(X, y, method_names=["none"], folds=2, notify=notes.append)
    assert result.labels == ["no", "yes", "yes "]
    assert any("surrounding spaces" in n for n in notes)


def test_id_column_dropped_constant_and_sparse_columns_kept(tmp_path):
    rows = [
        (f"C{1000 + i}", f"{a:.1f}", "const", f"{r:.2f}" if i == 3 else "", lab)
        for i, (a, r, lab) in enumerate(zip(AMOUNT, RATIO, _yes_no()))
    ]
    header = ["customer_id", "amount", "country", "rare", "label"]
    plan, X, _ = _prepared(_write(tmp_path / "i.csv", header, rows))
    assert plan.dropped == {"customer_id": "id-like: a different value on every row"}
    assert plan.used == {
        "amount": "numeric",
        "country": "categorical",
        "rare": "numeric",
    }
    assert X["rare"].notna().sum() == 1


def test_mixed_format_dates_read_as_one_datetime_column(tmp_path):
    fmts = ["2023-01-{:02d}", "{:02d}/01/2023", "Jan {}, 2023"]
    dates = [fmts[i % 3].format(i % 28 + 1) for i in range(N)]
    path = _write(
        tmp_path / "d.csv", ["date", "amount", "label"], zip(dates, AMOUNT, _yes_no())
    )
    plan, X, _ = _prepared(path)
    assert plan.used["date"] == "datetime"
    expected = pd.to_datetime([f"2023-01-{i % 28 + 1:02d}" for i in range(N)])
    np.testing.assert_array_equal(
        X["date"].to_numpy().astype("datetime64[D]"),
        expected.to_numpy().astype("datetime64[D]"),
    )


def test_yes_no_and_y_n_features_are_two_categories(tmp_path):
    member = RNG.random(N) < 0.5
    rows = [
        ("Y" if m else "N", "yes" if m else "no", lab)
        for m, lab in zip(member, _yes_no())
    ]
    plan, X, _ = _prepared(_write(tmp_path / "y.csv", ["yn", "yesno", "label"], rows))
    assert plan.used == {"yn": "categorical", "yesno": "categorical"}
    assert sorted(X["yn"].dropna().unique().tolist()) == ["N", "Y"]
