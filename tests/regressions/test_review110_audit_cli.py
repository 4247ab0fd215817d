"""Review 110: white-box audit of ``rebalance compare`` (rebalance/cli.py,
rebalance/compare.py, rebalance/_report.py), through the public API."""

from __future__ import annotations

import contextlib
import io
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance.compare import (
    compare,
    corrected_ttest,
    default_methods,
    format_p,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 3))
Y = np.array([0] * 40 + [1] * 20)
Y3 = np.array([0] * 30 + [1] * 20 + [2] * 10)
KW = {"folds": 2, "method_names": ["none", "under"], "progress": False}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture(scope="module")
def base():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare(X, Y, **KW)


class _Unnormalised(LogisticRegression):
    def predict_proba(self, X):
        return super().predict_proba(X) * 2


class _NaNProba(LogisticRegression):
    def predict_proba(self, X):
        proba = super().predict_proba(X)
        proba[0, 0] = np.nan
        return proba


# ---------------------------------------------------------------- bugs


def test_empty_methods_dict_is_refused_by_name():
    with pytest.raises(ValueError, match=r"methods="):
        compare(X, Y, methods={}, folds=2, progress=False)


def test_method_that_is_not_callable_is_named():
    with pytest.raises(TypeError, match=r"methods="):
        compare(X, Y, methods={"none": 3}, folds=2, progress=False)


def test_method_names_that_are_not_text():
    none = default_methods()["none"]
    under = default_methods()["under"]
    try:
        result = compare(X, Y, methods={1: none, 2: under}, folds=2, progress=False)
    except (TypeError, ValueError) as exc:
        assert "methods=" in str(exc)
        return
    assert "method" in result.table()


def test_method_with_unnormalised_multiclass_probabilities():
    own = default_methods("logistic", 3)
    methods = {"none": own["none"], "bad": lambda setup, y: _Unnormalised()}
    try:
        result = compare(X, Y3, methods=methods, folds=2, progress=False)
    except ValueError as exc:
        assert "bad" in str(exc)  # at least the method is named
        return
    assert "none" in result.scores
    assert "bad" in result.skipped


# ---------------------------------------------------------------- pins


def test_nan_probabilities_skip_the_method_only():
    methods = {
        "none": default_methods()["none"],
        "nan": lambda setup, y: _NaNProba(),
    }
    notices = []
    result = compare(
        X, Y, methods=methods, folds=2, progress=False, notify=notices.append
    )
    assert list(result.scores) == ["none"]
    assert "not finite" in result.skipped["nan"]
    assert any("nan skipped" in n for n in notices)


def test_containers_give_the_same_scores(base):
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    frame = pd.DataFrame(X, columns=list("abc"))
    from_frame = compare(frame, Y, **KW).scores
    assert compare(pl.from_pandas(frame), Y, **KW).scores == from_frame
    assert compare(pa.Table.from_pandas(frame), Y, **KW).scores == from_frame
    assert compare(X.astype(np.float32), Y, **KW).ranking() == base.ranking()
    np.testing.assert_allclose(
        compare(X.astype(np.float32), Y, **KW).scores["none"]["roc_auc"],
        base.scores["none"]["roc_auc"],
    )


def test_torch_tensors_give_the_same_scores(base):
    torch = pytest.importorskip("torch")
    assert compare(torch.tensor(X), torch.tensor(Y), **KW).scores == base.scores


def test_n_jobs_gives_the_same_scores(base):
    from joblib import parallel_config

    # threads: the same ordering of the results, without starting processes
    with parallel_config(backend="threading"):
        assert compare(X, Y, n_jobs=2, **KW).scores == base.scores


def test_seed_reproducible(base):
    assert compare(X, Y, **KW).scores == base.scores


def test_series_y_paired_by_position_with_array_x(base):
    y = pd.Series(Y, index=np.arange(100, 160)[::-1])
    assert compare(X, y, **KW).scores == base.scores


