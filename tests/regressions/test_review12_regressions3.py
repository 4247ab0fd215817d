"""Review 12, third regression review (of 66abad7): label reading.

Every test here fails on 66abad7 because of a bug; see
/tmp/review12/regressions3.md for the details.
"""

from decimal import Decimal

import numpy as np
import pytest

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

from rebalance import RandomOverSampler, ThresholdMover, class_weights  # noqa: E402
from rebalance._labels import encode_labels  # noqa: E402

Y8 = np.array([0, 0, 0, 0, 0, 1, 1, 1])
X8 = np.arange(16.0).reshape(8, 2)


def _width_one_array(inner):
    strings = pl.Series([[str(v)] for v in Y8], dtype=pl.Array(pl.String, 1))
    if inner == "String":
        return strings
    if inner == "Categorical":
        return strings.cast(pl.Array(pl.Categorical, 1))
    ints = pl.Series([[int(v)] for v in Y8], dtype=pl.Array(pl.Int64, 1))
    return ints.cast(pl.Array(pl.Decimal(10, 2), 1))


# --- 1. REGRESSION: width-one polars Arrays of strings/categories/decimals ---


@pytest.mark.parametrize(
    "where, inner",
    [
        (where, inner)
        for where in ("fit_resample", "class_weights", "ThresholdMover")
        for inner in ("String", "Categorical", "Decimal")
        # scikit-learn's classifiers refuse Decimal labels themselves
        if (where, inner) != ("ThresholdMover", "Decimal")
    ],
)
def test_polars_width_one_array_of_strings_refused_as_several_values_a_row(
    where, inner
):
    # label_values now flattens an (n, 1) to_numpy result only when it holds
    # no objects; polars gives an object (n, 1) array for Array(String, 1),
    # Array(Categorical, 1), Array(Decimal, 1), so one label a row is refused
    # with "several values a row" (Array(Int64, 1) is still read). At dd52043
    # these were read as the labels '0'/'1' (Decimal('0.00')/...).
    y = _width_one_array(inner)
    if where == "fit_resample":
        _, y_res = RandomOverSampler(random_state=0).fit_resample(X8, y)
        assert len(y_res) == 10
    elif where == "class_weights":
        assert len(class_weights(y)) == 2
    else:
        from sklearn.linear_model import LogisticRegression

        mover = ThresholdMover(LogisticRegression()).fit(X8, y)
        assert len(mover.classes_) == 2


def test_torch_sampler_refuses_polars_width_one_array_of_strings():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    y = _width_one_array("String")
    assert len(list(RebalanceSampler(y, seed=0))) > 0
    assert len(list(RebalanceSampler(pl.DataFrame({"y": y}), seed=0))) > 0


# --- 2. REGRESSION: Dask X, one-column polars/pyarrow y comes back 1-D ---


@pytest.mark.parametrize(
    "make",
    [lambda: pl.DataFrame({"y": Y8}), lambda: pa.table({"y": Y8})],
    ids=["polars", "pyarrow"],
)
def test_dask_one_column_label_frame_returns_1d_labels_not_column(make):
    # _label_container now takes the frame's first column, so the labels are
    # gathered as (n,) where a numpy (n, 1) y, a pandas one-column frame and
    # the in-memory path (and this path at dd52043) all give n rows x 1
    # column; its docstring says a column vector stays 2-D.
    da = pytest.importorskip("dask.array")
    import dask

    with dask.config.set(scheduler="synchronous"):
        _, y_res = RandomOverSampler(random_state=0).fit_resample(
            da.from_array(X8, chunks=4), make()
        )
        y_res = y_res.compute() if hasattr(y_res, "compute") else y_res
    assert np.shape(y_res) == (10, 1)


# --- 3. message names numpy's "object" instead of the column's dtype ---


def test_pyarrow_fixed_size_list_message_says_dtype_object():
    # A pyarrow fixed_size_list (narwhals Array) passes label_values (not a
    # Struct/List, 1-D object values) and is refused by _encode_sorted with
    # the hard-coded "y has dtype object"; a polars Array names
    # "Array(Int64, shape=(2,))", a pyarrow struct names "struct<...>".
    y = pa.chunked_array(
        [pa.array([[v, v] for v in Y8.tolist()], pa.list_(pa.int64(), 2))]
    )
    with pytest.raises(TypeError, match="several values a row") as info:
        encode_labels(y)
    assert "fixed_size_list" in str(info.value)


# --- 4. pre-existing: legitimate scalar labels read wrongly ---


def test_decimal_nan_label_raises_raw_decimal_invalid_operation():
    # pd.isna(Decimal('NaN')) is True, but np.unique's sort raises
    # decimal.InvalidOperation (an ArithmeticError), which _encode_sorted
    # does not catch: no "missing labels" ValueError naming y.
    y = np.array([Decimal(1), Decimal("NaN"), Decimal(1), Decimal(2)], dtype=object)
    with pytest.raises(ValueError, match="missing labels"):
        encode_labels(y)


def test_frozenset_labels_counted_as_several_classes():
    # frozensets are hashable labels, but their < is the subset order: the
    # sort in np.unique leaves equal labels apart, and the same label
    # becomes several classes (classes [{1}, {2}, {1}], counts [1, 1, 1]).
    y = np.array([frozenset({1}), frozenset({2}), frozenset({1})], dtype=object)
    try:
        labels, _, _ = encode_labels(y)
    except TypeError as exc:  # a clear refusal naming y is fine
        assert "y has dtype" in str(exc)
        return
    assert sorted(labels.counts.tolist()) == [1, 2]


# Fixed in review 48: times of day are refused as labels, as dates are.
def test_polars_time_labels_below_a_microsecond_merged_into_one_class():
    # polars Time (ns) reads as datetime.time (us): 1 ns and 2 ns become the
    # same label and 2 classes silently become 1 (pyarrow time64('ns') gets
    # a clear TypeError for the same values).
    y = pl.Series([1, 2, 1, 2]).cast(pl.Time)
    assert y.n_unique() == 2
    try:
        labels, _, _ = encode_labels(y)
    except (TypeError, ValueError):
        return  # a clear refusal is fine
    assert labels.n_classes == 2
