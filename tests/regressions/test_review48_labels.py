"""Review 48, label types and list X rows.

* Times of day (polars ``Time``, pyarrow ``time32`` / ``time64``, pandas
  Arrow ``time64``) and pandas periods were accepted as class labels (read as
  ``datetime.time`` / ``Period`` objects), where every other date, time or
  duration type is refused naming ``y.astype(str)``. polars ``Time`` in
  nanoseconds read as microseconds merged distinct labels into one class.
* ``RandomOverSampler(shrinkage=...)`` returned a list X of numpy (torch,
  pandas, tuple) rows as lists of Python floats, where ``shrinkage=None``
  keeps each row's type and dtype.

Oracles: the same data as numpy / pandas / polars / pyarrow is refused (or
resampled) alike; the rows of a list X resample to the values of the same
rows stacked into one numpy array.
"""

import collections
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    RandomOverSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
)
from rebalance._indices import added_mask
from rebalance.metrics import g_mean_score

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

X8 = np.arange(16.0).reshape(8, 2)
REFUSED = r"dates, times or durations\).*convert them first"


def _arrow_time(unit="us"):
    return pa.array([1, 2] * 4, pa.time64(unit))


def _periods():
    return pd.period_range("2020-01", periods=2, freq="M").repeat(4)


TIME_LABELS = {
    # name: (labels, the conversion the error names, as code and as a function)
    "polars Time": (
        lambda: pl.Series([1, 2] * 4).cast(pl.Time),
        ("y.to_physical()", lambda y: y.to_physical()),
    ),
    "polars Time (fractions of a second)": (
        lambda: pl.Series([10**9, 15 * 10**8] * 4).cast(pl.Time),
        ("y.to_physical()", lambda y: y.to_physical()),
    ),
    "pyarrow time64[ns]": (
        lambda: _arrow_time("ns"),
        ("y.cast(pyarrow.int64())", lambda y: y.cast(pa.int64())),
    ),
    "pyarrow time64[us]": (
        lambda: _arrow_time(),
        ("y.cast(pyarrow.int64())", lambda y: y.cast(pa.int64())),
    ),
    "pyarrow time32[s]": (
        lambda: pa.array([1, 2] * 4, pa.time32("s")),
        ("y.cast(pyarrow.int32())", lambda y: y.cast(pa.int32())),
    ),
    "pyarrow chunked time64": (
        lambda: pa.chunked_array([_arrow_time("ns")]),
        ("y.cast(pyarrow.int64())", lambda y: y.cast(pa.int64())),
    ),
    "pandas Arrow time64[ns]": (
        lambda: pd.Series(_arrow_time("ns"), dtype=pd.ArrowDtype(pa.time64("ns"))),
        ("y.astype('int64[pyarrow]')", lambda y: y.astype("int64[pyarrow]")),
    ),
    "pandas Arrow time32[s]": (
        lambda: pd.Series(
            pa.array([1, 2] * 4, pa.time32("s")), dtype=pd.ArrowDtype(pa.time32("s"))
        ),
        ("y.astype('int32[pyarrow]')", lambda y: y.astype("int32[pyarrow]")),
    ),
    "pandas Period": (
        lambda: pd.Series(_periods()),
        ("y.astype(str)", lambda y: y.astype(str)),
    ),
    "PeriodIndex": (_periods, ("y.astype(str)", lambda y: y.astype(str))),
    "PeriodArray": (
        lambda: _periods().array,
        ("y.astype(str)", lambda y: y.astype(str)),
    ),
    "pandas frame of Period": (
        lambda: pd.DataFrame({"p": _periods()}),
        ("y.astype(str)", lambda y: y.astype(str)),
    ),
    "polars frame of Time": (
        lambda: pl.DataFrame({"t": pl.Series([1, 2] * 4)}).cast(pl.Time),
        ("y.to_physical()", lambda y: y.to_series().to_physical()),
    ),
}


# Before: accepted as datetime.time / Period objects (polars Time in ns, or
# with fractions of a second: 2 classes merged into 1), or a TypeError about
# nanoseconds (pyarrow ns).
@pytest.mark.parametrize("kind", list(TIME_LABELS))
def test_times_of_day_and_periods_are_refused_as_labels_like_dates(kind):
    make, (fix, convert) = TIME_LABELS[kind]
    y = make()
    with pytest.raises(ValueError, match=REFUSED) as info:
        RandomOverSampler().fit_resample(X8, y)
    assert f"e.g. {fix}" in str(info.value) or f"their integer values, {fix}" in str(
        info.value
    )
    # The conversion named keeps the 2 classes (str() of a polars Time drops
    # fractions of a second; of a pandas Arrow time, nanoseconds).
    _, y_res = RandomOverSampler(random_state=0).fit_resample(X8, convert(y))
    assert len(y_res) == 8 and len(set(np.asarray(y_res).ravel().tolist())) == 2


