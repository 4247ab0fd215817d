"""Review 134, area ``diff41``: the lead's changes of this session as a whole
(``git diff 01e7874 HEAD -- rebalance``), for bugs from their interactions.

Reviewed: ``BaseSampler._committed`` (fit / fit_resample on a copy, stored
under a lock) with pickling, ``clone``, an imbalanced-learn ``Pipeline``,
``BalancedBaggingClassifier(sampler=...)`` and ``GridSearchCV(n_jobs=2)``
over a ``ResampledClassifier``; ``ThresholdMover.fit`` restoring its state
when the tuning fails after a refit started, then ``cross_validate``;
priors as a Series with a repeated class and as a Dask Series; the CLI
reading decimal-comma / apostrophe / accounting / money / percent / dash
forms (``cli._load_table`` and ``cli.main([... "--json", out])`` in
process), and a DataFrame of the same file through ``compare()``; the new
code under ``warnings.simplefilter("error")``.

Method: small data; expected values written by hand from the file text or
computed with numpy / scikit-learn. Found: no bug.
"""

import contextlib
import io
import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, cross_validate

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    cli,
)
from rebalance.compare import compare


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + rng.normal(size=n) > 1).astype(int)
    return X, y


def test_sampler_fitted_attributes_on_the_users_object_and_pickle():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = RandomUnderSampler(random_state=0)
        X_res, y_res = s.fit_resample(X, y)
    assert sorted(k for k in vars(s) if k.endswith("_")) == [
        "n_features_in_",
        "sample_indices_",
        "sampling_strategy_",
    ]
    np.testing.assert_array_equal(X_res, X[s.sample_indices_])
    np.testing.assert_array_equal(y_res, y[s.sample_indices_])
    n_min = np.bincount(y).min()
    np.testing.assert_array_equal(np.bincount(y_res), [n_min, n_min])
    back = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(back.sample_indices_, s.sample_indices_)
    assert [k for k in vars(clone(s)) if k.endswith("_")] == []


def test_refused_refit_keeps_last_fit_and_fit_drops_indices():
    X, y = _data()
    s = RandomUnderSampler(random_state=0)
    s.fit_resample(X, y)
    old = s.sample_indices_.copy()
    with pytest.raises(ValueError, match="rows"):
        s.fit_resample(X[:10], y)
    np.testing.assert_array_equal(s.sample_indices_, old)
    assert s.n_features_in_ == 3
    s.fit(X[:, :2], y)
    assert s.n_features_in_ == 2
    assert not hasattr(s, "sample_indices_")  # of the earlier fit_resample


def test_pipeline_bagging_and_grid_search_with_copying_samplers():
    from imblearn.ensemble import BalancedBaggingClassifier
    from imblearn.pipeline import Pipeline

    X, y = _data()
    p = Pipeline(
        [("s", RandomOverSampler(random_state=0)), ("c", LogisticRegression())]
    )
    p.fit(X, y)
    n_maj = np.bincount(y).max()
    assert p.named_steps["s"].sample_indices_.shape == (2 * n_maj,)
    b = BalancedBaggingClassifier(
        sampler=RandomUnderSampler(), n_estimators=3, random_state=0
    ).fit(X, y)
    for est, rows in zip(b.estimators_, b.estimators_samples_):
        drawn = est.named_steps["sampler"].sample_indices_
        assert drawn.shape == (2 * np.bincount(y[rows]).min(),)


def test_grid_search_two_threads_over_resampled_classifier():
    from joblib import parallel_backend

    X, y = _data()
    search = GridSearchCV(
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
        {"classifier__C": [0.1, 1.0]},
        n_jobs=2,
        cv=3,
    )
    with parallel_backend("threading", n_jobs=2):  # no worker start-up
        search.fit(X, y)
    best = search.best_estimator_
    np.testing.assert_allclose(best.resampled_priors_, [0.5, 0.5])
    assert best.sampler_.sample_indices_.shape == (2 * np.bincount(y).min(),)


