"""Review 41 (labels): a bare pandas Categorical read as the Series holding it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomUnderSampler, class_weights
from rebalance._labels import encode_labels


def _labels():
    values = ["a", "a", "b", "a", "b", "a", "c", "a"]
    return pd.Categorical(values, categories=["c", "b", "a", "unused"])


def test_bare_categorical_classes_in_the_categories_order():
    # A bare pd.Categorical was read through its values: classes sorted
    # (['a', 'b', 'c']), where the same labels in a Series keep the
    # categories' order (['c', 'b', 'a']): class_weights' keys and the
    # samplers' draws depended on the container.
    bare, series = _labels(), pd.Series(_labels())
    assert list(encode_labels(bare)[0].classes) == ["c", "b", "a"]
    assert list(encode_labels(series)[0].classes) == ["c", "b", "a"]
    assert list(class_weights(bare)) == list(class_weights(series)) == ["c", "b", "a"]


def test_bare_categorical_draws_the_rows_of_its_series():
    X = np.arange(16).reshape(8, 2)
    bare, series = (
        RandomUnderSampler(random_state=3),
        RandomUnderSampler(random_state=3),
    )
    _, y_bare = bare.fit_resample(X, _labels())
    _, y_series = series.fit_resample(X, pd.Series(_labels()))
    assert list(bare.sampling_strategy_) == list(series.sampling_strategy_)
    np.testing.assert_array_equal(bare.sample_indices_, series.sample_indices_)
    assert isinstance(y_bare, pd.Categorical)  # still returned as given
    assert list(y_bare) == list(y_series)


def test_torch_samplers_read_a_bare_categorical_as_its_series():
    torch_samplers = pytest.importorskip("rebalance.torch")
    bare = torch_samplers.RebalanceSampler(_labels(), seed=1)
    series = torch_samplers.RebalanceSampler(pd.Series(_labels()), seed=1)
    assert list(bare) == list(series)
    # epoch 0 is fit_resample's draw of the same labels
    sampler = RandomUnderSampler(random_state=5)
    drawn = torch_samplers.RebalanceSampler(_labels(), sampler, seed=5)
    sampler.fit_resample(np.zeros((8, 1)), _labels())
    assert sorted(drawn) == sorted(sampler.sample_indices_)
