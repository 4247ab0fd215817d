"""Review 20: `rebalance compare` run by a new user on real-world-shaped files.

Each test reproduces one bug of ``rebalance compare`` (the CLI, through
``rebalance.cli.main`` or a ``python -m rebalance`` process) that a user
running it on their own file would hit.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(*argv):
    """The SystemExit message (or exit code), stdout and the JSON scores of
    one CLI run."""
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(["compare", *argv])
        except SystemExit as exc:
            code = exc.code
    return code, stdout.getvalue()


# The fastest run: one method, two folds; the file comes last.
_ARGS = ("--target", "label", "--folds", "2", "--methods", "none", "--data")


def _frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"])
    frame["label"] = np.where(np.arange(n) % 4 == 0, "yes", "no")
    return frame


# `rebalance compare ... | head -3`: once the reader had gone, the next print
# ended the run with a BrokenPipeError traceback (and exit status 1), before
# the --json file was written.
def test_a_closed_stdout_pipe_is_no_traceback_and_the_files_are_written(tmp_path):
    data, scores = tmp_path / "d.csv", tmp_path / "scores.json"
    _frame().to_csv(data, index=False)
    command = [sys.executable, "-m", "rebalance", "compare", "--data", str(data)]
    command += ["--target", "label", "--folds", "2", "--methods", "none"]
    command += ["--json", str(scores)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    process.stdout.close()  # the reader is gone before the first line
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert json.loads(scores.read_text())["scores"]["none"]


# "churn" and "churn " (a trailing space, as typed in a spreadsheet) were two
# classes of a CSV target, while a leading space was already skipped: a
# binary problem silently compared as three classes.
def test_labels_differing_by_surrounding_spaces_are_one_class(tmp_path):
    frame = _frame()
    frame["label"] = [
        ("yes " if i % 8 else " yes") if v == "yes" else "no"
        for i, v in enumerate(frame["label"])
    ]
    csv, parquet = tmp_path / "d.csv", tmp_path / "d.parquet"
    frame.to_csv(csv, index=False)
    for path in [csv] + ([parquet] if _has_pyarrow() else []):
        if path == parquet:
            frame.to_parquet(path)
        code, out = _run(*_ARGS, str(path))
        assert code == 0, code
        out = " ".join(out.split())  # the summary is wrapped
        assert "2 classes (no: 30, yes: 10)" in out, out
        assert "Positive class 'yes'" in out, out


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


# A header naming a column twice: pandas renamed the second "label" to
# "label.1", which then was a feature (the target leaked into the features)
# although README says columns must have distinct names.
@pytest.mark.parametrize("repeated", ["label", "a"])
def test_a_header_naming_a_column_twice_is_refused(tmp_path, repeated):
    frame = _frame()
    frame.insert(1, "copy", frame[repeated])
    path = tmp_path / "dup.csv"
    text = frame.to_csv(index=False).replace("copy", repeated, 1)
    path.write_text(text)
    code, out = _run(*_ARGS, str(path))
    assert isinstance(code, str), out
    assert repr(repeated) in code and "twice" in code, code
    assert "\n" not in code


# A real column "a.1" next to "a" is not a repeated name.
def test_a_column_named_like_a_renamed_repeat_still_runs(tmp_path):
    frame = _frame()
    frame["a.1"] = frame["a"] * 2
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    code, out = _run(*_ARGS, str(path))
    assert code == 0, code
    assert "3 used" in " ".join(out.split()), out


# Empty rows (",,," as Excel writes them) and a class named "None" both gave
# "has 2 missing labels: drop those rows first": no row to look at, and no
# word that "None"/"NA" cells are read as missing. (Since stop 52, empty rows
# at the end of the file are left out with a notice: these are followed by a
# data row.)
def test_missing_labels_name_their_rows_and_what_counts_as_missing(tmp_path):
    frame = _frame(9)
    text = frame[:8].to_csv(index=False) + ",,\n,,\n"
    text += frame[8:].to_csv(index=False, header=False)
    path = tmp_path / "excel.csv"
    path.write_text(text)
    code, _ = _run(*_ARGS, str(path))
    assert isinstance(code, str) and "\n" not in code
    assert "2 missing labels" in code, code
    assert "rows 9 and 10" in code, code
    assert "'None'" in code and "'NA'" in code, code


def _scores(path, tmp_path):
    scores = tmp_path / "scores.json"
    code, _ = _run("--json", str(scores), *_ARGS, str(path))
    assert code == 0, code
    return json.loads(scores.read_text())["scores"]["none"]


# Excel's separator line: a first line "sep=;" (which Excel writes and reads
# in European locales) was read as the header: columns ['sep=', 'Unnamed:
# 1'], the data lines' fields pushed into the index, and "--target 'label' is
# not a column".
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_an_excel_separator_line_names_the_separator(tmp_path, bom):
    frame = _frame()
    plain, hinted = tmp_path / "plain.csv", tmp_path / "hinted.csv"
    frame.to_csv(plain, index=False)
    text = frame.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    hinted.write_text(f"{bom}sep=;\r\n{text}", encoding="utf-8")
    assert _scores(hinted, tmp_path) == _scores(plain, tmp_path)


# A title line above the column names: "--target 'label' is not a column;
# columns: ['Customer export']" with no word of why.
def test_a_title_line_above_the_header_is_named_in_the_error(tmp_path):
    path = tmp_path / "title.csv"
    path.write_text("Customer export\n" + _frame().to_csv(index=False))
    code, _ = _run(*_ARGS, str(path))
    assert isinstance(code, str) and "single column" in code and "title" in code


# A file of column names only: "y is empty (0 samples)", naming neither the
# file nor --data.
def test_a_file_without_data_rows_says_so(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("a,b,label\n")
    code, _ = _run(*_ARGS, str(path))
    assert isinstance(code, str) and "no data rows" in code and "header.csv" in code


# The PR curves of --plot and --report joined their points with straight
# lines, which show precisions no threshold reaches and an area larger than
# the average precision in the table; scikit-learn's PrecisionRecallDisplay
# draws steps.
def test_precision_recall_curves_are_steps():
    pytest.importorskip("matplotlib")
    from rebalance._report import overview_figure
    from rebalance.compare import ComparisonResult

    y = np.array([0, 0, 0, 1, 0, 1, 0, 0])
    scores = np.linspace(0.1, 0.9, y.shape[0])
    result = ComparisonResult(y=y, folds=2)
    result.scores["none"] = {"average_precision": [0.5, 0.6], "roc_auc": [0.5, 0.6]}
    result.oof["none"] = np.column_stack([1 - scores, scores])
    figure = overview_figure(result, "average_precision")
    pr_axes = figure.axes[0]
    assert pr_axes.lines[0].get_drawstyle() == "steps-post"
    # The ROC curve stays a line (its straight segments are reachable).
    assert figure.axes[1].lines[0].get_drawstyle() == "default"


# "Yes" and "yes" were two classes without a word: a binary file compared as
# three classes, noticed only by reading the class counts.
def test_classes_differing_only_in_case_get_a_notice(tmp_path, capsys):
    frame = _frame()
    frame.loc[frame.index[:4], "label"] = "Yes"
    path = tmp_path / "case.csv"
    frame.to_csv(path, index=False)
    assert main(["compare", *_ARGS, str(path)]) == 0
    err = capsys.readouterr().err
    assert "notice" in err and "'Yes' and 'yes'" in err, err
    _frame().to_csv(path, index=False)
    assert main(["compare", *_ARGS, str(path)]) == 0
    assert "notice" not in capsys.readouterr().err
