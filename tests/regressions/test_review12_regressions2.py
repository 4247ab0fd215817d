"""Review 12 (regressions 2): the follow-up commit dd52043 (nested pyarrow
view types, width-one arrays and nested labels, shrinkage's narwhals dtype
check, Dask labels read as in memory).

Every test fails on dd52043; see /tmp/review12/regressions2.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

from rebalance import RandomOverSampler  # noqa: E402

Y8 = np.array([0] * 6 + [1] * 2)
X8 = np.zeros((8, 1))


# --- 1. extension/union types over views: _without_views leaves them alone ---


def _json_over_string_view():
    storage = pa.array(['{"a": 1}', None, "[1, 2]", '"s"'] * 2, pa.string_view())
    return pa.ExtensionArray.from_storage(pa.json_(pa.string_view()), storage)


def _union_of_string_view():
    child = pa.array(["a", None, "bb", "c" * 20] * 2, pa.string_view())
    return pa.UnionArray.from_sparse(pa.array([0] * 8, pa.int8()), [child])


@pytest.mark.parametrize(
    "make",
    [
        # Review 18 (fuzz): extension types stored in views are gathered
        # through their storage type and cast back.
        pytest.param(
            _json_over_string_view,
            id="arrow.json-over-string_view",
            marks=pytest.mark.skipif(
                not hasattr(pa, "json_"), reason="pyarrow < 19 has no json_ type"
            ),
        ),
        # Review 32: unions with a view child are gathered by slices.
        pytest.param(_union_of_string_view, id="sparse_union-of-string_view"),
    ],
)
@pytest.mark.skipif(
    not hasattr(pa, "string_view"), reason="pyarrow < 16 has no string_view"
)
def test_view_storage_inside_extension_or_union_is_gathered(make):
    # The canonical JSON extension type (which allows string_view storage)
    # and unions with a view child would reach pyarrow's take, which has no
    # string_view kernel.
    column = make()
    table = pa.table({"c": column, "n": np.arange(8.0)})
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(table, Y8)
    assert X_res.schema == table.schema
    expected = [column.to_pylist()[i] for i in _indices(table)]
    assert X_res.column("c").to_pylist() == expected


def _indices(X):
    sampler = RandomOverSampler(random_state=0)
    sampler.fit_resample(X8, Y8)
    return sampler.sample_indices_


# --- 2. REGRESSION: width-one Array of lists flattened into unhashable arrays ---


@pytest.mark.parametrize("where", ["fit_resample", "torch"])
def test_polars_width_one_array_of_lists_labels_give_unhashable_error(where):
    # label_values flattens any (n, 1) to_numpy result whose top-level dtype
    # is no Struct/List; Array(List(Int64), 1) is an Array, so its rows become
    # 1-D object ndarrays. At d17547c: "y has dtype Array(List(Int64), ...):
    # several values a row"; now numpy's "unhashable type: 'numpy.ndarray'".
    y = pl.Series([[[v]] for v in Y8], dtype=pl.Array(pl.List(pl.Int64), 1))
    with pytest.raises(TypeError, match="several values a row"):
        if where == "torch":
            pytest.importorskip("torch")
            from rebalance.torch import RebalanceSampler

            RebalanceSampler(y, seed=0)
        else:
            RandomOverSampler(random_state=0).fit_resample(X8, y)


# --- 3. nested labels the new nested_dtype check still misses ---


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda: pa.array([[v, v] for v in Y8], pa.list_(pa.int64(), 2)),
            id="pyarrow-fixed_size_list-2",
        ),
        pytest.param(
            lambda: pa.array(
                [[("k", int(v))] for v in Y8], pa.map_(pa.string(), pa.int64())
            ),
            id="pyarrow-map",
        ),
        pytest.param(
            lambda: pa.array([[int(v)] for v in Y8], pa.list_view(pa.int64())),
            id="pyarrow-list_view",
            marks=pytest.mark.skipif(
                not hasattr(pa, "list_view"), reason="pyarrow < 16 has no list_view"
            ),
        ),
        pytest.param(
            lambda: pd.Series([[int(v)] for v in Y8]), id="pandas-object-lists"
        ),
        pytest.param(
            lambda: pd.Series(
                [[int(v)] for v in Y8], dtype=pd.ArrowDtype(pa.list_(pa.int64()))
            ),
            id="pandas-arrow-list",
        ),
        pytest.param(
            lambda: pd.Series(
                [{"a": int(v)} for v in Y8],
                dtype=pd.ArrowDtype(pa.struct([("a", pa.int64())])),
            ),
            id="pandas-arrow-struct",
        ),
    ],
)
def test_nested_labels_still_get_numpy_errors_instead_of_several_values_a_row(make):
    # label_values refuses only narwhals Struct/List (and numpy ndim != 1):
    # fixed_size_list (narwhals Array), Map and list_view columns and every
    # pandas Series are let through to np.unique, which raises "unhashable
    # type", "truth value ... ambiguous" or "mixes label types" (none names y
    # or says what is wrong), where a polars List/Struct y gets the clear
    # "y has dtype ...: several values a row" TypeError.
    with pytest.raises(TypeError, match="several values a row"):
        RandomOverSampler(random_state=0).fit_resample(X8, make())


# Review 54: read as one label a row (the value of each list of one).
def test_pyarrow_fixed_size_list_of_width_one_refused_where_polars_array_is_read():
    # pa.array(polars Array(Int64, 1)) is fixed_size_list<int64>[1]: the same
    # column. polars is now read as one label a row (classes [0, 1]); pyarrow
    # gives "unhashable type: 'numpy.ndarray'" (to_numpy: 1-D object of arrays).
    y_pl = pl.Series([[int(v)] for v in Y8], dtype=pl.Array(pl.Int64, 1))
    y_pa = y_pl.to_arrow()
    assert pa.types.is_fixed_size_list(y_pa.type)
    expected = RandomOverSampler(random_state=0).fit(X8, y_pl).sampling_strategy_
    got = RandomOverSampler(random_state=0).fit(X8, y_pa).sampling_strategy_
    assert got == expected


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(pa.array([{"a": int(v)} for v in Y8]), id="struct"),
        pytest.param(pa.array([[int(v)] for v in Y8]), id="list"),
    ],
)
def test_pyarrow_nested_labels_error_says_dtype_object(y):
    # label_values names getattr(y, "dtype", values.dtype): a pyarrow Array
    # has no .dtype, so the message reads "y has dtype object: several values
    # a row" instead of naming struct<a: int64> / list<item: int64>.
    with pytest.raises(TypeError, match="several values a row") as info:
        RandomOverSampler(random_state=0).fit_resample(X8, y)
    assert "dtype object" not in str(info.value)
    assert (
        str(y.type) in str(info.value)
        or "truct" in str(info.value)
        or ("ist" in str(info.value))
    )


# --- 4. Dask: one-column polars/pyarrow frames still go through np.asarray ---


def _dask_X():
    dd = pytest.importorskip("dask.dataframe")
    return dd.from_pandas(pd.DataFrame({"a": np.arange(12.0)}), npartitions=3)


Y12 = [0] * 9 + [1] * 3


def test_dask_X_with_pyarrow_table_dictionary_labels_relabels_a_null_silently():
    # _dask._label_container reads polars/pyarrow *series* with label_values,
    # but a one-column Table/DataFrame y still goes through np.asarray, and
    # np.asarray(pa.Table) reads a null dictionary entry as a class ('1' here).
    # In memory (and in the torch samplers) the null is a missing label.
    dask = pytest.importorskip("dask")

    y = pa.table(
        {"y": pa.array([str(v) for v in Y12[:-1]] + [None]).dictionary_encode()}
    )
    with pytest.raises(ValueError, match="missing labels"):
        RandomOverSampler(random_state=0).fit_resample(X8, y)  # in memory: refused
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(ValueError, match="missing labels"):
            RandomOverSampler(random_state=0).fit_resample(_dask_X(), y)


@pytest.mark.parametrize(
    "y, error, match",
    [
        pytest.param(
            pl.DataFrame({"y": pl.Series(Y12, dtype=pl.Int128)})
            if hasattr(pl, "Int128")
            else None,
            TypeError,
            "cannot be read as a numpy array",
            id="polars-Int128-frame",
            marks=pytest.mark.skipif(
                not hasattr(pl, "Int128"), reason="polars 1.0 has no Int128"
            ),
        ),
        pytest.param(
            pl.DataFrame({"y": [{"a": v, "b": 1 - v} for v in Y12]}),
            TypeError,
            "several values a row",
            id="polars-Struct-frame",
        ),
        pytest.param(
            pl.DataFrame({"y": [[v] for v in Y12]}),
            TypeError,
            "several values a row",
            id="polars-List-frame",
        ),
    ],
)
def test_dask_X_with_one_column_polars_frame_labels_skip_the_in_memory_checks(
    y, error, match
):
    # In memory, a one-column frame y is read through its column (clear
    # errors); with a Dask X, np.asarray gives polars' InvalidOperationError,
    # numpy's "truth value ... ambiguous" or "unhashable type".
    dask = pytest.importorskip("dask")

    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(error, match=match):
            RandomOverSampler(random_state=0).fit_resample(_dask_X(), y)


# --- 5. shrinkage on polars/pyarrow columns ---


@pytest.mark.parametrize("dtype", ["Int128", "UInt128"])
def test_shrinkage_on_polars_128_bit_integer_column_raises_raw_polars_error(dtype):
    # _numeric_values calls column.to_numpy() before looking at the narwhals
    # dtype: polars' InvalidOperationError "cannot convert i128 to NumPy"
    # names neither X, the column nor shrinkage (labels get a clear TypeError).
    if not hasattr(pl, dtype):
        pytest.skip(f"no polars {dtype}")
    X = pl.DataFrame({"a": pl.Series(range(8), dtype=getattr(pl, dtype))})
    with pytest.raises((TypeError, ValueError), match="'a'"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, Y8)


# Review 54: noise in the column's decimal type, as for pandas.
@pytest.mark.parametrize("library", ["polars", "pyarrow"])
def test_shrinkage_refuses_decimal_columns_that_pandas_arrow_frames_noise(library):
    # A decimal128 column is numeric by narwhals (Decimal.is_numeric()) and
    # pandas decimal128[pyarrow] columns get noise in their own dtype, but
    # _numeric_values also demands to_numpy().dtype.kind in "biuf" and
    # Decimal reads as object: "not a plain integer, float or boolean".
    import decimal

    values = [decimal.Decimal(i) / 4 for i in range(8)]
    arrow = pa.array(values, pa.decimal128(10, 2))
    pandas_X = pd.DataFrame({"a": pd.array(values, dtype=pd.ArrowDtype(arrow.type))})
    pandas_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
        pandas_X, Y8
    )
    X = pl.DataFrame({"a": pl.Series(values, dtype=pl.Decimal(10, 2))})
    if library == "pyarrow":
        X = pa.table({"a": arrow})
    X_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, Y8)
    got = X_res["a"].to_list() if library == "polars" else X_res["a"].to_pylist()
    assert X_res.schema == X.schema  # the decimal type kept, as pandas keeps it
    expected = [float(v) for v in pandas_res["a"].tolist()]
    np.testing.assert_allclose([float(v) for v in got], expected, atol=0.011)
