"""Review 121 (compare5): white-box audit of ``rebalance.compare.compare``.

Custom ``methods=`` (what a method may return), ``method_names=``,
``positive_label=``, ``drop=``, fold bounds, seed and ``n_jobs``
reproducibility, ``notify=``, input containers (numpy, pandas with mixed
columns, polars, sparse, a pandas ``y`` whose index differs from ``X``'s), and
the internal consistency of the ``ComparisonResult`` methods, with the
per-fold scores of one method recomputed by hand with scikit-learn."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    roc_auc_score,
)
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from rebalance.compare import compare


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _binary():
    return make_classification(60, 4, weights=[0.8], random_state=0)


def _lr(setup, y_train):
    return LogisticRegression(max_iter=2000, random_state=setup.seed)


def test_method_without_predict_proba_is_skipped_or_named():
    X, y = _binary()
    methods = {"ok": _lr, "svc": lambda setup, y_train: SVC()}
    try:
        result = compare(X, y, methods, folds=3)
    except (TypeError, ValueError) as exc:
        assert "svc" in str(exc)
    else:
        assert "svc" in result.skipped
        assert "predict_proba" in result.skipped["svc"]
        assert list(result.scores) == ["ok"]


def test_estimator_class_as_method_names_methods_argument():
    X, y = _binary()
    with pytest.raises(TypeError, match="methods="):
        compare(X, y, {"lr": LogisticRegression}, folds=3)


def test_y_with_other_index_values_is_paired_by_position():
    # Reported as a bug in review 121, kept by design (stop 55): an index of
    # other values, overlapping or not, is paired by position as
    # scikit-learn pairs it. It is what pd.DataFrame(scaler.fit_transform(
    # X_train)) (a fresh 0 .. n - 1 index) gives next to y_train (its rows'
    # own labels, from train_test_split): refusing an overlap would refuse
    # that common, correct pairing. Only the same index in another order is
    # refused (test_y_with_reordered_index_is_refused).
    X, y = _binary()
    df = pd.DataFrame(X, columns=list("abcd"))
    shifted = pd.Series(y, index=np.arange(30, 90))
    kept = compare(df, shifted, folds=3, method_names=["none"], seed=1)
    plain = compare(X, y, folds=3, method_names=["none"], seed=1)
    assert kept.scores == plain.scores


def test_y_with_reordered_index_is_refused():
    X, y = _binary()
    df = pd.DataFrame(X, columns=list("abcd"))
    with pytest.raises(ValueError, match="another order"):
        compare(df, pd.Series(y, index=np.arange(60)[::-1]), folds=3)


def test_sparse_X_is_refused_before_work():
    X, y = _binary()
    with pytest.raises(TypeError, match="toarray"):
        compare(sp.csr_matrix(X), y, folds=3)


def test_seed_and_n_jobs_reproducible():
    X, y = _binary()
    names = ["none", "under"]
    a = compare(X, y, folds=3, seed=3, n_jobs=1, method_names=names)
    with parallel_config(backend="threading"):  # no process start-up cost
        b = compare(X, y, folds=3, seed=3, n_jobs=2, method_names=names)
    c = compare(X, y, folds=3, seed=4, n_jobs=1, method_names=names)
    assert a.scores == b.scores
    assert a.scores != c.scores


def test_per_fold_scores_match_sklearn_by_hand():
    X, y = _binary()
    result = compare(X, y, folds=3, seed=3, method_names=["none"])
    codes = result.y
    assert result.positive == 1 and codes.sum() == 11
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=1, random_state=3)
    auc, ap, bal = [], [], []
    for train, test in cv.split(np.zeros(len(codes)), codes):
        scaler = StandardScaler().fit(X[train])
        model = LogisticRegression(max_iter=2000, random_state=3)
        model.fit(scaler.transform(X[train]), codes[train])
        proba = model.predict_proba(scaler.transform(X[test]))[:, 1]
        auc.append(roc_auc_score(codes[test], proba))
        ap.append(average_precision_score(codes[test], proba))
        bal.append(
            balanced_accuracy_score(
                codes[test], model.predict(scaler.transform(X[test]))
            )
        )
    scores = result.scores["none"]
    np.testing.assert_allclose(scores["roc_auc"], auc)
    np.testing.assert_allclose(scores["average_precision"], ap)
    np.testing.assert_allclose(scores["balanced_accuracy"], bal)


def test_result_methods_are_consistent():
    X, y = _binary()
    result = compare(X, y, folds=3, method_names=["under", "none", "class-weight"])
    summary = result.summary()
    for metric in ("roc_auc", "balanced_accuracy"):
        order = result.ranking(metric)
        means = [summary[m][metric][0] for m in order]
        assert means == sorted(means, reverse=True)
        p = result.p_vs_best(metric)
        assert p[order[0]] is None
        assert all(0 <= p[m] <= 1 for m in order[1:])
        assert result.conclusion(metric).startswith(
            f"Best on {result.label(metric)}: {order[0]} "
        )
        assert result.table(metric).splitlines()[2].startswith(order[0])
    recall = result.per_class_recall()
    for m in result.scores:
        assert recall[m][1] == pytest.approx(np.mean(result.recalls[m][:, 1]))
        # balanced accuracy is the mean of the per-class recalls
        assert summary[m]["balanced_accuracy"][0] == pytest.approx(
            np.mean(list(recall[m].values()))
        )
        np.testing.assert_allclose(result.oof[m].sum(axis=1), 1.0)
    assert result.class_counts() == {0: 49, 1: 11}


def test_method_names_order_and_duplicates():
    X, y = _binary()
    result = compare(X, y, folds=3, method_names=["under", "none", "under"])
    assert list(result.scores) == ["under", "none"]
    with pytest.raises(ValueError, match="unknown method"):
        compare(X, y, folds=3, method_names=["nonee"])


def test_positive_label_absent_and_multiclass():
    X, y = _binary()
    with pytest.raises(ValueError, match="positive_label=5 is not a class"):
        compare(X, y, folds=3, positive_label=5)
    result = compare(X, y, folds=3, positive_label=0, method_names=["none"])
    assert result.positive == 0 and result.class_counts() == {1: 11, 0: 49}
    X3, y3 = make_classification(
        90,
        4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        random_state=0,
    )
    result = compare(X3, y3, folds=3, positive_label="2", method_names=["none"])
    assert result.class_counts() == {
        "not 2": int((y3 != 2).sum()),
        2: int((y3 == 2).sum()),
    }


def test_drop_absent_column_and_folds_bound():
    X, y = _binary()
    df = pd.DataFrame(X, columns=list("abcd"))
    with pytest.raises(ValueError, match="not in the data"):
        compare(df, y, drop=["zz"], folds=3)
    with pytest.raises(ValueError, match="folds=12 needs 12 rows"):
        compare(X, y, folds=12)


def test_notify_gets_skip_notice():
    X, y = _binary()
    seen = []

    def broken(setup, y_train):
        raise ValueError("nope")

    result = compare(X, y, {"ok": _lr, "bad": broken}, folds=3, notify=seen.append)
    assert "bad" in result.skipped and list(result.scores) == ["ok"]
    assert any("bad skipped" in line for line in seen)


def test_polars_and_pandas_mixed_columns_agree():
    pl = pytest.importorskip("polars")
    X, y = _binary()
    df = pd.DataFrame(
        {
            "num": X[:, 0],
            "cat": pd.Categorical(np.where(X[:, 1] > 0, "p", "q")),
            "obj": np.where(X[:, 2] > 0, "u", "v").astype(object),
            "b": X[:, 3] > 0,
            "dt": pd.date_range("2020-01-01", periods=60, freq="D"),
        }
    )
    a = compare(df, pd.Series(y), folds=3, method_names=["none"])
    b = compare(pl.from_pandas(df), pl.Series(y), folds=3, method_names=["none"])
    assert a.scores == b.scores
    assert len(a.columns.used) == 5
