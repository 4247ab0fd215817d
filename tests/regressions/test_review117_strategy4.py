"""Review 117, area "strategy4": validation of the samplers' other parameters.

White-box audit of ``rebalance/_strategy.py`` and ``rebalance/_validation.py``
beyond the ``sampling_strategy`` differential fuzz of review 103: the forms of
``random_state`` (None and numpy's global seed, a shared RandomState, a
Generator), ``shrinkage`` (numpy floats, dicts with numpy keys, ``shrinkage_``
against imbalanced-learn's), ``n_samples`` and ``power`` of
``ClassBalancedSampler``, ``replacement``/``shuffle`` flags, a callable
strategy returning the wrong type, ``sample_weight`` forms, and the torch
samplers' shared validators (seed, batch_size, a wrapped sampler's parameters).
"""

import fractions

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

import rebalance
from rebalance.samplers import ClassBalancedSampler

X = np.arange(24.0).reshape(12, 2)
Y = np.array([0] * 6 + [1] * 4 + [2] * 2)


def test_random_state_none_follows_numpy_global_seed():
    sampler = rebalance.RandomUnderSampler()
    saved = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(0)  # noqa: NPY002
        sampler.fit_resample(X, Y)
        first = sampler.sample_indices_.copy()
        np.random.seed(0)  # noqa: NPY002
        sampler.fit_resample(X, Y)
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    np.testing.assert_array_equal(first, sampler.sample_indices_)


def test_shared_random_state_object_gives_two_draws():
    rs = np.random.RandomState(0)
    one = rebalance.RandomUnderSampler(random_state=rs)
    two = rebalance.RandomUnderSampler(random_state=rs)
    one.fit_resample(X, Y)
    two.fit_resample(X, Y)
    assert (one.sample_indices_ != two.sample_indices_).any()


@pytest.mark.parametrize("seed", [True, -1, 2**32, 1.0, "0"])
def test_bad_random_state_is_a_parameter_error(seed):
    with pytest.raises(InvalidParameterError, match="random_state"):
        rebalance.RandomUnderSampler(random_state=seed).fit_resample(X, Y)


def test_shrinkage_numpy_float_and_numpy_key_as_python_values():
    ours = rebalance.RandomOverSampler(
        sampling_strategy="minority",
        shrinkage={np.int64(2): np.float32(0.5), 0: 1},
        random_state=0,
    )
    ours.fit_resample(X, Y)
    assert ours.shrinkage_ == {2: 0.5, 0: 1.0}
    assert all(type(k) is int for k in ours.shrinkage_)
    assert all(type(v) is float for v in ours.shrinkage_.values())
    a = rebalance.RandomOverSampler(shrinkage=np.float32(0.5), random_state=0)
    b = rebalance.RandomOverSampler(shrinkage=0.5, random_state=0)
    np.testing.assert_array_equal(a.fit_resample(X, Y)[0], b.fit_resample(X, Y)[0])


def test_shrinkage_number_covers_the_strategy_classes_as_imblearn():
    imb_over = pytest.importorskip("imblearn.over_sampling")
    ours = rebalance.RandomOverSampler(
        sampling_strategy="not minority", shrinkage=0.5, random_state=0
    )
    peer = imb_over.RandomOverSampler(
        sampling_strategy="not minority", shrinkage=0.5, random_state=0
    )
    ours.fit_resample(X, Y)
    peer.fit_resample(X, Y)
    assert ours.shrinkage_ == {int(k): v for k, v in peer.shrinkage_.items()}


def test_shrinkage_dict_missing_an_oversampled_class_names_it():
    with pytest.raises(ValueError, match=r"shrinkage.*\[1\]"):
        rebalance.RandomOverSampler(shrinkage={2: 1.0, 0: 1.0}).fit_resample(X, Y)


@pytest.mark.parametrize("flag", [1, 0, "yes", None])
def test_replacement_and_shuffle_take_only_bools(flag):
    with pytest.raises(InvalidParameterError, match="replacement"):
        rebalance.RandomUnderSampler(replacement=flag).fit_resample(X, Y)
    with pytest.raises(InvalidParameterError, match="shuffle"):
        rebalance.RandomOverSampler(shuffle=flag).fit_resample(X, Y)


def test_class_balanced_numeric_forms():
    a = ClassBalancedSampler(n_samples=np.int64(9), power=fractions.Fraction(1, 2))
    b = ClassBalancedSampler(n_samples=9, power=0.5)
    ra = a.set_params(random_state=0).fit_resample(X, Y)[1]
    rb = b.set_params(random_state=0).fit_resample(X, Y)[1]
    np.testing.assert_array_equal(ra, rb)
    for bad in (5.0, True, 0):
        with pytest.raises(InvalidParameterError, match="n_samples"):
            ClassBalancedSampler(n_samples=bad).fit_resample(X, Y)
    for bad in (True, 1.1, float("nan"), "0.5"):
        with pytest.raises(InvalidParameterError, match="power"):
            ClassBalancedSampler(power=bad).fit_resample(X, Y)


def test_class_balanced_astronomic_n_samples_names_n_samples():
    # 2**70 is refused with a ValueError naming n_samples; 10**400 should be too.
    with pytest.raises(ValueError, match="n_samples"):
        ClassBalancedSampler(n_samples=10**400).fit_resample(X, Y)


def test_callable_strategy_returning_list_names_the_callable():
    sampler = rebalance.RandomUnderSampler(sampling_strategy=lambda y: [2])
    with pytest.raises(TypeError, match="callable must return a dict"):
        sampler.fit_resample(X, Y)


def test_masked_sample_weight_is_a_missing_weight():
    weights = np.ma.array(np.ones(12), mask=[0] * 11 + [1])
    with pytest.raises(ValueError, match="sample_weight must hold finite"):
        rebalance.RandomUnderSampler(random_state=0).fit_resample(
            X, Y, sample_weight=weights
        )


def test_torch_samplers_shared_validators():
    torch_mod = pytest.importorskip("rebalance.torch")
    y = np.array([0] * 7 + [1] * 3)
    assert len(torch_mod.RebalanceSampler(y, seed=np.int64(3))) == 14
    for bad, exc in ((True, TypeError), (-1, ValueError), (1.0, TypeError)):
        with pytest.raises(exc, match="seed"):
            torch_mod.RebalanceSampler(y, seed=bad)
    assert torch_mod.BalancedBatchSampler(y, np.int64(4)).batch_size == 4
    with pytest.raises(TypeError, match="batch_size"):
        torch_mod.BalancedBatchSampler(y, 4.0)
    with pytest.raises(InvalidParameterError, match="RebalanceSampler.*replacement"):
        torch_mod.RebalanceSampler(y, rebalance.RandomUnderSampler(replacement=1))
    # shrinkage=0 adds no noise: plain copies, which indices describe.
    plain = list(torch_mod.RebalanceSampler(y, rebalance.RandomOverSampler()))
    zero = rebalance.RandomOverSampler(shrinkage={1: 0})
    assert list(torch_mod.RebalanceSampler(y, zero)) == plain
