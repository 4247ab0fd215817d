"""Review 54 (arrowlabels): Arrow label columns and decimal features under
shrinkage, read as their pandas / polars / numpy equivalents.

* A pyarrow ``fixed_size_list<...>[1]`` label column (what polars
  ``Array(..., 1).to_arrow()`` gives; also chunked, in a Table, or as a pandas
  ``ArrowDtype``) was refused as "several values a row" where the polars
  column is read as one label a row.
* ``RandomOverSampler(shrinkage=...)`` refused polars / pyarrow decimal
  columns that pandas ``decimal128[pyarrow]`` columns get noise in; and
  pandas raised pyarrow's raw ``ArrowInvalid`` ("overflow") where the noise
  left the decimal type's range (integer columns saturate).
* pyarrow decimal labels of a negative scale raised narwhals' "scale must be
  a positive integer" (naming no argument).
"""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pytest

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402

Y = np.array([0, 1, 0, 0, 2, 0, 1, 0, 0, 2, 0, 0])
X = np.arange(12.0)[:, None]


def _draw(y, sampler=RandomOverSampler):
    s = sampler(random_state=0)
    _, y_res = s.fit_resample(X, y)
    return s.sample_indices_.tolist(), dict(s.sampling_strategy_), y_res


def _width_one(values, arrow_type):
    return pa.FixedSizeListArray.from_arrays(pa.array(values, arrow_type), 1)


def _labels(kind):
    fsl = _width_one(Y.tolist(), pa.int64())
    if kind == "array":
        return fsl
    if kind == "chunked":  # zero-length chunks included
        return pa.chunked_array([fsl[:0], fsl[:5], fsl[5:5], fsl[5:]])
    if kind == "sliced":
        padded = _width_one([7] + Y.tolist() + [7], pa.int64())
        return padded[1:-1]
    if kind == "table":
        return pa.table({"y": fsl})
    return pd.Series(pd.arrays.ArrowExtensionArray(fsl))  # pandas ArrowDtype


@pytest.mark.parametrize("sampler", [RandomOverSampler, RandomUnderSampler])
@pytest.mark.parametrize("kind", ["array", "chunked", "sliced", "table", "pandas"])
def test_fixed_size_list_of_width_one_labels_read_as_the_polars_array(kind, sampler):
    polars_y = pl.Series([[int(v)] for v in Y], dtype=pl.Array(pl.Int64, 1))
    expected_rows, expected_strategy, _ = _draw(polars_y, sampler)
    numpy_rows, numpy_strategy, _ = _draw(Y, sampler)
    assert (expected_rows, expected_strategy) == (numpy_rows, numpy_strategy)
    rows, strategy, y_res = _draw(_labels(kind), sampler)
    assert rows == expected_rows
    assert strategy == expected_strategy
    # The labels come back in their own type, the rows drawn.
    if kind == "pandas":
        assert str(y_res.dtype) == "fixed_size_list<item: int64>[1][pyarrow]"
        got = [v[0] for v in y_res.tolist()]
    else:
        column = y_res.column(0) if kind == "table" else y_res
        assert pa.types.is_fixed_size_list(column.type)
        got = [v[0] for v in column.to_pylist()]
    assert got == Y[rows].tolist()


@pytest.mark.parametrize(
    "arrow_type, values",
    [
        (pa.string(), ["a", "b", "c"]),
        (pa.large_string(), ["a", "b", "c"]),
        (pa.string_view(), ["a", "b", "c"]),
        (pa.bool_(), [False, True, True]),
    ],
    ids=["string", "large_string", "string_view", "bool"],
)
def test_fixed_size_list_of_width_one_of_other_types(arrow_type, values):
    flat = [values[v] for v in Y]
    expected = _draw(np.array(flat, dtype=object if arrow_type != pa.bool_() else bool))
    rows, strategy, _ = _draw(_width_one(flat, arrow_type))
    assert (rows, strategy) == expected[:2]
    dictionary = pa.FixedSizeListArray.from_arrays(
        pa.array(flat, arrow_type).dictionary_encode(), 1
    )
    if arrow_type != pa.bool_():
        assert _draw(dictionary)[:2] == expected[:2]


