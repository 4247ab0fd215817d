"""Stop 56 (review 131 clinumbers): a ";" file without decimal commas whose
numbers may have dots between thousands ("12.500" next to "800") is read
with decimal points, as pandas reads it, and says so: the same column is
read as thousands when another column has a decimal comma. A column of
plain decimals gets no notice."""

import numpy as np
import pytest

from rebalance import cli


def _load(tmp_path, monkeypatch, x):
    lines = ["x;y"] + [f"{v};{'ab'[i % 2]}" for i, v in enumerate(x)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(cli, "_NOTICES", [])
    X, _ = cli._load_table(str(path), "y")
    return X["x"].to_numpy(dtype=float), list(cli._NOTICES)


def test_dotted_thousands_noted(tmp_path, monkeypatch):
    values, notes = _load(
        tmp_path, monkeypatch, ["1.234", "12.500", "800", "2.000"] * 3
    )
    np.testing.assert_array_equal(values[:4], [1.234, 12.5, 800, 2.0])
    (note,) = notes
    assert "'x'" in note and "'12.500'" in note and "(12.5)" in note
    assert "(12500)" in note and "without those dots" in note


@pytest.mark.parametrize(
    "x",
    [
        ["1.5", "2.25", "800", "3.75"],  # not three decimals
        ["0.500", "0.125", "0.250", "0.750"],  # a first group of 0: decimals
        ["1.234", "2.345", "3.456", "4.567"],  # all dotted, no round one
        ["1", "2", "3", "4"],  # whole numbers
    ],
)
def test_plain_decimals_not_noted(tmp_path, monkeypatch, x):
    values, notes = _load(tmp_path, monkeypatch, x * 3)
    np.testing.assert_array_equal(values[:4], [float(v) for v in x])
    assert notes == []


def test_row_names_or_trailing_separators_noted(tmp_path, monkeypatch):
    # Unique text first (customer ids), every data line ending with a
    # separator, the header not: row names (R's write.table) or a separator
    # ending each line? Read as row names, as before (review 11 pins an R
    # file with an empty last column), and now said.
    lines = ["cust;y;a;b"] + [
        f"C{i:03d};{'pos' if i % 3 == 0 else 'neg'};{i};{2 * i};" for i in range(30)
    ]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(cli, "_NOTICES", [])
    X, y = cli._load_table(str(path), "y")
    assert list(X.columns) == ["cust", "a", "b"]
    (note,) = cli._NOTICES
    assert "read as row names" in note and "'cust'" in note
    assert "remove those separators" in note


def test_portuguese_excel_csv_in_cp1252_is_read(tmp_path, monkeypatch):
    # Brazilian Excel saves "CSV" in cp1252: "situação" holds a run of two
    # accented letters ("çã"), which was taken for a letter of another code
    # page (GBK, Windows-1251) when most runs were two long: refused.
    words = ["situação", "ação", "informação", "eleições", "créée", "Größe"]
    lines = ["estado,x,y"] + [
        f"{words[i % len(words)]},{i},{'sim' if i % 3 else 'não'}" for i in range(24)
    ]
    path = tmp_path / "br.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    monkeypatch.setattr(cli, "_NOTICES", [])
    X, y = cli._load_table(str(path), "y")
    assert X["estado"].tolist()[:6] == words
    assert sorted(set(y)) == ["não", "sim"]
