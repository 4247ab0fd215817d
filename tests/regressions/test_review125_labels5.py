"""Review 125, labels5: label kinds and containers through the public API
(samplers' ``fit_resample``, ``class_weights``, ``ThresholdMover``,
``g_mean_score``, ``RebalanceSampler``): numpy dates and durations, complex
numbers, whole and non-whole floats, -0.0, the missing markers (NaN, None,
pd.NA, NaT, Decimal NaN), numpy ``StringDType``, bytes, str/bytes mixes,
tuples, Python ints beyond int64, bool/int mixes, Decimal, Fraction, pandas
Interval/Period labels, pyarrow dictionary arrays with nulls (in the indices
or the dictionary), polars Enum with nulls, a Series with a MultiIndex and
one-hot matrices (all-zero rows, floats, one column), with scikit-learn's
``type_of_target`` as the reference: output labels keep their type and stay
paired with their rows, classes come in the documented order."""

from __future__ import annotations

import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import type_of_target

from rebalance import RandomOverSampler, ThresholdMover, class_weights
from rebalance.metrics import g_mean_score

X4 = np.arange(4).reshape(-1, 1)


def _resample(y, n=None):
    n = len(y) if n is None else n
    X = np.arange(n).reshape(-1, 1)
    Xr, yr = RandomOverSampler(random_state=0).fit_resample(X, y)
    return Xr.ravel(), yr


def _paired(y, rows, yr):
    """Every output label is the input label of its row, with the same repr."""
    return [repr(y[i]) for i in rows] == [repr(v) for v in list(yr)]


@pytest.mark.parametrize(
    "y",
    [
        np.array(["2020-01-01", "2020-01-02", "2020-01-01"], dtype="datetime64[D]"),
        np.array([1, 2, 1], dtype="timedelta64[s]"),
        [np.datetime64("2020-01-01"), np.datetime64("2020-01-02")] * 2,
        pd.Series(pd.period_range("2020", periods=2, freq="M")[[0, 1, 0]]),
    ],
    ids=["datetime64", "timedelta64", "datetime64-list", "period-series"],
)
def test_dates_durations_periods_refused_naming_y(y):
    with pytest.raises(ValueError, match=r"y has dtype .*not a class label type"):
        _resample(y)


def test_complex_dtype_refused_as_scikit_learn():
    y = np.array([1 + 0j, 2 + 0j, 1 + 0j])
    with pytest.raises(ValueError, match="Complex data not supported"):
        type_of_target(y)
    with pytest.raises(ValueError, match="Complex data not supported"):
        _resample(y)


def test_complex_numpy_scalars_as_objects_refused():
    y = np.array([1 + 1j, 2, 1 + 1j, 1 + 1j], dtype=complex).astype(object)
    y = np.array([np.complex128(v) for v in y], dtype=object)
    with pytest.raises(ValueError, match="[Cc]omplex"):
        class_weights(y)


def test_whole_floats_accepted_like_scikit_learn_and_keep_dtype():
    y = np.array([1.0, 2.0, 1.0])
    assert type_of_target(y) == "binary"
    rows, yr = _resample(y)
    assert yr.dtype == np.float64
    assert _paired(y, rows, yr)
    assert list(class_weights(y)) == [1.0, 2.0]


@pytest.mark.parametrize(
    "y",
    [
        np.array([1.5, 2.0, 1.0]),
        pd.Series([1.5, 2.0, 1.0], dtype=object),
        [Decimal("1.5"), Decimal(2), Decimal(1)],
        [Fraction(1, 2), Fraction(2), Fraction(1)],
    ],
    ids=["float", "object-float", "decimal", "fraction"],
)
def test_non_whole_numbers_refused_as_continuous(y):
    with pytest.raises(ValueError, match="continuous"):
        _resample(y)


def test_negative_zero_is_the_class_zero_and_rows_keep_their_sign():
    y = np.array([-0.0, 0.0, 1.0, 1.0, 1.0])
    weights = class_weights(y)
    assert len(weights) == 2 and weights[0.0] == pytest.approx(5 / 4)
    rows, yr = _resample(y)
    assert _paired(y, rows, yr)
    assert list(np.signbit(yr)) == [bool(np.signbit(y[i])) for i in rows]


