"""Review 100 diff20: score row checks, sparse labels, compare() names, datasets.

Pins the changes since 7b98259 (check_scored_rows, sparse_labels, the torch
samplers' float-label message, compare()'s _names_given and table(width=),
reject_dataset, the ClassLabel -1 check) and xfails what breaks.
"""

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV

import rebalance
from rebalance import ResampledClassifier, ThresholdMover
from rebalance.compare import compare

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 3))
Y = (X[:, 0] + RNG.normal(size=60) > 0.8).astype(int)
W = RNG.uniform(0.5, 2, 60)
XD = pd.DataFrame(X, columns=list("abc"), index=np.arange(100, 160))


def _mover():
    return ThresholdMover(LogisticRegression()).fit(XD, pd.Series(Y, index=XD.index))


def test_threshold_mover_score_matches_weighted_accuracy_and_fresh_y_index():
    tm = _mover()
    expected = accuracy_score(Y, tm.predict(XD), sample_weight=W)
    # a y / weight with a fresh index beside an indexed X: paired by position
    assert tm.score(XD, pd.Series(Y), sample_weight=pd.Series(W)) == expected
    assert tm.score(pl.from_pandas(XD), pl.Series(Y)) == tm.score(X, Y)
    assert FrozenEstimator(tm).score(XD, Y, sample_weight=W) == expected
    with pytest.raises(ValueError, match="y holds the index of X in another order"):
        tm.score(XD, pd.Series(Y, index=XD.index[::-1]))


def test_score_routing_of_sample_weight_in_a_search():
    with sklearn.config_context(enable_metadata_routing=True):
        for est, grid in (
            (ThresholdMover(LogisticRegression()), {"estimator__C": [1.0]}),
            (
                ResampledClassifier(
                    rebalance.RandomUnderSampler(random_state=0), LogisticRegression()
                ),
                {"classifier__C": [1.0]},
            ),
        ):
            est.set_score_request(sample_weight=True)
            gs = GridSearchCV(est, grid, cv=3).fit(X, Y)
            pred = gs.best_estimator_.predict(X)
            assert gs.score(X, Y, sample_weight=W) == pytest.approx(
                accuracy_score(Y, pred, sample_weight=W)
            )