def test_frame_x_not_modified():
    frame = pd.DataFrame(X, columns=list("abc"))
    frame["a"] = frame["a"].astype(object)
    frame.loc[0, "a"] = "?"
    kept = frame.copy()
    result = compare(frame, Y, **KW)
    assert frame.equals(kept)
    assert any("?" in note for note in result.notes)


def test_unused_category_of_y_is_no_class():
    y = pd.Series(
        pd.Categorical(np.where(Y == 1, "b", "a"), categories=["a", "b", "zz"])
    )
    result = compare(X, y, **KW)
    assert result.labels == ["a", "b"]
    assert result.class_counts() == {"a": 40, "b": 20}


def test_repeats_fill_every_split_and_oof_once():
    result = compare(X, Y, repeats=2, **KW)
    assert len(result.scores["none"]["f1"]) == 4
    assert result.recalls["none"].shape == (4, 2)
    np.testing.assert_allclose(result.oof["none"].sum(axis=1), 1.0)
    assert result.test_train_ratio == pytest.approx(1 / (2 - 1))


def test_duplicate_method_names_run_once():
    result = compare(X, Y, folds=2, method_names=["none", "none"], progress=False)
    assert list(result.scores) == ["none"]


def test_to_json_is_a_copy(base):
    data = base.to_json()
    data["scores"]["none"]["f1"][0] = 99.0
    data["notes"].append("x")
    assert base.scores["none"]["f1"][0] != 99.0
    assert "x" not in base.notes
    json.dumps(data)  # JSON-ready


def test_corrected_ttest_values():
    assert corrected_ttest([0.8, 0.7, 0.9], [0.8, 0.7, 0.9], 0.5) == 1.0
    assert corrected_ttest([0.9, 0.8, 0.7], [0.8, 0.7, 0.6], 0.5) == 0.0
    p = corrected_ttest([0.81, 0.72, 0.93], [0.80, 0.70, 0.90], 0.5)
    assert round(p, 2) == 0.16
    with pytest.raises(ValueError, match="two folds"):
        corrected_ttest([0.8], [0.7], 0.5)


def test_format_p_boundaries():
    assert format_p(0.0496) == "<0.050"
    assert format_p(0.05) == "0.050"
    assert format_p(0.0009) == "<0.001"
    assert format_p(1.0) == "1.000"


def test_ranking_ties_keep_run_order():
    none = default_methods()["none"]
    result = compare(X, Y, methods={"b": none, "a": none}, folds=2, progress=False)
    assert result.ranking() == ["b", "a"]
    assert result.p_vs_best()["a"] == 1.0


def test_report_escapes_method_names(tmp_path):
    pytest.importorskip("matplotlib")
    none = default_methods()["none"]
    result = compare(
        X, Y, methods={"<b>x$": none, "plain": none}, folds=2, progress=False
    )
    path = tmp_path / "r.html"
    result.report(str(path))
    text = path.read_text(encoding="utf-8")
    assert "&lt;b&gt;x$" in text
    assert "<b>x$" not in text


def _run(*argv):
    from rebalance.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    frame = pd.DataFrame(X[:40], columns=["a", "b", "c"])
    frame["label"] = ["yes"] * 10 + ["no"] * 30
    path = tmp_path_factory.mktemp("cli") / "d.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_cli_json_on_stdout_is_pure_json(csv_file):
    code, out, err = _run(
        "compare", "--data", csv_file, "--target", "label", "--folds", "2",
        "--methods", "none,under", "--json", "-",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["positive_label"] == "yes"
    assert data["class_counts"] == {"no": 30, "yes": 10}
    assert list(data["scores"]) == ["none", "under"]
    assert "avg prec" in err


def test_cli_errors_name_the_options(csv_file):
    code, _, _ = _run(
        "compare", "--data", csv_file, "--target", "label", "--folds", "20",
        "--methods", "none",
    )  # fmt: skip
    assert "--folds 20" in str(code) and "folds=" not in str(code)
    code, _, err = _run(
        "compare", "--data", csv_file, "--target", "label", "--methods", "nope"
    )
    assert code == 2
    assert "--methods" in err and "'nope'" in err