@pytest.mark.parametrize(
    "y",
    [
        np.array([1.0, np.nan, 1.0, 2.0]),
        np.array([1, None, 1, 2], dtype=object),
        np.array(["a", pd.NA, "a", "b"], dtype=object),
        np.array(["a", pd.NaT, "a", "b"], dtype=object),
        [pd.Timestamp(2020, 1, 1), pd.NaT, pd.Timestamp(2020, 1, 1)],
        [Decimal(1), Decimal("sNaN"), Decimal(1), Decimal(2)],
        np.array(["a", None, "a", "b"], dtype=np.dtypes.StringDType(na_object=None)),
        np.array(
            ["a", np.nan, "a", "b"], dtype=np.dtypes.StringDType(na_object=np.nan)
        ),
    ],
    ids=[
        "nan",
        "none",
        "pd-na",
        "nat",
        "nat-timestamps",
        "decimal-snan",
        "sdt-none",
        "sdt-nan",
    ],
)
def test_every_missing_marker_refused_at_its_row(y):
    with pytest.raises(ValueError, match="missing labels .* first at position 1"):
        class_weights(y)


def test_string_dtype_labels_keep_dtype_nul_and_text_nan():
    y = np.array(
        ["b", "a\x00", "a", "nan"], dtype=np.dtypes.StringDType(na_object=np.nan)
    )
    assert list(class_weights(y)) == ["a", "a\x00", "b", "nan"]
    rows, yr = _resample(y)
    assert isinstance(yr.dtype, np.dtypes.StringDType)
    assert _paired(list(y), rows, yr)


def test_string_dtype_classifier_classes_are_python_strings():
    y = np.array(["a"] * 6 + ["b"] * 4, dtype=np.dtypes.StringDType())
    X = np.random.default_rng(0).normal(size=(10, 2))
    model = ThresholdMover(LogisticRegression(), cv=2).fit(X, y)
    assert model.classes_.tolist() == ["a", "b"]
    assert set(model.predict(X).tolist()) <= {"a", "b"}


@pytest.mark.parametrize(
    "y",
    [np.array([b"b", b"a", b"b"]), [b"b", b"a", b"b"], pd.Series([b"b", b"a", b"b"])],
    ids=["numpy", "list", "series"],
)
def test_bytes_labels_kept_as_bytes(y):
    rows, yr = _resample(y)
    assert _paired(list(y), rows, yr)
    assert list(class_weights(y)) == [b"a", b"b"]


def test_str_bytes_mix_refused_before_work():
    with pytest.raises(TypeError, match="mixes label types"):
        _resample(["a", b"a", "a"])


def test_g_mean_str_against_bytes_refused():
    with pytest.raises(ValueError, match="bytes"):
        g_mean_score(["a", "b"], [b"a", b"b"])


def test_tuples_as_objects_are_labels_list_of_tuples_is_2d():
    y = np.empty(3, dtype=object)
    y[:] = [(1, 2), (1, 3), (1, 2)]
    rows, yr = _resample(y)
    assert _paired(y, rows, yr)
    assert list(class_weights(y)) == [(1, 2), (1, 3)]
    with pytest.raises(ValueError, match="Multilabel"):
        _resample([(1, 2), (1, 3), (1, 2)])


@pytest.mark.parametrize("container", [list, lambda v: np.array(v, dtype=object)])
def test_ints_beyond_int64_exact(container):
    values = [2**64, 2**64 + 1, 2**64, -1]
    y = container(values)
    assert list(class_weights(y)) == [-1, 2**64, 2**64 + 1]
    rows, yr = _resample(y)
    assert list(yr) == [values[i] for i in rows]


def test_bool_int_mix_keeps_row_values():
    y = [True, 2, True, 2, 2]
    assert list(class_weights(y)) == [1, 2]
    rows, yr = _resample(y)
    assert _paired(y, rows, yr)
    assert all(type(v) is type(y[i]) for i, v in zip(rows, yr))


@pytest.mark.parametrize(
    "y",
    [
        [Decimal(2), Decimal(1), Decimal(2)],
        [Fraction(2), Fraction(1), Fraction(2)],
        pd.Series(pd.IntervalIndex.from_breaks([0, 1, 2])[[1, 0, 1]]),
    ],
    ids=["decimal", "fraction", "interval"],
)
def test_exact_number_and_interval_labels_sorted_and_paired(y):
    values = list(y)
    assert list(class_weights(y)) == sorted(set(values))
    rows, yr = _resample(y)
    assert _paired(values, rows, yr)


