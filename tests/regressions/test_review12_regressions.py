"""Review 12 (regressions): the pyarrow gather, the struct/array label check
and the torch samplers' label reading (commits efa2e2b..55bf327).

Every test fails on 55bf327/d17547c; see /tmp/review12/regressions.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

from rebalance import RandomOverSampler  # noqa: E402

Y8 = np.array([0] * 6 + [1] * 2)


# --- 1. nested view types: the _arrow_take fix covers top-level columns only ---


@pytest.mark.skipif(
    not hasattr(pa, "string_view") or not hasattr(pl.DataFrame, "__arrow_c_stream__"),
    reason="pa.table(polars_df) needs pyarrow >= 16 (string_view) and polars > 1.0",
)
@pytest.mark.parametrize(
    "column",
    [
        pytest.param([["x"], ["y", "z"]] * 4, id="list-of-strings"),
        pytest.param([{"f": "u"}, {"f": "v"}] * 4, id="struct-with-string"),
    ],
)
def test_nested_string_view_columns_from_polars_still_crash_fit_resample(column):
    # pa.table(polars_df) (the Arrow PyCapsule interchange) turns List(String)
    # into large_list<string_view> and Struct({f: String}) into
    # struct<f: string_view>; pyarrow's take has no kernel for the nested
    # string_view, and _frames._arrow_take_column only casts top-level
    # string_view/binary_view columns.
    table = pa.table(pl.DataFrame({"c": column, "n": np.arange(8.0)}))
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(table, Y8)
    assert isinstance(X_res, pa.Table)
    assert X_res.schema == table.schema
    assert X_res.num_rows == 12


# --- 2. torch samplers: one-column frames with a null still read as floats ---


def _null_int_column_frames():
    values = [0] * 8 + [None] + [1] * 3
    return [
        pytest.param(
            lambda: pd.DataFrame({"y": pd.array(values, dtype="Int64")}),
            id="pandas-Int64-frame",
        ),
        pytest.param(lambda: pl.DataFrame({"y": values}), id="polars-frame"),
        pytest.param(lambda: pa.table({"y": values}), id="pyarrow-table"),
    ]


@pytest.mark.parametrize("make", _null_int_column_frames())
def test_torch_sampler_one_column_frame_with_null_label_reports_float_dtype(make):
    # _label_array reads series through label_values (nulls = missing labels)
    # but still reads a one-column frame (a column of labels, accepted on
    # purpose) with np.asarray: the null becomes NaN and the error says
    # "labels has dtype float64 ... Convert whole-number floats with
    # labels.astype(int)", advice that cannot help.
    torch_samplers = pytest.importorskip("rebalance.torch.samplers")
    with pytest.raises(ValueError, match="missing labels"):
        torch_samplers.RebalanceSampler(make())


# --- 3. torch samplers: polars Array(Int64, 1) labels refused (regression) ---


def test_torch_sampler_refuses_polars_width_one_array_labels():
    # pl.Series(y.reshape(-1, 1)) is an Array(Int64, shape=(1,)) column: one
    # label a row. At 3d5b204 RebalanceSampler read it as the (n, 1) column
    # it is (like a numpy (n, 1) array or a one-column frame); now
    # label_values refuses it with "several values a row", which is untrue.
    torch_samplers = pytest.importorskip("rebalance.torch.samplers")
    labels = pl.Series(Y8.reshape(-1, 1))
    assert labels.dtype == pl.Array(pl.Int64, 1)
    sampler = torch_samplers.RebalanceSampler(labels)
    expected = torch_samplers.RebalanceSampler(Y8.reshape(-1, 1))
    assert list(sampler.plan.labels.classes) == [0, 1]
    assert len(sampler) == len(expected)


# --- 4. struct / list labels: the new check misses pyarrow and List columns ---


def test_pyarrow_struct_labels_error_claims_mixed_label_types():
    # label_values refuses a polars Struct column ("several values a row"),
    # but a pyarrow struct column reaches numpy as a 1-D object array of
    # dicts, passes the ndim/dtype.names check, and _encode_sorted says the
    # labels "mix label types that cannot be sorted (e.g. strings and
    # numbers)": every label has the same type.
    labels = pa.array([{"a": 0}] * 6 + [{"a": 1}] * 2)
    with pytest.raises(TypeError) as info:
        RandomOverSampler(random_state=0).fit_resample(np.zeros((8, 1)), labels)
    message = str(info.value)
    assert "struct" in message.lower(), message
    assert "mixes label types" not in message, message


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: pa.array([[0]] * 6 + [[1, 2]] * 2), id="pyarrow-list"),
        pytest.param(lambda: pl.Series([[0]] * 6 + [[1, 2]] * 2), id="polars-List"),
    ],
)
def test_list_labels_raise_numpy_truth_value_error(make):
    # List columns come out of to_numpy as 1-D object arrays of arrays, so
    # label_values' struct/array check lets them through and np.unique fails
    # with "The truth value of an array with more than one element is
    # ambiguous" (a ValueError that names neither y nor its dtype). A
    # polars Array column of the same values gets the clear TypeError.
    with pytest.raises(TypeError, match="y has dtype"):
        RandomOverSampler(random_state=0).fit_resample(np.zeros((8, 1)), make())


# --- 5. shrinkage: a pyarrow dictionary column gets noise and loses its type ---


def test_shrinkage_adds_noise_to_pyarrow_dictionary_column():
    # A pandas categorical and a polars Categorical/Enum column are refused by
    # shrinkage ("X needs to contain only numerical data"). A pyarrow
    # dictionary column of integers is accepted by samplers._numeric_values
    # (its to_numpy gives the integer values), gets noise added to its
    # category values, and frame_like rebuilds it as int64: the types no
    # longer match, so the whole template schema (nullability, metadata of
    # every column) is dropped too.
    schema = pa.schema(
        [
            pa.field("a", pa.float64(), nullable=False),
            pa.field("d", pa.dictionary(pa.int32(), pa.int64())),
        ],
        metadata={"source": "test"},
    )
    table = pa.table(
        {"a": np.arange(8.0), "d": pa.array([1, 2] * 4).dictionary_encode()},
        schema=schema,
    )
    try:
        X_res, _ = RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(
            table, Y8
        )
    except ValueError:
        return  # refused, as a pandas categorical column is
    assert X_res.schema == table.schema
