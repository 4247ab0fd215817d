"""Review 35: `rebalance compare --data` keeps the classes its target column holds.

pandas reads a CSV column of numbers as numbers, so labels the file writes
differently ("01" and "1", "1.0" and "1", "True" and "true") became one class,
silently. The target is now read as the file's text whenever the typed reading
would merge or change its classes; Parquet keeps the file's types.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import _load_table, main


def _write(path, lines, header="x,y"):
    path.write_text(header + "\n" + "".join(f"{i},{v}\n" for i, v in enumerate(lines)))
    return str(path)


def _load(path, target="y"):
    """Features, labels (as a list) and stderr of reading ``path``."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        X, y = _load_table(str(path), target)
    return X, list(y), err.getvalue()


@pytest.mark.parametrize(
    "values",
    [
        ["01", "1", "01", "1"],  # leading zero
        ["001", "01", "1", "1"],
        ["007", "7", "007", "7"],  # codes
        ["1.0", "1", "1.0", "1"],  # one number, two spellings
        ["+1", "1", "+1", "1"],
        ["1e3", "1000", "1e3", "1000"],
        ["-0", "0", "1", "1"],
    ],
)
def test_labels_one_number_written_differently_stay_classes(tmp_path, values):
    # Before: read as int64/float64, every spelling of 1 was the class 1.
    _, y, err = _load(_write(tmp_path / "t.csv", values))
    assert y == values
    assert "writes one value in several ways" in err


def test_codes_with_leading_zeros_keep_their_text(tmp_path):
    # Before: the classes 7 and 8 (no merge, but not the file's labels, and
    # --positive-label 007 matched only through float parsing).
    _, y, err = _load(_write(tmp_path / "t.csv", ["007", "008", "007", "008"]))
    assert y == ["007", "008", "007", "008"]
    assert err == ""


def test_boolean_spellings_are_not_merged(tmp_path):
    # Before: pandas read True, true and TRUE as the bool True: one class.
    values = ["True", "true", "TRUE", "False", "False"]
    _, y, err = _load(_write(tmp_path / "t.csv", values))
    assert y == values
    assert "differ only in case" in err


def test_consistent_booleans_and_integers_keep_their_types(tmp_path):
    _, y, _ = _load(_write(tmp_path / "b.csv", ["True", "False", "True"]))
    assert [type(v) for v in y] == [np.bool_] * 3 and y == [True, False, True]
    _, y, err = _load(_write(tmp_path / "i.csv", ["0", "1", "0", "10"]))
    assert np.asarray(y).dtype.kind == "i" and y == [0, 1, 0, 10]
    assert err == ""


def test_big_integer_labels_are_not_rounded_together(tmp_path):
    # Before: "1.0" made the column float64, where 9007199254740993 is
    # 9007199254740992: two classes merged.
    values = ["9007199254740993", "9007199254740992", "1.0"] * 2
    _, y, _ = _load(_write(tmp_path / "t.csv", values))
    assert y == values


def test_fractional_target_still_refused_as_continuous(tmp_path):
    # A measurement stays numeric (even with "2.50" and "2.5"): refused.
    path = _write(tmp_path / "t.csv", [f"{v / 4:.2f}" for v in range(40)] + ["2.5"])
    code, _ = _main(path)
    assert "looks continuous" in str(code)


def test_labels_differing_in_surrounding_spaces_are_reported(tmp_path):
    # Before: "a" and "a " (and '" a"') became the class "a" with no word.
    path = tmp_path / "t.csv"
    path.write_text('x,y\n1,a\n2,a \n3," a"\n4,b\n5,b\n')
    _, y, err = _load(path)
    assert y == ["a", "a", "a", "b", "b"]
    assert "surrounding spaces" in err and "'a '" in err