def test_threshold_mover_failed_tuned_refit_keeps_state_then_cross_validate():
    X, y = _data()
    boom = {"on": False}

    def scoring(est, X_, y_):
        if boom["on"]:
            raise RuntimeError("boom")
        return balanced_accuracy_score(y_, est.predict(X_))

    tm = ThresholdMover(LogisticRegression(), strategy="tuned", scoring=scoring, cv=2)
    tm.fit(X, y)
    before = dict(vars(tm))
    predicted = tm.predict(X)
    boom["on"] = True
    with pytest.raises(RuntimeError, match="boom"):
        tm.fit(X[:, :2], y)
    assert vars(tm).keys() == before.keys()
    assert all(vars(tm)[k] is before[k] for k in before)
    assert tm.n_features_in_ == 3
    np.testing.assert_array_equal(tm.predict(X), predicted)
    boom["on"] = False
    scores = cross_validate(tm, X, y, cv=2)["test_score"]
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_priors_series_repeated_class_refused_and_dask_series_by_label():
    dd = pytest.importorskip("dask.dataframe")
    X, y = _data(60)
    with pytest.raises(ValueError, match=r"deploy_priors .*\[1\] more than once"):
        ThresholdMover(
            LogisticRegression(), deploy_priors=pd.Series([0.5, 0.5], index=[1, 1])
        ).fit(X, y)
    s = pd.Series([0.3, 0.7], index=[1, 0])
    lazy = ThresholdMover(
        LogisticRegression(), deploy_priors=dd.from_pandas(s, npartitions=1)
    ).fit(X, y)
    np.testing.assert_allclose(lazy.deploy_priors_, [0.7, 0.3])


def _load(tmp_path, monkeypatch, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(cli, "_NOTICES", [])
    X, y = cli._load_table(str(path), "y")
    return X, y, list(cli._NOTICES)


def test_cli_semicolon_decimal_comma_mixed_forms(tmp_path, monkeypatch):
    text = (
        "a;b;c;y\n"
        '"1.234,5";(2,5);3 %;p\n'
        '(1.000,25);"$4,5";\u2014;n\n'
        "7,5;-1,5;12,5%;n\n"
        "8;\u20ac 2;1%;p\n"
    )
    X, y, notes = _load(tmp_path, monkeypatch, text)
    np.testing.assert_allclose(X["a"], [1234.5, -1000.25, 7.5, 8.0])
    np.testing.assert_allclose(X["b"], [-2.5, 4.5, -1.5, 2.0])
    np.testing.assert_allclose(X["c"], [0.03, np.nan, 0.125, 0.01])
    assert list(y) == ["p", "n", "n", "p"]
    assert notes == ["column 'c' holds numbers and '\u2014' (1 row): read as missing."]


def test_cli_apostrophe_and_money_after(tmp_path, monkeypatch):
    X, _, _ = _load(
        tmp_path, monkeypatch, "a;b;y\n1'234.5;1;p\n(1'000);2;n\n7.25;3;n\n8;4;p\n"
    )
    np.testing.assert_allclose(X["a"], [1234.5, -1000.0, 7.25, 8.0])
    X, _, _ = _load(
        tmp_path, monkeypatch, "a;b;y\n1,5 €;2;p\n(3,25 €);4;n\n5 €;6;n\n7 €;8;p\n"
    )
    np.testing.assert_allclose(X["a"], [1.5, -3.25, 5.0, 7.0])


def test_cli_end_to_end_matches_compare_on_the_same_frame(tmp_path):
    rng = np.random.default_rng(0)
    y = np.array(["p"] * 12 + ["n"] * 28)
    a = rng.normal(size=40) * 1000 + 3000 * (y == "p")
    b = rng.normal(size=40) + (y == "p")

    def money(v):
        s = f"${abs(v):,.2f}"
        return f"({s})" if v < 0 else s

    rows = ["id,amount,rate,z,y"]
    for i in range(40):
        rate = "\u2014" if i % 7 == 3 else f"{b[i] * 10:.1f}%"
        rows.append(f'{i + 1},"{money(a[i])}",{rate},{b[i]:.3f},{y[i]}')
    path = tmp_path / "f.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "o.json"
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        rc = cli.main(
            ["compare", "--data", str(path), "--target", "y", "--methods", "none"]
            + ["--folds", "2", "--json", str(out)]
        )
    assert rc == 0
    cli_scores = json.loads(out.read_text())
    frame = pd.read_csv(path, dtype=str)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = compare(
            frame.drop(columns="y"),
            frame["y"],
            method_names=["none"],
            folds=2,
            progress=False,
        )
    assert result.columns.used == {
        "amount": "numeric",
        "rate": "numeric",
        "z": "numeric",
    }
    assert list(result.columns.dropped) == ["id"]
    text = json.dumps(cli_scores)
    for v in result.scores["none"]["roc_auc"]:
        assert repr(v) in text or f"{v}" in text
