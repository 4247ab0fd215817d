"""Review 49, list X rows under shrinkage: rows that numpy reads as numbers
but are none, and the row type of a masked row.

A list X is stacked into one array for the smoothed bootstrap, and each noisy
row rebuilt in the type of the row it was drawn from (``_rows_like``). The
same values as columns of a DataFrame are refused (categories, masked
entries); as rows of a list they were noised: a categorical row's values
outside its categories came back NaN, a masked row's hidden values were read
as data. The oracle is the DataFrame / 2-D masked array error, and the type of
the row each output row was drawn from (``sample_indices_``).
"""

import pickle

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler
from rebalance._indices import added_mask

Y5 = [0, 0, 0, 1, 1]


# --- samplers.RandomOverSampler: a list of categorical pandas rows ----------
# Bug: the DataFrame with a category column is refused with shrinkage, but a
# list of categorical Series rows was noised and rebuilt with pd.array(...,
# dtype=row.dtype): a noisy value outside the categories silently became NaN.


def test_categorical_rows_are_refused_like_categorical_columns():
    rows = [
        pd.Series(pd.Categorical([1, 2 + i], categories=range(7))) for i in range(5)
    ]
    frame = pd.DataFrame({"a": pd.Categorical([1, 2, 0, 3, 4], categories=range(7))})
    with pytest.raises(ValueError, match="needs numeric X; column 'a' has dtype"):
        RandomOverSampler(shrinkage=100.0, random_state=0).fit_resample(frame, Y5)
    with pytest.raises(ValueError, match="needs numeric X; row 0 of X has dtype"):
        RandomOverSampler(shrinkage=100.0, random_state=0).fit_resample(rows, Y5)
    # shrinkage=None copies the rows: still accepted.
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(rows, Y5)
    assert all(isinstance(row.dtype, pd.CategoricalDtype) for row in X_res)


@pytest.mark.parametrize("dtype", ["Int64", "Float32", "boolean", "int8[pyarrow]"])
def test_numeric_pandas_rows_are_still_noised_in_their_dtype(dtype):
    values = [[1, 0], [1, 1], [0, 1], [1, 1], [0, 0]]
    rows = [
        pd.Series(pd.array(v, dtype=dtype), index=["p", "q"], name=i)
        for i, v in enumerate(values)
    ]
    sampler = RandomOverSampler(shrinkage=0.5, random_state=0)
    X_res, _ = sampler.fit_resample(rows, Y5)
    for row, i in zip(X_res, sampler.sample_indices_):
        assert row.dtype == rows[i].dtype and row.name == i
        assert row.index.tolist() == ["p", "q"]


# --- samplers.RandomOverSampler: masked rows of a list X -------------------
# Bug: a 2-D masked X with masked entries is refused with shrinkage, but a
# list of masked rows was read through np.asarray: the values under the mask
# went into the std and the noise, and the noisy row (a plain ndarray, its
# mask dropped) held the hidden value as data.


