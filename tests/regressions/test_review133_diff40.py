"""Review 133, area ``diff40``: the lead's commits 94dbf70 and e2b8e7f in
``rebalance/cli.py`` (``git diff 200cea8 HEAD -- rebalance``).

Reviewed: ``_read_text_table_as`` (an index with a missing value is never
R-style row names; the notice when both "row names" and "trailing
separator" fit a file), ``_read_decimal_commas`` (integer-only ';' files
not read a second time) and ``_note_dotted_thousands`` (text columns of
numbers beside a missing-number marker).

Method: small files under tmp_path, read in process with
``cli._load_table`` (notices in a fresh ``cli._NOTICES``) and through
``cli.main(["compare", ..., "--json", out])``: R's write.table output (tab
and comma, quoted row names, text or numbered row names, with and without
an empty last column written with ``na=""``), pandas'
``to_csv(index_label=False)``, trailing separators on every line, on data
lines only, a duplicate or empty first text cell, and ';' files with
dotted numbers beside "?", "-", "--", "#DIV/0!", "n/a". Expected columns
and labels are written out by hand from the table each file was made of.

Found: R's write.table default row names (numbers "1".."n", quoted) with
an empty last column (``na=""``) are silently read as a trailing separator:
every column shifts by one and --target reads its left neighbour, with no
notice although both readings fit (the notice covers text row names only).
"""

import json

import numpy as np
import pandas as pd
import pytest

from rebalance import cli

LABELS = ["p", "n", "n", "p", "n", "n", "p", "n"]
A = [1, 3, 5, 7, 9, 11, 13, 15]
B = [2.5, 4.5, 6.5, 8.5, 1.5, 3.5, 5.5, 7.5]
NAMES = [f"r{i}" for i in range(len(A))]


