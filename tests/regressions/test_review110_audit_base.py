"""Review 110: white-box audit of rebalance/base.py, samplers.py, _metadata.py
and datasets.py, checked through the public API (one bug, the rest pins)."""

from __future__ import annotations

import pickle
import threading
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.datasets import CharVocabulary, load_breast_cancer_skewed, thin_class

Y3 = np.array([0] * 6 + [1] * 2 + [2] * 3)
X3 = np.arange(11.0).reshape(-1, 1)


def _one_hot():
    y = pd.DataFrame({"cat": [1, 1, 1, 1, 0, 0], "dog": [0, 0, 0, 0, 1, 1]})
    return np.arange(12.0).reshape(6, 2), y


# --- bug ---------------------------------------------------------------------


def test_shrinkage_keyed_by_one_hot_column_name_names_the_position():
    X, y = _one_hot()
    with pytest.raises(ValueError) as error:
        RandomOverSampler(shrinkage={"dog": 1.0}, random_state=0).fit(X, y)
    # As sampling_strategy={"dog": ...} is told: column 'dog' is class 1.
    assert "column" in str(error.value) and "{1: ...}" in str(error.value)


# --- pins: one-hot y ---------------------------------------------------------


def test_sampling_strategy_keyed_by_one_hot_column_name_names_the_position():
    X, y = _one_hot()
    for sampler in (RandomOverSampler(), ClassBalancedSampler()):
        sampler.set_params(sampling_strategy={"dog": 6})
        with pytest.raises(ValueError, match=r"column 'dog' is class 1"):
            sampler.fit(X, y)


def test_shrinkage_keyed_by_one_hot_position_is_taken():
    X, y = _one_hot()
    sampler = RandomOverSampler(shrinkage={1: 1.0}, random_state=0).fit(X, y)
    assert sampler.shrinkage_ == {1: 1.0}


# --- pins: SamplingPlan --------------------------------------------------------


def test_plan_compact_draws_int32_and_default_int64():
    rng = np.random.default_rng(0)
    assert RandomOverSampler().plan(Y3, compact=True).draw(rng).dtype == np.int32
    assert RandomOverSampler().plan(Y3).draw(rng).dtype == np.int64


def test_plan_draw_refuses_a_seed_naming_default_rng():
    plan = RandomOverSampler().plan(Y3)
    with pytest.raises(TypeError, match="default_rng"):
        plan.draw(0)


def test_plan_is_not_a_view_of_the_callers_labels():
    y = Y3.copy()
    plan = RandomUnderSampler().plan(y)
    y[:] = 1  # the caller reuses its array
    drawn = plan.draw(np.random.default_rng(0))
    assert np.bincount(Y3[drawn]).tolist() == [2, 2, 2]
    assert plan.labels.counts.tolist() == [6, 2, 3]


def test_plan_pickles_and_draws_the_same_rows():
    plan = ClassBalancedSampler(power=0.5).plan(Y3)
    copy = pickle.loads(pickle.dumps(plan))
    a = plan.draw(np.random.default_rng(1))
    b = copy.draw(np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)


def test_plan_draws_from_threads_match_serial_draws():
    plan = RandomUnderSampler().plan(Y3)
    out = {}

    def work(i):
        out[i] = plan.draw(np.random.default_rng(i))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in range(6):
        np.testing.assert_array_equal(out[i], plan.draw(np.random.default_rng(i)))


# --- pins: fit / fit_resample state and inputs --------------------------------


def test_fit_after_fit_resample_drops_earlier_attributes():
    sampler = RandomOverSampler(random_state=0)
    sampler.fit_resample(pd.DataFrame({"a": X3[:, 0]}), Y3)
    assert hasattr(sampler, "sample_indices_")
    assert hasattr(sampler, "feature_names_in_")
    sampler.fit(X3, Y3)
    assert not hasattr(sampler, "sample_indices_")
    assert not hasattr(sampler, "feature_names_in_")


@pytest.mark.parametrize(
    "weights, match", [(np.zeros(11), "all zero"), (np.full(11, np.nan), "finite")]
)
def test_unusable_weights_are_refused(weights, match):
    with pytest.raises(ValueError, match=match):
        RandomOverSampler().fit_resample(X3, Y3, sample_weight=weights)


def test_weight_containers_are_kept():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    sampler = RandomOverSampler(random_state=0, shuffle=False)
    for weights, kind in (
        (pl.Series(np.arange(11.0)), pl.Series),
        (pa.array(np.arange(11.0)), pa.Array),
    ):
        _, y_res, w_res = sampler.fit_resample(X3, Y3, sample_weight=weights)
        assert isinstance(w_res, kind)
        idx = sampler.sample_indices_
        np.testing.assert_array_equal(np.asarray(w_res.to_numpy()), idx.astype(float))


@pytest.mark.parametrize(
    "y",
    [
        np.array([2**64 - 1] * 4 + [0] * 2, dtype=np.uint64),
        np.array([2**62] * 4 + [-(2**62)] * 2, dtype=np.int64),
    ],
)
def test_extreme_integer_labels_come_back_exactly(y):
    X = np.arange(6.0).reshape(-1, 1)
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert y_res.dtype == y.dtype
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