def test_masked_entries_in_list_rows_are_refused_like_a_masked_array():
    rows = [np.ma.masked_array([1.0, 2.0 + i], mask=[0, i == 3]) for i in range(5)]
    with pytest.raises(ValueError, match="4 masked entries"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
            np.ma.masked_array(
                np.ones((5, 2)), mask=[[0, 1], [0, 1], [0, 1], [0, 1], [0, 0]]
            ),
            Y5,
        )
    with pytest.raises(ValueError, match="row 3 has 1 masked entries"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(rows, Y5)
    before = [row.copy() for row in rows]
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(rows, Y5)
    assert all(np.ma.getmaskarray(r).sum() == (i == 3) for r, i in zip(rows, range(5)))
    assert all((a.data == b.data).all() for a, b in zip(rows, before))
    assert all(isinstance(row, np.ma.MaskedArray) for row in X_res)


def test_noisy_rows_of_unmasked_masked_arrays_stay_masked_arrays():
    rows = [
        np.ma.masked_array(np.array([1, 2 + i], dtype=np.int16), fill_value=7)
        for i in range(5)
    ]
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, _ = sampler.fit_resample(rows, Y5)
    added = added_mask(sampler.sample_indices_)
    assert added.any()
    for row in X_res:
        assert type(row) is np.ma.MaskedArray
        assert row.dtype == np.int16 and row.fill_value == 7
    assert pickle.loads(pickle.dumps(X_res))[0].dtype == np.int16


# --- fuzz: rows of every numeric dtype, as numpy-X gives them ---------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    "dtype",
    [np.int8, np.uint16, np.int64, np.uint64, np.float16, np.float32, np.bool_],
)
def test_list_rows_match_the_numpy_output_in_their_own_dtype(seed, dtype):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        pool = np.array([info.min, info.max, 0, 1], dtype=dtype)
    elif dtype is np.bool_:
        pool = np.array([True, False])
    else:
        info = np.finfo(dtype)
        pool = np.array([info.max, -info.max, 0.0, 1.5], dtype=dtype)
    A = rng.choice(pool, size=(6, 3))
    y = [0, 0, 0, 0, 1, 1]
    for shrinkage in (0.0, 0.5, 1e300):
        rows = [a.copy() for a in A]
        listed = RandomOverSampler(shrinkage=shrinkage, random_state=seed)
        X_list, _ = listed.fit_resample(rows, y)
        stacked = RandomOverSampler(shrinkage=shrinkage, random_state=seed)
        X_np, _ = stacked.fit_resample(A, y)
        np.testing.assert_array_equal(listed.sample_indices_, stacked.sample_indices_)
        assert all(row.dtype == A.dtype for row in X_list)
        np.testing.assert_array_equal(np.stack(X_list), X_np)
        np.testing.assert_array_equal(np.stack(rows), A)  # input untouched


# --- _labels: pyarrow's month_day_nano_interval as labels -------------------
# Bug: every other date, time and duration type is refused as labels with
# one ValueError naming the dtype; pyarrow's calendar interval came out as
# pandas DateOffset objects and was refused as unsortable objects instead
# (a TypeError suggesting Enum names).


def _interval_labels():
    pa = pytest.importorskip("pyarrow")
    array = pa.array([(1, 0, 0), (1, 1, 0)] * 4, pa.month_day_nano_interval())
    return [
        array,
        pa.chunked_array([array]),
        pd.Series(array.to_pandas(types_mapper=pd.ArrowDtype)),
    ]


def test_arrow_calendar_intervals_are_refused_as_dates_and_durations():
    from sklearn.linear_model import LogisticRegression

    from rebalance import ClassBalancedSampler, ThresholdMover, class_weights
    from rebalance.metrics import g_mean_score

    X = np.zeros((8, 1))
    calls = [
        lambda y: ClassBalancedSampler(random_state=0).fit_resample(X, y),
        lambda y: RandomOverSampler(random_state=0).fit_resample(X, y),
        class_weights,
        lambda y: ThresholdMover(LogisticRegression()).fit(X, y),
    ]
    for y in _interval_labels():
        for call in calls:
            with pytest.raises(ValueError, match=r"interval.*\(dates, times or dur"):
                call(y)
        with pytest.raises(ValueError, match=r"y_true has dtype month_day_nano"):
            g_mean_score(y, y)


# --- samplers.RandomOverSampler: Series rows with different indexes --------
# Bug: a list of pandas Series rows is stacked by position, so a row whose
# index is in another order put its entries under other features: each
# feature's std (and the noise) mixed the values of differently labelled
# entries, silently (pd.DataFrame(rows) would align them by label).


def test_series_rows_with_different_indexes_are_refused_with_shrinkage():
    rows = [
        pd.Series([1.0, 2.0 + i], index=["b", "a"] if i == 3 else ["a", "b"])
        for i in range(5)
    ]
    with pytest.raises(ValueError, match=r"Rows 0 and 3 of X .* different index"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(rows, Y5)
    # Copied as given without shrinkage; aligned rows are noised.
    assert len(RandomOverSampler(random_state=0).fit_resample(rows, Y5)[0]) == 6
    aligned = [row.reindex(rows[0].index) for row in rows]
    X_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
        aligned, Y5
    )
    assert all(row.index.tolist() == ["a", "b"] for row in X_res)
