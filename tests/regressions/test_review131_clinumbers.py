"""Review 131 clinumbers: numbers written as text, read by ``rebalance compare
--data FILE`` (``rebalance.cli``: ``_read_decimal_commas``, ``_DECIMAL_COMMA``,
``_COMMA_THOUSANDS``) and by ``compare()`` from a DataFrame
(``rebalance._columns``: ``missing_as_na``, ``_as_numbers``, ``plan_columns``).

Each test writes a tiny table under ``tmp_path`` (a "," or ";" CSV file, or
Parquet), reads it in process the way the command does (``cli._load_table``),
then plans and prepares the columns as ``compare()`` does
(``missing_as_na`` -> ``plan_columns`` -> ``prepare_frame``) and compares the
planned kind and the values with the same table given as a pandas DataFrame
of strings, and with the numbers written by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rebalance import cli
from rebalance._columns import missing_as_na, plan_columns, prepare_frame


def _planned(X):
    notes: list[str] = []
    X = missing_as_na(X, notify=notes.append)
    plan = plan_columns(X)
    return plan, prepare_frame(X, plan), notes


def _labels(n):
    return (["a", "b"] * n)[:n]


def _write_csv(path, columns, sep):
    """A CSV file of the text ``columns`` (a dict of lists) and a target y."""
    n = len(next(iter(columns.values())))
    names = [*columns, "y"]
    rows = zip(*columns.values(), _labels(n))

    def field(value):
        return f'"{value}"' if sep in value or '"' in value else value

    text = sep.join(names) + "\n"
    text += "".join(sep.join(field(v) for v in row) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")
    return str(path)


def _from_file(path, monkeypatch):
    monkeypatch.setattr(cli, "_NOTICES", [])
    X, _ = cli._load_table(path, "y")
    plan, values, _ = _planned(X)
    return plan, values, list(cli._NOTICES)


def _from_frame(columns):
    return _planned(pd.DataFrame(columns))


def _from_parquet(tmp_path, columns, monkeypatch):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(columns)
    frame["y"] = _labels(len(frame))
    path = str(tmp_path / "t.parquet")
    frame.to_parquet(path)
    return _from_file(path, monkeypatch)


# One column each, with its numbers worked out by hand.
COMMA_CASES = {
    "money": (
        ["$1,234.50", "-$12", "12 £", "$5.25", "3 €", "$2,000"],
        [1234.5, -12.0, 12.0, 5.25, 3.0, 2000.0],
    ),
    "percent": (["12.5%", "3%", "100%", "4.25 %"], [0.125, 0.03, 1.0, 0.0425]),
    "accounting": (["(1,234)", "2,000", "(12)", "5"], [-1234.0, 2000.0, -12.0, 5.0]),
}


@pytest.mark.parametrize("case", sorted(COMMA_CASES))
def test_comma_file_parquet_and_frame_read_money_alike(case, tmp_path, monkeypatch):
    texts, expected = COMMA_CASES[case]
    columns = {"x": texts * 3}
    expected = np.array(expected * 3)
    path = _write_csv(tmp_path / "t.csv", columns, ",")
    for plan, values, _ in (
        _from_file(path, monkeypatch),
        _from_parquet(tmp_path, columns, monkeypatch),
        _from_frame(columns),
    ):
        assert plan.used == {"x": "numeric"} and plan.dropped == {}
        np.testing.assert_allclose(values["x"].to_numpy(float), expected)


SEMICOLON_CASES = {
    "euro": (
        ["1.234,50 €", "2.000,00 €", "12,5 €", "3 €"],
        [1234.5, 2000.0, 12.5, 3.0],
    ),
    "percent": (["34,1 %", "12 %", "5,5 %", "100 %"], [0.341, 0.12, 0.055, 1.0]),
    "no-break space": (
        ["1\u00a0234,5", "2\u00a0000,0", "12,5", "3"],
        [1234.5, 2000, 12.5, 3],
    ),
    "narrow space": (
        ["1\u202f234,5", "2\u202f000,0", "12,5", "3"],
        [1234.5, 2000, 12.5, 3],
    ),
}


@pytest.mark.parametrize("case", sorted(SEMICOLON_CASES))
def test_semicolon_file_reads_decimal_commas_exactly(case, tmp_path, monkeypatch):
    texts, expected = SEMICOLON_CASES[case]
    path = _write_csv(tmp_path / "t.csv", {"x": texts * 3}, ";")
    plan, values, _ = _from_file(path, monkeypatch)
    assert plan.used == {"x": "numeric"}
    np.testing.assert_allclose(values["x"].to_numpy(float), np.array(expected * 3))


@pytest.mark.parametrize("sep,numbers", [(",", ["1.5", "2.5"]), (";", ["1,5", "2,5"])])
def test_dashes_are_missing_with_a_notice_in_both_separators(
    sep, numbers, tmp_path, monkeypatch
):
    texts = [numbers[0], "\u2014", numbers[1], "\u2013", "-", "3"] * 2
    path = _write_csv(tmp_path / "t.csv", {"x": texts}, sep)
    plan, values, notes = _from_file(path, monkeypatch)
    assert plan.used == {"x": "numeric"}
    expected = np.array([1.5, np.nan, 2.5, np.nan, np.nan, 3.0] * 2)
    np.testing.assert_array_equal(values["x"].to_numpy(float), expected)
    # Six rows turned missing: said, naming the three dashes.
    assert len(notes) == 1 and "(6 rows)" in notes[0]
    assert all(d in notes[0] for d in ("'-'", "'\u2013'", "'\u2014'"))


def test_currency_sign_on_both_sides_stays_text_in_a_comma_file(tmp_path, monkeypatch):
    columns = {"x": ["$3€", "$4", "$5", "$6"] * 3}
    path = _write_csv(tmp_path / "t.csv", columns, ",")
    for plan, values, _ in (_from_file(path, monkeypatch), _from_frame(columns)):
        assert plan.used == {"x": "categorical"}
        assert values["x"].tolist() == columns["x"]


@pytest.mark.parametrize("sep,sign", [(",", "$"), (";", "€")])
def test_consecutive_money_is_kept_as_numbers_from_a_file(
    sep, sign, tmp_path, monkeypatch
):
    texts = [f"{sign}{i}" if sign == "$" else f"{i} {sign}" for i in range(1, 13)]
    columns = {"x": texts}
    path = _write_csv(tmp_path / "t.csv", columns, sep)
    for plan, values, _ in (
        _from_file(path, monkeypatch),
        _from_parquet(tmp_path, columns, monkeypatch),
        _from_frame(columns),
    ):
        assert plan.used == {"x": "numeric"} and plan.dropped == {}
        np.testing.assert_array_equal(values["x"].to_numpy(float), np.arange(1, 13.0))


def test_dotted_numbers_in_a_semicolon_file_without_decimal_commas(
    tmp_path, monkeypatch
):
    # No decimal comma anywhere in the file: "1.234" is a decimal point,
    # as in the DataFrame.
    columns = {"x": ["1.234", "2.500", "3.750", "1.000"] * 3}
    path = _write_csv(tmp_path / "t.csv", columns, ";")
    expected = np.array([1.234, 2.5, 3.75, 1.0] * 3)
    for plan, values, _ in (_from_file(path, monkeypatch), _from_frame(columns)):
        assert plan.used == {"x": "numeric"}
        np.testing.assert_allclose(values["x"].to_numpy(float), expected)


def test_dotted_numbers_next_to_decimal_commas_are_thousands(tmp_path, monkeypatch):
    # The documented decision (_read_decimal_commas): with decimal commas in
    # the ";" file, "1.234" is twelve hundred and thirty-four.
    columns = {
        "x": ["1.234", "2.500", "3.750", "1.000"] * 3,
        "z": ["0,5", "1,5", "2,5", "3,5"] * 3,
    }
    path = _write_csv(tmp_path / "t.csv", columns, ";")
    plan, values, _ = _from_file(path, monkeypatch)
    assert plan.used == {"x": "numeric", "z": "numeric"}
    np.testing.assert_array_equal(
        values["x"].to_numpy(float), np.array([1234, 2500, 3750, 1000.0] * 3)
    )
    np.testing.assert_array_equal(
        values["z"].to_numpy(float), np.array([0.5, 1.5, 2.5, 3.5] * 3)
    )


def test_currency_sign_on_both_sides_stays_text_next_to_decimal_commas(
    tmp_path, monkeypatch
):
    columns = {
        "x": ["3 €", "$3€", "4,5 €", "5 €"] * 3,
        "z": ["0,5", "1,5", "2,5", "3,5"] * 3,
    }
    path = _write_csv(tmp_path / "t.csv", columns, ";")
    plan, values, _ = _from_file(path, monkeypatch)
    # As compare() plans the same text in a DataFrame: no number.
    assert plan.used["x"] != "numeric"
    assert "$3€" in values["x"].tolist()


def test_currency_sign_on_both_sides_stays_text_next_to_quoted_decimal_commas(
    tmp_path, monkeypatch
):
    columns = {"x": ["3,5€", "$3€", "4,5€", "1,5€"] * 3}
    path = _write_csv(tmp_path / "t.csv", columns, ",")
    plan, values, _ = _from_file(path, monkeypatch)
    assert plan.used["x"] != "numeric"
    assert "$3€" in values["x"].tolist()


def test_accounting_negative_keeps_the_decimal_comma_scale(tmp_path, monkeypatch):
    plain = {"x": ["1,234", "1,234", "2,500", "3,750"] * 3}
    negative = {"x": ["1,234", "(1,234)", "2,500", "(3,750)"] * 3}
    _, values, _ = _from_file(_write_csv(tmp_path / "a.csv", plain, ";"), monkeypatch)
    np.testing.assert_allclose(
        values["x"].to_numpy(float), np.array([1.234, 1.234, 2.5, 3.75] * 3)
    )
    _, values, _ = _from_file(
        _write_csv(tmp_path / "b.csv", negative, ";"), monkeypatch
    )
    np.testing.assert_allclose(
        values["x"].to_numpy(float), np.array([1.234, -1.234, 2.5, -3.75] * 3)
    )


def test_accounting_negative_with_thousands_dots_is_a_number(tmp_path, monkeypatch):
    columns = {"x": ["(1.234,5)", "2,5", "3.000,0", "(4,5)"] * 3}
    plan, values, _ = _from_file(
        _write_csv(tmp_path / "t.csv", columns, ";"), monkeypatch
    )
    assert plan.used == {"x": "numeric"}
    np.testing.assert_allclose(
        values["x"].to_numpy(float), np.array([-1234.5, 2.5, 3000.0, -4.5] * 3)
    )


def test_a_column_reads_the_same_whatever_the_other_columns(tmp_path, monkeypatch):
    x = ["1.234", "12.500", "800", "2.000"] * 3
    alone = {"x": x}
    beside = {"x": x, "z": ["0,5", "1,5", "2,5", "3,5"] * 3}
    _, first, notes = _from_file(
        _write_csv(tmp_path / "a.csv", alone, ";"), monkeypatch
    )
    _, second, _ = _from_file(_write_csv(tmp_path / "b.csv", beside, ";"), monkeypatch)
    # 800 next to 12.5 and 1.234: either read alike both times, or say so.
    assert notes or np.allclose(first["x"].to_numpy(float), second["x"].to_numpy(float))
