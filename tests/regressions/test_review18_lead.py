"""Review 18 (lead): sample_weight given as something other than weights."""

import numpy as np
import pytest

from rebalance import RandomOverSampler


def _data():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.array([0] * 15 + [1] * 5)
    return X, y


@pytest.mark.parametrize("weight", ["w", b"w"])
def test_a_column_name_as_sample_weight_says_to_pass_the_weights(weight):
    X, y = _data()
    with pytest.raises(TypeError, match=r"column name is not looked up.*frame\["):
        RandomOverSampler(random_state=0).fit_resample(X, y, sample_weight=weight)


def test_a_generator_as_sample_weight_says_to_make_it_a_list():
    X, y = _data()
    weights = (1.0 for _ in range(20))
    with pytest.raises(TypeError, match=r"generator.*list\(sample_weight\)"):
        RandomOverSampler(random_state=0).fit_resample(X, y, sample_weight=weights)


@pytest.mark.parametrize("weight", [2.0, np.float32(2.0), 3])
def test_a_single_number_as_sample_weight_asks_for_one_per_row(weight):
    X, y = _data()
    with pytest.raises(ValueError, match=r"single number.*one\s+weight per row"):
        RandomOverSampler(random_state=0).fit_resample(X, y, sample_weight=weight)


def test_weights_in_a_list_or_tuple_are_still_resampled_with_their_rows():
    X, y = _data()
    weights = [float(i) for i in range(20)]
    for given in (weights, tuple(weights)):
        sampler = RandomOverSampler(random_state=0)
        _, _, w_res = sampler.fit_resample(X, y, sample_weight=given)
        np.testing.assert_array_equal(
            np.asarray(w_res), np.asarray(weights)[sampler.sample_indices_]
        )
