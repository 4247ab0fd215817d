"""The `rebalance compare` command and the built-in data sets."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main
from rebalance.compare import METRICS, compare, default_methods
from rebalance.datasets import (
    load_breast_cancer_skewed,
    load_digits_binary,
    make_imbalance,
)


def test_compare_prints_a_row_per_method_with_every_metric(capsys):
    assert (
        main(["compare", "--folds", "2", "--methods", "none,under,label-shuffle"]) == 0
    )
    out = capsys.readouterr().out
    for method in ("none", "under", "label-shuffle"):
        assert any(line.startswith(method) for line in out.splitlines())
    for label in METRICS.values():
        assert label in out
    assert "±" in out


def test_compare_same_seed_same_numbers():
    X, y = load_digits_binary()
    first = compare(X, y, folds=2, seed=1, method_names=["over"], progress=False)
    again = compare(X, y, folds=2, seed=1, method_names=["over"], progress=False)
    assert first.scores == again.scores


def test_compare_json_has_every_fold(tmp_path):
    path = tmp_path / "scores.json"
    main(["compare", "--folds", "3", "--methods", "none,over", "--json", str(path)])
    data = json.loads(path.read_text())
    assert set(data["scores"]) == {"none", "over"}
    assert all(len(v) == 3 for v in data["scores"]["none"].values())
    assert set(data["summary"]["over"]) == set(METRICS)


def test_compare_reads_a_csv_with_categorical_and_missing_values(tmp_path, capsys):
    X, y = load_breast_cancer_skewed(ratio=0.1)
    frame = pd.DataFrame(X[:, :5], columns=[f"f{i}" for i in range(5)])
    frame.loc[3, "f1"] = np.nan
    frame["size"] = np.where(X[:, 0] > 14, "large", "small")
    frame.loc[5, "size"] = None
    frame["label"] = np.where(y == 1, "malignant", "benign")
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    argv = ["compare", "--data", str(path), "--target", "label", "--folds", "3"]
    main([*argv, "--methods", "none,under,threshold-prior", "--model", "hgb"])
    out = capsys.readouterr().out
    assert "35 minority" in out and "model hgb" in out


def test_compare_writes_a_png_plot(tmp_path):
    path = tmp_path / "plot.png"
    main(["compare", "--folds", "2", "--methods", "none,under", "--plot", str(path)])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_single_class_target_is_rejected(tmp_path):
    path = tmp_path / "one.csv"
    pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [1, 1, 1]}).to_csv(path, index=False)
    with pytest.raises(SystemExit, match="binary target"):
        main(["compare", "--data", str(path), "--target", "y"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--methods", "nope"], "unknown method"),
        (["--data", "missing.csv", "--target", "y"], "could not read"),
        (["--folds", "1"], "folds=1"),
    ],
)
def test_compare_bad_arguments_exit_with_a_message(argv, message):
    with pytest.raises(SystemExit, match=message):
        main(["compare", *argv])


def test_compare_missing_target_column(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"a": [1, 2], "b": [0, 1]}).to_csv(path, index=False)
    with pytest.raises(SystemExit, match="'y' is not a column"):
        main(["compare", "--data", str(path), "--target", "y"])


def test_rebalance_command_runs_as_a_program():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "rebalance.cli",
            "compare",
            "--folds",
            "2",
            "--methods",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "none" in out.stdout


def test_default_methods_cover_samplers_weights_thresholds_and_combinations():
    expected = {
        "none",
        "under",
        "over",
        "class-balanced",
        "label-shuffle",
        "class-weight",
        "threshold-prior",
        "threshold-tuned-f1",
        "threshold-cost-fn5",
        "under+prior-correction",
    }
    assert expected <= set(default_methods())


def test_make_imbalance_thins_the_chosen_class():
    X = np.arange(100).reshape(-1, 1)
    y = np.array([0, 1] * 50)
    X_s, y_s = make_imbalance(X, y, 0.2, minority=0, random_state=0)
    assert np.bincount(y_s).tolist() == [10, 50]
    assert (np.diff(X_s.ravel()) > 0).all()  # original order kept


def test_make_imbalance_rejects_impossible_ratio():
    with pytest.raises(ValueError, match="ratio"):
        make_imbalance(np.zeros((4, 1)), np.array([0, 0, 1, 1]), 1.5)


def test_compare_model_changes_the_classifier():
    X, y = load_digits_binary()
    logistic = compare(X, y, folds=2, method_names=["none"], model="logistic")
    boosted = compare(X, y, folds=2, method_names=["none"], model="hgb")
    assert logistic.scores["none"]["roc_auc"] != boosted.scores["none"]["roc_auc"]


def test_compare_mlp_rows_are_the_torch_fixes(capsys):
    methods = "bce,focal-rescale,margin-ce,logit-adjusted,balanced-batch"
    main(["compare", "--model", "mlp", "--folds", "2", "--methods", methods])
    out = capsys.readouterr().out
    for method in methods.split(","):
        assert any(line.startswith(method) for line in out.splitlines())
    assert "model mlp" in out


def test_compare_runs_in_parallel_with_the_same_numbers():
    X, y = load_digits_binary()
    serial = compare(X, y, folds=2, method_names=["under"], n_jobs=1)
    parallel = compare(X, y, folds=2, method_names=["under"], n_jobs=2)
    assert serial.scores == parallel.scores