# Before: ThresholdMover read the Periods / times as objects and the
# classifier failed with scikit-learn's "Unknown label type: unknown", which
# names no fix.
@pytest.mark.parametrize(
    "y",
    [
        pd.Series(_periods()),
        _periods().array,
        pd.Series(_arrow_time(), dtype=pd.ArrowDtype(pa.time64("us"))),
    ],
    ids=["Period", "PeriodArray", "Arrow time64"],
)
def test_threshold_mover_refuses_time_labels_naming_the_fix(y):
    with pytest.raises(ValueError, match=REFUSED):
        ThresholdMover(LogisticRegression()).fit(X8, y)


# Before: a categorical of Periods or Arrow times went to the classifier,
# which read its values (a categorical of dates is refused, naming them).
@pytest.mark.parametrize(
    "categories",
    [
        _periods(),
        pd.Series(_arrow_time(), dtype=pd.ArrowDtype(pa.time64("us"))),
    ],
    ids=["Period", "Arrow time64"],
)
@pytest.mark.parametrize("meta", ["resampled", "threshold"])
def test_meta_estimators_refuse_categoricals_of_times(categories, meta):
    y = pd.Series(pd.Categorical(categories))
    estimator = (
        ResampledClassifier(RandomOverSampler(), LogisticRegression())
        if meta == "resampled"
        else ThresholdMover(LogisticRegression())
    )
    with pytest.raises(ValueError, match="pandas categorical of dates or times"):
        estimator.fit(X8, y)


# Before: class_weights, g_mean_score and the torch RebalanceSampler took
# the Periods / times as labels too (they read labels as the samplers do).
@pytest.mark.parametrize("entry", ["class_weights", "g_mean_score", "torch"])
@pytest.mark.parametrize("kind", ["pandas Period", "polars Time", "pyarrow time64[us]"])
def test_other_label_readers_refuse_times_and_periods(entry, kind):
    y = TIME_LABELS[kind][0]()
    if entry == "class_weights":
        call = lambda: class_weights(y)  # noqa: E731
    elif entry == "g_mean_score":
        call = lambda: g_mean_score(y, y)  # noqa: E731
    else:
        pytest.importorskip("torch")
        from rebalance.torch import RebalanceSampler

        call = lambda: RebalanceSampler(y)  # noqa: E731
    with pytest.raises(ValueError, match=REFUSED):
        call()


Y12 = np.array([0] * 8 + [1] * 4)


