"""Review 114, area labels3: a white-box audit of ``rebalance/_labels.py``
(``encode_labels``, ``label_array``, ``label_values`` and the per-dtype
encoders), driven through the public API (``class_weights``,
``sample_weights``, ``RandomUnderSampler``): class order against
``np.unique`` and the categorical rules, one class for equal values of
different types, exact integer and float extremes, and missing values hidden
where a null count does not see them (an Arrow dictionary's null entry, a NaN
in a nullable array's data, polars/pyarrow NaN)."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from rebalance.samplers import RandomUnderSampler
from rebalance.weights import class_weights, sample_weights


def _classes(y):
    return list(class_weights(y))


def test_equal_values_of_different_types_are_one_class():
    y = np.array([1, 1.0, True, np.int64(1), 2, 2, 2, 2], dtype=object)
    assert len(_classes(y)) == 2
    np.testing.assert_allclose(sample_weights(y)[:4], 8 / (2 * 4))
    decimals = np.array([1, 1.0, True, Decimal("1.0"), 2, 2, 2, 2], dtype=object)
    assert len(_classes(decimals)) == 2


def test_integer_extremes_are_exact_and_sorted():
    y = np.array([0, 2**64 - 1, 2**63, 2**63], dtype=np.uint64)
    assert _classes(y) == [0, 2**63, 2**64 - 1]
    y8 = np.array([-128, 127, 127, -128, 0], dtype=np.int8)
    assert _classes(y8) == [-128, 0, 127]
    big_endian = np.array([1, -3, 1], dtype=">i4")
    assert _classes(big_endian) == [-3, 1]


def test_signed_zero_is_one_class():
    assert _classes(np.array([-0.0, 0.0, 1.0, 1.0])) == [0.0, 1.0]
    # Beyond 2**53 (the sorted path) as well.
    y = np.array([2.0**60, -(2.0**60), -0.0, 0.0])
    assert len(_classes(y)) == 3


def test_floats_beyond_2_53_stay_distinct_in_a_list():
    y = [float(2**53), float(2**53 + 2), 1.0, 1.0]
    assert _classes(y) == [1.0, float(2**53), float(2**53 + 2)]


def test_object_fractions_refused_as_continuous():
    from fractions import Fraction

    with pytest.raises(ValueError, match="continuous"):
        class_weights(np.array([Fraction(1, 2), Fraction(1)], dtype=object))


def test_arrow_dictionary_null_entry_is_missing():
    pa = pytest.importorskip("pyarrow")
    # null_count is 0: the null lies in the dictionary, not in the indices.
    y = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0]), pa.array(["a", None]))
    assert y.null_count == 0
    with pytest.raises(ValueError, match="y has missing labels"):
        class_weights(y)


def test_nan_in_nullable_float_data_is_missing():
    values = pd.array([1.0, 0.0, 1.0], dtype="Float64")
    values._data[1] = np.nan  # a NaN that is not NA (pd.isna says False)
    with pytest.raises(ValueError, match="y has missing labels"):
        class_weights(pd.Series(values))


def test_polars_and_arrow_nan_are_missing():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    for y in (pl.Series([1.0, float("nan")]), pa.array([1.0, float("nan")])):
        with pytest.raises(ValueError, match="y has missing labels"):
            class_weights(y)


def test_categorical_and_enum_keep_category_order_skipping_unused():
    pl = pytest.importorskip("polars")
    cat = pd.Categorical(["a", "a", "c"], categories=["c", "b", "a"])
    assert _classes(cat) == ["c", "a"]
    assert _classes(pd.Series(cat)) == ["c", "a"]
    enum = pl.Series(["a", "a", "c"], dtype=pl.Enum(["c", "b", "a"]))
    assert _classes(enum) == ["c", "a"]


def test_polars_binary_keeps_trailing_nul():
    pl = pytest.importorskip("polars")
    assert len(_classes(pl.Series([b"a", b"a\x00", b"a"]))) == 2


def test_one_hot_with_nan_refused_naming_y():
    y = np.array([[1.0, np.nan], [0.0, 1.0]])
    with pytest.raises(ValueError, match="y has missing labels"):
        class_weights(y)


def test_torch_labels_non_contiguous_and_meta():
    torch = pytest.importorskip("torch")
    y = torch.arange(12)[::3] % 2  # [0, 1, 0, 1], a strided view
    assert _classes(y) == [0, 1]
    with pytest.raises(TypeError, match="y could not be read"):
        class_weights(torch.empty(3, dtype=torch.long, device="meta"))


def test_series_with_multiindex_resampled_aligned():
    index = pd.MultiIndex.from_tuples([(i, str(i)) for i in range(6)])
    y = pd.Series([0, 0, 0, 0, 1, 1], index=index)
    X = pd.DataFrame({"v": np.arange(6)}, index=index)
    Xr, yr = RandomUnderSampler(random_state=0).fit_resample(X, y)
    # The index is dropped (as imbalanced-learn does): rows stay paired.
    assert (yr.to_numpy() == (Xr["v"].to_numpy() >= 4)).all()
    assert sorted(yr.value_counts().tolist()) == [2, 2]


def test_categorical_index_keeps_category_order():
    y = pd.CategoricalIndex(["b", "a", "b"], categories=["b", "a"])
    assert _classes(pd.Categorical(y)) == ["b", "a"]
    assert _classes(y) == ["b", "a"]