def test_fixed_size_list_of_width_one_null_is_a_missing_label_at_its_row():
    # A null row or a null value in it: a missing label (polars: the same).
    labels = [[int(v)] for v in Y]
    for missing in (None, [None]):
        given = labels[:7] + [missing] + labels[8:]
        for y in (
            pa.array(given, pa.list_(pa.int64(), 1)),
            pl.Series(given, dtype=pl.Array(pl.Int64, 1)),
        ):
            with pytest.raises(ValueError, match="missing labels .* at position 7"):
                RandomOverSampler(random_state=0).fit_resample(X, y)


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(
            pa.array([[[int(v)]] for v in Y], pa.list_(pa.list_(pa.int64(), 1), 1)),
            id="width-one-of-width-one",
        ),
        pytest.param(
            pa.array([[int(v), 0] for v in Y], pa.list_(pa.int64(), 2)), id="2"
        ),
    ],
)
def test_nested_or_wider_fixed_size_lists_still_refused(y):
    with pytest.raises(TypeError, match="several values a row"):
        RandomOverSampler(random_state=0).fit_resample(X, y)


def test_fixed_size_list_of_dates_refused_as_dates_are():
    days = pd.to_datetime(Y, unit="D")
    y = pa.FixedSizeListArray.from_arrays(pa.array(days.date), 1)
    with pytest.raises(ValueError, match="not a class label type"):
        RandomOverSampler(random_state=0).fit_resample(X, y)


def test_negative_scale_decimal_labels_read_as_decimals():
    # narwhals' Decimal dtype refuses a negative scale: "scale must be a
    # positive integer, found -2", raised from the label check.
    values = [decimal.Decimal(int(v) * 100) for v in Y]
    y = pa.array(values, pa.decimal128(5, -2))
    rows, strategy, y_res = _draw(y)
    expected_rows, expected_strategy, _ = _draw(np.array(values, dtype=object))
    assert rows == expected_rows
    assert strategy == expected_strategy
    assert y_res.type == y.type


# --- decimal features under shrinkage --------------------------------------

Y8 = np.array([0] * 6 + [1] * 2)


def _decimal_frames(arrow_type, values):
    arrow = pa.array(values, arrow_type)
    floats = np.linspace(-1.0, 2.0, len(values))
    pandas_X = pd.DataFrame(
        {"a": pd.arrays.ArrowExtensionArray(arrow), "b": floats}, copy=True
    )
    frames = {"pyarrow": pa.table({"a": arrow, "b": floats})}
    if arrow_type.precision <= 38 and arrow_type.scale >= 0:
        frames["polars"] = pl.DataFrame({"a": pl.from_arrow(arrow), "b": floats})
    return pandas_X, frames


def _column(X_res, name):
    if isinstance(X_res, pd.DataFrame):
        return X_res[name].tolist()
    if isinstance(X_res, pl.DataFrame):
        return X_res[name].to_list()
    return X_res.column(name).to_pylist()


@pytest.mark.parametrize(
    "arrow_type",
    [
        pa.decimal128(10, 2),
        pa.decimal32(7, 2),
        pa.decimal64(12, 3),
        pa.decimal256(40, 3),
        pa.decimal128(6, -1),
    ],
    ids=str,
)
def test_shrinkage_gives_decimal_columns_noise_in_their_type_as_pandas(arrow_type):
    quantum = decimal.Decimal(1).scaleb(-arrow_type.scale)
    step = decimal.Decimal(250 if arrow_type.scale < 0 else 2.5)
    values = [(step * i).quantize(quantum) for i in range(8)]
    pandas_X, frames = _decimal_frames(arrow_type, values)
    sampler = RandomOverSampler(shrinkage=2.0, shuffle=False, random_state=0)
    pandas_res, _ = sampler.fit_resample(pandas_X, Y8)
    expected = _column(pandas_res, "a")
    assert pandas_res.dtypes.tolist() == pandas_X.dtypes.tolist()
    assert set(values) <= set(expected)  # the original rows as given
    assert set(expected) - set(values)  # noise added (in the column's scale)
    assert all(v.as_tuple().exponent == -arrow_type.scale for v in expected)
    for X_given in frames.values():
        X_res, _ = RandomOverSampler(
            shrinkage=2.0, shuffle=False, random_state=0
        ).fit_resample(X_given, Y8)
        assert X_res.schema == X_given.schema
        assert _column(X_res, "a") == expected
        np.testing.assert_array_equal(_column(X_res, "b"), _column(pandas_res, "b"))


