"""Review 24: the ``rebalance compare`` command-line contract.

Usage mistakes exit with status 2 and one ``error:`` line naming the option
(as argparse's own errors); data problems exit with 1 and one line naming the
option or file and the fix; never a traceback. Each test fails on the code
before its fix.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import numpy as np
import pandas as pd
import pytest

from rebalance import cli
from rebalance.cli import main

FAST = ["--dataset", "breast-cancer", "--folds", "2", "--methods", "none,class-weight"]


def _run(*argv):
    """(exit status, stdout, stderr) of one CLI run, as the shell sees them."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(["compare", *argv])
        except SystemExit as exc:
            code = exc.code
            if isinstance(code, str):  # what the interpreter does with it
                print(code, file=sys.stderr)
                code = 1
    return code, stdout.getvalue(), stderr.getvalue()


def _no_fit(monkeypatch):
    def no_fit(*args, **kwargs):
        raise AssertionError("cross-validation ran before the usage error")

    monkeypatch.setattr(cli, "compare", no_fit)


def _one_error_line(stderr, *words):
    assert stderr.startswith("rebalance compare: error: "), stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    for word in words:
        assert word in stderr, (word, stderr)


# --methods nope exited with status 1 (a failed run), after the data was
# loaded, with "method_names (--methods)" and no "error:".
@pytest.mark.parametrize(
    "argv, words",
    [
        (["--methods", "nope"], ["argument --methods", "'nope'", "class-weight"]),
        (["--model", "hgb", "--methods", "none,bce"], ["--methods", "'bce'"]),
    ],
)
def test_an_unknown_method_is_a_usage_error(monkeypatch, argv, words):
    _no_fit(monkeypatch)
    code, stdout, stderr = _run("--dataset", "breast-cancer", *argv)
    assert code == 2, (code, stderr)
    assert stdout == ""
    _one_error_line(stderr, *words)


# A regression target failed with "Unknown label type: y is continuous ...",
# naming neither --target nor what to do on the command line; a column of
# many distinct whole numbers (an amount, an id) with "class(es) [0, 5, 9,
# ...] have a single row".
@pytest.mark.parametrize("kind", ["float", "int"])
def test_a_continuous_target_names_the_target_option(tmp_path, kind):
    rng = np.random.default_rng(0)
    n = 60
    y = rng.normal(size=n) if kind == "float" else rng.integers(0, 1000, n)
    path = tmp_path / "reg.csv"
    pd.DataFrame({"a": rng.normal(size=n), "price": y}).to_csv(path, index=False)
    code, stdout, stderr = _run(
        "--data", str(path), "--target", "price", "--folds", "2", "--methods", "none"
    )
    assert code == 1, (code, stderr)
    _one_error_line(stderr, "--target 'price'", "continuous", "classification")
    assert "bin" in stderr.lower() and "another --target" in stderr


def test_many_whole_numbers_with_positive_label_still_run(tmp_path):
    # One value against the rest is a fine binary target: not "continuous".
    rng = np.random.default_rng(0)
    y = np.r_[np.full(20, 7), rng.integers(100, 1000, 40)]
    path = tmp_path / "ids.csv"
    pd.DataFrame({"a": rng.normal(size=60), "y": y}).to_csv(path, index=False)
    code, stdout, stderr = _run(
        "--data", str(path), "--target", "y", "--positive-label", "7",
        "--folds", "2", "--methods", "none",
    )  # fmt: skip
    assert code == 0, stderr
    assert "none" in stdout


# --json '' (an unset shell variable: --json "$OUT") ran and wrote nothing,
# silently; so did --plot '' and --report ''.
@pytest.mark.parametrize("option", ["--json", "--plot", "--report"])
def test_an_empty_output_path_is_a_usage_error(monkeypatch, option):
    _no_fit(monkeypatch)
    code, stdout, stderr = _run(*FAST, option, "")
    assert code == 2, (code, stdout)
    _one_error_line(stderr, f"argument {option}", "file name")


# --json - failed with "unknown extension '(none)'": '-' is standard output
# in every command-line tool (pip install --report -). Now the JSON is the
# whole of stdout, and the table goes to stderr.
def test_json_dash_writes_the_scores_on_stdout():
    code, stdout, stderr = _run(*FAST, "--json", "-")
    assert code == 0, stderr
    data = json.loads(stdout)  # nothing else on stdout
    assert data["folds"] == 2 and set(data["scores"]) == {"none", "class-weight"}
    assert "Best on" in stderr and "Wall time" in stderr


@pytest.mark.parametrize("option", ["--plot", "--report"])
def test_dash_for_a_binary_output_is_a_usage_error(monkeypatch, option):
    _no_fit(monkeypatch)
    code, _, stderr = _run(*FAST, option, "-")
    assert code == 2, (code, stderr)
    _one_error_line(stderr, f"argument {option}", "only for --json")


# --data - said "No such file or directory: '-'" (exit 1).
def test_data_dash_says_standard_input_is_not_read(monkeypatch):
    _no_fit(monkeypatch)
    code, _, stderr = _run("--data", "-", "--target", "y")
    assert code == 2, (code, stderr)
    _one_error_line(stderr, "argument --data", "standard input")


# --drop of every feature said what was dropped, but not what to do.
def test_dropping_every_feature_says_to_keep_one(tmp_path):
    path = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=30), "b": rng.normal(size=30)})
    frame["y"] = ["p"] * 20 + ["q"] * 10
    frame.to_csv(path, index=False)
    code, _, stderr = _run(
        "--data", str(path), "--target", "y", "--drop", "a,b", "--folds", "2",
        "--methods", "none",
    )  # fmt: skip
    assert code == 1, (code, stderr)
    _one_error_line(stderr, "no feature column", "fewer columns in --drop.")


# A --data file name that is not UTF-8 (bytes \xff on Linux) appears in the
# summary: --report then died with UnicodeEncodeError (a traceback) and left
# a half-written file.
@pytest.mark.skipif(sys.platform != "linux", reason="bytes file names")
def test_report_of_a_file_with_a_non_utf8_name(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=40), "y": ["p"] * 30 + ["q"] * 10})
    name = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe9.csv"))
    try:
        frame.to_csv(name, index=False)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes no such name")
    report = tmp_path / "r.html"
    code, _, stderr = _run(
        "--data", name, "--target", "y", "--folds", "2", "--methods", "none",
        "--report", str(report),
    )  # fmt: skip
    assert code == 0, stderr
    text = report.read_text(encoding="utf-8")
    assert "</html>" in text and "caf\\udce9.csv" in text
