"""Review 17 (data): input containers, labels, gathers and column encoding.

Each test failed on the code before its fix; expected values are computed
independently (pandas / pyarrow themselves, or by hand).
"""

from __future__ import annotations

import decimal
import warnings

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler
from rebalance._columns import make_preprocessor, plan_columns, prepare_frame
from rebalance._frames import take_rows


def _encoded(frame, plan):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(
            make_preprocessor(plan, 0).fit_transform(prepare_frame(frame, plan)),
            dtype=np.float64,
        )


# --- _columns: what `rebalance compare` makes of a column ------------------


# A pandas period column (which a Parquet file written by pandas keeps) was
# planned as a datetime, then "parsed" with pd.to_datetime, which turns every
# Period into NaT: the feature became all missing, imputed to a constant.
def test_period_column_keeps_its_dates():
    # datetimes stay datetimes for skrub; without a skrub that imports (skrub
    # 0.6 to 0.10.0 with joblib >= 1.6) they are seconds, as designed
    pytest.importorskip("skrub", exc_type=ImportError)
    periods = pd.Series(pd.period_range("2020-01", periods=30, freq="M"))
    periods[3] = None
    frame = pd.DataFrame({"month": periods, "x": np.arange(30) % 3})
    plan = plan_columns(frame)
    assert plan.used["month"] == "datetime"
    prepared = prepare_frame(frame, plan)["month"]
    expected = [pd.NaT if p is pd.NaT else p.start_time for p in periods]
    assert prepared.isna().sum() == 1
    assert list(prepared) == expected


# Arrow timestamps and dates (pd.read_parquet(dtype_backend="pyarrow"),
# polars' to_pandas(use_pyarrow_extension_array=True)) were passed on as they
# were: the fallback encoder failed on a date column (".dt.tz is not
# supported for date32"), skrub's DatetimeEncoder on a timestamp column with
# a missing value ("Invalid object type at position 0").
@pytest.mark.parametrize("kind", ["timestamp", "timestamp-tz", "date"])
def test_arrow_datetime_columns_are_numpy_datetimes(kind):
    # datetimes stay datetimes for skrub; without a skrub that imports (skrub
    # 0.6 to 0.10.0 with joblib >= 1.6) they are seconds, as designed
    pytest.importorskip("skrub", exc_type=ImportError)
    pa = pytest.importorskip("pyarrow")
    stamps = pd.date_range("2021-03-01", periods=24, freq="D")
    if kind == "date":
        arrow = pa.array(list(stamps.date), type=pa.date32())
    elif kind == "timestamp-tz":
        arrow = pa.array(stamps.tz_localize("UTC"), type=pa.timestamp("us", tz="UTC"))
    else:
        arrow = pa.array(stamps, type=pa.timestamp("us"))
    column = pd.Series(arrow, dtype=pd.ArrowDtype(arrow.type))
    column[2] = None
    frame = pd.DataFrame({"when": column, "x": np.arange(24) % 3})
    plan = plan_columns(frame)
    assert plan.used["when"] == "datetime"
    prepared = prepare_frame(frame, plan)["when"]
    assert not isinstance(prepared.dtype, pd.ArrowDtype)
    assert pd.api.types.is_datetime64_any_dtype(prepared)
    naive = prepared.dt.tz_localize(None) if prepared.dt.tz is not None else prepared
    expected = [pd.NaT if i == 2 else stamps[i] for i in range(24)]
    assert list(naive) == expected
    plan.vectorizer = "fallback"
    encoded = _encoded(frame, plan)
    assert np.isfinite(encoded).all() and encoded[:, 0].std() > 0


# A pandas categorical of numbers (store or zip codes, ratings) was read as
# one numeric feature, its categories as quantities.
def test_categorical_dtype_of_numbers_stays_categorical():
    codes = pd.Categorical(np.array([75001, 10115, 2000])[np.arange(40) % 3])
    frame = pd.DataFrame({"zip": codes, "x": np.linspace(0, 1, 40)})
    plan = plan_columns(frame)
    assert plan.used == {"zip": "categorical", "x": "numeric"}
    plan.vectorizer = "fallback"
    encoded = _encoded(frame, plan)
    # One scaled column for x, one one-hot column per category.
    assert encoded.shape == (40, 1 + 3)
    assert (encoded[:, 1:].sum(axis=1) == 1).all()


