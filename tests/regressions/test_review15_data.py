"""Review 15 (data): samplers and estimators on real data containers.

Dask DataFrames read from Parquet, Dask arrays, polars, pyarrow-backed and
exotic pandas frames, and scikit-learn's bundled data sets through pipelines.
The first block of tests fails on the current code because of a bug; the
rest pin behaviour that was checked and found right.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.datasets import thin_class

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _dask():
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    return dask, dd


def _write_parquet(folder, sizes, **columns):
    """One Parquet file per entry of ``sizes`` (rows), from the full frame."""
    n = sum(sizes)
    df = pd.DataFrame({"uid": np.arange(n), **{k: v(n) for k, v in columns.items()}})
    start = 0
    for i, rows in enumerate(sizes):
        df.iloc[start : start + rows].to_parquet(folder / f"part-{i}.parquet")
        start += rows
    return df


def _labels(n):
    return np.where(np.arange(n) % 5 == 0, "pos", "neg")


# --------------------------------------------------------------------------
# Bugs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["fit_resample", "fit"])
def test_dask_y_given_as_a_column_name_is_an_error_naming_y(method):
    # A user passing the label column's name (as some Dask/Spark APIs take)
    # gets "TypeError: len() of unsized object"; in memory the same mistake
    # is "ValueError: y must be 1-D (one label per row); got ... shape ()".
    _, dd = _dask()
    df = pd.DataFrame({"uid": np.arange(20), "label": _labels(20)})
    ddf = dd.from_pandas(df, npartitions=3)
    with pytest.raises((ValueError, TypeError), match=r"\by\b"):
        getattr(RandomUnderSampler(random_state=0), method)(ddf, "label")


@pytest.mark.parametrize("source", ["parquet", "pandas"])
@pytest.mark.parametrize("selection", [[1, 0], [2, 0, 1]])
def test_dask_reordered_partition_selection_is_resampled(tmp_path, source, selection):
    # ddf.partitions[[1, 0]]: Dask's private _get_lengths() gives the lengths
    # of the selected partitions in file order (sorted), not in selection
    # order; rebalance trusts them, draws against the wrong partition sizes
    # and the compute fails with "Partition 0 ... has 20 rows, but 10 were
    # counted ... the input changed ... Resample again" (it did not change).
    _, dd = _dask()
    sizes = [10, 20, 30, 40]
    if source == "parquet":
        _write_parquet(tmp_path, sizes, label=_labels)
        ddf = dd.read_parquet(tmp_path)
    else:
        n = sum(sizes)
        # Repeated index values make from_pandas cut unequal partitions.
        index = [0] * 40 + list(range(1, n - 39))
        df = pd.DataFrame({"uid": np.arange(n), "label": _labels(n)}, index=index)
        ddf = dd.from_pandas(df, npartitions=4)
    sub = ddf.partitions[selection]
    full = sub.compute()
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(sub[["uid"]], sub["label"])
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(
        X_res.compute()["uid"].to_numpy(), full["uid"].to_numpy()[rows]
    )
    np.testing.assert_array_equal(
        y_res.compute().to_numpy(), full["label"].to_numpy()[rows]
    )


@pytest.mark.parametrize("kind", ["dataframe", "array"])
def test_thin_class_does_not_silently_turn_dask_inputs_into_numpy(kind):
    # thin_class promises "the kept rows ... in the same container type": a
    # Dask DataFrame X (and a Dask Series y) is computed whole and comes back
    # a numpy array, column names lost, with no error or warning.
    dask, dd = _dask()
    df = pd.DataFrame({"a": np.arange(100), "b": np.arange(100) * 0.5})
    y = np.array([0] * 70 + [1] * 30)
    X = dd.from_pandas(df, npartitions=3)
    if kind == "array":
        X = X.to_dask_array(lengths=True)
    try:
        X_thin, _ = thin_class(X, y, 0.1, random_state=0)
    except (TypeError, ValueError) as exc:  # refusing Dask clearly is fine
        assert "X" in str(exc) and "Dask" in str(exc), exc
        return
    assert dask.is_dask_collection(X_thin), type(X_thin)
    if kind == "dataframe":
        assert list(X_thin.columns) == ["a", "b"]


def test_threshold_mover_refuses_a_lazy_polars_X_clearly():
    # ResampledClassifier.fit and ThresholdMover.fit's y say "X is a lazy
    # LazyFrame ... Collect it first"; ThresholdMover.fit(X=LazyFrame) gives
    # numpy's "setting an array element with a sequence." instead.
    pl = pytest.importorskip("polars")
    X = pl.DataFrame({"a": np.arange(40) * 1.0})
    y = pl.Series("y", [0] * 30 + [1] * 10)
    with pytest.raises((TypeError, ValueError), match="(?i)collect"):
        ThresholdMover(LogisticRegression()).fit(X.lazy(), y)


def test_thin_class_refuses_a_lazy_polars_X_clearly():
    # "X must hold one row per label of y; got ndarray (Input should have at
    # least 1 dimension ... got scalar array(<LazyFrame ...>))": the LazyFrame
    # is wrapped in a 0-d object array; y=LazyFrame gets the clear message.
    pl = pytest.importorskip("polars")
    X = pl.DataFrame({"a": np.arange(100)})
    y = pl.Series("y", [0] * 70 + [1] * 30)
    with pytest.raises((TypeError, ValueError), match="(?i)collect"):
        thin_class(X.lazy(), y, 0.1, random_state=0)


# --------------------------------------------------------------------------
# Checked and found right
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_dask_parquet_with_nullable_arrow_and_categorical_columns(
    tmp_path, sampler_cls
):
    _, dd = _dask()
    rng = np.random.default_rng(0)
    _write_parquet(
        tmp_path,
        [15, 15, 15, 15],
        f=lambda n: rng.normal(size=n),
        i=lambda n: pd.array([None if k % 7 == 0 else k for k in range(n)], "Int64"),
        s=lambda n: pd.array([f"s{k}" for k in range(n)], dtype="string[pyarrow]"),
        cat=lambda n: pd.Categorical(rng.choice(["a", "b"], n)),
        label=lambda n: pd.Categorical(_labels(n), categories=["neg", "pos", "zz"]),
    )
    ddf = dd.read_parquet(tmp_path)
    assert ddf.npartitions == 4 and not ddf.known_divisions
    # A filter empties the middle partitions: their lengths are counted.
    ddf = ddf[(ddf.uid < 12) | (ddf.uid >= 40)]
    features = ["uid", "f", "i", "s", "cat"]
    full = ddf.compute()
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(ddf[features], ddf["label"])
    X_out, y_out = X_res.compute(), y_res.compute()
    rows = sampler.sample_indices_
    expected = full[features].iloc[rows].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_out, expected)
    np.testing.assert_array_equal(y_out.to_numpy(), full["label"].to_numpy()[rows])
    assert y_out.dtype == full["label"].dtype  # unused category kept
    counts = Counter(y_out.tolist())
    memory = sampler_cls(random_state=0)
    memory.fit_resample(full[features], full["label"])
    assert sampler.sampling_strategy_ == memory.sampling_strategy_
    np.testing.assert_array_equal(np.sort(rows), np.sort(memory.sample_indices_))
    if sampler_cls is not ClassBalancedSampler:
        assert counts["pos"] == counts["neg"]
    # Computing again gives the same rows (no new draw, no new split).
    pd.testing.assert_frame_equal(X_res.compute(), X_out)
    assert X_out.index.equals(pd.RangeIndex(len(rows)))


def test_dask_index_from_a_column_and_weights_follow_the_rows(tmp_path):
    _, dd = _dask()
    rng = np.random.default_rng(1)
    _write_parquet(
        tmp_path,
        [20, 20, 20],
        f=lambda n: rng.normal(size=n),
        w=lambda n: rng.random(n),
        label=_labels,
    )
    ddf = dd.read_parquet(tmp_path).set_index("f").persist()  # a shuffle, persisted
    full = ddf.compute()
    sampler = LabelShuffleSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(
        ddf[["uid"]], ddf["label"], sample_weight=ddf["w"].to_dask_array()
    )
    rows = sampler.sample_indices_
    uid = X_res.compute()["uid"].to_numpy()
    np.testing.assert_array_equal(uid, full["uid"].to_numpy()[rows])
    np.testing.assert_array_equal(y_res.compute().to_numpy(), _labels(60)[uid])
    np.testing.assert_allclose(w_res.compute(), full["w"].to_numpy()[rows])


@pytest.mark.filterwarnings("ignore:Dask currently has limited support")
def test_dask_unknown_chunk_sizes_x_refused_labels_and_weights_accepted():
    _, dd = _dask()
    df = pd.DataFrame(
        {"uid": np.arange(60), "w": np.arange(60) * 0.5, "label": _labels(60)}
    )
    ddf = dd.from_pandas(df, npartitions=4)
    ddf = ddf[ddf.uid % 3 != 0]
    X = ddf[["uid"]].to_dask_array()
    assert np.isnan(X.shape[0])
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        RandomUnderSampler().fit_resample(X, ddf["label"])
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(
        ddf[["uid"]].to_dask_array(lengths=True),
        ddf["label"].to_dask_array(),
        sample_weight=ddf["w"].to_dask_array(),
    )
    uid = X_res.compute()[:, 0]
    np.testing.assert_array_equal(
        uid, ddf["uid"].compute().to_numpy()[sampler.sample_indices_]
    )
    np.testing.assert_array_equal(y_res.compute(), df["label"].to_numpy()[uid])
    np.testing.assert_allclose(w_res.compute(), df["w"].to_numpy()[uid])


def test_dask_lazy_inputs_are_read_once_per_pass():
    dask, dd = _dask()
    calls: Counter = Counter()

    def load(k):
        calls[k] += 1
        rows = np.arange(k * 10, k * 10 + 10)
        return pd.DataFrame({"uid": rows, "f": rows * 0.5, "label": rows % 4 == 0})

    meta = load(0).iloc[:0]
    calls.clear()
    ddf = dd.from_map(load, range(5), meta=meta, enforce_metadata=False)
    with dask.config.set(scheduler="sync"):
        sampler = RandomUnderSampler(random_state=0)
        X_res, y_res = sampler.fit_resample(ddf[["uid", "f"]], ddf["label"])
        # Labels once, X's rows counted once (no lengths from this reader).
        assert max(calls.values()) <= 2, calls
        calls.clear()
        X_out = X_res.compute()
        assert max(calls.values()) == 1, calls
        calls.clear()
        y_out = y_res.compute()  # the labels were computed already
        assert not calls, calls
    np.testing.assert_array_equal(X_out["uid"].to_numpy(), sampler.sample_indices_)
    np.testing.assert_array_equal(y_out.to_numpy(), X_out["uid"].to_numpy() % 4 == 0)


LABELS_POLARS = {
    "str": lambda pl, v: pl.Series("y", v),
    "categorical": lambda pl, v: pl.Series("y", v, dtype=pl.Categorical),
    "enum": lambda pl, v: pl.Series("y", v, dtype=pl.Enum(["pos", "neg", "zzz"])),
}


@pytest.mark.parametrize("kind", sorted(LABELS_POLARS))
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, LabelShuffleSampler])
def test_polars_frames_and_labels_keep_schema_and_rows(kind, sampler_cls):
    pl = pytest.importorskip("polars")
    n = 20
    X = pl.DataFrame(
        {
            "z": np.arange(n, dtype=np.int16),
            "a": np.linspace(0, 1, n).astype(np.float32),
            "n": pl.Series([None if i == 2 else i for i in range(n)], dtype=pl.Int32),
            "e": pl.Series(["u", "v"] * (n // 2), dtype=pl.Enum(["v", "u"])),
        }
    )
    y = LABELS_POLARS[kind](pl, _labels(n).tolist())
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    rows = sampler.sample_indices_
    assert X_res.columns == X.columns and X_res.schema == X.schema
    assert X_res.equals(X[rows]) and y_res.equals(y[rows])
    assert y_res.dtype == y.dtype
    # Built with the null (polars 1.0's scatter of None into a Categorical
    # fails: "cannot construct Categorical from these categories").
    missing = LABELS_POLARS[kind](pl, [None, *_labels(n).tolist()[1:]])
    with pytest.raises(ValueError, match=r"^y has missing labels"):
        sampler_cls().fit_resample(X, missing)


def test_polars_pipelines_with_enum_labels_match_string_labels():
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    n = 150
    positive = rng.random(n) < 0.2
    X = pl.DataFrame({"a": rng.normal(size=n) + positive, "b": rng.normal(size=n)})
    text = np.where(positive, "pos", "neg")

    def models():
        scaled = make_pipeline(
            StandardScaler().set_output(transform="polars"), LogisticRegression()
        )
        return [
            ResampledClassifier(RandomUnderSampler(random_state=0), scaled),
            ThresholdMover(scaled),
            ThresholdMover(
                ResampledClassifier(LabelShuffleSampler(random_state=0), scaled),
                "argmax",
                deploy_priors="train",
            ),
        ]

    # scikit-learn < 1.8 reads a polars frame's column names through
    # __dataframe__, which polars 2 dropped: then no estimator has them.
    names = hasattr(LogisticRegression().fit(X, text), "feature_names_in_")
    for plain, enum in zip(models(), models()):
        plain.fit(X, pl.Series("y", text))
        enum.fit(X, pl.Series("y", text, dtype=pl.Enum(["pos", "neg", "zzz"])))
        assert enum.classes_.tolist() == ["neg", "pos"]
        np.testing.assert_array_equal(enum.predict(X), plain.predict(X))
        if names:
            assert enum.feature_names_in_.tolist() == ["a", "b"]
        else:
            assert not hasattr(enum, "feature_names_in_")


def test_pandas_exotic_columns_and_metadata_are_kept():
    n = 20
    X = pd.DataFrame(
        {
            "uid": np.arange(n),
            "tz": pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Paris"),
            "per": pd.period_range("2024-01", periods=n, freq="M"),
            "iv": pd.interval_range(0, n),
            "i": pd.array([None if k == 3 else k for k in range(n)], dtype="Int64"),
        },
        index=[f"r{k}" for k in range(n)],
    )
    X.attrs = {"source": "test"}
    y = pd.Series(
        pd.Categorical(_labels(n), categories=["zz", "pos", "neg"]),
        index=np.arange(n)[::-1] + 100,  # not X's index: matched by position
        name="target",
    )
    for sampler_cls in SAMPLERS:
        sampler = sampler_cls(random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        rows = sampler.sample_indices_
        pd.testing.assert_frame_equal(X_res, X.iloc[rows].reset_index(drop=True))
        pd.testing.assert_series_equal(y_res, y.iloc[rows].reset_index(drop=True))
        assert X_res.attrs == {"source": "test"}
    multi = X[["uid", "i"]].copy()
    multi.columns = pd.MultiIndex.from_tuples([("a", "uid"), ("b", "i")])
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(multi, y)
    pd.testing.assert_frame_equal(
        X_res, multi.iloc[sampler.sample_indices_].reset_index(drop=True)
    )


def test_pandas_pyarrow_backend_from_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    n = 30
    rng = np.random.default_rng(0)
    pd.DataFrame(
        {
            "f": rng.normal(size=n),
            "i": pd.array([None if k == 4 else k for k in range(n)], dtype="Int32"),
            "s": [f"s{k}" for k in range(n)],
            "label": _labels(n),
        }
    ).to_parquet(tmp_path / "x.parquet")
    df = pd.read_parquet(tmp_path / "x.parquet", dtype_backend="pyarrow")
    X, y = df.drop(columns="label"), df["label"]
    for sampler_cls in SAMPLERS:
        sampler = sampler_cls(random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        rows = sampler.sample_indices_
        pd.testing.assert_frame_equal(X_res, X.iloc[rows].reset_index(drop=True))
        pd.testing.assert_series_equal(y_res, y.iloc[rows].reset_index(drop=True))
    X_res, _ = RandomOverSampler(random_state=0, shrinkage=0.5).fit_resample(
        X[["f"]], y
    )
    assert X_res.dtypes.equals(X[["f"]].dtypes)


def test_bundled_datasets_through_pipelines():
    from imblearn.pipeline import make_pipeline as imb_pipeline

    cancer = load_breast_cancer(as_frame=True)
    X, y = thin_class(cancer.data, cancer.target, 0.1, random_state=0)
    assert (X.index == y.index).all() and y.value_counts()[0] == 35
    for sampler_cls in SAMPLERS:
        pipe = imb_pipeline(
            StandardScaler().set_output(transform="pandas"),
            sampler_cls(random_state=0),
            LogisticRegression(max_iter=500),
        )
        cv = StratifiedKFold(3, shuffle=True, random_state=0)
        scores = cross_val_score(pipe, X, y, cv=cv, scoring="balanced_accuracy")
        assert scores.min() > 0.7, scores
    wine = load_wine(as_frame=True)
    Xw, yw = thin_class(wine.data, wine.target, 0.2, minority=2, random_state=0)
    for sampler_cls in SAMPLERS:
        sampler = sampler_cls(random_state=0)
        X_res, y_res = sampler.fit_resample(Xw, yw)
        rows = sampler.sample_indices_
        pd.testing.assert_frame_equal(X_res, Xw.iloc[rows].reset_index(drop=True))
        pd.testing.assert_series_equal(y_res, yw.iloc[rows].reset_index(drop=True))
    digits = load_digits(as_frame=True)
    _, y_res = LabelShuffleSampler(random_state=0).fit_resample(
        digits.data, digits.target
    )
    assert set(np.bincount(y_res).tolist()) == {183}
