"""Review 110 audit_labels: a white-box audit of ``rebalance/_labels.py``
(checking and encoding labels), ``rebalance/_validation.py`` (seeds, weights,
features) and ``rebalance/_strategy.py`` (``sampling_strategy`` to targets),
checked through the public API (the samplers, their plans, the torch
sampler, the meta-estimators, ``g_mean_score``).

One bug: a ``Decimal('sNaN')`` label (a signalling NaN, a missing label)
escapes as a bare ``decimal.InvalidOperation`` from ``pd.isna`` (in the
missing-label check of ``_encode_sorted``, ``label_values`` and the one-hot
check of ``_target_array``), naming no argument. The rest pin behaviour the
audit confirmed.
"""

from __future__ import annotations

import decimal
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler, ResampledClassifier
from rebalance.metrics import g_mean_score

D = decimal.Decimal


def _X(n):
    return np.arange(n).reshape(-1, 1)


def _strategy(y, sampler=None):
    sampler = RandomOverSampler(random_state=0) if sampler is None else sampler
    return sampler.fit(_X(len(y)), y).sampling_strategy_


# --- the bug ---------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: [D("1"), D("sNaN"), D("2")],
        lambda: pd.Series([D("1"), D("sNaN"), D("2")]),
        lambda: np.array([[1, 0], [0, D("sNaN")], [0, 1]], dtype=object),
    ],
    ids=["list", "series", "one_hot"],
)
def test_signalling_nan_decimal_label_is_a_missing_label(make):
    with pytest.raises(ValueError, match=r"^y has missing labels"):
        RandomOverSampler().fit(_X(3), make())


# --- pins: exact encoding of every integer / float dtype --------------------


def test_int8_extremes_encoded_exactly_and_dtype_kept():
    y = np.array([-128, 127, 127, -128, 127], dtype=np.int8)
    assert _strategy(y, RandomUnderSampler(random_state=0)) == {127: 2}
    _, y_res = RandomUnderSampler(random_state=0).fit_resample(_X(5), y)
    assert y_res.dtype == np.int8
    assert sorted(y_res.tolist()) == [-128, -128, 127, 127]


def test_uint64_above_2_63_are_distinct_classes():
    y = np.array([2**63, 2**63 + 1, 2**63 + 1] + [2**64 - 1] * 3, dtype=np.uint64)
    assert _strategy(y) == {2**63: 2, 2**63 + 1: 1}


@pytest.mark.parametrize(
    "values, dtype",
    [
        ([-(2**63), 2**63 - 1, 2**63 - 1], np.int64),
        ([2**63 - 3, 2**63 - 1, 2**63 - 1], np.int64),
    ],
    ids=["wide_span_sorted", "narrow_span_near_max"],
)
def test_int64_extremes_both_encoding_paths(values, dtype):
    y = np.array(values, dtype=dtype)
    assert _strategy(y) == {int(y[0]): 1}


def test_list_of_ints_beyond_2_53_with_a_float_kept_exact():
    assert _strategy([2**53 + 1, 2**53, 2**53, 1.0]) == {1.0: 1, 2**53 + 1: 1}


def test_whole_floats_beyond_int64_and_wide_span():
    assert _strategy(np.array([1e20, 1e20, 3e20])) == {3e20: 1}
    assert _strategy(np.array([0.0, 1e15, 1e15])) == {0.0: 1}


def test_bool_view_holding_two_is_true():
    y = np.array([0, 1, 2, 0], dtype=np.uint8).view(bool)
    _, y_res = RandomOverSampler(random_state=0).fit_resample(_X(4), y)
    assert sorted(y_res.tolist()) == [False, False, True, True]


def test_strided_and_big_endian_labels():
    base = np.array([[0, 9], [1, 9], [1, 9], [0, 9], [1, 9], [1, 9]], dtype=np.intp)
    _, y_res = RandomOverSampler(random_state=0).fit_resample(_X(6), base[::-1, 0])
    assert np.bincount(y_res).tolist() == [4, 4]
    big = np.array([3, 1, 1, 3, 3], dtype=">i4")
    _, y_res = RandomOverSampler(random_state=0).fit_resample(_X(5), big)
    assert sorted(y_res.tolist()) == [1, 1, 1, 3, 3, 3]