# Numbers of an Arrow decimal column with a missing value (Parquet decimals
# read with the Arrow backend) reached the imputer as pd.NA: "float()
# argument must be a string or a real number, not 'NAType'".
def test_arrow_decimal_column_with_missing_values_is_imputed():
    pa = pytest.importorskip("pyarrow")
    values = [decimal.Decimal(i % 7) / 4 for i in range(30)]
    values[5] = None
    arrow = pa.array(values, type=pa.decimal128(10, 3))
    frame = pd.DataFrame(
        {"amount": pd.Series(arrow, dtype=pd.ArrowDtype(arrow.type)), "x": range(30)}
    )
    frame["x"] = frame["x"] % 4
    plan = plan_columns(frame)
    assert plan.used["amount"] == "numeric"
    prepared = prepare_frame(frame, plan)["amount"]
    expected = [np.nan if v is None else float(v) for v in values]
    np.testing.assert_array_equal(prepared.to_numpy(dtype=np.float64), expected)
    encoded = _encoded(frame, plan)
    assert np.isfinite(encoded).all()


# pd.get_dummies(..., sparse=True) gives Sparse[bool] columns; scikit-learn
# turns an all-sparse frame into a sparse matrix of bools, which the imputer
# refuses ("SimpleImputer does not support data with dtype bool").
def test_sparse_dummy_columns_are_encoded():
    raw = pd.DataFrame({"colour": list("rgb" * 10), "size": list("sm" * 15)})
    frame = pd.get_dummies(raw, sparse=True)
    plan = plan_columns(frame)
    assert set(plan.used.values()) == {"numeric"}
    encoded = _encoded(frame, plan)
    dense = frame.sparse.to_dense().to_numpy(dtype=np.float64)
    expected = (dense - dense.mean(axis=0)) / dense.std(axis=0)
    np.testing.assert_allclose(encoded, expected)


# --- _frames: gathering rows -------------------------------------------------


# pyarrow has no take kernel for run-end encoded arrays ("Function
# 'array_take' has no kernel matching input types (run_end_encoded...)"): a
# Table with such a column, or such labels, failed after the draw.
def test_run_end_encoded_arrow_columns_are_gathered():
    pa = pytest.importorskip("pyarrow")
    runs = pa.RunEndEncodedArray.from_arrays(  # pyarrow <= 16: no typed Array
        [3, 8], [1.5, 2.5], type=pa.run_end_encoded(pa.int16(), pa.float64())
    )
    X = pa.table({"r": runs, "x": pa.array(range(8))})
    y = pa.chunked_array(
        [
            pa.RunEndEncodedArray.from_arrays([4], pa.array(["a"])),
            pa.RunEndEncodedArray.from_arrays([1, 4], pa.array(["a", "b"])),
        ]
    )
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    rows = sampler.sample_indices_.tolist()
    assert X_res.schema == X.schema
    decoded = [1.5] * 3 + [2.5] * 5
    assert X_res.column("r").to_pylist() == [decoded[i] for i in rows]
    assert X_res.column("x").to_pylist() == rows
    assert y_res.type == y.type
    labels = ["a"] * 5 + ["b"] * 3
    assert y_res.to_pylist() == [labels[i] for i in rows]
    assert sorted(y_res.to_pylist()) == ["a"] * 3 + ["b"] * 3


def test_run_end_encoded_array_rows():
    pa = pytest.importorskip("pyarrow")
    runs = pa.RunEndEncodedArray.from_arrays([2, 5, 6], pa.array(["x", None, "z"]))
    taken = take_rows(runs.slice(1), np.array([4, 0, 0, 2]))
    assert taken.type == runs.type
    assert taken.to_pylist() == ["z", "x", "x", None]
    over = RandomOverSampler(random_state=1)
    X_res, _ = over.fit_resample(pa.table({"r": runs}), [0, 0, 0, 0, 1, 1])
    values = ["x", "x", None, None, None, "z"]
    assert X_res.column("r").to_pylist() == [
        values[i] for i in over.sample_indices_.tolist()
    ]


def test_three_dimensional_dask_X_error_suggests_a_working_reshape():
    # The numpy front end's advice (review 17): reshape(-1, 1) / (1, -1)
    # cannot make a 3-D X match its labels.
    da = pytest.importorskip("dask.array")
    X = da.zeros((20, 2, 3), chunks=10)
    y = np.array([0, 1] * 10)
    with pytest.raises(ValueError, match=r"reshape\(len\(X\), -1\)"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_g_mean_of_probabilities_says_to_pass_predicted_labels():
    from rebalance.metrics import g_mean_score

    with pytest.raises(ValueError, match=r"y_pred is continuous.*model\.predict"):
        g_mean_score([0, 1, 1, 0], [0.2, 0.9, 0.7, 0.4])
    with pytest.raises(ValueError, match="y_true is continuous.*digitize"):
        g_mean_score([0.5, 1, 1, 0], [0, 1, 1, 0])
