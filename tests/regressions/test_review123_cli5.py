"""Review 123 (cli5): a white-box audit of ``rebalance compare``
(``rebalance.cli.main``) run in-process on tiny CSV files with ``--folds 2``:
the scores written by ``--json`` agree with :func:`rebalance.compare.compare`
on the same table, usage errors (``--folds``, ``--seed``, ``--n-jobs``,
``--methods``, ``--data -``) exit with status 2 and data errors with status 1
as one line without a traceback, ``--positive-label`` given as text for
numeric labels, duplicated ``--methods``/``--drop`` names, unsupported
``--data`` formats, a target that is the only column, an ASCII-only narrow
terminal, and a ``--target`` name typed in another Unicode normal form."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import unicodedata

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main
from rebalance.compare import compare


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + rng.normal(scale=0.5, size=60) > 1.0).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b c", "é"])
    frame["Label Col"] = y
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _run(*argv):
    """(exit code, stdout, stderr) of ``rebalance compare ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["compare", *map(str, argv)])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _base(path):
    return ["--data", path, "--target", "Label Col", "--folds", "2"]


def test_json_scores_agree_with_compare(table, tmp_path):
    path, frame = table
    out = tmp_path / "o.json"
    methods = ["none", "class-weight"]
    code, _, _ = _run(*_base(path), "--methods", ",".join(methods), "--json", out)
    assert code == 0
    data = json.loads(out.read_text())
    X = frame.drop(columns="Label Col")
    result = compare(
        X, frame["Label Col"].to_numpy(), folds=2, seed=0, method_names=methods
    )
    assert data["positive_label"] == "1"
    for method in methods:
        for metric, values in data["scores"][method].items():
            np.testing.assert_allclose(values, result.scores[method][metric])


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--folds", "1"], "--folds"),
        (["--repeats", "0"], "--repeats"),
        (["--seed", "-1"], "--seed"),
        (["--seed", str(2**32)], "--seed"),
        (["--n-jobs", "0"], "--n-jobs"),
        (["--methods", ","], "--methods"),
        (["--methods", "NONE"], "--methods"),
        (["--json", "scores.txt"], "--json"),
        (["--drop", "Label Col"], "--drop"),
    ],
)
def test_usage_errors_exit_2_with_one_line(table, extra, needle):
    path, _ = table
    code, out, err = _run(*_base(path), *extra)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rebalance compare: error:")
    assert needle in lines[0] and "Traceback" not in err


def test_stdin_data_is_a_usage_error():
    code, _, err = _run("--data", "-", "--target", "y")
    assert code == 2
    assert "standard input" in err


@pytest.mark.parametrize("name", ["d.xlsx", "d.json", "d.jsonl.gz"])
def test_unsupported_formats_fail_with_status_1(tmp_path, name):
    (tmp_path / name).write_bytes(b"x")
    code, _, _ = _run("--data", tmp_path / name, "--target", "y", "--folds", "2")
    # a str code: printed on stderr, exit status 1
    assert isinstance(code, str) and "\n" not in code
    assert code.startswith("rebalance compare: error:") and "not read" in code


def test_target_only_column_is_a_data_error(tmp_path):
    path = tmp_path / "only.csv"
    path.write_text("y\n" + "0\n1\n" * 4)
    code, _, _ = _run("--data", path, "--target", "y", "--folds", "2")
    assert isinstance(code, str) and "no feature columns" in code


def test_target_in_another_case_is_named_in_the_error(table):
    path, _ = table
    code, _, _ = _run("--data", path, "--target", "label col", "--folds", "2")
    assert isinstance(code, str) and "'Label Col'" in code


@pytest.mark.parametrize("text", ["1", "1.0", "01", " 1 "])
def test_positive_label_as_text_for_numeric_labels(table, tmp_path, text):
    path, _ = table
    out = tmp_path / "p.json"
    code, _, _ = _run(
        *_base(path), "--methods", "none", "--positive-label", text, "--json", out
    )
    assert code == 0
    assert json.loads(out.read_text())["positive_label"] == "1"


def test_positive_label_not_a_class_is_named(table):
    path, _ = table
    code, _, _ = _run(*_base(path), "--methods", "none", "--positive-label", "yes")
    assert isinstance(code, str) and "--positive-label 'yes'" in code


def test_duplicate_methods_and_drop_names_run_once(table, tmp_path):
    path, _ = table
    out = tmp_path / "o.json"
    code, _, _ = _run(
        *_base(path), "--methods", "none,none", "--drop", "a, a", "--json", out
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert list(data["scores"]) == ["none"]
    assert data["columns"]["dropped"] == {"a": "--drop"}


def test_json_on_stdout_is_only_json(table):
    path, _ = table
    code, out, err = _run(*_base(path), "--methods", "none", "--json", "-")
    assert code == 0
    assert json.loads(out)["folds"] == 2
    assert "avg prec" in err


def test_ascii_terminal_and_narrow_columns(table, monkeypatch):
    path, _ = table
    monkeypatch.setenv("COLUMNS", "20")
    monkeypatch.setenv("NO_COLOR", "1")
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    code = main(["compare", *map(str, _base(path)), "--methods", "none,class-weight"])
    stream.flush()
    assert code == 0
    text = raw.getvalue().decode("ascii")  # no UnicodeEncodeError on the way
    assert "+-" in text and "~" in text
    assert "not shown to fit 20 columns" in " ".join(text.split())


def test_target_in_another_unicode_normal_form(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("x,Größe\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(8)))
    target = unicodedata.normalize("NFD", "Größe")
    assert target != "Größe"
    code, out, _ = _run(
        "--data", path, "--target", target, "--folds", "2", "--methods", "none"
    )
    assert code == 0, code
    assert "8 rows" in " ".join(out.split())  # (wrapped to the terminal)
