"""Review 70: ``rebalance compare`` and ``compare()`` on messy files, as a new
user would run them.

The fixes' tests fail on the code before their fix; the others pin what was
checked (printed numbers recomputed with scikit-learn, the input file left
as it was).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance.cli import main
from rebalance.compare import compare


def _run(*argv):
    """(exit code, stdout, stderr) of one run of the command."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(["compare", *argv])
        except SystemExit as exc:
            code = exc.code
    return code, stdout.getvalue(), stderr.getvalue()


def _frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    income = rng.normal(50_000, 10_000, n).round(2)
    x = rng.normal(size=n).round(4)
    label = np.where(np.arange(n) % 4 == 0, "yes", "no")
    income[label == "yes"] += 8_000
    return pd.DataFrame({"Income": income, "x": x, "Label": label})


def _messy_csv(tmp_path, frame):
    """``frame`` as Excel in a European locale might save it: a byte-order
    mark, ';' between fields, CRLF line ends, thousands written '12,345.50'
    (quoted) in the Income column."""
    path = tmp_path / "my data.csv"
    lines = ["Income;x;Label"] + [
        f'"{i:,.2f}";{x};{label}'
        for i, x, label in zip(frame.Income, frame.x, frame.Label, strict=True)
    ]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


# Checked: the scores of a messy CSV (BOM, ';', CRLF, quoted thousands, a
# path with a space) are those of scikit-learn's cross_validate on the same
# folds, and the file is left byte for byte as it was.
def test_messy_csv_scores_match_cross_validate_and_file_is_unchanged(tmp_path):
    frame = _frame()
    path = _messy_csv(tmp_path, frame)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "s.json"
    code, _, err = _run(
        "--data", str(path), "--target", "Label", "--folds", "3",
        "--methods", "none,class-weight", "--json", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    data = json.loads(out.read_text())
    X = frame[["Income", "x"]].to_numpy()
    y = (frame.Label == "yes").to_numpy().astype(int)
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=1, random_state=0)
    for name, weight in [("none", None), ("class-weight", "balanced")]:
        model = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(max_iter=2000, random_state=0, class_weight=weight),
        )
        scores = cross_validate(
            model, X, y, cv=cv, scoring=["average_precision", "roc_auc", "f1"]
        )
        for metric in ("average_precision", "roc_auc", "f1"):
            np.testing.assert_allclose(
                data["scores"][name][metric], scores[f"test_{metric}"], rtol=1e-9
            )


# The Python API's summary said "Income (--drop)", an option of the command,
# for a column left out with drop=; its other hints name keywords
# ("positive_label= to change").
def test_api_names_drop_keyword_not_the_command_option():
    frame = _frame()
    result = compare(
        frame[["Income", "x"]], frame.Label, folds=2, method_names=["none"],
        drop=["Income"], progress=False,
    )  # fmt: skip
    assert result.columns.dropped == {"Income": "drop="}
    assert "--drop" not in result.describe("frame", "logistic", 0)


# The command's --json kept compare()'s keywords in the skip reasons ("raise
# folds= ...", "leave this method out of method_names="), where its summary
# says --folds and --methods; the dropped column stays "--drop".
def test_json_skip_reasons_name_the_command_options(tmp_path):
    frame = _frame(n=40)
    frame.loc[[0, 4], "Label"] = "maybe"  # a class of 2 rows
    path = tmp_path / "d.csv"
    frame.assign(extra=1.0).to_csv(path, index=False)
    out = tmp_path / "s.json"
    code, _, err = _run(
        "--data", str(path), "--target", "Label", "--folds", "2",
        "--methods", "none,threshold-tuned-f1", "--drop", "extra", "--json", str(out),
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out.read_text())
    why = data["skipped"]["threshold-tuned-f1"]
    assert "method_names=" not in why and "--methods" in why, why
    assert data["columns"]["dropped"] == {"extra": "--drop"}


# threshold-tuned-f1 skipped on a class of 2 (or 3) rows advised "raise folds=
# up to that class's row count", which cannot help: folds= is at most that
# count, and then a training fold holds all its rows but one (< 3).
@pytest.mark.parametrize("n_rare, folds", [(2, 2), (3, 3)])
def test_tuned_threshold_skip_advises_no_impossible_fold_count(n_rare, folds):
    rng = np.random.default_rng(0)
    y = np.array(["no"] * 30 + ["yes"] * n_rare)
    X = rng.normal(size=(y.shape[0], 2))
    result = compare(
        X, y, folds=folds, method_names=["none", "threshold-tuned-f1"],
        progress=False,
    )  # fmt: skip
    why = result.skipped["threshold-tuned-f1"]
    assert "raise folds=" not in why, why
    assert f"it has {n_rare} rows in all" in why and "method_names=" in why, why


def test_tuned_threshold_skip_still_advises_more_folds_when_they_help():
    rng = np.random.default_rng(0)
    y = np.array(["no"] * 30 + ["yes"] * 4)  # folds=4: 3 rows in training
    X = rng.normal(size=(y.shape[0], 2))
    result = compare(
        X, y, folds=2, method_names=["none", "threshold-tuned-f1"], progress=False
    )
    assert "raise folds= up to" in result.skipped["threshold-tuned-f1"]


# Usage errors (a value no run can take, options that conflict) exit with
# status 2, as argparse's own; these two exited with 1.
@pytest.mark.parametrize("case", ["json extension", "drop target"])
def test_usage_errors_exit_with_status_two(tmp_path, case):
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    extra = {
        "json extension": ["--json", str(tmp_path / "scores.csv")],
        "drop target": ["--drop", "Label"],
    }[case]
    code, out, err = _run("--data", str(path), "--target", "Label", *extra)
    assert code == 2, (code, err)
    assert err.strip().count("\n") == 0 and "Traceback" not in err, err
    assert {"json extension": "--json", "drop target": "--target"}[case] in err, err
    assert out == "" and not (tmp_path / "scores.csv").exists()