@pytest.mark.parametrize(
    "y",
    [["a", "a\x00", "a"], [b"a", b"a\x00", b"a"]],
    ids=["str", "bytes"],
)
def test_trailing_nul_is_a_class_of_its_own(y):
    assert _strategy(y) == {y[1]: 1}


# --- pins: missing and refused labels ---------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: ["a", float("nan"), "b"],
        lambda: np.ma.array([0, 1, 1], mask=[0, 1, 0]),
        lambda: np.array([[1, 0], [np.nan, 1.0], [0, 1]]),
        lambda: [D("1"), D("NaN"), D("1")],
        lambda: np.array([1, np.float32("nan"), 2], dtype=object),
        lambda: np.array([1, np.nan, 2], dtype=np.float16),
        lambda: np.array([1, np.datetime64("NaT"), 2], dtype=object),
    ],
    ids=["str_nan", "masked", "one_hot_nan", "decimal_nan", "f32_obj", "f16", "nat"],
)
def test_missing_labels_named_at_their_row(make):
    with pytest.raises(ValueError, match="y has missing labels.*position 1"):
        RandomOverSampler().fit(_X(3), make())


def test_decimal_infinity_and_fraction_refused():
    with pytest.raises(ValueError, match="infinity"):
        RandomOverSampler().fit(_X(3), [D("1"), D("Infinity"), D("2")])
    with pytest.raises(ValueError, match="continuous"):
        RandomOverSampler().fit(_X(3), [D("1.5"), D("2"), D("2")])
    with pytest.raises(ValueError, match="y_pred is continuous"):
        g_mean_score([0, 1, 1, 0], [0, 1, 0.5, 0])


def test_one_hot_with_unused_column_keeps_its_width():
    y = np.array([[1, 0, 0], [0, 0, 1], [0, 0, 1]])
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(_X(3), y)
    assert sampler.sampling_strategy_ == {0: 1}
    assert y_res.shape == (4, 3)
    assert y_res.sum(axis=1).tolist() == [1, 1, 1, 1]


# --- pins: plans never view the caller's labels -----------------------------


def _draw_twice(labels, mutate):
    plan = RandomUnderSampler().plan(labels)
    first = plan.draw(np.random.default_rng(0)).tolist()
    mutate(labels)
    return first, plan.draw(np.random.default_rng(0)).tolist()


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.array([0, 0, 0, 1, 1, 1, 1, 1], dtype=np.intp),
        lambda: np.array([0, 0, 0, 1, 1, 1, 1, 1]).reshape(-1, 1),
        lambda: pd.Series([0, 0, 0, 1, 1, 1, 1, 1]),
        lambda: pd.Series([0, 0, 0, 1, 1, 1, 1, 1], dtype="Int64"),
    ],
    ids=["intp", "column", "series", "Int64"],
)
def test_plan_unchanged_when_labels_change_in_place(make):
    def mutate(labels):
        if isinstance(labels, pd.Series):
            labels.iloc[:3] = 1
        else:
            labels[:3] = 1

    first, again = _draw_twice(make(), mutate)
    assert first == again


def test_torch_sampler_unchanged_when_tensor_changes_in_place():
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])
    sampler = RebalanceSampler(labels, RandomUnderSampler(), seed=0)
    sampler.set_epoch(0)
    first = list(sampler)
    labels[:] = torch.tensor([1, 1, 1, 1, 0, 0, 0, 5])
    sampler.set_epoch(0)  # (each pass without it draws the next epoch)
    assert list(sampler) == first


# --- pins: _strategy --------------------------------------------------------


def test_categorical_tie_goes_to_first_sorted_class():
    y = pd.Series(pd.Categorical(list("babac"), categories=["c", "b", "a"]))
    sampler = RandomUnderSampler(sampling_strategy="majority", random_state=0)
    assert _strategy(y, sampler) == {"a": 1}


def test_fraction_ratio_exact():
    y = [0] * 6 + [1]
    assert _strategy(y, RandomOverSampler(sampling_strategy=Fraction(1, 3))) == {1: 1}
    assert _strategy(y, RandomUnderSampler(sampling_strategy=Fraction(1, 3))) == {0: 3}