def _load(tmp_path, monkeypatch, text, target="y", name="t.csv", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    monkeypatch.setattr(cli, "_NOTICES", [])
    X, y = cli._load_table(str(path), target)
    return X, y, list(cli._NOTICES)


def _row_name_notes(notes):
    return [n for n in notes if "read as row names" in n]


def _r_file(sep, names, empty_last):
    header = sep.join(f'"{c}"' for c in ["a", "b", "y"] + ["e"] * empty_last)
    lines = [
        sep.join([f'"{r}"', str(a), str(b), f'"{c}"'] + [""] * empty_last)
        for r, a, b, c in zip(names, A, B, LABELS)
    ]
    return "\n".join([header, *lines]) + "\n"


@pytest.mark.parametrize("sep", ["\t", ","])
@pytest.mark.parametrize("names", [NAMES, [str(i + 1) for i in range(len(A))]])
def test_r_write_table_without_empty_column(tmp_path, monkeypatch, sep, names):
    X, y, notes = _load(tmp_path, monkeypatch, _r_file(sep, names, False))
    assert list(X.columns) == ["a", "b"]
    np.testing.assert_array_equal(X["a"].to_numpy(), A)
    np.testing.assert_allclose(X["b"].to_numpy(), B)
    assert list(y) == LABELS
    assert _row_name_notes(notes) == []


@pytest.mark.parametrize("sep", ["\t", ","])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_r_text_row_names_with_empty_last_column(tmp_path, monkeypatch, sep, newline):
    text = _r_file(sep, NAMES, True)
    X, y, notes = _load(tmp_path, monkeypatch, text, newline=newline)
    assert list(X.columns) == ["a", "b", "e"]
    assert list(X.index) == NAMES
    np.testing.assert_array_equal(X["a"].to_numpy(), A)
    assert X["e"].isna().all()
    assert list(y) == LABELS
    (note,) = _row_name_notes(notes)
    assert len(notes) == 1
    assert "'e' is empty" in note and "being 'a'" in note


def test_r_text_row_names_with_na_last_column_no_notice(tmp_path, monkeypatch):
    text = _r_file(",", NAMES, True).replace(",\n", ",NA\n")
    X, y, notes = _load(tmp_path, monkeypatch, text)
    assert list(X.columns) == ["a", "b", "e"] and list(X.index) == NAMES
    assert list(y) == LABELS
    assert notes == []


def test_r_numbered_row_names_with_empty_last_column(tmp_path, monkeypatch):
    # write.table(df, na="") of flag (0/1), y (labels), x, e (all NA):
    # the default row names "1".."n" are quoted, the other numbers not.
    header = '"flag","y","x","e"'
    lines = [f'"{i + 1}",{i % 2},"{c}",{b},' for i, (c, b) in enumerate(zip(LABELS, B))]
    X, y, notes = _load(tmp_path, monkeypatch, "\n".join([header, *lines]) + "\n")
    # Either R's reading (y the labels), or at least the notice that both
    # readings fit; today: y silently holds the flag column, no notice.
    assert list(y) == LABELS or _row_name_notes(notes)


@pytest.mark.parametrize("empty", [False, True])
def test_pandas_to_csv_index_label_false(tmp_path, monkeypatch, empty):
    frame = pd.DataFrame({"a": A, "b": B, "y": LABELS}, index=NAMES)
    if empty:
        frame["e"] = np.nan
    X, y, notes = _load(tmp_path, monkeypatch, frame.to_csv(index_label=False))
    assert list(X.columns) == ["a", "b"] + ["e"] * empty
    assert list(X.index) == NAMES
    np.testing.assert_allclose(X["b"].to_numpy(), B)
    assert list(y) == LABELS
    assert len(_row_name_notes(notes)) == int(empty) and len(notes) == int(empty)


def _trailing(first, header_too=False):
    header = "id,a,y" + ("," if header_too else "")
    lines = [f"{f},{a},{c}," for f, a, c in zip(first, A, LABELS)]
    return "\n".join([header, *lines]) + "\n"


@pytest.mark.parametrize(
    "first",
    [
        NAMES,  # unique text: the target decides (empty under row names)
        ["rX"] + NAMES[1:-1] + ["rX"],  # one duplicate
        NAMES[:2] + [""] + NAMES[3:],  # one empty cell
    ],
)
def test_trailing_separator_on_data_lines(tmp_path, monkeypatch, first):
    X, y, notes = _load(tmp_path, monkeypatch, _trailing(first))
    assert list(X.columns) == ["id", "a"]
    assert X["id"].fillna("").tolist() == first
    np.testing.assert_array_equal(X["a"].to_numpy(), A)
    assert list(y) == LABELS
    assert notes == []


def test_trailing_separator_on_every_line(tmp_path, monkeypatch):
    X, y, notes = _load(tmp_path, monkeypatch, _trailing(NAMES, header_too=True))
    assert list(X.columns)[:2] == ["id", "a"]
    assert X["id"].tolist() == NAMES
    assert X.iloc[:, 2:].isna().all().all()
    assert list(y) == LABELS
    assert _row_name_notes(notes) == []


def test_ambiguous_trailing_separator_noted_once(tmp_path, monkeypatch):
    # --target a: under row names it holds the labels, the last column 'y'
    # the empty fields: both readings fit, the row-name reading is said.
    X, y, notes = _load(tmp_path, monkeypatch, _trailing(NAMES), target="a")
    assert list(y) == LABELS and list(X.columns) == ["id", "y"]
    (note,) = notes
    assert "'y' is empty" in note and "being 'id'" in note


def test_ordinary_file_no_notice(tmp_path, monkeypatch):
    frame = pd.DataFrame({"a": A, "b": B, "y": LABELS})
    X, y, notes = _load(tmp_path, monkeypatch, frame.to_csv(index=False))
    assert list(X.columns) == ["a", "b"] and list(y) == LABELS
    assert notes == []


def test_compare_main_notes_the_ambiguous_file_once(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text(_r_file("\t", NAMES, True))
    out = tmp_path / "o.json"
    argv = ["compare", "--data", str(path), "--target", "y", "--methods", "none"]
    assert cli.main([*argv, "--folds", "2", "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("read as row names") == 1
    result = json.loads(out.read_text())
    assert sum("read as row names" in n for n in result["notes"]) == 1
    assert result["class_counts"] == {"n": 5, "p": 3}


DOTTED = ["12.500", "800", "MARK", "1.250", "3", "7.000"]


def _semicolon(values, labels="pq"):
    lines = [f"{v};{i};{labels[i % 2]}" for i, v in enumerate(values)]
    return "x;n;y\n" + "\n".join(lines) + "\n"


def _dotted_notes(notes):
    return [n for n in notes if "separates thousands" in n]


@pytest.mark.parametrize("marker", ["?", "-", "--", "#DIV/0!", "n/a"])
def test_dotted_thousands_beside_a_marker(tmp_path, monkeypatch, marker):
    values = [marker if v == "MARK" else v for v in DOTTED]
    X, y, notes = _load(tmp_path, monkeypatch, _semicolon(values))
    expected = [np.nan if v == "MARK" else float(v) for v in DOTTED]
    np.testing.assert_allclose(X["x"].to_numpy(), expected)
    (note,) = _dotted_notes(notes)
    assert "'12.500'" in note and "(12.5)" in note and "(12500)" in note


@pytest.mark.parametrize(
    "values",
    [
        ["red", "blue", "?", "green", "1.250", "x.000"],  # words
        ["1.5", "2.25", "?", "3", "4.125", "5"],  # plain decimals
        ["12", "13", "?", "14", "15", "16"],  # whole numbers
    ],
)
def test_no_dotted_thousands_notice(tmp_path, monkeypatch, values):
    X, y, notes = _load(tmp_path, monkeypatch, _semicolon(values))
    assert _dotted_notes(notes) == []


def test_integer_only_semicolon_file_read_once(tmp_path, monkeypatch):
    calls = []
    original = pd.read_csv

    def counting(*args, **kwargs):
        if kwargs.get("nrows") is None:  # not the header line alone
            calls.append(kwargs.get("dtype"))
        return original(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", counting)
    # Integer labels too: a text column (the usual labels) is read again.
    _load(tmp_path, monkeypatch, _semicolon(["1", "2", "3", "4", "5", "6"], "01"))
    whole = [d for d in calls if d is str]
    calls.clear()
    _load(tmp_path, monkeypatch, _semicolon(["1.5", "2", "3", "4", "5", "6"], "01"))
    assert whole == [] and [d for d in calls if d is str] != []