def test_resampled_classifier_score_refuses_reordered_weight():
    rc = ResampledClassifier(
        rebalance.RandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(XD, pd.Series(Y, index=XD.index))
    assert rc.score(XD, pd.Series(Y), sample_weight=pd.Series(W)) == rc.score(
        X, Y, sample_weight=W
    )
    with pytest.raises(ValueError, match="sample_weight holds the index of X"):
        rc.score(XD, Y, sample_weight=pd.Series(W, index=XD.index[::-1]))


@pytest.mark.parametrize(
    ("labels", "fix"),
    [
        (sp.csr_array(np.array([[0], [0], [1], [1]])), "y.toarray().ravel()"),
        (sp.csr_array(np.eye(2)[[0, 0, 1, 1]]), "y.toarray() (a one-hot"),
    ],
)
def test_sparse_labels_named_with_shape_and_dense_fix(labels, fix):
    with pytest.raises(TypeError, match="y is a scipy sparse csr_array of shape"):
        rebalance.RandomOverSampler().fit_resample(np.zeros((4, 1)), labels)
    with pytest.raises(TypeError) as info:
        rebalance.RandomOverSampler().fit_resample(np.zeros((4, 1)), labels)
    assert fix in str(info.value)


@pytest.mark.parametrize(
    ("labels", "fix"),
    [
        (pl.Series([0.0, 1.0, 0.0, 1.0]), "labels.cast(pl.Int64)"),
        (pd.Series([0.0, 1.0, 0.0, 1.0]), "labels.astype(int)"),
        ([0.0, 1.0, 0.0, 1.0], "numpy.asarray(labels).astype(int)"),
    ],
)
def test_torch_sampler_float_labels_name_their_container_conversion(labels, fix):
    from rebalance.torch import RebalanceSampler

    with pytest.raises(TypeError) as info:
        RebalanceSampler(labels, rebalance.RandomOverSampler())
    assert fix in str(info.value)


Y40 = np.array([0] * 30 + [1] * 10)
XI = pd.DataFrame(RNG.normal(size=(40, 3)))
KW = {"method_names": ["none"], "folds": 2}


def test_compare_drop_int_names_in_a_list_or_array():
    for drop in ([0], np.array([0])):
        assert dict(compare(XI, Y40, drop=drop, **KW).columns.dropped) == {"0": "drop="}


def test_compare_argument_checks_before_work():
    with pytest.raises(TypeError, match="methods= must be a dict"):
        compare(XI, Y40, methods=["none"])
    with pytest.raises(TypeError, match="notify= must be a function"):
        compare(XI, Y40, notify="print", **KW)
    result = compare(XI, Y40, **KW)
    assert result.table(width=np.int64(80)) == result.table(width=80)
    with pytest.raises(TypeError, match="width must be a whole number"):
        result.table(width=80.0)


def test_compare_drop_one_int_column_name():
    assert dict(compare(XI, Y40, drop=0, **KW).columns.dropped) == {"0": "drop="}


XM = pd.DataFrame(
    RNG.normal(size=(40, 3)),
    columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y"), ("b", "x")]),
)


def test_compare_drop_list_of_tuple_names_a_multiindex_column():
    result = compare(XM, Y40, drop=[("a", "x")], **KW)
    assert list(result.columns.dropped) == ["('a', 'x')"]


def test_compare_drop_one_tuple_column_name_of_a_multiindex():
    result = compare(XM, Y40, drop=("a", "x"), **KW)
    assert list(result.columns.dropped) == ["('a', 'x')"]


def test_reject_dataset_in_fit_resample_but_not_array_likes():
    datasets = pytest.importorskip("datasets")
    from torch.utils.data import TensorDataset

    ds = datasets.Dataset.from_dict({"f": list(range(6)), "label": [0] * 4 + [1] * 2})
    x6 = np.arange(12.0).reshape(6, 2)
    sampler = rebalance.RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(x6, ds["label"])
    assert sorted(np.bincount(np.asarray(y_res))) == [4, 4]
    sampler.fit_resample(torch.tensor(x6), torch.tensor([0] * 4 + [1] * 2))
    for value, name in ((ds, "y"), (TensorDataset(torch.tensor(x6)), "X")):
        args = (x6, value) if name == "y" else (value, ds["label"])
        with pytest.raises(TypeError, match=f"{name} is a .*dataset of samples"):
            sampler.fit_resample(*args)
    dd = datasets.DatasetDict(train=ds)
    with pytest.raises(TypeError, match="one split's columns"):
        sampler.fit_resample(dd, ds["label"])


def _classlabel_dataset():
    datasets = pytest.importorskip("datasets")
    features = datasets.Features({"label": datasets.ClassLabel(names=["a", "b"])})
    return datasets.Dataset.from_dict({"label": [0, 0, 0, -1, 1, 1]}, features=features)


def test_classlabel_minus_one_refused_plain_int_minus_one_kept():
    datasets = pytest.importorskip("datasets")
    from rebalance.torch import RebalanceSampler

    plain = datasets.Dataset.from_dict({"label": [0, 0, 0, -1, 1, 1]})
    assert 3 in list(RebalanceSampler(plain["label"], rebalance.RandomOverSampler()))
    ds = _classlabel_dataset()
    for column in (ds["label"], ds.with_format("torch")["label"]):
        with pytest.raises(ValueError, match="datasets' mark of a missing label"):
            RebalanceSampler(column, rebalance.RandomOverSampler())
    splits = datasets.DatasetDict(train=ds, test=ds)
    with pytest.raises(TypeError, match=r"splits: \['train', 'test'\]"):
        RebalanceSampler(splits, rebalance.RandomOverSampler())


@pytest.mark.parametrize("form", ["pandas", "polars", "arrow"])
def test_classlabel_minus_one_refused_with_frame_formats(form):
    # Under these formats ds["label"] is a Series / Arrow column that no
    # longer says it is a ClassLabel; the loader reads the dataset's features.
    from rebalance.torch import RebalancedLoader

    dataset = _classlabel_dataset().with_format(form)
    with pytest.raises(ValueError, match="missing label"):
        RebalancedLoader(sampler=rebalance.RandomOverSampler(), seed=0)(dataset)


def test_classlabel_minus_one_refused_by_fit_resample():
    with pytest.raises(ValueError, match="missing"):
        rebalance.RandomOverSampler().fit_resample(
            np.zeros((6, 1)), _classlabel_dataset()["label"]
        )
