"""Review round 29, class labels (2): silent class merges, and clear errors.

* numpy drops the trailing NUL characters of strings and bytes: a list (or a
  polars ``String`` column) holding ``'a'`` and ``'a\\x00'`` was read as one
  class, where pandas, pyarrow and Python see two.
* ``[2**53, 2**53 + 1, 1.0]``: numpy rounds the ints to floats, and
  ``2**53 + 1`` became ``2**53`` (one class); the check for rounded ints
  began above 2**53, not at it.
* a one-hot frame of nullable columns with ``pd.NA`` raised pandas' "boolean
  value of NA is ambiguous" (a TypeError naming nothing), and a NaN in a
  one-hot matrix was called "multilabel": both are missing labels.
* ``Enum`` members (one type, no order) were said to "mix label types".
"""

from __future__ import annotations

import enum

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler, class_weights
from rebalance._labels import encode_labels, label_array


def _check_gathered(y, y_res, indices):
    """y_res holds y's values at sample_indices_, exactly (type included)."""
    expected = [y[i] for i in indices]
    got = list(y_res)
    assert [type(v) for v in got] == [type(v) for v in expected]
    assert got == expected


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(["a", "a\x00", "b", "b", "b", "b"], id="str"),
        pytest.param([b"a", b"a\x00", b"b", b"b", b"b", b"b"], id="bytes"),
        pytest.param(["a\x00", "a\x00\x00", "b", "b", "b", "b"], id="str-only-nul"),
        pytest.param([["a"], ["a\x00"], ["b"], ["b"], ["b"], ["b"]], id="column"),
    ],
)
def test_trailing_nul_strings_are_classes_of_their_own(y):
    # As pandas reads them: three classes.
    flat = [v[0] if isinstance(v, list) else v for v in y]
    assert len(class_weights(pd.Series(flat))) == 3
    labels, _, _ = encode_labels(y)
    assert labels.n_classes == 3
    assert sorted(labels.classes.tolist()) == sorted(set(flat))
    weights = class_weights(y)
    assert set(weights) == set(flat)
    sampler = RandomUnderSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.zeros((6, 1)), flat)
    # One row of each class (1, 1 and 4 rows): never two 'a's.
    assert sorted(y_res) == sorted(set(flat))
    _check_gathered(flat, y_res, sampler.sample_indices_)


def test_trailing_nul_strings_without_nul_stay_numpy_text():
    assert label_array(["a", "b"]).dtype.kind == "U"
    assert label_array([b"a", b"b"]).dtype.kind == "S"


def test_polars_string_column_with_trailing_nul():
    pl = pytest.importorskip("polars")
    y = pl.Series(["a", "a\x00", "b", "b", "b", "b"])
    assert set(class_weights(y)) == {"a", "a\x00", "b"}
    assert set(class_weights(pl.DataFrame({"y": y}))) == {"a", "a\x00", "b"}
    sampler = RandomUnderSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.zeros((6, 1)), y)
    assert sorted(y_res.to_list()) == ["a", "a\x00", "b"]
    # Without a NUL: as before.
    assert class_weights(pl.Series(["a", "b", "b"])) == class_weights(["a", "b", "b"])


@pytest.mark.parametrize("sign", [1, -1])
def test_ints_at_2_53_among_floats_are_not_merged(sign):
    big = sign * 2**53
    y = [big, big + sign, 1.0, 1.0, 1.0, 1.0]
    labels, _, _ = encode_labels(y)
    assert labels.n_classes == 3 == len(set(y))
    assert set(class_weights(y)) == set(y)
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.zeros((6, 1)), y)
    # Every class grown to 4 rows: 12 in all, 4 of each big int.
    assert len(y_res) == 12
    assert y_res.count(big) == 4 and y_res.count(big + sign) == 4
    _check_gathered(y, y_res, sampler.sample_indices_)


def test_whole_floats_up_to_2_53_stay_floats():
    assert label_array([2.0**53, 1.0]).dtype == np.float64
    assert label_array([2**52, 1.0]).dtype == np.float64


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda: pd.DataFrame([[1, 0], [0, pd.NA], [1, 0], [0, 1]], dtype="Int64"),
            id="Int64",
        ),
        pytest.param(
            lambda: pd.DataFrame(
                [[True, False], [False, pd.NA], [True, False], [False, True]],
                dtype="boolean",
            ),
            id="boolean",
        ),
        pytest.param(
            lambda: np.array([[1, 0], [0, np.nan], [1, 0], [0, 1]]), id="float-nan"
        ),
        pytest.param(
            lambda: np.array([[1, 0], [0, None], [1, 0], [0, 1]], dtype=object),
            id="object-none",
        ),
    ],
)
def test_one_hot_with_missing_entry_is_a_missing_label(make):
    y = make()
    with pytest.raises(ValueError, match="y has missing labels .* position 1"):
        RandomOverSampler(random_state=0).fit_resample(np.zeros((4, 1)), y)
    with pytest.raises(ValueError, match="y has missing labels"):
        class_weights(y)


def test_polars_one_hot_with_null_is_a_missing_label():
    pl = pytest.importorskip("polars")
    y = pl.DataFrame({"a": [1, 0, 1, 0], "b": [0, None, 0, 1]})
    with pytest.raises(ValueError, match="y has missing labels"):
        class_weights(y)


class Colour(enum.Enum):
    RED = 1
    GREEN = 2


def test_enum_labels_error_names_the_type_not_a_mixture():
    y = [Colour.RED, Colour.GREEN, Colour.RED]
    with pytest.raises(TypeError, match="type Colour, which cannot be sorted") as info:
        class_weights(y)
    assert "mixes" not in str(info.value)
    # Mixed types are still called a mixture.
    with pytest.raises(TypeError, match="mixes label types"):
        class_weights([Colour.RED, 1, Colour.GREEN])
