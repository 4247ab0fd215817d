"""Review 111 diff26: the source changes f6026b0..285774c through the public
API: the Dask selection check keyed by any source (``from_pandas``,
``read_csv``, Parquet reads by their dataset's files, ``dd.concat`` by its
sources), the sampler's ``transform`` answer to scikit-learn's Pipeline, the
NaN check for meta-estimators (stacking with passthrough), ThresholdMover's
zero-count classes, BalancedBatchSampler's distinct rows across a class
walk's end, and Hugging Face list-of-ClassLabel columns and class-name hints."""

import copy
import os
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import RandomUnderSampler, ResampledClassifier
from rebalance.threshold import ThresholdMover


def _frame(n=200):
    a = np.arange(n)
    return pd.DataFrame({"a": a, "t": (a % 4 == 0).astype(int)})


def _resample(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RandomUnderSampler(random_state=0).fit_resample(X, y)


# --- base.py: transform looked up by scikit-learn's Pipeline ---------------


@pytest.mark.parametrize(
    "build",
    [
        lambda s: make_pipeline(StandardScaler(), s, LogisticRegression()),
        lambda s: FeatureUnion([("s", s)]),
    ],
)
def test_sklearn_pipeline_step_names_imblearn_pipeline(build):
    X, y = np.random.default_rng(0).random((20, 2)), np.array([0, 1] * 10)
    with pytest.raises(TypeError, match="imblearn.pipeline.*ResampledClassifier"):
        build(RandomUnderSampler()).fit(X, y)


def test_transform_attribute_absent_elsewhere_and_copies_work():
    s = RandomUnderSampler(random_state=3)
    assert not hasattr(s, "transform")
    with pytest.raises(AttributeError, match="transform"):
        s.transform  # noqa: B018
    assert pickle.loads(pickle.dumps(s)).random_state == 3
    assert copy.deepcopy(s).random_state == 3
    imb = pytest.importorskip("imblearn.pipeline")
    X, y = np.random.default_rng(0).random((20, 2)), np.array([0] * 14 + [1] * 6)
    pipe = imb.make_pipeline(StandardScaler(), s, LogisticRegression()).fit(X, y)
    assert pipe.predict(X).shape == (20,)


# --- compose.py: NaN check for meta-estimators ------------------------------


def _nan_data():
    X = np.random.default_rng(0).normal(size=(60, 2))
    X[5, 0] = np.nan
    return X, np.array([0] * 40 + [1] * 20)


def test_meta_estimator_of_nan_refusing_classifier_refused_up_front():
    X, y = _nan_data()
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), OneVsRestClassifier(LogisticRegression())
    )
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X, y)


def test_stacking_passthrough_final_estimator_checked_for_nan():
    X, y = _nan_data()
    hgb = HistGradientBoostingClassifier(max_iter=5)
    refused = StackingClassifier(
        [("h", hgb)], final_estimator=LogisticRegression(), passthrough=True, cv=2
    )
    with pytest.raises(ValueError, match="NaN"):
        ResampledClassifier(RandomUnderSampler(random_state=0), refused).fit(X, y)
    # Without passthrough the final estimator sees predictions only.
    taken = StackingClassifier([("h", hgb)], final_estimator=LogisticRegression(), cv=2)
    ResampledClassifier(RandomUnderSampler(random_state=0), taken).fit(X, y)


# --- threshold.py: counts of 0 on whole classes ------------------------------


def test_threshold_mover_counts_zero_on_all_classes_but_one_names_weights():
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = np.array([0] * 30 + [1] * 20 + [2] * 10)
    w = np.ones(60)
    w[:30] = 0
    w[50:] = 0
    with pytest.raises(ValueError, match=r"sample_weight is 0 .*\[0, 2\]"):
        ThresholdMover(KNeighborsClassifier(3)).fit(X, y, sample_weight=w)


# --- torch/samplers.py: distinct rows across a class walk's end -------------


def test_balanced_batches_hold_distinct_rows_of_a_class():
    pytest.importorskip("torch")
    from rebalance.torch import BalancedBatchSampler

    for n0, n1, q0, q1 in [(5, 3, 3, 2), (7, 4, 4, 3), (3, 9, 2, 4), (40, 6, 6, 4)]:
        labels = np.array([0] * n0 + [1] * n1)
        for seed in range(3):
            sampler = BalancedBatchSampler(
                labels, batch_size=q0 + q1, class_counts=[q0, q1], seed=seed
            )
            for batch in sampler:
                assert len(set(batch)) == q0 + q1, (n0, n1, q0, q1, batch)
    labels = np.repeat(np.arange(4), 5)
    sampler = BalancedBatchSampler(labels, batch_size=6, classes_per_batch=2, seed=1)
    for batch in sampler:
        assert len(set(batch)) == 6