def _resampled(rows, **kwargs):
    params = {"shrinkage": 0.5, "random_state": 0, **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RandomOverSampler(**params).fit_resample(rows, Y12)


def _float_rows(dtype=np.float32):
    values = np.random.default_rng(0).normal(size=(12, 3)).astype(dtype)
    return values, [row.copy() for row in values]


def _kept(indices, shuffled=True):
    # One draw of each row is the row itself (its first, unless shuffled:
    # see added_mask); the others are added.
    originals = np.flatnonzero(~added_mask(indices, shuffled))
    return dict(zip(indices[originals].tolist(), originals.tolist()))


# Before: every output row a list of Python floats (shrinkage=None keeps the
# numpy rows).
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_list_of_numpy_rows_keeps_row_type_and_dtype_with_shrinkage(dtype):
    values, rows = _float_rows(dtype)
    X_res, _ = _resampled(rows)
    sampler = RandomOverSampler(shrinkage=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, _ = sampler.fit_resample(values, Y12)
    assert isinstance(X_res, list) and len(X_res) == 16
    for row in X_res:
        assert type(row) is np.ndarray and row.dtype == np.dtype(dtype)
        assert not any(np.shares_memory(row, given) for given in rows)
    np.testing.assert_array_equal(np.stack(X_res), expected)
    # The kept rows are the rows given, the 4 added ones noisy copies.
    kept = _kept(sampler.sample_indices_)
    assert len(kept) == 12
    for i, k in kept.items():
        np.testing.assert_array_equal(X_res[k], rows[i])
    added = [k for k in range(16) if k not in kept.values()]
    picked = sampler.sample_indices_[added]
    assert not (np.stack([X_res[k] for k in added]) == values[picked]).all()


def test_the_briefs_reproducer_keeps_float32_rows():
    rows = [np.array([float(i), 1.0], dtype=np.float32) for i in range(12)]
    X_res, _ = _resampled(rows)
    assert {(type(row), row.dtype) for row in X_res} == {
        (np.ndarray, np.dtype(np.float32))
    }


def test_list_of_torch_rows_keeps_tensors_and_dtype_with_shrinkage():
    torch = pytest.importorskip("torch")
    values, _ = _float_rows(np.float64)
    for torch_dtype, np_dtype in [(torch.float32, np.float32), (torch.float64, None)]:
        rows = [torch.tensor(row, dtype=torch_dtype) for row in values]
        X_res, _ = _resampled(rows)
        expected, _ = _resampled(values.astype(np_dtype or np.float64))
        assert all(isinstance(row, torch.Tensor) for row in X_res)
        assert {row.dtype for row in X_res} == {torch_dtype}
        np.testing.assert_array_equal(np.stack([r.numpy() for r in X_res]), expected)


def test_tuple_namedtuple_and_series_rows_keep_their_type_with_shrinkage():
    values, _ = _float_rows(np.float64)
    point = collections.namedtuple("Point", "a b c")
    expected, _ = _resampled(values)
    makers = {
        tuple: lambda row: tuple(row.tolist()),
        point: lambda row: point(*row.tolist()),
        pd.Series: lambda row: pd.Series(row, index=["a", "b", "c"], name="r"),
        pd.arrays.FloatingArray: lambda row: pd.array(row, dtype="Float64"),
    }
    for kind, make in makers.items():
        X_res, _ = _resampled([make(row) for row in values])
        assert {type(row) for row in X_res} == {kind}
        np.testing.assert_array_equal(np.array([list(r) for r in X_res]), expected)
        if kind is pd.Series:
            assert all(row.index.tolist() == ["a", "b", "c"] for row in X_res)
            assert {row.name for row in X_res} == {"r"}


def test_mixed_row_types_each_keep_their_own_type_and_dtype():
    values, _ = _float_rows(np.float64)
    rows = [
        row.astype(np.float32) if i % 3 == 0 else row.tolist() if i % 3 else row
        for i, row in enumerate(values)
    ]
    # Rows 0, 3, 6, 9: float32 arrays; the others lists (or float64 arrays).
    rows = [
        r if i % 3 != 2 else np.asarray(r, dtype=np.float64) for i, r in enumerate(rows)
    ]
    X_res, _ = _resampled(rows, shuffle=True)
    sampler = RandomOverSampler(shrinkage=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, _ = sampler.fit_resample(np.array([list(r) for r in rows]), Y12)
    for k, i in enumerate(sampler.sample_indices_.tolist()):
        given, row = rows[i], X_res[k]
        assert type(row) is type(given)
        if isinstance(given, np.ndarray):
            assert row.dtype == given.dtype
            np.testing.assert_array_equal(row, expected[k].astype(given.dtype))
        else:
            assert row == expected[k].tolist()


def test_integer_rows_among_float_rows_are_rounded_not_truncated():
    values, _ = _float_rows(np.float64)
    values *= 100
    rows = [
        row.round().astype(np.int64) if i >= 8 else row for i, row in enumerate(values)
    ]
    X_res, _ = _resampled(rows, shrinkage=3.0)
    sampler = RandomOverSampler(shrinkage=3.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, _ = sampler.fit_resample(np.stack(rows).astype(np.float64), Y12)
    kept = set(_kept(sampler.sample_indices_).values())
    added = [k for k in range(16) if k not in kept]
    assert len(added) == 4
    for k in added:
        assert X_res[k].dtype == np.int64
        np.testing.assert_array_equal(X_res[k], np.rint(expected[k]).astype(np.int64))
        assert (X_res[k] != expected[k]).any()  # not left unrounded


class _Namespace:
    """A minimal array-API namespace: ``asarray`` only."""

    @staticmethod
    def asarray(values, dtype=None, device=None, copy=None):
        return _ApiArray(np.array(values, dtype=dtype))


class _ApiArray:
    """A minimal array-API array over numpy (array_api_strict is optional)."""

    device = "cpu"

    def __init__(self, values):
        self.values = values
        self.dtype, self.shape = values.dtype, values.shape

    def __array_namespace__(self, api_version=None):
        return _Namespace

    def __array__(self, dtype=None, copy=None):
        return np.array(self.values, dtype=dtype)

    def __len__(self):
        return len(self.values)


def test_array_api_rows_are_rebuilt_through_their_namespace():
    values, _ = _float_rows(np.float32)
    X_res, _ = _resampled([_ApiArray(row.copy()) for row in values])
    expected, _ = _resampled(values)
    assert {(type(row), row.dtype) for row in X_res} == {
        (_ApiArray, np.dtype(np.float32))
    }
    np.testing.assert_array_equal(np.stack([row.values for row in X_res]), expected)