def test_float32_ratio_truncates_as_imbalanced_learn():
    imblearn = pytest.importorskip("imblearn.under_sampling")
    y = np.array([0] * 10 + [1] * 3)
    ours = _strategy(y, RandomUnderSampler(sampling_strategy=np.float32(0.3)))
    theirs = imblearn.RandomUnderSampler(sampling_strategy=np.float32(0.3))
    theirs.fit_resample(_X(13), y)
    assert ours == {int(k): v for k, v in theirs.sampling_strategy_.items()} == {0: 9}


def test_dict_keys_and_counts():
    y = [0, 0, 0, 1]
    ros = RandomOverSampler
    assert _strategy(y, ros(sampling_strategy={np.int64(1): 5})) == {1: 4}
    assert _strategy(y, ros(sampling_strategy={1: np.int8(5)})) == {1: 4}
    with pytest.raises(ValueError, match="the class is the integer 1; use 1"):
        _strategy(y, ros(sampling_strategy={"1": 5}))
    with pytest.raises(TypeError, match=r"sampling_strategy\[1\] must be an integer"):
        _strategy(y, ros(sampling_strategy={1: True}))
    with pytest.raises(TypeError, match="must return a dict"):
        _strategy(y, ros(sampling_strategy=lambda labels: [1]))


def test_one_hot_frame_column_name_that_is_another_position_refused():
    y = pd.get_dummies(pd.Series([1, 2, 2, 2]))
    with pytest.raises(ValueError, match="1 is the position of column 2"):
        _strategy(y, RandomOverSampler(sampling_strategy={1: 3}))
    assert _strategy(y, RandomOverSampler(sampling_strategy={0: 3})) == {0: 2}


# --- pins: _validation ------------------------------------------------------


def test_shared_random_state_gives_two_draws():
    rs = np.random.RandomState(0)
    y = [0, 0, 0, 0, 1, 1]
    a = RandomOverSampler(random_state=rs).fit_resample(_X(6), y)[0].ravel()
    b = RandomOverSampler(random_state=rs).fit_resample(_X(6), y)[0].ravel()
    assert a.tolist() != b.tolist()


@pytest.mark.parametrize(
    "weights, message",
    [
        (np.ma.array([1.0, 2, 3, 4], mask=[0, 1, 0, 0]), "finite numbers"),
        (pd.Series([1, None, 3, 4], dtype="Int64"), "finite numbers"),
        (np.array([1, np.inf, 3, 4], dtype=np.float16), "finite numbers"),
        (np.array([np.timedelta64(1, "s")] * 4, dtype=object), "timedelta64"),
        (np.ones((4, 1)), r"shape \(4, 1\)"),
        ([1, -1, 1, 1], "non-negative"),
    ],
    ids=["masked", "Int64_NA", "f16_inf", "timedelta", "column", "negative"],
)
def test_bad_sample_weights_refused(weights, message):
    with pytest.raises(ValueError, match=message):
        RandomOverSampler().fit_resample(_X(4), [0, 0, 0, 1], sample_weight=weights)


def test_torch_and_uint64_weights_follow_rows():
    torch = pytest.importorskip("torch")
    y = [0, 0, 0, 1]
    for w in (torch.tensor([1.0, 2, 3, 4]), np.array([1, 2, 3, 4], np.uint64)):
        X_res, _, w_res = RandomOverSampler(random_state=0).fit_resample(
            _X(4), y, sample_weight=w
        )
        assert (np.asarray(w_res, dtype=float) == X_res.ravel() + 1).all()


@pytest.mark.parametrize(
    "y, classes",
    [
        (pd.Series([True] * 8 + [False] * 4, dtype="boolean"), [False, True]),
        (pd.Series([5] * 8 + [7] * 4, dtype="Int64"), [5, 7]),
        (pd.array([1] * 8 + [2] * 4, dtype="Int8"), [1, 2]),
    ],
    ids=["boolean", "Int64", "pd_array"],
)
def test_meta_estimator_classes_keep_nullable_label_type(y, classes):
    from sklearn.tree import DecisionTreeClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ResampledClassifier(
            RandomUnderSampler(random_state=0), DecisionTreeClassifier(random_state=0)
        ).fit(np.arange(12.0).reshape(-1, 1), y)
    assert model.classes_.tolist() == classes
    assert type(model.classes_.tolist()[0]) is type(classes[0])
