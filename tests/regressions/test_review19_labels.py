"""Review 19 (labels): label containers as users pass them as ``y``.

* A list (or tuple) of strings or bytes holding NaN, as ``Series.tolist()``
  gives, was read by numpy as the text ``'nan'``: a class of its own.
* A list mixing integers of 2**63 and above with negative ones was read as
  float64: ``2**63`` and ``2**63 + 1`` were one class.
* A pandas Series of ``ArrowDtype(string_view / binary_view)`` raised
  pandas' bare ``NotImplementedError`` while its labels were read.
* datetime64 / timedelta64 labels are refused (the docs list ints, strings,
  bools, categoricals), now with a message saying how to use them anyway.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ThresholdMover,
    class_weights,
)
from rebalance._labels import encode_labels

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _balanced_weights(values):
    """scikit-learn's 'balanced' formula, n / (k * n_c), by class value."""
    counts = Counter(values)
    return {c: len(values) / (len(counts) * n) for c, n in counts.items()}


# --- NaN in a list of strings ------------------------------------------------

NAN_LISTS = {
    "str-list-nan": lambda: ["a"] * 6 + [float("nan")] + ["b"] * 3,
    "str-list-np.nan": lambda: ["a"] * 6 + [np.nan] + ["b"] * 3,
    "str-tuple-nan": lambda: tuple(["a"] * 6 + [np.nan] + ["b"] * 3),
    "np.str_-list-float32-nan": lambda: (
        [np.str_("a")] * 6 + [np.float32("nan")] + ["b"] * 3
    ),
    "bytes-list-nan": lambda: [b"a"] * 6 + [np.nan] + [b"b"] * 3,
    "str-column-list-nan": lambda: [["a"]] * 6 + [[np.nan]] + [["b"]] * 3,
    "series-tolist": lambda: pd.Series(["a"] * 6 + [np.nan] + ["b"] * 3).tolist(),
}