def test_shrinkage_decimal_noise_saturates_at_the_type_limits():
    # pandas raised pyarrow's ArrowInvalid "Cannot convert ... overflow".
    arrow_type = pa.decimal128(4, 2)
    values = [decimal.Decimal(i * 12) for i in range(8)]
    pandas_X, frames = _decimal_frames(arrow_type, values)
    pandas_res, _ = RandomOverSampler(shrinkage=100.0, random_state=0).fit_resample(
        pandas_X, Y8
    )
    got = _column(pandas_res, "a")
    limit = decimal.Decimal("99.99")
    assert all(-limit <= v <= limit for v in got)
    assert limit in got[8:] or -limit in got[8:]
    for X_given in frames.values():
        X_res, _ = RandomOverSampler(shrinkage=100.0, random_state=0).fit_resample(
            X_given, Y8
        )
        assert _column(X_res, "a") == got


def test_shrinkage_decimal_at_38_digits_saturates_below_the_float_that_rounds_up():
    arrow_type = pa.decimal128(38, 2)
    values = [decimal.Decimal(10) ** 35 * i for i in range(8)]
    pandas_X, frames = _decimal_frames(arrow_type, values)
    res, _ = RandomOverSampler(shrinkage=1000.0, random_state=0).fit_resample(
        frames["pyarrow"], Y8
    )
    got = res.column("a").to_pylist()
    assert max(abs(v) for v in got) < decimal.Decimal(10) ** 36


@pytest.mark.parametrize("library", ["pyarrow", "polars"])
def test_shrinkage_decimal_nulls_refused_naming_the_column(library):
    values = [decimal.Decimal(i) for i in range(7)] + [None]
    _, frames = _decimal_frames(pa.decimal128(10, 2), values)
    with pytest.raises(ValueError, match="missing values: column 'a'"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
            frames[library], Y8
        )


def test_shrinkage_decimal_input_not_modified():
    values = [decimal.Decimal(i) for i in range(8)]
    pandas_X, frames = _decimal_frames(pa.decimal128(10, 2), values)
    before = pandas_X.copy()
    RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(pandas_X, Y8)
    pd.testing.assert_frame_equal(pandas_X, before)
    table = frames["pyarrow"]
    RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(table, Y8)
    assert table.column("a").to_pylist() == values


def test_shrinkage_decimal_keeps_a_pyarrow_schema_with_metadata():
    values = [decimal.Decimal(i) for i in range(8)]
    schema = pa.schema(
        [
            pa.field("a", pa.decimal128(10, 2), nullable=False, metadata={b"k": b"v"}),
            pa.field("b", pa.float32()),
        ],
        metadata={b"s": b"1"},
    )
    table = pa.Table.from_arrays(
        [pa.array(values, pa.decimal128(10, 2)), pa.array(np.arange(8, dtype="f4"))],
        schema=schema,
    )
    for X_given in (table, table.to_batches()[0]):
        X_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
            X_given, Y8
        )
        assert type(X_res) is type(X_given)
        assert X_res.schema == schema
        assert X_res.schema.metadata == {b"s": b"1"}
        assert X_res.schema.field("a").metadata == {b"k": b"v"}
