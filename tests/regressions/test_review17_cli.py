"""Review 17: `rebalance compare` used as a new user would, and the data sets.

Each test reproduces one bug of ``rebalance compare`` (through
``rebalance.cli.main`` or ``rebalance.compare.compare``) or of
``rebalance.datasets``, and fails on the code before its fix.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from rebalance import cli, datasets
from rebalance import compare as compare_module
from rebalance.cli import main
from rebalance.compare import compare


def _run(*argv):
    """(exit code or SystemExit code, stdout, stderr) of one CLI run."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(["compare", *argv])
        except SystemExit as exc:
            code = exc.code
    return code, stdout.getvalue(), stderr.getvalue()


def _csv(tmp_path, labels, name="d.csv"):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(len(labels), 2)), columns=["Amount", "b"])
    frame["label"] = labels
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


# threshold-tuned-f1 tunes by 3-fold CV inside each training fold. With one
# minority row there it was skipped with scikit-learn's "This solver needs
# samples of at least 2 classes in the data, but the data contains only one
# class: np.int64(0)"; with two it ran on inner folds without a positive row
# (sklearn's "least populated class" UserWarning on stderr). Now it is skipped
# with a reason that says what it needs and what to do.
@pytest.mark.parametrize("n_minority, folds", [(2, 2), (3, 3)])
def test_tuned_threshold_on_too_few_minority_rows_says_what_to_do(n_minority, folds):
    rng = np.random.default_rng(0)
    y = np.array(["no"] * 40 + ["yes"] * n_minority)
    X = rng.normal(size=(y.shape[0], 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        result = compare(
            X, y, folds=folds, method_names=["none", "threshold-tuned-f1"],
            progress=False,
        )  # fmt: skip
    # Rows of the minority class in each training fold: (k - 1) / k of them.
    in_train = n_minority - n_minority // folds
    why = result.skipped["threshold-tuned-f1"]
    assert "at least 2 classes" not in why, why
    assert f"smallest class has {in_train}" in why and "needs 3 rows" in why, why
    assert "method_names=" in why and "folds=" in why, why
    assert list(result.scores) == ["none"]


def test_tuned_threshold_still_runs_with_three_rows_per_training_fold():
    rng = np.random.default_rng(0)
    y = np.array(["no"] * 40 + ["yes"] * 6)
    X = rng.normal(size=(y.shape[0], 2)) + (y == "yes")[:, None]
    result = compare(X, y, folds=2, method_names=["threshold-tuned-f1"], progress=False)
    assert not result.skipped and len(result.scores["threshold-tuned-f1"]["f1"]) == 2


# --plot and --report printed "... written to PATH"; --json wrote its file
# silently.
def test_json_says_where_it_was_written(tmp_path):
    out = tmp_path / "scores.json"
    code, stdout, _ = _run("--folds", "2", "--methods", "none", "--json", str(out))
    assert code == 0
    assert json.loads(out.read_text())["folds"] == 2
    assert f"written to {out}" in stdout, stdout


# --dataset breast-cancer --data file.csv ran on the file and ignored
# --dataset without a word (the summary did not name the built-in set either).
def test_dataset_together_with_data_is_a_usage_error(tmp_path):
    path = _csv(tmp_path, ["no"] * 30 + ["yes"] * 10)
    code, stdout, stderr = _run(
        "--dataset", "breast-cancer", "--data", path, "--target", "label",
        "--folds", "2", "--methods", "none",
    )  # fmt: skip
    assert code == 2, (code, stdout)
    assert "--dataset" in stderr and "--data" in stderr and "one of them" in stderr
    assert stdout == ""


# Command-line mistakes exited with status 1, as a failed run does; argparse's
# own ones (an unknown option, --folds x) exit with 2, the usage-error status
# scripts check for.
@pytest.mark.parametrize(
    "argv, option",
    [
        (["--target", "y"], "--target needs --data"),
        (["--drop", "a"], "--drop needs --data"),
        (["--data", "x.csv"], "--data needs --target"),
        (["--folds", "1"], "--folds"),
        (["--repeats", "0"], "--repeats"),
        (["--n-jobs", "0"], "--n-jobs"),
        (["--seed", "-1"], "--seed"),
        (["--methods", ","], "--methods"),
    ],
)
def test_command_line_mistakes_exit_with_status_2(argv, option):
    code, stdout, stderr = _run(*argv)
    assert code == 2, code
    assert stderr.startswith("rebalance compare: ") and option in stderr, stderr
    assert stderr.count("\n") == 1  # one line, as a run's error
    with pytest.raises(SystemExit, match=option):  # str() is the message
        main(["compare", *argv])


# --drop AMOUNT for a column "Amount": "not columns of the data" with no hint,
# while --target in the wrong case suggests the column.
def test_drop_in_another_case_suggests_the_column(tmp_path):
    path = _csv(tmp_path, ["no"] * 30 + ["yes"] * 10)
    code, _, _ = _run(
        "--data", path, "--target", "label", "--drop", "AMOUNT",
        "--folds", "2", "--methods", "none",
    )  # fmt: skip
    assert isinstance(code, str), code
    assert "did you mean --drop 'Amount'" in code, code
    # The right case runs, and drops it.
    code, stdout, _ = _run(
        "--data", path, "--target", "label", "--drop", "Amount",
        "--folds", "2", "--methods", "none",
    )  # fmt: skip
    assert code == 0 and "Amount (--drop)" in stdout, stdout


# --model mlp without PyTorch: the data were read and preprocessed, then every
# method failed one by one, each with the same "needs PyTorch" line.
def test_mlp_without_torch_is_refused_once_before_any_work(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "rebalance.torch._compare_model", None)

    def no_work(*args, **kwargs):
        raise AssertionError("the data were prepared before the model was checked")

    monkeypatch.setattr(compare_module, "plan_columns", no_work)
    monkeypatch.setattr(compare_module, "make_preprocessor", no_work)
    monkeypatch.setattr(cli, "_load_table", no_work)
    X, y = np.zeros((20, 2)), np.array([0, 1] * 10)
    with pytest.raises(ValueError, match="pip install") as error:
        compare(X, y, model="mlp", folds=2, progress=False)
    assert "every method failed" not in str(error.value)
    assert str(error.value).count("PyTorch") == 1
    path = _csv(tmp_path, ["no"] * 30 + ["yes"] * 10)
    code, _, _ = _run("--data", path, "--target", "label", "--model", "mlp")
    assert isinstance(code, str) and "--model 'mlp'" in code and "pip install" in code


# load_digits_binary / load_breast_cancer_skewed only returned numpy arrays;
# scikit-learn's loaders take as_frame=True for the feature names.
def test_loaders_take_as_frame_as_scikit_learn_does():
    from sklearn.datasets import load_breast_cancer, load_digits

    X, y = datasets.load_digits_binary(3, as_frame=True)
    X_sk, y_sk = load_digits(return_X_y=True, as_frame=True)
    pd.testing.assert_frame_equal(X, X_sk)
    pd.testing.assert_series_equal(y, (y_sk == 3).astype(np.int64))
    X, y = datasets.load_breast_cancer_skewed(0.1, random_state=1, as_frame=True)
    X_sk, y_sk = load_breast_cancer(return_X_y=True, as_frame=True)
    pd.testing.assert_frame_equal(X, X_sk.loc[X.index])
    pd.testing.assert_series_equal(y, (y_sk.loc[X.index] == 0).astype(np.int64))
    X_np, y_np = datasets.load_breast_cancer_skewed(0.1, random_state=1)
    np.testing.assert_array_equal(X_np, X.to_numpy())
    np.testing.assert_array_equal(y_np, y.to_numpy())
    with pytest.raises(TypeError, match="as_frame"):
        datasets.load_digits_binary(as_frame="yes")


# The deprecated make_imbalance called as imbalanced-learn's
# (sampling_strategy=...) gave only "missing 1 required positional argument:
# 'ratio'", and no deprecation warning.
def test_make_imbalance_called_as_imblearns_names_the_right_function():
    X, y = np.zeros((30, 1)), np.array([0] * 20 + [1] * 10)
    with pytest.warns(FutureWarning), pytest.raises(TypeError) as error:
        datasets.make_imbalance(X, y, sampling_strategy={1: 5}, random_state=0)
    assert "imblearn.datasets.make_imbalance" in str(error.value)
    assert "sampling_strategy" in str(error.value)


def test_parquet_text_read_csv_calls_missing_is_missing(tmp_path):
    # A column of numbers with "n/a" in it: read_csv makes "n/a" missing (a
    # numeric column); read_parquet kept the text, so the same table planned
    # the column as a high-cardinality categorical.
    pytest.importorskip("pyarrow")
    from rebalance._columns import plan_columns

    rng = np.random.default_rng(0)
    amount = [f"{v:.2f}" for v in rng.random(60) * 100]
    amount[3] = "n/a"
    amount[7] = "NULL"
    frame = pd.DataFrame({"amount": amount, "y": [0, 1] * 30})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    plans = []
    for name in ("t.csv", "t.parquet"):
        X, _ = cli._load_table(str(tmp_path / name), "y")
        assert int(X["amount"].isna().sum()) == 2
        plans.append(plan_columns(X).used)
    assert plans[0] == plans[1] == {"amount": "numeric"}


# --plot / --report without matplotlib ran the whole cross-validation, then
# failed with a ModuleNotFoundError traceback in _report._figure.
@pytest.mark.parametrize("option", ["--plot", "--report"])
def test_plot_without_matplotlib_is_refused_before_any_work(
    monkeypatch, tmp_path, option
):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real(name, *a),
    )

    def no_work(*args, **kwargs):
        raise AssertionError("the comparison ran before the option was checked")

    monkeypatch.setattr(cli, "_load_table", no_work)
    monkeypatch.setattr(cli, "compare", no_work)
    path = _csv(tmp_path, ["no"] * 30 + ["yes"] * 10)
    out = str(tmp_path / ("out.png" if option == "--plot" else "out.html"))
    code, _, _ = _run("--data", path, "--target", "label", option, out)
    assert isinstance(code, str) and option in code and "rebalance[plot]" in code