@pytest.mark.parametrize("make_y", NAN_LISTS.values(), ids=NAN_LISTS)
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_nan_in_a_list_of_strings_is_a_missing_label(sampler_cls, make_y):
    y = make_y()
    assert "nan" in np.asarray(y).astype(str).ravel().tolist()  # numpy's reading
    X = np.zeros((len(y), 2))
    with pytest.raises(ValueError, match=r"^y has missing labels .*position 6"):
        sampler_cls(random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("make_y", NAN_LISTS.values(), ids=NAN_LISTS)
def test_nan_in_a_list_of_strings_is_a_missing_label_in_class_weights(make_y):
    with pytest.raises(ValueError, match=r"^y has missing labels"):
        class_weights(make_y())


def test_list_of_strings_keeps_the_text_nan_and_refuses_numbers():
    # The text 'nan' is a label. Numbers among strings were read as strings
    # (numpy's reading), which merged 0 and '0' into one class without a word:
    # since review 28 they are refused, as in an object array (and as
    # scikit-learn's metrics refuse a list mixing them).
    y = ["a", "nan", "nan", "0", "0", "0"]
    assert class_weights(y) == pytest.approx(_balanced_weights(y))
    with pytest.raises(TypeError, match="y mixes label types"):
        class_weights(["a", "nan", "nan", 0, 0, 0])


# --- integers numpy would read as floats ----------------------------------------


BIG_INT_LISTS = {
    "2**63-and-negative": [2**63] * 6 + [2**63 + 1] * 3 + [-1] * 3,
    "2**64-1-and-negative": [2**64 - 1] * 6 + [2**64 - 2] * 3 + [-5] * 3,
    "np-uint64-and-np-int64": [np.uint64(2**64 - 1)] * 6
    + [np.uint64(2**64 - 2)] * 3
    + [np.int64(-1)] * 3,
    "tuple": tuple([2**63] * 6 + [2**63 + 1] * 3 + [-1] * 3),
}


@pytest.mark.parametrize("y", BIG_INT_LISTS.values(), ids=BIG_INT_LISTS)
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_big_integer_labels_in_a_list_stay_apart(sampler_cls, y):
    assert np.asarray(y).dtype.kind == "f"  # numpy merges 2**63 and 2**63 + 1
    X = np.arange(2.0 * len(y)).reshape(len(y), 2)
    sampler = sampler_cls(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert list(y_res) == [y[i] for i in idx]
    target = 3 if sampler_cls is RandomUnderSampler else 6
    assert Counter(int(v) for v in y_res) == dict.fromkeys(map(int, set(y)), target)
    # The classes are the user's integers, exactly (not floats, which
    # compare equal to 2**63 but not to 2**63 + 1).
    assert set(map(int, sampler.sampling_strategy_)) < set(map(int, y))
    assert not any(isinstance(c, float) for c in sampler.sampling_strategy_)


@pytest.mark.parametrize("y", BIG_INT_LISTS.values(), ids=BIG_INT_LISTS)
def test_big_integer_labels_in_a_list_class_weights(y):
    weights = class_weights(y)
    expected = _balanced_weights([int(v) for v in y])
    assert [int(c) for c in weights] == sorted(expected)
    assert {int(c): w for c, w in weights.items()} == pytest.approx(expected)


def test_whole_float_labels_in_a_list_are_still_floats():
    # No integer among them: floats as numpy reads them (1e20 is a float).
    labels, _, _ = encode_labels([1e20, 1e20, -1e20])
    assert labels.classes.dtype == np.float64
    assert labels.classes.tolist() == [-1e20, 1e20]


def test_non_whole_float_among_big_integers_is_still_continuous():
    with pytest.raises(ValueError, match="continuous"):
        encode_labels([2**63, 0.5, -1])


# --- pandas Arrow view types -----------------------------------------------------


def _view_type(kind):
    pa = pytest.importorskip("pyarrow")
    if not hasattr(pa, kind):
        pytest.skip(f"pyarrow < 16 has no {kind}")
    return getattr(pa, kind)()


def _view_series(kind):
    arrow_type = _view_type(kind)
    if kind == "string_view":
        values = ["a"] * 6 + ["b"] * 3
    else:
        values = [b"a"] * 6 + [b"b"] * 3
    return pd.Series(pd.array(values, dtype=pd.ArrowDtype(arrow_type))), values


@pytest.mark.parametrize("kind", ["string_view", "binary_view"])
def test_pandas_arrow_view_labels_are_read(kind):
    y, values = _view_series(kind)
    labels, y_1d, _ = encode_labels(y)
    assert y_1d is y
    assert labels.classes.tolist() == sorted(set(values))
    assert labels.counts.tolist() == [6, 3]
    assert class_weights(y) == pytest.approx(_balanced_weights(values))


@pytest.mark.parametrize("kind", ["string_view", "binary_view"])
def test_pandas_arrow_view_labels_with_nulls_are_missing(kind):
    arrow_type = _view_type(kind)
    one = "a" if kind == "string_view" else b"a"
    y = pd.Series(pd.array([one] * 4 + [None], dtype=pd.ArrowDtype(arrow_type)))
    with pytest.raises(ValueError, match=r"^y has missing labels .*position 4"):
        class_weights(y)


def test_pandas_string_view_labels_in_torch_sampler():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    y, values = _view_series("string_view")
    sampler = RebalanceSampler(y, sampler=RandomOverSampler())
    drawn = list(sampler)
    assert Counter(values[i] for i in drawn) == {"a": 6, "b": 6}


def test_pandas_string_view_labels_in_threshold_mover():
    from sklearn.linear_model import LogisticRegression

    y, values = _view_series("string_view")
    X = np.arange(9.0).reshape(-1, 1)
    mover = ThresholdMover(LogisticRegression()).fit(X, y)
    assert mover.classes_.tolist() == sorted(set(values))
    assert set(mover.predict(X).tolist()) <= set(values)


# Lead: pandas columns of Arrow view types are gathered through pyarrow.
def test_pandas_string_view_labels_fit_resample():
    y, values = _view_series("string_view")
    sampler = RandomUnderSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.zeros((9, 1)), y)
    assert y_res.dtype == y.dtype
    assert y_res.tolist() == [values[i] for i in sampler.sample_indices_]


@pytest.mark.parametrize("kind", ["string_view", "binary_view"])
def test_pandas_arrow_view_X_columns_are_resampled(kind):
    pa = pytest.importorskip("pyarrow")
    view = _view_type(kind)
    raw = [str(i) if kind == "string_view" else str(i).encode() for i in range(9)]
    raw[4] = None
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.array(raw, view)), name="v")
    X = pd.DataFrame({"v": column, "n": np.arange(9.0)})
    y = np.array([0] * 6 + [1] * 3)
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res["v"].dtype == column.dtype
    taken = X_res["v"].array.__arrow_array__().to_pylist()
    assert taken == [raw[i] for i in sampler.sample_indices_]
    assert X_res["n"].tolist() == [float(i) for i in sampler.sample_indices_]


# --- dates and durations: refused, saying how to use them --------------------------

DATES = {
    "datetime64[D]": lambda: np.array(["2020-01-01"] * 6 + ["2020-01-02"] * 3, "M8[D]"),
    "timedelta64[s]": lambda: np.array([1] * 6 + [2] * 3, "m8[s]"),
    "pandas-datetime": lambda: pd.Series(
        pd.to_datetime(["2020-01-01"] * 6 + ["2020-01-02"] * 3)
    ),
}


@pytest.mark.parametrize("make_y", DATES.values(), ids=DATES)
def test_date_labels_are_refused_with_a_fix(make_y):
    y = make_y()
    with pytest.raises(
        ValueError,
        match=r"^y has dtype (datetime|timedelta)64.*dates, times or durations.*"
        r"y\.astype\(str\)",
    ):
        RandomUnderSampler().fit_resample(np.zeros((len(y), 1)), y)


# Lead, after review 19: the torch samplers read label lists as fit_resample does.
def test_torch_sampler_refuses_nan_among_string_labels():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = ["a"] * 6 + [float("nan")] + ["b"] * 3
    with pytest.raises(ValueError, match="missing"):
        RebalanceSampler(labels)


def test_torch_sampler_keeps_big_integer_labels_apart():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = [2**63] * 6 + [2**63 + 1] * 3 + [-1] * 3
    drawn = np.asarray(list(iter(RebalanceSampler(labels, seed=0))))
    # Label shuffle: every class as large as the largest (6 rows), so three
    # classes give 18 rows; merged into two they would give 12.
    assert len(drawn) == 18
    assert Counter(np.asarray(labels, dtype=object)[drawn].tolist()) == {
        2**63: 6,
        2**63 + 1: 6,
        -1: 6,
    }
