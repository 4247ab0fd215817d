"""Label rules, through the public samplers and ``class_weights``: missing
labels are an error in every container, and every valid label dtype is
encoded exactly and comes back unchanged."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    class_weights,
)
from rebalance._indices import EncodedLabels as IndicesEncodedLabels
from rebalance._labels import EncodedLabels, encode_labels
from rebalance._validation import encode_labels as validation_encode_labels

pa = pytest.importorskip("pyarrow")

pl = pytest.importorskip("polars")

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def test_label_helpers_importable_from_their_old_homes():
    assert validation_encode_labels is encode_labels
    assert EncodedLabels is IndicesEncodedLabels


# --- missing labels ---------------------------------------------------------


def _strings_with(missing, n=12, at=5):
    values = np.array(["a"] * (n - 3) + ["b"] * 3, dtype=object)
    values[at] = missing
    return values


MISSING = {
    "object-str-nan": lambda: _strings_with(np.nan),
    "object-str-None": lambda: _strings_with(None),
    "object-str-pd.NA": lambda: _strings_with(pd.NA),
    "object-int-nan": lambda: np.array([0] * 8 + [np.nan] + [1] * 3, dtype=object),
    "object-int-None": lambda: np.array([0] * 8 + [None] + [1] * 3, dtype=object),
    "object-float-nan-first": lambda: np.array(
        [np.nan] + [0.0] * 8 + [1.0] * 3, dtype=object
    ),
    "object-timestamp-NaT": lambda: np.array(
        [pd.Timestamp(0)] * 8 + [pd.NaT] + [pd.Timestamp(1)] * 3, dtype=object
    ),
    # Past the first 1000 rows, which is all the old check looked at.
    "object-None-after-row-1000": lambda: _strings_with(None, n=1500, at=1400),
    "object-nan-after-row-1000": lambda: _strings_with(np.nan, n=1500, at=1400),
    "list-None": lambda: ["a"] * 8 + [None] + ["b"] * 3,
    "float-nan": lambda: np.array([0.0] * 8 + [np.nan] + [1.0] * 3),
    "pandas-object-nan": lambda: pd.Series(_strings_with(np.nan)),
    "pandas-str": lambda: pd.Series(["a"] * 8 + [None] + ["b"] * 3, dtype="str"),
    "pandas-string": lambda: pd.Series(["a"] * 8 + [None] + ["b"] * 3, dtype="string"),
    "pandas-string[pyarrow]": lambda: pd.Series(
        ["a"] * 8 + [None] + ["b"] * 3, dtype="string[pyarrow]"
    ),
    "pandas-Int64": lambda: pd.Series([0] * 8 + [None] + [1] * 3, dtype="Int64"),
    "pandas-boolean": lambda: pd.Series(
        [False] * 8 + [None] + [True] * 3, dtype="boolean"
    ),
    "pandas-category": lambda: pd.Series(
        ["a"] * 8 + [None] + ["b"] * 3, dtype="category"
    ),
    "pyarrow-Array-str": lambda: pa.array(["a"] * 8 + [None] + ["b"] * 3),
    "pyarrow-ChunkedArray-int": lambda: pa.chunked_array([[0] * 8, [None] + [1] * 3]),
    "polars-str": lambda: pl.Series("y", ["a"] * 8 + [None] + ["b"] * 3),
    "polars-int": lambda: pl.Series("y", [0] * 8 + [None] + [1] * 3),
}


@pytest.mark.parametrize("make_y", MISSING.values(), ids=MISSING.keys())
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_missing_labels_are_an_error_in_every_sampler(sampler_cls, make_y):
    y = make_y()
    X = np.zeros((len(y), 2))
    with pytest.raises(ValueError, match=r"^y has missing labels .*Drop those rows"):
        sampler_cls(random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("make_y", MISSING.values(), ids=MISSING.keys())
def test_missing_labels_are_an_error_in_class_weights(make_y):
    with pytest.raises(ValueError, match=r"^y has missing labels"):
        class_weights(make_y())


def test_missing_label_message_gives_count_and_first_position():
    y = _strings_with(None, n=1500, at=1400)
    y[1450] = np.nan
    with pytest.raises(ValueError, match=r"in 2 row\(s\), the first at position 1400"):
        RandomUnderSampler().fit_resample(np.zeros((1500, 1)), y)


def test_infinite_label_is_rejected_with_its_own_message():
    y = np.array([0.0] * 5 + [np.inf] + [1.0] * 3)
    with pytest.raises(ValueError, match="y contains infinity"):
        RandomUnderSampler().fit_resample(np.zeros((9, 1)), y)


# --- valid labels that failed or were split ----------------------------------


def _non_canonical_bool():
    # A uint8 buffer viewed as bool: the byte 2 is True, like the byte 1.
    return np.array([0] * 9 + [1, 2, 2], dtype=np.uint8).view(bool)


def _big_categorical():
    categories = np.arange(5_000_000)  # more than 4,194,304 categories
    codes = np.array([7] * 9 + [4_500_000] * 3)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories))


# name -> (labels, the two classes in sorted order, majority first in y)
VALID = {
    "int8-spanning-sign": (
        lambda: np.array([-100] * 9 + [100] * 3, np.int8),
        [-100, 100],
    ),
    "int8-full-range": (lambda: np.array([127] * 9 + [-128] * 3, np.int8), [-128, 127]),
    "int16-spanning-sign": (
        lambda: np.array([30000] * 9 + [-30000] * 3, np.int16),
        [-30000, 30000],
    ),
    "uint64-above-2**63": (
        lambda: np.array([2**63 + 5] * 9 + [2**63 + 6] * 3, np.uint64),
        [2**63 + 5, 2**63 + 6],
    ),
    "uint64-max": (
        lambda: np.array([2**64 - 1] * 9 + [0] * 3, np.uint64),
        [0, 2**64 - 1],
    ),
    "big-endian-i8": (lambda: np.array([0] * 9 + [1] * 3, ">i8"), [0, 1]),
    "big-endian-u4": (lambda: np.array([0] * 9 + [1] * 3, ">u4"), [0, 1]),
    "big-endian-f8": (lambda: np.array([0.0] * 9 + [1.0] * 3, ">f8"), [0.0, 1.0]),
    "float-1e20": (lambda: np.array([1e20] * 9 + [0.0] * 3), [0.0, 1e20]),
    "float-minus-1e20": (lambda: np.array([-1e20] * 9 + [1e20] * 3), [-1e20, 1e20]),
    "float16": (lambda: np.array([2.0] * 9 + [1.0] * 3, np.float16), [1.0, 2.0]),
    "non-canonical-bool": (_non_canonical_bool, [False, True]),
    "pandas-non-canonical-bool": (
        lambda: pd.Series(_non_canonical_bool()),
        [False, True],
    ),
    "pandas-category-5M": (_big_categorical, [7, 4_500_000]),
}


def _as_numpy(y):
    return y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)


def _class_of(values):
    values = _as_numpy(values)
    if values.dtype == bool:
        values = values.view(np.uint8) != 0
    return values.tolist()


@pytest.mark.parametrize(("make_y", "classes"), VALID.values(), ids=VALID.keys())
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_valid_labels_resample_exactly_and_come_back_unchanged(
    sampler_cls, make_y, classes
):
    y = make_y()
    before = _as_numpy(y).copy()
    X = np.arange(24.0).reshape(12, 2)
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    # The output labels are the input labels of the drawn rows, same dtype.
    assert type(y_res) is type(y)
    assert y_res.dtype == y.dtype
    assert _as_numpy(y_res).tobytes() == before[idx].tobytes()
    np.testing.assert_array_equal(X_res, X[idx])
    assert _as_numpy(y).tobytes() == before.tobytes()  # input untouched
    # Exactly two classes, the right ones.
    assert set(_class_of(y_res)) <= set(classes)
    assert sorted(sampler.sampling_strategy_, key=classes.index) == [
        c for c in classes if c in sampler.sampling_strategy_
    ]
    counts = Counter(_class_of(y_res))
    if sampler_cls is RandomUnderSampler:
        assert counts == dict.fromkeys(classes, 3)
    if sampler_cls in (RandomOverSampler, LabelShuffleSampler):
        assert counts == dict.fromkeys(classes, 9)


@pytest.mark.parametrize(("make_y", "classes"), VALID.values(), ids=VALID.keys())
def test_valid_labels_class_weights(make_y, classes):
    weights = class_weights(make_y())
    majority = _class_of(make_y())[0]
    expected = {c: 12 / (2 * (9 if c == majority else 3)) for c in classes}
    assert list(weights) == classes
    assert weights == pytest.approx(expected)


def test_non_canonical_bool_true_is_one_class():
    labels, _, _ = encode_labels(_non_canonical_bool())
    assert labels.classes.tolist() == [False, True]
    assert labels.counts.tolist() == [9, 3]


def test_whole_floats_beyond_int64_keep_distinct_classes():
    y = np.array([1e20, 1e20 + 2**17, -1e20, 1e20])
    labels, _, _ = encode_labels(y)
    assert labels.classes.tolist() == [-1e20, 1e20, 1e20 + 2**17]
    assert labels.counts.tolist() == [1, 2, 1]


def test_non_whole_floats_still_rejected():
    with pytest.raises(ValueError, match="continuous"):
        class_weights(np.array([0.5, 1.0, 1.0]))


# --- polars and pyarrow labels -----------------------------------------------

LABEL_CONTAINERS = {
    "polars-int": lambda v: pl.Series("target", v),
    "polars-str": lambda v: pl.Series("target", [f"c{x}" for x in v]),
    "polars-categorical": lambda v: pl.Series(
        "target", [f"c{x}" for x in v], dtype=pl.Categorical
    ),
    "pyarrow-Array": lambda v: pa.array(v, pa.int16()),
    "pyarrow-ChunkedArray-str": lambda v: pa.chunked_array(
        [[f"c{x}" for x in v[:5]], [f"c{x}" for x in v[5:]]]
    ),
    "pyarrow-dictionary": lambda v: pa.array([f"c{x}" for x in v]).dictionary_encode(),
}


@pytest.mark.parametrize("make_y", LABEL_CONTAINERS.values(), ids=LABEL_CONTAINERS)
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_polars_and_pyarrow_labels_come_back_in_their_type(sampler_cls, make_y):
    codes = [0] * 9 + [1] * 3
    y = make_y(codes)
    X = np.arange(24.0).reshape(12, 2)
    sampler = sampler_cls(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert type(y_res) is type(y)
    if hasattr(y, "type"):  # pyarrow
        assert y_res.type == y.type
        got, source = y_res.to_pylist(), y.to_pylist()
    else:
        assert y_res.dtype == y.dtype and y_res.name == y.name
        got, source = y_res.to_list(), y.to_list()
    assert got == [source[i] for i in sampler.sample_indices_]
    assert len(class_weights(y)) == 2
