"""Review 132, area ``csvfuzz``: how ``rebalance compare --data FILE`` reads
CSV text (``rebalance.cli._load_table`` -> ``_read_text_table``: encoding
fallback UTF-8 / cp1252 / Latin-1 / UTF-16 by BOM, separator detection among
tab, ';', ',', '|', row-name / trailing-separator handling, quote checks).

Method: hypothesis writes small tables (2-4 feature columns of ints, floats,
short words holding ',', ';', '|', tab, quotes, newlines, 'é' and spaces,
empty cells, plus a 2-3 class label column at a random position) with
Python's ``csv`` writer, in each separator and encoding, with CRLF or LF
line ends, an optional trailing separator (on data lines only, or on every
line) and blank lines at the end. The frame and labels ``_load_table``
returns are checked against the generated table itself (independent of the
reader): same rows, same columns in order, numbers equal, text equal after
the documented stripping (spaces after a separator are skipped), empty
cells missing, labels intact. Pandas' ``read_csv`` with the right separator
and encoding is the second reference for the row and column count.

Found: a trailing separator on every data line with a first text column
holding an empty cell is read as R-style row names (an empty row name),
shifting every column by one: the labels silently come from the next column.
"""

import csv
import io
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rebalance import cli

LETTERS = "bcdfgkxyz"  # no vowels: never 'nan', 'null', 'none', 'true' ...
ALPHABET = LETTERS + ',;|\t"\n é'
WORD = st.text(ALPHABET, min_size=1, max_size=5).filter(
    lambda w: any(c in LETTERS for c in w)
)
_COUNTER = itertools.count()


@st.composite
def tables(draw):
    n = draw(st.integers(3, 7))
    kinds = draw(
        st.lists(st.sampled_from(["int", "float", "word"]), min_size=2, max_size=4)
    )
    columns = {}
    for j, kind in enumerate(kinds):
        if kind == "int":
            element = st.integers(-999, 99999)
        elif kind == "float":  # never whole: stays a float column
            element = st.integers(-99999, 99999).map(lambda v: v / 100 + 0.005)
        else:
            element = WORD
        values = draw(st.lists(st.one_of(element, st.none()), min_size=n, max_size=n))
        if all(v is None for v in values):
            values[0] = draw(element)
        columns[f"c{j}"] = values
    classes = draw(
        st.sampled_from([["pos", "neg"], ["pos", "neg", "mid"], [0, 1], [0, 1, 2]])
    )
    names = list(columns)
    names.insert(draw(st.integers(0, len(kinds))), "label")
    columns["label"] = draw(st.lists(st.sampled_from(classes), min_size=n, max_size=n))
    return names, columns, kinds


def _csv_text(names, columns, sep, newline, trailing, blanks):
    n = len(columns["label"])
    rows = [names] + [
        ["" if columns[c][i] is None else columns[c][i] for c in names]
        for i in range(n)
    ]
    lines = []
    for r, row in enumerate(rows):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerow(row)
        line = buffer.getvalue()[:-2]
        if trailing == "all" or (trailing == "data" and r > 0):
            line += sep
        lines.append(line)
    return newline.join(lines) + newline * (1 + blanks)


def _write(directory, text, encoding):
    path = directory / f"t{next(_COUNTER)}.csv"
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
    return str(path)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    table=tables(),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    trailing=st.sampled_from([None, "data", "all"]),
    blanks=st.integers(0, 2),
)
def test_generated_csv_reads_back_as_written(
    tmp_path, table, sep, encoding, newline, trailing, blanks
):
    names, columns, kinds = table
    if trailing == "data":  # the row-name case: see the xfail below
        first = names[0]
        assume(first == "label" or kinds[int(first[1:])] != "word")
    text = _csv_text(names, columns, sep, newline, trailing, blanks)
    path = _write(tmp_path, text, encoding)
    n = len(columns["label"])
    features = [c for c in names if c != "label"]

    reference = pd.read_csv(path, sep=sep, encoding=encoding, index_col=False)
    cli._NOTICES.clear()
    X, y = cli._load_table(path, "label")

    assert X.shape[0] == n == reference.shape[0]
    assert X.shape[1] == reference.shape[1] - 1
    assert list(X.columns)[: len(features)] == features
    for extra in list(X.columns)[len(features) :]:  # header ending with sep
        assert trailing == "all" and X[extra].isna().all()
    assert [str(v) for v in y] == [str(v) for v in columns["label"]]
    for name, kind in zip(features, kinds):
        for got, want in zip(X[name].tolist(), columns[name]):
            if want is None:
                assert got is None or (isinstance(got, float) and math.isnan(got))
            elif kind == "word":
                # Spaces after a separator are skipped, not those inside a
                # quoted field (the writer quotes a field holding the
                # separator, a quote or a line break).
                quoted = any(ch in want for ch in (sep, '"', "\r", "\n"))
                assert got == (want if quoted else want.lstrip(" "))
            else:
                assert isinstance(got, (int, float, np.number))
                assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_quoted_separators_newlines_and_latin1_fallback(tmp_path, encoding):
    names = ["note", "x", "label"]
    columns = {
        "note": ['a,b;c|d\te "q"', "line\nbreak", "café"],
        "x": [1.25, None, -3.5],
        "label": ["yes", "no", "yes"],
    }
    text = _csv_text(names, columns, ";", "\r\n", None, 2)
    path = _write(tmp_path, text, encoding)
    X, y = cli._load_table(path, "label")
    assert X["note"].tolist() == columns["note"]
    assert X["x"].iloc[[0, 2]].tolist() == [1.25, -3.5] and np.isnan(X["x"].iloc[1])
    assert y.tolist() == ["yes", "no", "yes"]
    # The same file in Latin-1 ("é" one byte, not UTF-8): read the same.
    latin = _write(tmp_path, text, "latin-1")
    X2, y2 = cli._load_table(latin, "label")
    assert X2["note"].tolist() == columns["note"] and y2.tolist() == y.tolist()


def test_trailing_separator_with_an_empty_first_text_cell_keeps_columns(tmp_path):
    # An export that ends every data line with ',' (not the header). The
    # first column is text with one empty cell: an empty value is never an R
    # row name, yet the first column becomes the index and every column
    # shifts by one, the labels taken from 'c1' (0, 1, 0) without a word.
    path = tmp_path / "trailing.csv"
    path.write_text("c0,label,c1,c2\nbb,pos,0,0,\nbc,neg,1,,\n,pos,0,,\n")
    reference = pd.read_csv(path, index_col=False)
    X, y = cli._load_table(str(path), "label")
    assert y.tolist() == reference["label"].tolist() == ["pos", "neg", "pos"]
    assert X["c0"].iloc[:2].tolist() == ["bb", "bc"] and pd.isna(X["c0"].iloc[2])
    assert X["c1"].tolist() == [0, 1, 0]
