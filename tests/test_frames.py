"""Dataframes in, the same dataframes out: polars and pyarrow X, y and
sample_weight keep their type, columns and dtypes through every sampler."""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance._frames import frame_like, frame_values, take_rows

pa = pytest.importorskip("pyarrow")

pl = pytest.importorskip("polars")

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]

N = 40


def _columns():
    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 7 + [2] * 3)
    rng.shuffle(y)
    columns = {
        "small": np.arange(N, dtype=np.int8),
        "real": rng.normal(size=N).astype(np.float32),
        "name": [f"row{i}" for i in range(N)],
        "flag": np.arange(N) % 3 == 0,
    }
    return columns, y, rng.uniform(0.5, 2.0, size=N)


def _polars():
    columns, y, weights = _columns()
    X = pl.DataFrame(columns).with_columns(
        pl.col("name").cast(pl.Categorical).alias("group")
    )
    return X, pl.Series("target", y), pl.Series("weight", weights)


def _pyarrow_chunked():
    columns, y, weights = _columns()
    X = pa.table(columns).append_column(
        "group", pa.array(columns["name"]).dictionary_encode()
    )
    return X, pa.chunked_array([y[:15], y[15:]]), pa.array(weights)


def _pyarrow_array():
    X, y, weights = _pyarrow_chunked()
    return X, y.combine_chunks(), pa.chunked_array([weights])


BACKENDS = {
    "polars": _polars,
    "pyarrow-ChunkedArray-y": _pyarrow_chunked,
    "pyarrow-Array-y": _pyarrow_array,
}


def _to_list(column):
    return column.to_pylist() if hasattr(column, "to_pylist") else column.to_list()


def _column_lists(X):
    if isinstance(X, pa.Table):
        return {name: X.column(name).to_pylist() for name in X.column_names}
    return {name: X.get_column(name).to_list() for name in X.columns}


def _schema(X):
    return X.schema if isinstance(X, pa.Table) else dict(X.schema)


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS)
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_dataframes_come_back_in_their_type_with_the_drawn_rows(sampler_cls, make):
    X, y, weights = make()
    schema = _schema(X)
    source = _column_lists(X)
    y_list, w_list = _to_list(y), _to_list(weights)

    sampler = sampler_cls(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weights)
    idx = sampler.sample_indices_

    # Same types, columns and dtypes as the inputs.
    assert type(X_res) is type(X)
    assert _schema(X_res) == schema
    assert type(y_res) is type(y) and type(w_res) is type(weights)
    if isinstance(y, pl.Series):
        assert (y_res.name, y_res.dtype) == (y.name, y.dtype)
        assert (w_res.name, w_res.dtype) == (weights.name, weights.dtype)
    else:
        assert y_res.type == y.type and w_res.type == weights.type
    # Rows: the inputs' rows at sample_indices_ ...
    assert _column_lists(X_res) == {k: [v[i] for i in idx] for k, v in source.items()}
    assert _to_list(y_res) == [y_list[i] for i in idx]
    assert _to_list(w_res) == [w_list[i] for i in idx]
    # ... which are the rows numpy inputs get from the same seed.
    numpy_sampler = sampler_cls(random_state=0)
    _, y_np, w_np = numpy_sampler.fit_resample(
        frame_values(X), np.asarray(y_list), sample_weight=np.asarray(w_list)
    )
    np.testing.assert_array_equal(numpy_sampler.sample_indices_, idx)
    assert y_np.tolist() == _to_list(y_res)
    assert w_np.tolist() == _to_list(w_res)
    # Inputs untouched.
    assert _column_lists(X) == source and _to_list(y) == y_list