def test_random_state_generator_advances_and_int_repeats():
    gen = RandomOverSampler(random_state=np.random.default_rng(0))
    a, b = gen.fit_resample(X3, Y3)[0], gen.fit_resample(X3, Y3)[0]
    assert not np.array_equal(a, b)
    seeded = RandomOverSampler(random_state=3)
    np.testing.assert_array_equal(
        seeded.fit_resample(X3, Y3)[0], seeded.fit_resample(X3, Y3)[0]
    )


# --- pins: samplers -------------------------------------------------------------


def test_class_balanced_power_as_fraction_draws_as_the_float():
    kwargs = {"n_samples": 500, "random_state": 0}
    a = ClassBalancedSampler(power=Fraction(1, 2), **kwargs).fit_resample(X3, Y3)
    b = ClassBalancedSampler(power=0.5, **kwargs).fit_resample(X3, Y3)
    np.testing.assert_array_equal(a[1], b[1])


def test_class_balanced_fit_report_is_rounded_expectation():
    sampler = ClassBalancedSampler(n_samples=7, random_state=0)
    sampler.fit(np.zeros((6, 1)), [0, 0, 0, 0, 1, 1])
    assert sampler.sampling_strategy_ == {0: 4, 1: 4}  # 3.5 each, within 1
    _, y_res = sampler.fit_resample(np.zeros((6, 1)), [0, 0, 0, 0, 1, 1])
    assert sum(sampler.sampling_strategy_.values()) == 7
    assert sampler.sampling_strategy_[1] == sum(y_res)


def test_label_shuffle_dict_repeats_each_row_floor_or_ceil():
    sampler = LabelShuffleSampler(sampling_strategy={1: 5}, random_state=0)
    X_res, y_res = sampler.fit_resample(X3, Y3)
    counts = np.bincount(X_res.ravel().astype(int), minlength=11)
    assert sorted(counts[6:8].tolist()) == [2, 3]  # class 1: 5 rows from 2
    assert counts[:6].tolist() == [1] * 6 and counts[8:].tolist() == [1] * 3
    assert sampler.sampling_strategy_ == {0: 6, 1: 5, 2: 3}


def test_under_sampler_dict_beyond_count_needs_replacement():
    with pytest.raises(ValueError, match="replacement=True"):
        RandomUnderSampler(sampling_strategy={0: 10}).fit_resample(X3, Y3)
    sampler = RandomUnderSampler(sampling_strategy={0: 10}, replacement=True)
    _, y_res = sampler.set_params(random_state=0).fit_resample(X3, Y3)
    assert np.bincount(y_res).tolist() == [10, 2, 3]


def test_smoothed_bootstrap_keeps_int_dtype_and_leaves_inputs_alone():
    X = np.arange(22).reshape(11, 2)
    X_before = X.copy()
    frame = pd.DataFrame({"a": np.arange(11), "b": np.arange(11.0)})
    frame_before = frame.copy()
    sampler = RandomOverSampler(shrinkage=2.0, random_state=0)
    X_res, _ = sampler.fit_resample(X, Y3)
    F_res, _ = sampler.fit_resample(frame, Y3)
    assert X_res.dtype == np.int64
    assert F_res.dtypes.tolist() == [np.dtype("int64"), np.dtype("float64")]
    np.testing.assert_array_equal(X, X_before)
    pd.testing.assert_frame_equal(frame, frame_before)


# --- pins: datasets -------------------------------------------------------------


def test_thin_class_keeps_pandas_index_and_leaves_inputs_alone():
    X = pd.DataFrame({"a": range(6)}, index=list("abcdef"))
    y = pd.Series([0, 0, 0, 0, 1, 1], index=list("abcdef"))
    X_before, y_before = X.copy(), y.copy()
    X_t, y_t = thin_class(X, y, np.float32(0.25), random_state=0)
    assert y_t.tolist().count(1) == 1 and len(X_t) == 5
    assert list(X_t.index) == list(y_t.index)
    assert set(X_t.index) <= set("abcdef")
    pd.testing.assert_frame_equal(X, X_before)
    pd.testing.assert_series_equal(y, y_before)


def test_thin_class_torch_stays_tensor():
    torch = pytest.importorskip("torch")
    X = torch.arange(10).reshape(5, 2)
    y = torch.tensor([0, 0, 0, 1, 1])
    X_t, y_t = thin_class(X, y, 0.34, random_state=0)
    assert isinstance(X_t, torch.Tensor) and isinstance(y_t, torch.Tensor)
    assert y_t.tolist() == [0, 0, 0, 1]
    assert X_t[:3].tolist() == [[0, 1], [2, 3], [4, 5]]


def test_breast_cancer_skewed_frame_holds_the_array_rows():
    Xa, ya = load_breast_cancer_skewed(0.1, random_state=3)
    Xf, yf = load_breast_cancer_skewed(0.1, random_state=3, as_frame=True)
    np.testing.assert_array_equal(Xa, Xf.to_numpy())
    np.testing.assert_array_equal(ya, yf.to_numpy())
    assert int(ya.sum()) == 35


def test_char_vocabulary_empty_and_generator_texts():
    vocab = CharVocabulary(max_length=3)
    assert vocab.lengths([]).dtype == np.int64
    assert vocab.fit(["ab"]).transform([]).shape == (0, 3)
    ids = CharVocabulary(max_length=3).fit_transform(iter(["ab", "b"]))
    assert ids.tolist() == [[3, 2, 0], [2, 0, 0]]