def test_parquet_labels_differing_in_spaces_are_reported(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "t.parquet"
    pd.DataFrame({"x": range(4), "y": [" a", "a", "b", "b"]}).to_parquet(path)
    _, y, err = _load(path)
    assert y == ["a", "a", "b", "b"] and "surrounding spaces" in err


def test_parquet_keeps_the_file_types(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {
            "x": range(4),
            "s": ["01", "1", "01", "1"],
            "b": [True, False, True, False],
            "i": np.array([9007199254740993, 9007199254740992] * 2, dtype="int64"),
        }
    )
    path = tmp_path / "t.parquet"
    frame.drop(columns=["b", "i"]).to_parquet(path)
    assert _load(path, "s")[1] == ["01", "1", "01", "1"]
    frame.drop(columns=["s", "i"]).to_parquet(path)
    assert _load(path, "b")[1] == [True, False, True, False]
    frame.drop(columns=["s", "b"]).to_parquet(path)
    assert _load(path, "i")[1] == [9007199254740993, 9007199254740992] * 2


@pytest.mark.parametrize("value", ["", "nan", "NA"])
def test_missing_target_values_are_refused_not_a_class(tmp_path, value):
    path = _write(tmp_path / "t.csv", ["01", value, "1", "1"])
    with pytest.raises(SystemExit, match="1 missing label"):
        _load(path)


@pytest.mark.parametrize(
    "name, text",
    [
        # A separator ending every line (fields from the first on).
        ("trailing.csv", "x,z,y\n1,2,01,\n3,4,1,\n5,6,01,\n"),
        # R's row names: one field more on the data lines.
        ("names.csv", "x,z,y\nr1,1,2,01\nr2,3,4,1\nr3,5,6,01\n"),
        # Excel's separator line, decimal commas.
        ("sep.csv", "sep=;\nx;z;y\n1;2,5;01\n3;4,5;1\n5;6,5;01\n"),
        ("spaces.csv", "x, z, y\n1, 2, 01\n3, 4, 1\n5, 6, 01\n"),
        ("packed.csv.gz", "x,z,y\n1,2,01\n3,4,1\n5,6,01\n"),
    ],
)
def test_target_text_is_aligned_with_the_rows_of_every_layout(tmp_path, name, text):
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    X, y, _ = _load(path)
    assert y == ["01", "1", "01"]
    assert list(X.columns) == ["x", "z"] and len(X) == 3
    assert X["x"].tolist() == [1, 3, 5]


def _main(*argv):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(["compare", "--data", *argv, "--target", "y"])
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()


def _two_codes(path, n=60):
    rng = np.random.default_rng(0)
    labels = np.where(np.arange(n) % 4 == 0, "01", "1")
    x = rng.normal(size=n) + (labels == "01")
    path.write_text(
        "x,z,y\n"
        + "".join(
            f"{a:.3f},{b:.3f},{c}\n" for a, b, c in zip(x, rng.normal(size=n), labels)
        )
    )
    return str(path)


def test_compare_runs_on_labels_01_and_1(tmp_path):
    # Before: one class (1), "compare needs two classes or more".
    data = _two_codes(tmp_path / "t.csv")
    out = tmp_path / "s.json"
    code, err = _main(data, "--folds", "2", "--methods", "none", "--json", str(out))
    assert code == 0, err
    scores = json.loads(out.read_text())
    assert scores["class_counts"] == {"1": 45, "01": 15}
    assert scores["positive_label"] == "01"
    code, err = _main(
        data, "--folds", "2", "--methods", "none", "--json", str(out),
        "--positive-label", "1",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out.read_text())["positive_label"] == "1"


def test_unpaired_quote_that_merges_rows_is_refused(tmp_path):
    # Before: the 4 data lines were read as 2 rows, lines 3 and 4 inside the
    # text of row 1 ('12 inch,0\n2,ok,1\n3,b"'), without a word.
    path = tmp_path / "t.csv"
    path.write_text('x,z,y\n1,"12 inch,0\n2,ok,1\n3,"b",0\n4,c,1\n')
    with pytest.raises(SystemExit, match="quotes do not pair up.*line 4"):
        _load(path)


def test_quoted_line_breaks_and_inch_marks_still_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        'x,z,y\n1,"Main St 1,\nSpringfield, IL",0\n2,"he said ""hi""",1\n'
        '3,12" screen,0\n4,c,1\n'
    )
    X, y, _ = _load(path)
    assert y == [0, 1, 0, 1]
    assert X["z"].tolist() == [
        "Main St 1,\nSpringfield, IL",
        'he said "hi"',
        '12" screen',
        "c",
    ]
