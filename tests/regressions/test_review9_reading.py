"""Review 9 (reading): how `rebalance compare --data FILE` reads text files."""

import numpy as np
import pandas as pd
import pytest


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


def test_semicolon_decimal_comma_file_reads_thousands_dots_as_thousands(tmp_path):
    # A German/French Excel export: ';' separator, decimal commas, '.' between
    # thousands. The column "menge" happens to hold whole numbers only
    # ("1.200", "850", "2.400"), so pandas (read without decimal=",") parses it
    # as floats 1.2, 850.0, 2.4 and _read_text_table skips numeric columns:
    # 1200 silently becomes 1.2 while "preis" in the same file is read with
    # decimal commas. pd.read_csv(sep=";", decimal=",", thousands=".") gives
    # 1200, 850, 2400.
    from rebalance.cli import _load_table

    text = "preis;menge;label\n1,5;1.200;x\n2,25;850;y\n3,75;2.400;x\n0,5;12.000;y\n"
    path = _write(tmp_path, "excel.csv", text)
    ref = pd.read_csv(path, sep=";", decimal=",", thousands=".")
    X, y = _load_table(path, "label")
    np.testing.assert_allclose(np.asarray(X["preis"], float), ref["preis"])
    np.testing.assert_allclose(np.asarray(X["menge"], float), ref["menge"])
    assert ref["menge"].tolist() == [1200, 850, 2400, 12000]


def test_semicolon_decimal_comma_file_euro_amounts_keep_their_thousands(tmp_path):
    # Same file kind, amounts written with a currency sign and no cents
    # ("1.234 €", as Excel's German currency format without decimals). Not
    # matched by the ';' decimal-comma rule (the sign), the column reaches
    # _columns._as_numbers, which reads '.' as a decimal point: 1.234 € for
    # 1234 €, 2.000 € for 2000 € -- next to 850 € -- a silent factor of 1000.
    # Leaving the column as text would be safe; wrong numbers are not.
    from rebalance._columns import plan_columns, prepare_frame
    from rebalance.cli import _load_table

    text = (
        "betrag;rabatt;label\n"
        "1.234 €;1,5;x\n"
        "850 €;2,5;y\n"
        "2.000 €;3,0;x\n"
        "12.500 €;0,5;y\n"
    )
    path = _write(tmp_path, "excel.csv", text)
    X, _ = _load_table(path, "label")
    plan = plan_columns(X)
    if plan.used.get("betrag") == "numeric":
        got = np.asarray(prepare_frame(X, plan)["betrag"], dtype=float)
        np.testing.assert_allclose(got, [1234, 850, 2000, 12500])


@pytest.mark.parametrize("sep", [".", "/"])
def test_day_first_dates_are_parsed_with_one_order_per_column(tmp_path, sep):
    # European dates 01.02.2024 (1 February) in a ';' file. "13.02.2024" can
    # only be day-first, yet plan_columns/prepare_frame parse with
    # format="mixed" (each value on its own): "01.02.2024" becomes 2 January
    # and "13.02.2024" 13 February -- one column, two orders, silently wrong
    # dates for every day <= 12. pd.to_datetime(..., dayfirst=True) gives
    # February for all of them.
    from rebalance._columns import plan_columns, prepare_frame
    from rebalance.cli import _load_table

    days = ["01", "05", "13", "20", "03", "28", "11", "15"]
    lines = ["datum;wert;label"] + [
        f"{d}{sep}02{sep}2024;{i},5;{'ab'[i % 2]}" for i, d in enumerate(days)
    ]
    path = _write(tmp_path, "dates.csv", "\n".join(lines) + "\n")
    X, _ = _load_table(path, "label")
    plan = plan_columns(X)
    assert plan.used.get("datum") == "datetime"
    out = prepare_frame(X, plan)["datum"]
    if plan.vectorizer == "fallback":
        out = pd.to_datetime(out * 1e9)
    stamps = pd.to_datetime(out)
    assert stamps.dt.month.tolist() == [2] * len(days)
    assert stamps.dt.day.tolist() == [int(d) for d in days]


def test_semicolon_file_with_commas_in_header_names_is_read_with_semicolons(
    tmp_path,
):
    # Excel (German locale) writes ';' files and quotes only fields holding a
    # ';', a quote or a newline, so a column name "Preis (EUR, brutto)" is
    # written bare. Every line then has as many ',' (one name comma; one
    # decimal comma per row) as ';': the tie goes to ',' and the file is split
    # at commas -- columns "Preis (EUR" and "brutto);Klasse", --target Klasse
    # "is not a column". pd.read_csv(sep=";", decimal=",") reads it.
    from rebalance.cli import _load_table

    text = "Preis (EUR, brutto);Klasse\n1,5;a\n2,5;b\n3,25;a\n4,0;b\n"
    path = _write(tmp_path, "excel.csv", text)
    ref = pd.read_csv(path, sep=";", decimal=",")
    X, y = _load_table(path, "Klasse")
    assert list(X.columns) == ["Preis (EUR, brutto)"]
    np.testing.assert_allclose(np.asarray(X.iloc[:, 0], float), ref.iloc[:, 0])
    assert list(y) == ["a", "b", "a", "b"]
