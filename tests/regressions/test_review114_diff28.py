"""Review 114, area diff28: the changes since d19fd93 in ``rebalance/``.

Covers the refusal of a Dask array y/``sample_weight`` beside a Dask frame X
holding a selection of rows (every entry point, and the case of a Dask array
X of a selection beside a frame y of another), ``checked_folds`` run by
``ThresholdMover.fit`` before the estimator is fitted (iterable, routed-group
and one-shot cv), the labels of a Hugging Face dataset with a transform read
through the transform, ``adjust_priors``/``em_priors`` reading a Dask frame's
column labels, and the year checks of ``plan_columns`` (one-digit years,
versions, quarters, year-less text).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, ResampledClassifier, ThresholdMover
from rebalance._columns import plan_columns
from rebalance.threshold import adjust_priors, em_priors


def _frame():
    dd = pytest.importorskip("dask.dataframe")
    pdf = pd.DataFrame(
        {
            "a": np.arange(40.0),
            "b": np.arange(40.0) % 5,
            "y": (np.arange(40) % 3 == 0).astype(int),
        }
    )
    return dd.from_pandas(pdf, npartitions=2)


def _logistic():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()


_ENTRY_POINTS = {
    "fit_resample": lambda X, y: RandomOverSampler(random_state=0).fit_resample(X, y),
    "ResampledClassifier": lambda X, y: ResampledClassifier(
        RandomOverSampler(random_state=0), _logistic()
    ).fit(X, y),
    "ThresholdMover": lambda X, y: ThresholdMover(_logistic()).fit(X, y),
}


# ----------------------------------------------------------------- Dask rows


@pytest.mark.parametrize("entry", sorted(_ENTRY_POINTS))
def test_dask_array_y_beside_selected_frame_refused_everywhere(entry):
    ddf = _frame()
    rows = ddf[ddf.a % 2 == 0]
    y = ddf[ddf.a % 2 == 1]["y"].to_dask_array(lengths=True)  # other rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="y is a Dask array beside"):
            _ENTRY_POINTS[entry](rows[["a", "b"]], y)


def test_dask_array_weight_beside_selected_frame_refused():
    ddf = _frame()
    rows = ddf[ddf.a % 2 == 0]
    weight = rows["b"].to_dask_array(lengths=True) + 1.0
    with pytest.raises(ValueError, match="sample_weight is a Dask array"):
        RandomOverSampler(random_state=0).fit_resample(
            rows[["a", "b"]], rows["y"], sample_weight=weight
        )


def test_dask_array_y_beside_unselected_frame_accepted():
    ddf = _frame()
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(
        ddf[["a", "b"]], ddf["y"].to_dask_array(lengths=True)
    )
    X_res, y_res = X_res.compute(), np.asarray(y_res.compute())
    # Each row keeps its own label (y = a % 3 == 0).
    np.testing.assert_array_equal(y_res, (X_res["a"].to_numpy() % 3 == 0))


def test_dask_series_y_of_same_selection_kept_aligned():
    ddf = _frame()
    rows = ddf[ddf.a % 2 == 0]
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(
        rows[["a", "b"]], rows["y"]
    )
    X_res, y_res = X_res.compute(), y_res.compute()
    np.testing.assert_array_equal(
        y_res.to_numpy(), (X_res["a"].to_numpy() % 3 == 0).astype(int)
    )


@pytest.mark.parametrize("entry", sorted(_ENTRY_POINTS))
def test_dask_array_X_of_selection_beside_other_selection_y(entry):
    ddf = _frame()
    X = ddf[ddf.a % 2 == 0][["a", "b"]].to_dask_array(lengths=True)
    y = ddf[ddf.a % 2 == 1]["y"]  # 20 rows too: the odd rows' labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="y"):
            _ENTRY_POINTS[entry](X, y)


# ------------------------------------------------------ ThresholdMover folds


def _binary():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + rng.normal(size=60) > 0.5).astype(int)
    return X, y


def test_threshold_generator_cv_read_once():
    from sklearn.model_selection import StratifiedKFold

    X, y = _binary()
    folds = list(StratifiedKFold(3).split(X, y))
    expected = ThresholdMover(_logistic(), strategy="tuned", cv=folds).fit(X, y)
    mover = ThresholdMover(_logistic(), strategy="tuned", cv=iter(folds)).fit(X, y)
    assert mover.threshold_ == expected.threshold_


def test_threshold_routed_groups_reach_both_splits():
    import sklearn
    from sklearn.model_selection import GroupKFold

    X, y = _binary()
    groups = np.arange(60) % 4
    with sklearn.config_context(enable_metadata_routing=True):
        mover = ThresholdMover(
            _logistic().set_fit_request(sample_weight=False),
            strategy="tuned",
            cv=GroupKFold(2),
        ).fit(X, y, groups=groups)
    assert len(mover.cv_results_["thresholds"]) > 0


def test_threshold_refused_fold_leaves_fitted_mover():
    X, y = _binary()
    mover = ThresholdMover(_logistic(), strategy="tuned", cv=3).fit(X, y)
    before = mover.estimator_
    y_bad = y.copy()
    # A fold whose training rows lack class 1: its rows all in one fold.
    y_bad[:] = 0
    y_bad[:3] = 1
    bad = [(np.arange(3, 60), np.arange(3)), (np.arange(30), np.arange(30, 60))]
    mover.set_params(cv=bad)
    with pytest.raises(ValueError, match="fold"):
        mover.fit(X, y_bad)
    assert mover.estimator_ is before


def test_threshold_cv_split_called_once():
    from sklearn.model_selection import StratifiedKFold

    X, y = _binary()

    class OneShot:
        def __init__(self, folds):
            self.folds = iter(folds)

        def split(self, X, y=None, groups=None):
            return self.folds

        def get_n_splits(self, X=None, y=None, groups=None):
            return 3

    folds = list(StratifiedKFold(3).split(X, y))
    expected = ThresholdMover(_logistic(), strategy="tuned", cv=folds).fit(X, y)
    mover = ThresholdMover(_logistic(), strategy="tuned", cv=OneShot(folds))
    assert mover.fit(X, y).threshold_ == expected.threshold_


# ------------------------------------------------------ Hugging Face labels


def _hf():
    datasets = pytest.importorskip("datasets")
    pytest.importorskip("rebalance.torch")
    return datasets.Dataset.from_dict(
        {"text": [f"t{i}" for i in range(12)], "label": [0] * 9 + [1] * 3}
    )


def _drawn(dataset):
    from rebalance import RandomUnderSampler
    from rebalance.torch import RebalancedLoader

    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    make(dataset, batch_size=4)
    return list(iter(make.sampler_))


def test_hf_transform_mapping_classes_read_through_it():
    ds = _hf().with_transform(
        lambda b: {"text": b["text"], "label": [1 - v for v in b["label"]]}
    )
    ids = _drawn(ds)
    # Balanced by the labels the batches carry (9 ones, 3 zeros).
    assert sorted(ds[i]["label"] for i in ids) == [0, 0, 0, 1, 1, 1]


def test_hf_transform_renaming_label_refused_naming_labels_from():
    ds = _hf().with_transform(lambda b: {"text": b["text"], "labels": b["label"]})
    with pytest.raises(ValueError, match="labels_from"):
        _drawn(ds)


def test_hf_subset_of_transformed_dataset():
    from torch.utils.data import Subset

    ds = _hf().with_transform(
        lambda b: {"x": [len(t) for t in b["text"]], "label": b["label"]}
    )
    part = Subset(ds, [0, 1, 2, 3, 9, 10])
    ids = _drawn(part)
    assert sorted(part[i]["label"] for i in ids) == [0, 0, 1, 1]


def test_hf_transform_output_all_columns_keeps_label():
    ds = _hf().with_transform(
        lambda b: {"x": [1] * len(b["text"])},
        columns=["text"],
        output_all_columns=True,
    )
    assert ds[:2]["label"] == [0, 0]  # the batches carry the labels
    ids = _drawn(ds)
    assert sorted(ds[i]["label"] for i in ids) == [0, 0, 0, 1, 1, 1]


# ------------------------------------------------------------ Dask priors


def test_adjust_priors_dask_frame_by_label_as_pandas():
    dd = pytest.importorskip("dask.dataframe")
    p = pd.DataFrame(
        [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9]], columns=["a", "b"]
    )[["b", "a"]]
    train, deploy = {"a": 0.5, "b": 0.5}, {"a": 0.2, "b": 0.8}
    np.testing.assert_allclose(
        adjust_priors(dd.from_pandas(p, npartitions=2), train, deploy),
        adjust_priors(p, train, deploy),
    )
    np.testing.assert_allclose(
        em_priors(dd.from_pandas(p, npartitions=2), train), em_priors(p, train)
    )


def test_adjust_priors_dask_duplicate_columns_by_label_refused():
    dd = pytest.importorskip("dask.dataframe")
    p = pd.DataFrame([[0.8, 0.2], [0.3, 0.7]], columns=["a", "a"])
    with pytest.raises(ValueError, match="repeat"):
        adjust_priors(dd.from_pandas(p, npartitions=1), {"a": 0.5}, {"a": 0.2})


# ------------------------------------------------------------------ years


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1.2.3", "1.2.4", "1.3.0"], "categorical"),  # versions
        (["Jan 5", "Feb 6", "Mar 7"], "categorical"),  # no year
        (["2024Q1", "2024Q2", "2023Q4"], "datetime"),
        (["5 Jan 2009", "6 Feb 2010", "7 Mar 2011"], "datetime"),
        (["01.02.24", "15.03.24", "31.12.23"], "datetime"),
    ],
)
def test_plan_columns_years(values, kind):
    frame = pd.DataFrame({"c": values * 3})
    assert plan_columns(frame).used.get("c") == kind
