"""Review 16: `rebalance compare` with a new user's own data.

Each test reproduces one unclear or late error of ``rebalance compare`` (the
CLI, through ``rebalance.cli.main``, or ``rebalance.compare.compare``).
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main
from rebalance.compare import compare


def _run(*argv):
    """The SystemExit message (or exit code) and stdout of one CLI run."""
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(["compare", *argv])
        except SystemExit as exc:
            code = exc.code
    return code, stdout.getvalue()


def _frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    frame["label"] = np.where(np.arange(n) % 4 == 0, "yes", "no")
    return frame


# A class with a single row: "folds=2 (--folds) needs 2 <= folds <= 1", an
# impossible range that blames --folds, which no value of it fixes.
@pytest.mark.parametrize("n_classes", [2, 3])
def test_a_class_with_one_row_names_the_class_not_an_impossible_fold_range(
    tmp_path, n_classes
):
    labels = ["x"] * 6 + ["y"] + (["z"] * 6 if n_classes == 3 else [])
    frame = pd.DataFrame({"a": np.arange(len(labels), dtype=float), "label": labels})
    path = tmp_path / "one.csv"
    frame.to_csv(path, index=False)
    code, _ = _run("--data", str(path), "--target", "label", "--folds", "2")
    assert isinstance(code, str)
    assert "<= 1" not in code, code
    assert "['y']" in code and "single row" in code, code
    assert ("--positive-label" in code) == (n_classes == 3), code


# "unknown method(s) ['bogus']" named neither method_names nor --methods.
def test_an_unknown_method_names_the_option(tmp_path):
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        with pytest.raises(SystemExit) as exc:
            main([
                "compare", "--data", str(path), "--target", "label",
                "--folds", "2", "--methods", "none,bogus",
            ])  # fmt: skip
    assert exc.value.code == 2  # a usage error, as argparse's own
    assert "--methods" in stderr.getvalue() and "bogus" in stderr.getvalue()
    with pytest.raises(ValueError, match="method_names"):
        compare(_frame().drop(columns="label"), _frame()["label"], method_names=[])


# A CSV without a header line: its first data line became the column names,
# and the error only listed numbers as "columns".
def test_a_file_without_header_says_so(tmp_path):
    path = tmp_path / "nohead.csv"
    _frame().to_csv(path, index=False, header=False)
    code, _ = _run("--data", str(path), "--target", "label")
    assert isinstance(code, str) and "no header" in code, code


# --target Label for a column "label": no hint that names are case-sensitive.
def test_a_target_in_another_case_suggests_the_column(tmp_path):
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    code, _ = _run("--data", str(path), "--target", "Label")
    assert isinstance(code, str) and "did you mean --target 'label'" in code, code
    code, _ = _run("--data", str(path), "--target", "lbl")
    assert isinstance(code, str) and "did you mean" not in code
    assert "no header" not in code, code


# A NumPy X with inf (DataFrames were checked): scikit-learn's "Input X
# contains infinity ..." came from the first fold's preprocessing, after the
# work started, naming no column; an object array of strings failed there with
# "Cannot use median strategy with non-numeric data".
def test_an_array_with_inf_or_text_is_refused_before_any_fit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.r_[np.ones(8), np.zeros(32)]
    X[3, 1] = np.inf
    for bad in (X, X.astype(object)):
        with pytest.raises(ValueError, match=r"infinite values .*column\(s\) \[1\]"):
            compare(bad, y, folds=2, method_names=["none"])
    text = np.c_[X[:, :1], np.array(["a", "b"] * 20)]
    with pytest.raises(ValueError, match="pandas DataFrame"):
        compare(text, y, folds=2, method_names=["none"])
    # An object array of numbers runs as the float array does.
    X[3, 1] = 0.0
    same = compare(X.astype(object), y, folds=2, method_names=["none"])
    assert same.scores == compare(X, y, folds=2, method_names=["none"]).scores


# Checked right (a guard): a row of the printed table is sklearn's numbers on
# the same folds.
def test_a_printed_row_matches_sklearn_on_the_same_folds(tmp_path):
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.model_selection import RepeatedStratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = _frame()
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    code, out = _run(
        "--data", str(path), "--target", "label", "--folds", "2",
        "--methods", "class-weight", "--seed", "3",
    )  # fmt: skip
    assert code == 0
    y = (frame.pop("label") == "yes").to_numpy().astype(int)
    X = frame.to_numpy()
    ap, auc = [], []
    cv = RepeatedStratifiedKFold(n_splits=2, n_repeats=1, random_state=3)
    for train, test in cv.split(X, y):
        model = make_pipeline(
            SimpleImputer(strategy="median"),
            StandardScaler(),
            LogisticRegression(max_iter=2000, random_state=3, class_weight="balanced"),
        ).fit(X[train], y[train])
        p = model.predict_proba(X[test])[:, 1]
        ap.append(average_precision_score(y[test], p))
        auc.append(roc_auc_score(y[test], p))
    row = next(line for line in out.splitlines() if line.startswith("class-weight"))
    assert f"{np.mean(ap):.3f}" in row and f"{np.std(ap):.3f}" in row, row
    assert f"{np.mean(auc):.3f}" in row, row


def _european(tmp_path, name, encoding, sep=";"):
    frame = _frame(n=24)
    frame["label"] = frame["label"].map({"yes": "oui", "no": "refusé"})
    frame["ville"] = ["Besançon", "Zürich"] * 12
    path = tmp_path / name
    frame.to_csv(path, sep=sep, decimal="," if sep == ";" else ".", index=False,
                 encoding=encoding)  # fmt: skip
    return path


# A CSV saved by Excel on Windows (cp1252: "é" is one byte) or as Excel's
# "Unicode text" (UTF-16, tab-separated) could not be read at all: "it is not
# valid UTF-8" ('utf-8' codec can't decode byte 0xe9 ...).
@pytest.mark.parametrize(
    "name, encoding, sep",
    [("w.csv", "cp1252", ";"), ("w.csv.gz", "cp1252", ";"),
     ("u.txt", "utf-16", "\t")],
)  # fmt: skip
def test_a_csv_in_the_windows_code_page_or_utf16_is_read(tmp_path, name, encoding, sep):
    path = _european(tmp_path, name, encoding, sep)
    code, out = _run(
        "--data", str(path), "--target", "label", "--folds", "2", "--methods", "none"
    )  # fmt: skip
    assert code == 0, code
    assert "refusé: 18, oui: 6" in out and "3 numeric, 1 categorical" in out, out


# Files of other formats were read as text: an Excel or Feather file failed
# with "'utf-8' codec can't decode byte ...", a JSON file listed fragments of
# its text as "columns".
@pytest.mark.parametrize("name", ["d.xlsx", "d.json", "d.feather"])
def test_a_file_of_another_format_is_named_as_such(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b'{"a":{"0":1.0}}' if name.endswith("json") else b"PK\x03\x04\x00")
    code, _ = _run("--data", str(path), "--target", "label")
    assert isinstance(code, str) and "files are not read" in code, code
    assert "CSV" in code and "Parquet" in code, code
    # A binary file with a text extension: "not a text (CSV) file".
    other = tmp_path / "d.dat"
    other.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\xff\xfe\x00\x00")
    code, _ = _run("--data", str(other), "--target", "label")
    assert isinstance(code, str) and "not a text (CSV) file" in code, code