def test_class_counts_named_by_string_for_integer_ids_hint():
    pytest.importorskip("torch")
    from rebalance.torch import BalancedBatchSampler

    labels = np.array([0] * 15 + [1] * 5)
    with pytest.raises(ValueError, match=r"str2int\('pos'\)"):
        BalancedBatchSampler(labels, batch_size=4, class_counts={"pos": 2, "neg": 2})
    with pytest.raises(ValueError, match="the class is the integer 1; use 1"):
        BalancedBatchSampler(labels, batch_size=4, class_counts={"1": 2, "0": 2})


# --- _labels.py / loader: Hugging Face columns -------------------------------


def test_hf_list_of_class_label_refused_by_sampler_and_loader():
    pytest.importorskip("torch")
    datasets = pytest.importorskip("datasets")
    from rebalance.torch import RebalancedLoader, RebalanceSampler

    feature = datasets.Sequence(datasets.ClassLabel(names=["neg", "pos"]))
    ds = datasets.Dataset.from_dict(
        {"x": list(range(20)), "labels": [[0, 1], [1, 0], [1, 0], [1, 0]] * 5},
        features=datasets.Features({"x": datasets.Value("int64"), "labels": feature}),
    )
    with pytest.raises(
        ValueError, match='"labels" holds a list of datasets ClassLabel'
    ):
        RebalanceSampler(ds["labels"])
    with pytest.raises(ValueError, match="multi-label"):
        RebalancedLoader(RebalanceSampler)(ds.with_format("torch"), batch_size=4)


def test_loader_reads_label_column_hidden_by_set_format():
    torch = pytest.importorskip("torch")
    datasets = pytest.importorskip("datasets")
    from rebalance.torch import RebalancedLoader, RebalanceSampler

    ds = datasets.Dataset.from_dict(
        {"x": list(range(20)), "label": [0] * 15 + [1] * 5},
        features=datasets.Features(
            {
                "x": datasets.Value("int64"),
                "label": datasets.ClassLabel(names=["neg", "pos"]),
            }
        ),
    ).with_format("torch", columns=["x"])
    batches = list(RebalancedLoader(RebalanceSampler, seed=0)(ds, batch_size=100))
    x = torch.cat([b["x"] for b in batches])
    assert set(batches[0]) == {"x"}
    assert int((x >= 15).sum()) == int((x < 15).sum())  # balanced by the labels


# --- _dask.py: selection check keyed by any source ---------------------------


def test_dask_from_pandas_other_mask_refused_same_mask_accepted():
    dd = pytest.importorskip("dask.dataframe")
    df = _frame()
    f, g = dd.from_pandas(df, npartitions=2), dd.from_pandas(df, npartitions=2)
    with pytest.raises(ValueError, match="y holds other rows of the data X"):
        _resample(f[f.a % 3 == 0][["a"]], g[g.a % 3 == 1]["t"])
    X_res, y_res = _resample(f[f.a % 3 == 0][["a"]], g[g.a % 3 == 0]["t"])
    assert (X_res["a"].compute().to_numpy() % 4 == 0).astype(int).tolist() == (
        y_res.compute().tolist()
    )


def test_dask_parquet_spellings_keyed_by_dataset(tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    folder = tmp_path / "data"
    folder.mkdir()
    df = _frame()
    df.iloc[:100].to_parquet(folder / "0.parquet")
    df.iloc[100:].to_parquet(folder / "1.parquet")
    r = dd.read_parquet(str(folder))
    for other in (
        str(folder) + "/",
        "file://" + str(folder),
        str(folder / "*.parquet"),
    ):
        s = dd.read_parquet(other)
        with pytest.raises(ValueError, match="other rows of the Parquet data"):
            _resample(r[r.a % 3 == 0][["a"]], s[s.a % 3 == 1]["t"])
        X_res, y_res = _resample(r[r.a % 3 == 0][["a"]], s[s.a % 3 == 0]["t"])
        assert len(X_res.compute()) == len(y_res.compute())


def test_dask_concat_in_other_order_refused(tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    df = _frame()
    for k, part in enumerate((df.iloc[:100], df.iloc[100:].assign(t=1 - df.t[100:]))):
        os.makedirs(tmp_path / str(k))
        part.reset_index(drop=True).to_parquet(tmp_path / str(k) / "p.parquet")
    a, b = dd.read_parquet(str(tmp_path / "0")), dd.read_parquet(str(tmp_path / "1"))
    # y's rows are b's then a's: matched by position, every label is another row's.
    with pytest.raises(ValueError, match="y holds other rows"):
        _resample(dd.concat([a, b])[["a"]], dd.concat([b, a])["t"])


def test_dask_from_pandas_other_npartitions_other_mask_refused():
    dd = pytest.importorskip("dask.dataframe")
    df = _frame()
    f2, f3 = dd.from_pandas(df, npartitions=2), dd.from_pandas(df, npartitions=3)
    # Same frame, same number of rows selected, other rows: silently paired.
    with pytest.raises(ValueError, match="y holds other rows of the data X"):
        _resample(f2[f2.a % 3 == 0][["a"]], f3[f3.a % 3 == 1]["t"])