def test_pyarrow_dictionary_nulls_in_indices_or_dictionary_refused():
    pa = pytest.importorskip("pyarrow")
    in_indices = pa.array(["b", None, "a", "b"]).dictionary_encode()
    in_dictionary = pa.DictionaryArray.from_arrays(
        pa.array([0, 1, 0, 0]), pa.array(["a", None])
    )
    assert in_dictionary.null_count == 0
    for y in (in_indices, in_dictionary, pa.chunked_array([in_dictionary])):
        with pytest.raises(ValueError, match="missing labels .* position 1"):
            class_weights(y)


def test_pyarrow_dictionary_classes_sorted_and_paired():
    pa = pytest.importorskip("pyarrow")
    y = pa.DictionaryArray.from_arrays(
        pa.array([0, 1, 1, 1, 2]), pa.array(["z", "a", "m"])
    )
    assert list(class_weights(y)) == ["a", "m", "z"]
    rows, yr = _resample(y)
    assert yr.type == y.type
    assert _paired(y.to_pylist(), rows, yr.to_pylist())


def test_polars_enum_nulls_refused_and_category_order_kept():
    pl = pytest.importorskip("polars")
    with pytest.raises(ValueError, match="missing labels .* position 1"):
        class_weights(pl.Series(["b", None, "a"], dtype=pl.Enum(["b", "a"])))
    y = pl.Series(["a", "b", "a", "a"], dtype=pl.Enum(["b", "a"]))
    assert list(class_weights(y)) == ["b", "a"]
    rows, yr = _resample(y)
    assert yr.dtype == y.dtype
    assert _paired(y.to_list(), rows, yr.to_list())


def test_series_with_multiindex_rows_paired_with_x():
    index = pd.MultiIndex.from_tuples([("x", i) for i in range(5)])
    y = pd.Series(["a", "b", "b", "b", "a"], index=index, name="t")
    X = pd.DataFrame({"i": np.arange(5)}, index=index)
    Xr, yr = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert yr.name == "t"
    assert (Xr.index == yr.index).all()
    assert yr.tolist() == [y.iloc[i] for i in Xr["i"]]


def test_one_hot_all_zero_row_refused():
    y = np.array([[1, 0], [0, 0], [0, 1]])
    assert type_of_target(y) == "multilabel-indicator"
    with pytest.raises(ValueError, match="exactly one 1 per row"):
        _resample(y)


def test_one_hot_float_kept_as_float_matrix():
    y = np.eye(2)[[0, 1, 0, 0]]
    rows, yr = _resample(y)
    assert yr.dtype == np.float64 and yr.shape == (6, 2)
    np.testing.assert_array_equal(yr, y[rows])
    assert class_weights(y) == class_weights([0, 1, 0, 0])


def test_one_column_target_is_a_column_of_labels():
    y = np.array([[1], [0], [1], [1]])
    assert type_of_target(y) == "binary"
    rows, yr = _resample(y)
    assert yr.shape == (6, 1)
    np.testing.assert_array_equal(yr, y[rows])
    with pytest.raises(ValueError, match="one class only"):
        _resample(np.ones((3, 1), dtype=int))


def test_classifier_negative_zero_priors_keyed_by_zero():
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = np.array([-0.0] * 6 + [1.0] * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ThresholdMover(
            LogisticRegression(), cv=2, deploy_priors={0.0: 0.5, 1.0: 0.5}
        ).fit(X, y)
    assert model.classes_.tolist() == [0.0, 1.0]
    assert set(model.predict(X).tolist()) <= {0.0, 1.0}


def test_rebalance_sampler_kinds():
    pytest.importorskip("torch")
    from rebalance.samplers import RandomUnderSampler
    from rebalance.torch import RebalanceSampler

    y = [Decimal(b) for b in [0] * 6 + [1] * 2]
    drawn = list(RebalanceSampler(y, sampler=RandomUnderSampler(), seed=0))
    assert sorted(y[i] for i in drawn) == [0, 0, 1, 1]
    with pytest.raises(ValueError, match="not a class label type"):
        RebalanceSampler(np.array([0, 1, 0], dtype="datetime64[D]"))