def _skip_unless_sklearn_reads_names(X):
    """scikit-learn < 1.8 reads a polars frame's names through the dataframe
    interchange protocol, which polars 2 no longer has: neither its own
    estimators nor ours (validate_data) get names there."""
    from sklearn.utils.validation import _get_feature_names

    if _get_feature_names(X) is None:
        pytest.skip("this scikit-learn reads no column names from this frame")


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS)
def test_feature_names_in_from_polars_and_pyarrow_columns(make):
    X, y, _ = make()
    _skip_unless_sklearn_reads_names(X)
    sampler = RandomUnderSampler(random_state=0).fit(X, y)
    assert sampler.n_features_in_ == 5
    assert sampler.feature_names_in_.tolist() == [
        "small",
        "real",
        "name",
        "flag",
        "group",
    ]


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_polars_frame_in_imblearn_pipeline_gives_no_feature_name_warning(
    sampler_cls,
):
    X, y, _ = _polars()
    X = X.select("small", "real")
    _skip_unless_sklearn_reads_names(X)
    pipe = Pipeline(
        [("sample", sampler_cls(random_state=0)), ("model", LogisticRegression())]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # scikit-learn < 1.8 reads polars frames through the dataframe
        # interchange protocol, which polars >= 1.40 deprecates.
        warnings.filterwarnings(
            "ignore", "Support for the dataframe interchange", DeprecationWarning
        )
        pipe.fit(X, y)
        pipe.predict(X)
    assert pipe[-1].feature_names_in_.tolist() == ["small", "real"]


def test_pandas_output_keeps_a_fresh_range_index():
    columns, y, weights = _columns()
    index = pd.Index(np.arange(N) * 10 + 7)
    X = pd.DataFrame({k: columns[k] for k in ("small", "real")}, index=index)
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(
        X, pd.Series(y, index=index), sample_weight=pd.Series(weights, index=index)
    )
    for out in (X_res, y_res, w_res):
        assert out.index.equals(pd.RangeIndex(len(sampler.sample_indices_)))
    assert (X_res.dtypes == X.dtypes).all()


def test_one_hot_polars_labels_come_back_one_hot_polars():
    _, y, _ = _columns()
    one_hot = pl.DataFrame({f"c{c}": (y == c).astype(np.int64) for c in range(3)})
    X = np.arange(N, dtype=float)[:, None]
    sampler = RandomUnderSampler(random_state=0)
    _, y_res = sampler.fit_resample(X, one_hot)
    assert isinstance(y_res, pl.DataFrame) and y_res.columns == one_hot.columns
    np.testing.assert_array_equal(
        y_res.to_numpy(), one_hot.to_numpy()[sampler.sample_indices_]
    )


@pytest.mark.parametrize(
    "weights",
    [pl.Series("w", [1.0] * (N - 1) + [None]), pa.array([1.0] * (N - 1) + [None])],
    ids=["polars", "pyarrow"],
)
def test_sample_weight_with_nulls_is_rejected(weights):
    X, y, _ = _polars()
    with pytest.raises(ValueError, match="sample_weight must hold finite numbers"):
        RandomUnderSampler().fit_resample(X, y, sample_weight=weights)


# --- the helpers the shrinkage path builds its output with ---------------------


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS)
def test_frame_like_rebuilds_the_frame_type_and_columns(make):
    X, _, _ = make()
    X = X.select(["small", "real"])
    values = np.arange(6.0).reshape(3, 2) / 2
    rebuilt = frame_like(X, values)
    assert type(rebuilt) is type(X)
    names = rebuilt.column_names if isinstance(X, pa.Table) else rebuilt.columns
    assert names == ["small", "real"]
    np.testing.assert_array_equal(frame_values(rebuilt), values)


def test_frame_like_pandas_and_numpy():
    template = pd.DataFrame({"a": [1, 2], "b": [3, 4]}, index=[5, 6])
    rebuilt = frame_like(template, np.ones((3, 2)))
    assert rebuilt.columns.tolist() == ["a", "b"]
    assert rebuilt.index.equals(pd.RangeIndex(3))
    values = np.ones((3, 2))
    assert frame_like(np.zeros((2, 2)), values) is values


def test_take_rows_keeps_pyarrow_array_and_chunked_array_types():
    idx = np.array([2, 0, 2])
    array = pa.array(["a", "b", "c"])
    taken = take_rows(array, idx)
    assert isinstance(taken, pa.Array) and taken.to_pylist() == ["c", "a", "c"]
    chunked = pa.chunked_array([["a"], ["b", "c"]])
    taken = take_rows(chunked, idx)
    assert isinstance(taken, pa.ChunkedArray) and taken.to_pylist() == ["c", "a", "c"]


@pytest.mark.parametrize("backend", ["polars", "pyarrow"])
def test_one_column_label_frame_comes_back_a_frame(backend):
    _, y, _ = _columns()
    y_frame = pl.DataFrame({"target": y})
    if backend == "pyarrow":
        y_frame = y_frame.to_arrow()
    X = np.arange(N, dtype=float)[:, None]
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(X, y_frame)
    assert type(y_res) is type(y_frame)
    assert _column_lists(y_res) == {"target": y[sampler.sample_indices_].tolist()}


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS)
def test_frame_like_from_columns_keeps_each_column_dtype(make):
    X, _, _ = make()
    X = X.select(["small", "real"])
    rebuilt = frame_like(
        X, [np.array([1, 2], np.int8), np.array([0.5, 1.5], np.float32)]
    )
    assert type(rebuilt) is type(X)
    assert _schema(rebuilt) == _schema(X)
    assert _column_lists(rebuilt) == {"small": [1, 2], "real": [0.5, 1.5]}
